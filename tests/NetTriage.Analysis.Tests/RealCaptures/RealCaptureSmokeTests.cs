using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Each real capture holds the packets its scenario is meant to produce, read back through the project's own
/// capture reader and decoders: the shape of the failure (ICMP type, code and sender; DNS rcode; TCP
/// handshake outcome), not yet the diagnosis.
/// </summary>
[Collection(RealCaptureCollection.Name)]
public sealed class RealCaptureSmokeTests(RealCaptureFixture fixture)
{
    private static readonly IpAddr Client = IpAddr.Parse("10.99.1.2");
    /// <summary>The router's address on the client's side: the source of every ICMP error the router sends.</summary>
    private static readonly IpAddr RouterClientSide = IpAddr.Parse("10.99.1.1");
    private static readonly IpAddr Server = IpAddr.Parse("10.99.2.2");

    private const ushort DnsPort = 53;
    private const ushort HttpPort = 80;

    // ICMPv4 types and codes, RFC 792 and RFC 1812 5.2.7.1.
    private const byte DestinationUnreachable = 3;
    private const byte TimeExceeded = 11;
    private const byte NetUnreachable = 0;
    private const byte HostUnreachable = 1;
    private const byte PortUnreachable = 3;
    private const byte AdministrativelyProhibited = 13;
    private const byte TtlExceededInTransit = 0;

    // DNS rcodes, RFC 1035 4.1.1.
    private const int NoError = 0;
    private const int ServFail = 2;
    private const int NxDomain = 3;
    private const int Refused = 5;

    private static readonly Dictionary<string, string> ExpectedKinds = new(StringComparer.Ordinal)
    {
        ["healthy"] = "none",
        ["dns-stopped"] = "dns-server-unreachable",
        ["dns-reject-admin"] = "dns-blocked",
        ["dns-reject-router-admin"] = "dns-blocked",
        ["dns-drop"] = "dns-no-response",
        ["dns-nxdomain"] = "dns-nxdomain",
        ["dns-servfail"] = "dns-servfail",
        ["dns-refused"] = "dns-refused",
        ["web-down"] = "tcp-connection-refused",
        ["web-drop"] = "tcp-no-response",
        ["no-route"] = "network-unreachable",
        ["host-down"] = "host-unreachable",
        ["ttl-exceeded"] = "ttl-exceeded",
    };

    [SkippableFact]
    public void Manifest_lists_every_scenario_with_its_expected_kind_and_an_existing_capture()
    {
        fixture.RequireCaptures();
        Assert.Equal(ExpectedKinds.Keys.Order(StringComparer.Ordinal),
            fixture.Scenarios.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var scenario in fixture.Scenarios)
        {
            Assert.Equal(ExpectedKinds[scenario.Name], scenario.ExpectedKind);
            Assert.False(string.IsNullOrWhiteSpace(scenario.Description), scenario.Name);
            var file = new FileInfo(fixture.PathOf(scenario.Name));
            Assert.True(file.Exists, file.FullName);
            Assert.NotEmpty(Read(scenario.Name));
        }
    }

