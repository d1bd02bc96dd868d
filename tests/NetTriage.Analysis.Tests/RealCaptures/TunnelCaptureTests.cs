using NetTriage.Analysis.Reading;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Real captures of encapsulated and fragmented traffic, recorded once per test run by
/// tests/scripts/make-tunnel-captures.sh: each failure scenario carried over a VXLAN overlay and captured at once on the
/// underlay (every frame inside UDP/4789) and on the overlay interface (the same traffic, plain); and DNS answers larger
/// than the link's MTU, which arrive in IPv4 or IPv6 fragments. Skips where the script cannot run (not root, no
/// namespaces, no vxlan device); fails when it could and did not.
/// </summary>
public sealed class TunnelCaptureFixture() : ScriptCaptureFixture("make-tunnel-captures.sh", "nettriage-tunnels-");

public sealed class TunnelCaptureTests(TunnelCaptureFixture fixture) : IClassFixture<TunnelCaptureFixture>
{
    private const string Server = "10.96.1.1";
    private const string Client = "10.96.1.2";
    private const string UnderlayServer = "10.96.0.1";
    private const string UnderlayClient = "10.96.0.2";
    private const uint Vni = 42;
    private const string BigName = "big.example.test";

    /// <summary>What the analysis read: packets decapsulated from VXLAN, fragments held and datagrams reassembled.</summary>
    private sealed class PacketCounts : IPacketObserver
    {
        public int Packets, IpPackets, Vxlan, OtherTunnels, BadVxlanOuter, FragmentsHeld;
        public int InnerIpPackets;
        public List<(int Fragments, byte Version, bool DnsResponse, int Answers)> Reassembled { get; } = [];

        public void Observe(DecodedPacket packet, int input)
        {
            Packets++;
            bool ip = (packet.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) != 0;
            if (ip) IpPackets++;
            if (packet.Tunnel.Depth > 0)
            {
                var t = packet.Tunnel;
                if (t.Kind != TunnelKind.Vxlan)
                {
                    OtherTunnels++;
                }
                else
                {
                    Vxlan++;
                    if (ip) InnerIpPackets++;
                    string outer = t.OuterSource + ">" + t.OuterDestination;
                    if (t.Depth != 1 || !t.HasIdentifier || t.Identifier != Vni || t.OuterDestinationPort != 4789
                        || (outer != UnderlayClient + ">" + UnderlayServer && outer != UnderlayServer + ">" + UnderlayClient))
                    {
                        BadVxlanOuter++;
                    }
                }
            }
            if (packet.FragmentHeld) FragmentsHeld++;
            if (packet.Reassembled)
            {
                bool dns = (packet.Layers & PacketLayers.Dns) != 0 && packet.Dns.IsResponse;
                Reassembled.Add((packet.ReassembledFragments, packet.Ip.Version, dns, dns ? packet.Dns.AnswerCount : 0));
            }
        }
    }

    /// <summary>The words the underlay's tunnel adds to each evidence line (the plain capture has none).</summary>
    private const string Tunnel = "in VXLAN VNI 42 between 10.96.0.1 and 10.96.0.2";

