using NetTriage.Analysis.Reading;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Real captures of traffic carried in GRE, recorded once per test run by tests/scripts/make-gre-captures.sh: each
/// failure scenario of the VXLAN captures (TunnelCaptureTests) carried through a GRE tunnel (RFC 2784, no key or
/// sequence number; its endpoints in user space, tests/scripts/lib/gre-tunnel.py) and captured at once on the underlay
/// (every inner packet inside IP protocol 47) and on the TUN device of the overlay (the same traffic, plain, link type
/// RAW). Skips where the script cannot run (not root, no namespaces, no TUN device or raw socket); fails when it could
/// and did not.
/// </summary>
public sealed class GreCaptureFixture() : ScriptCaptureFixture("make-gre-captures.sh", "nettriage-gre-");

public sealed class GreCaptureTests(GreCaptureFixture fixture) : IClassFixture<GreCaptureFixture>
{
    private const string Server = "10.97.1.1";
    private const string Client = "10.97.1.2";
    private const string UnderlayServer = "10.97.0.1";
    private const string UnderlayClient = "10.97.0.2";
    /// <summary>The outer IPv4 header and GRE's 4 bytes around each inner packet.</summary>
    private const int Encapsulation = 20 + 4;

    /// <summary>What the analysis read: packets decapsulated from GRE, and whether each sat in the tunnel it should.</summary>
    private sealed class PacketCounts : IPacketObserver
    {
        public int Packets, IpPackets, Gre, OtherTunnels, BadGreOuter, InnerIpPackets;

        public void Observe(DecodedPacket packet, int input)
        {
            Packets++;
            bool ip = (packet.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) != 0;
            if (ip) IpPackets++;
            if (packet.Tunnel.Depth == 0) return;
            var t = packet.Tunnel;
            if (t.Kind != TunnelKind.Gre)
            {
                OtherTunnels++;
                return;
            }
            Gre++;
            if (ip) InnerIpPackets++;
            string outer = t.OuterSource + ">" + t.OuterDestination;
            // One GRE header without a key, between the two underlay addresses, holding exactly the inner IPv4 packet.
            if (t.Depth != 1 || t.HasIdentifier || t.OuterProtocol != 47 || !ip || packet.Ip.Version != 4
                || t.OuterIpTotalLength != packet.Ip.TotalLength + Encapsulation
                || (outer != UnderlayClient + ">" + UnderlayServer && outer != UnderlayServer + ">" + UnderlayClient))
            {
                BadGreOuter++;
            }
        }
    }

    /// <summary>The words the underlay's tunnel adds to each evidence line (the lower outer address first).</summary>
    private const string Tunnel = "in GRE between " + UnderlayServer + " and " + UnderlayClient;

    [SkippableTheory]
    [InlineData("healthy", null)]
    [InlineData("dns-stopped", "dns-server-unreachable")]
    [InlineData("dns-drop", "dns-no-response")]
    [InlineData("web-down", "tcp-connection-refused")]
    [InlineData("web-drop", "tcp-no-response")]
    public void Traffic_inside_GRE_is_diagnosed_as_the_same_traffic_captured_plain(string scenario, string? kind)
    {
        var inTunnel = new PacketCounts();
        var encapsulated = fixture.Analyze("gre-" + scenario, inTunnel);
        var onOverlay = new PacketCounts();
        var plain = fixture.Analyze("gre-plain-" + scenario, onOverlay);

        Assert.Equal(kind ?? "none", fixture.Expected["gre-" + scenario]);
        Assert.Equal(kind ?? "none", fixture.Expected["gre-plain-" + scenario]);
        // The underlay capture is GRE: every IP packet of it came out of GRE between the two underlay addresses, as
        // many as the TUN device saw at the same time; the TUN capture holds no tunnel, only IP packets.
        Assert.Equal(0, inTunnel.BadGreOuter);
        Assert.Equal(0, inTunnel.OtherTunnels);
        Assert.True(inTunnel.InnerIpPackets > 0, "no packet of the underlay capture was read inside GRE");
        Assert.Equal(onOverlay.IpPackets, inTunnel.InnerIpPackets);
        Assert.Equal(inTunnel.IpPackets, inTunnel.InnerIpPackets);
        Assert.Equal(0, onOverlay.Gre + onOverlay.OtherTunnels);
        Assert.Equal(onOverlay.Packets, onOverlay.IpPackets);

        // The same diagnosis, down to the causes, what is ruled out and the evidence packets.
        Assert.Equal(SameDiagnosis.Counts(plain), SameDiagnosis.Counts(encapsulated));
        Assert.Equal(plain.Findings.Select(SameDiagnosis.Describe), encapsulated.Findings.Select(SameDiagnosis.Describe));
        Assert.Equal(plain.Incidents.Select(i => SameDiagnosis.Describe(i, Tunnel)), encapsulated.Incidents.Select(i => SameDiagnosis.Describe(i, Tunnel)));
        Assert.Equal(plain.Caveats.Select(c => c.Kind), encapsulated.Caveats.Select(c => c.Kind));
        Assert.Equal(0, encapsulated.Capture.AnomalousPackets);
        Assert.Equal(0, plain.Capture.AnomalousPackets);

        if (kind is null)
        {
            Assert.Equal("no-incident", encapsulated.Verdict);
            Assert.Empty(encapsulated.Findings);
            Assert.Equal(1, encapsulated.Dns.AnsweredNoError);
            Assert.Equal(1, encapsulated.Tcp.Established);
            Assert.Contains(encapsulated.Overview.Protocols, p => p.Protocol == "HTTP");
            return;
        }
        var incident = Assert.Single(encapsulated.Incidents);
        Assert.Equal(kind, incident.Kind.Name());
        Assert.Equal([Server], incident.Servers);
        Assert.Equal([Client], incident.Clients);
        Assert.Equal(kind.StartsWith("dns-", StringComparison.Ordinal) ? 53 : 80, incident.Port);
        Assert.True(incident.Failed >= 1);
        // The evidence is the overlay's packets, never the underlay's, each saying the tunnel it came through, as the
        // findings do; the plain capture names none.
        Assert.All(incident.Evidence, e => Assert.EndsWith($" ({Tunnel})", e.Summary, StringComparison.Ordinal));
        Assert.All(incident.Evidence, e => Assert.DoesNotContain("10.97.0.", SameDiagnosis.WithoutTunnel(e.Summary, Tunnel), StringComparison.Ordinal));
        Assert.NotEmpty(encapsulated.Findings);
        Assert.All(encapsulated.Findings, f => Assert.Equal([Tunnel], f.Tunnels));
        Assert.All(plain.Findings, f => Assert.Null(f.Tunnels));
    }
}