    [SkippableFact]
    public void Healthy_resolves_the_name_and_fetches_the_page()
    {
        fixture.RequireCaptures();
        var packets = Read("healthy");

        var answer = packets.First(p => IsDnsResponse(p) && p.Ip.Source == Server);
        Assert.Equal(NoError, answer.Dns.Rcode);
        Assert.Contains(answer.Dns.StoredRecordSpan.ToArray(),
            r => r.Section == DnsSection.Answer && r.Type == DnsTypeA && r.Address == Server);

        Assert.Contains(packets, p => IsSyn(p) && p.Ip.Destination == Server && p.DestinationPort == HttpPort);
        Assert.Contains(packets, p => IsSynAck(p) && p.Ip.Source == Server && p.SourcePort == HttpPort);
        Assert.Contains(packets, p => p.Has(PacketLayers.Http) && !p.Http.IsRequest && p.Http.StatusCode == 200);
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Icmp));
        Assert.Equal(0, fixture.Scenario("healthy").CurlExit);
    }

    [SkippableFact]
    public void Dns_stopped_is_answered_by_port_unreachable_from_the_server()
    {
        fixture.RequireCaptures();
        var packets = Read("dns-stopped");
        AssertQueriesAnsweredByIcmp(packets, DestinationUnreachable, PortUnreachable, Server);
        AssertNoDnsResponseAndNoTcp(packets);
    }

    [SkippableFact]
    public void Dns_reject_admin_is_answered_by_admin_prohibited_from_the_server()
    {
        fixture.RequireCaptures();
        var packets = Read("dns-reject-admin");
        AssertQueriesAnsweredByIcmp(packets, DestinationUnreachable, AdministrativelyProhibited, Server);
        AssertNoDnsResponseAndNoTcp(packets);
    }

    [SkippableFact]
    public void Dns_reject_router_admin_is_answered_by_admin_prohibited_from_the_router()
    {
        fixture.RequireCaptures();
        var packets = Read("dns-reject-router-admin");
        AssertQueriesAnsweredByIcmp(packets, DestinationUnreachable, AdministrativelyProhibited, RouterClientSide);
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Icmp) && p.Ip.Source == Server);
        AssertNoDnsResponseAndNoTcp(packets);
    }

    [SkippableFact]
    public void Dns_drop_retries_without_any_answer()
    {
        fixture.RequireCaptures();
        var packets = Read("dns-drop");
        var queries = packets.Where(IsDnsQuery).ToList();
        Assert.True(queries.Count >= 2, $"{queries.Count} DNS queries");
        Assert.All(queries, q => Assert.Equal(Server, q.Ip.Destination));
        Assert.Single(queries.Select(q => q.Dns.Id).Distinct());
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Icmp));
        AssertNoDnsResponseAndNoTcp(packets);
    }

    [SkippableTheory]
    [InlineData("dns-nxdomain", NxDomain)]
    [InlineData("dns-servfail", ServFail)]
    [InlineData("dns-refused", Refused)]
    public void Dns_error_rcode_comes_from_the_server_and_no_connection_follows(string scenario, int rcode)
    {
        fixture.RequireCaptures();
        var packets = Read(scenario);
        var queries = packets.Where(IsDnsQuery).ToList();
        var responses = packets.Where(IsDnsResponse).ToList();
        Assert.NotEmpty(queries);
        Assert.NotEmpty(responses);
        Assert.All(responses, response =>
        {
            Assert.Equal(Server, response.Ip.Source);
            Assert.Equal(Client, response.Ip.Destination);
            Assert.Contains(queries, q => q.Dns.Id == response.Dns.Id && q.SourcePort == response.DestinationPort);
            Assert.Equal(rcode, response.Dns.Rcode);
            Assert.Equal(0, response.Dns.AnswerCount);
        });
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Tcp));
    }

    [SkippableFact]
    public void Web_down_syn_is_answered_by_rst()
    {
        fixture.RequireCaptures();
        var packets = Read("web-down");
        Assert.Contains(packets, p => IsDnsResponse(p) && p.Dns.Rcode == NoError && p.Dns.AnswerCount > 0);
        var syn = Assert.Single(packets, p => IsSyn(p) && p.Ip.Destination == Server && p.DestinationPort == HttpPort);
        var rst = Assert.Single(packets, p => p.Has(PacketLayers.Tcp) && (p.Tcp.Flags & TcpFlags.Rst) != 0);
        Assert.Equal(Server, rst.Ip.Source);
        Assert.Equal(HttpPort, rst.SourcePort);
        Assert.Equal(syn.SourcePort, rst.DestinationPort);
        Assert.Equal(syn.Tcp.Sequence + 1, rst.Tcp.Acknowledgment);
        Assert.DoesNotContain(packets, IsSynAck);
    }

    [SkippableFact]
    public void Web_drop_syn_is_retransmitted_and_never_answered()
    {
        fixture.RequireCaptures();
        var packets = Read("web-drop");
        Assert.Contains(packets, p => IsDnsResponse(p) && p.Dns.Rcode == NoError && p.Dns.AnswerCount > 0);
        var syns = packets.Where(p => IsSyn(p) && p.Ip.Destination == Server && p.DestinationPort == HttpPort).ToList();
        Assert.True(syns.Count >= 2, $"{syns.Count} SYNs");
        // Retransmissions of one connection attempt: same port, same initial sequence number.
        Assert.Single(syns.Select(s => (s.SourcePort, s.Tcp.Sequence)).Distinct());
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Tcp) && p.Ip.Source == Server);
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Icmp));
    }

    [SkippableFact]
    public void No_route_is_answered_by_net_unreachable_from_the_router()
    {
        fixture.RequireCaptures();
        var packets = Read("no-route");
        AssertQueriesAnsweredByIcmp(packets, DestinationUnreachable, NetUnreachable, RouterClientSide);
        AssertNoDnsResponseAndNoTcp(packets);
    }

    [SkippableFact]
    public void Host_down_is_answered_by_host_unreachable_from_the_router()
    {
        fixture.RequireCaptures();
        var packets = Read("host-down");
        AssertQueriesAnsweredByIcmp(packets, DestinationUnreachable, HostUnreachable, RouterClientSide);
        AssertNoDnsResponseAndNoTcp(packets);
        // The router gives up only after its ARP probes (three, one second apart), not at once.
        long firstQuery = packets.First(IsDnsQuery).Timestamp.Nanoseconds;
        long firstError = packets.First(p => p.Has(PacketLayers.Icmp)).Timestamp.Nanoseconds;
        Assert.True(firstError - firstQuery >= 2 * PacketTimestamp.NanosPerSecond,
            $"the first host unreachable came {(firstError - firstQuery) / 1_000_000} ms after the first query");
    }

    [SkippableFact]
    public void Ttl_exceeded_is_answered_by_time_exceeded_from_the_router()
    {
        fixture.RequireCaptures();
        var packets = Read("ttl-exceeded");
        Assert.All(packets.Where(IsDnsQuery), q => Assert.Equal(1, q.Ip.Ttl));
        AssertQueriesAnsweredByIcmp(packets, TimeExceeded, TtlExceededInTransit, RouterClientSide);
        AssertNoDnsResponseAndNoTcp(packets);
    }

    private const ushort DnsTypeA = 1;

    /// <summary>
    /// Every DNS query is to the server, at least one ICMP error of the given type and code reaches the client
    /// from <paramref name="sender"/>, and each error quotes UDP to port 53 with the id of a query that was sent.
    /// </summary>
    private static void AssertQueriesAnsweredByIcmp(List<DecodedPacket> packets, byte type, byte code, IpAddr sender)
    {
        var queries = packets.Where(IsDnsQuery).ToList();
        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.Equal(Server, q.Ip.Destination));
        var ids = queries.Select(q => q.Dns.Id).ToHashSet();

        var errors = packets.Where(p => p.Has(PacketLayers.Icmp)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.Equal(type, e.Icmp.Type);
            Assert.Equal(code, e.Icmp.Code);
            Assert.Equal(sender, e.Ip.Source);
            Assert.Equal(Client, e.Ip.Destination);
            Assert.True(e.Icmp.Quoted.Present);
            Assert.Equal(IpProtocol.Udp, e.Icmp.Quoted.Protocol);
            Assert.Equal(Client, e.Icmp.Quoted.Source);
            Assert.Equal(Server, e.Icmp.Quoted.Destination);
            Assert.True(e.Icmp.Quoted.HasPorts);
            Assert.Equal(DnsPort, e.Icmp.Quoted.DestinationPort);
            Assert.True(e.Icmp.Quoted.HasDnsId);
            Assert.Contains(e.Icmp.Quoted.DnsId, ids);
            Assert.Contains(queries, q => q.SourcePort == e.Icmp.Quoted.SourcePort);
        });
    }

    private static void AssertNoDnsResponseAndNoTcp(List<DecodedPacket> packets)
    {
        Assert.DoesNotContain(packets, IsDnsResponse);
        Assert.DoesNotContain(packets, p => p.Has(PacketLayers.Tcp));
    }

    private static bool IsDnsQuery(DecodedPacket p) =>
        p.Has(PacketLayers.Dns) && !p.Dns.IsResponse && p.Has(PacketLayers.Udp) && p.DestinationPort == DnsPort;

    private static bool IsDnsResponse(DecodedPacket p) =>
        p.Has(PacketLayers.Dns) && p.Dns.IsResponse && p.Has(PacketLayers.Udp) && p.SourcePort == DnsPort;

    private static bool IsSyn(DecodedPacket p) =>
        p.Has(PacketLayers.Tcp) && (p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;

    private static bool IsSynAck(DecodedPacket p) =>
        p.Has(PacketLayers.Tcp) && (p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack);

    /// <summary>Every packet of a scenario's capture, each kept as its own copy.</summary>
    private List<DecodedPacket> Read(string scenario)
    {
        var packets = new List<DecodedPacket>();
        using var source = CaptureOpener.Open(fixture.PathOf(scenario));
        var packet = new DecodedPacket();
        while (source.TryRead(packet))
        {
            var copy = new DecodedPacket();
            packet.CopyTo(copy);
            packets.Add(copy);
        }
        Assert.Empty(source.Warnings);
        return packets;
    }
}