    [SkippableTheory]
    [InlineData("healthy", null)]
    [InlineData("dns-stopped", "dns-server-unreachable")]
    [InlineData("dns-drop", "dns-no-response")]
    [InlineData("web-down", "tcp-connection-refused")]
    [InlineData("web-drop", "tcp-no-response")]
    public void Traffic_inside_VXLAN_is_diagnosed_as_the_same_traffic_captured_plain(string scenario, string? kind)
    {
        var inTunnel = new PacketCounts();
        var encapsulated = fixture.Analyze("vxlan-" + scenario, inTunnel);
        var onOverlay = new PacketCounts();
        var plain = fixture.Analyze("overlay-" + scenario, onOverlay);

        Assert.Equal(kind ?? "none", fixture.Expected["vxlan-" + scenario]);
        Assert.Equal(kind ?? "none", fixture.Expected["overlay-" + scenario]);
        // The underlay capture is VXLAN: every IP packet of the overlay came out of VNI 42 between the two underlay
        // addresses, as many as the overlay interface saw at the same time; the overlay capture holds no tunnel.
        Assert.Equal(0, inTunnel.BadVxlanOuter);
        Assert.Equal(0, inTunnel.OtherTunnels);
        Assert.True(inTunnel.InnerIpPackets > 0, "no packet of the underlay capture was read inside VXLAN");
        Assert.Equal(onOverlay.IpPackets, inTunnel.InnerIpPackets);
        Assert.Equal(inTunnel.IpPackets, inTunnel.InnerIpPackets);
        Assert.Equal(0, onOverlay.Vxlan + onOverlay.OtherTunnels);

        // The same diagnosis, down to the causes, what is ruled out and the evidence packets.
        Assert.Equal(SameDiagnosis.Counts(plain), SameDiagnosis.Counts(encapsulated));
        Assert.Equal(plain.Findings.Select(SameDiagnosis.Describe), encapsulated.Findings.Select(SameDiagnosis.Describe));
        Assert.Equal(plain.Incidents.Select(i => SameDiagnosis.Describe(i, Tunnel)), encapsulated.Incidents.Select(i => SameDiagnosis.Describe(i, Tunnel)));
        Assert.Equal(plain.Caveats.Select(c => c.Kind), encapsulated.Caveats.Select(c => c.Kind));
        Assert.Equal(0, encapsulated.Capture.AnomalousPackets);

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
        Assert.All(incident.Evidence, e => Assert.DoesNotContain("10.96.0.", SameDiagnosis.WithoutTunnel(e.Summary, Tunnel), StringComparison.Ordinal));
        Assert.All(encapsulated.Findings, f => Assert.Equal([Tunnel], f.Tunnels));
        Assert.All(plain.Findings, f => Assert.Null(f.Tunnels));
    }

    [SkippableTheory]
    [InlineData("dns-frag-ipv4", 4, "10.96.2.1")]
    [InlineData("dns-frag-ipv6", 6, "fd96:3::1")]
    public void A_DNS_answer_in_IP_fragments_is_reassembled_and_read_as_answered(string scenario, byte version, string server)
    {
        var seen = new PacketCounts();
        var report = fixture.Analyze(scenario, seen);
        int records = int.Parse(fixture.Manifest[scenario]["answers"], System.Globalization.CultureInfo.InvariantCulture);

        // The answer arrived in fragments (the script checked with tcpdump that the capture holds them): all of them
        // were put back together into one DNS response carrying every record dig read.
        Assert.Equal("none", fixture.Expected[scenario]);
        Assert.True(records > 1, $"dig read {records} records");
        var datagram = Assert.Single(seen.Reassembled);
        Assert.True(datagram.Fragments >= 2, $"{datagram.Fragments} fragments");
        Assert.Equal(datagram.Fragments - 1, seen.FragmentsHeld);
        Assert.Equal((version, true, records), (datagram.Version, datagram.DnsResponse, datagram.Answers));

        // Answered, not a query without an answer; no incident, nothing cut short or malformed.
        Assert.Equal("no-incident", report.Verdict);
        Assert.Empty(report.Findings);
        Assert.Equal((1L, 1L, 1L, 0L, 0L, 0L), (report.Dns.Queries, report.Dns.Answered, report.Dns.AnsweredNoError,
            report.Dns.Unanswered, report.Dns.IcmpAnswered, report.Dns.UnmatchedResponses));
        Assert.Equal(0, report.Dns.FailureRate);
        var dnsServer = Assert.Single(report.Dns.Servers);
        Assert.Equal((server, 1L), (dnsServer.Server, dnsServer.Answered));
        Assert.Equal(0, report.Capture.AnomalousPackets);

        // Every address of the reassembled answer: 10.96.100.1 to .N, or fd96:100::1 to ::N.
        var expected = Enumerable.Range(1, records)
            .Select(i => version == 4 ? $"10.96.100.{i}" : $"fd96:100::{i:x}").Order(StringComparer.Ordinal);
        var addresses = report.DnsAnswers.Where(a => a.Name == BigName).Select(a => a.Address).Order(StringComparer.Ordinal);
        Assert.Equal(expected, addresses);
    }
}
