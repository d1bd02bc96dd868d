using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Failures toward unrelated servers that share one element of the path, built packet by packet: a default gateway
/// that answers ARP but forwards nothing, a router reporting many destinations unreachable, a client that receives
/// nothing in a capture without link layer; and the traps: a gateway that forwards other traffic, two servers of one
/// network, a router reporting two destinations.
/// </summary>
public sealed class PathFailureTests
{
    private const string Client = "10.0.0.5";
    private const string GatewayIp = "10.0.0.1";
    private const ulong GatewayMac = 0x02_00_00_00_00_01;
    private const ulong ClientMac = 0x02_00_0A_00_00_05;

    /// <summary>The client resolves its gateway (ARP), then asks two public resolvers and opens a web connection: nothing answers.</summary>
    private static Scenario DeadGateway(string secondResolver = "203.0.113.53")
    {
        var s = new Scenario().Gateway(GatewayMac, "10.");
        s.Arp(false, ClientMac, Client, 0, GatewayIp).Arp(true, GatewayMac, GatewayIp, ClientMac, Client);
        for (int i = 0; i < 3; i++)
        {
            s.After(1).Query(Client, (ushort)(40000 + i), "198.51.100.53", (ushort)(100 + i), "www.example.com");
            s.After(1).Query(Client, (ushort)(41000 + i), secondResolver, (ushort)(200 + i), "www.example.com");
        }
        s.After(1).Tcp(Client, 50000, "192.0.2.80", 443, TcpFlags.Syn, 1000);
        s.After(1).Tcp(Client, 50000, "192.0.2.80", 443, TcpFlags.Syn, 1000);
        s.After(2).Tcp(Client, 50000, "192.0.2.80", 443, TcpFlags.Syn, 1000);
        // The capture goes on: local chatter on the segment, nothing from beyond the gateway.
        for (int i = 0; i < 10; i++) s.After(1).Bystander();
        return s;
    }

    [Fact]
    public void Unanswered_servers_in_several_networks_behind_a_gateway_that_forwards_nothing_are_one_path_failure()
    {
        var report = DeadGateway().Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.PathFailure, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal(["192.0.2.80", "198.51.100.53", "203.0.113.53"], incident.Servers);
        Assert.Equal([Client], incident.Clients);
        Assert.Contains(GatewayIp, incident.Title, StringComparison.Ordinal);
        Assert.Contains("02:00:00:00:00:01", incident.Title, StringComparison.Ordinal);
        Assert.Equal("gateway-not-forwarding", incident.Causes[0].Id);
        // The per-server findings stay findings, inside this one incident.
        var path = Assert.Single(report.Findings, f => f.Kind == FindingKind.PathFailure);
        var members = report.Findings.Where(f => f.Kind is FindingKind.DnsNoResponse or FindingKind.TcpNoResponse).ToList();
        Assert.Equal(3, members.Count);
        Assert.Equal([path.Id, .. members.Select(f => f.Id)], incident.Findings.OrderBy(id => id == path.Id ? 0 : 1).ThenBy(id => id));
        Assert.Equal("gateway", path.Path!.Element);
        Assert.Equal(GatewayIp, path.Path.Address);
        Assert.Equal("02:00:00:00:00:01", path.Path.Mac);
        Assert.Equal(3, path.Path.Servers);
        Assert.Equal(9, path.Path.PacketsToGateway); // 6 queries and 3 SYNs
        Assert.Equal(0, path.Path.PacketsForwarded);
        Assert.Equal(members.Sum(f => f.Failed), incident.Failed);
        Assert.Contains(incident.Evidence, e => e.Role == "arp");
    }

    [Fact]
    public void A_gateway_that_forwards_other_traffic_is_not_accused()
    {
        // The same failures, but one answer from a server beyond the gateway came back through it: the gateway works.
        var s = DeadGateway();
        s.After(1).Tcp(Client, 50001, "192.0.2.10", 80, TcpFlags.Syn, 5000);
        s.Tcp("192.0.2.10", 80, Client, 50001, TcpFlags.Syn | TcpFlags.Ack, 7000, 5001);
        for (int i = 0; i < 6; i++) s.After(1).Bystander();

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.PathFailure);
        Assert.Contains(report.Incidents, i => i.Kind == FindingKind.DnsNoResponse && i.Servers.Contains("198.51.100.53"));
        Assert.Contains(report.Incidents, i => i.Kind == FindingKind.DnsNoResponse && i.Servers.Contains("203.0.113.53"));
    }

    [Fact]
    public void Servers_of_one_network_behind_a_silent_gateway_count_once()
    {
        // Two resolvers of one /24 and no web attempt: one site may simply be down; nothing joins them.
        var s = new Scenario().Gateway(GatewayMac, "10.");
        s.Arp(true, GatewayMac, GatewayIp, ClientMac, Client);
        for (int i = 0; i < 3; i++)
        {
            s.After(1).Query(Client, (ushort)(40000 + i), "198.51.100.53", (ushort)(100 + i), "www.example.com");
            s.After(1).Query(Client, (ushort)(41000 + i), "198.51.100.54", (ushort)(200 + i), "www.example.com");
        }
        for (int i = 0; i < 10; i++) s.After(1).Bystander();

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.PathFailure);
        Assert.Equal(2, report.Incidents.Count(i => i.Kind == FindingKind.DnsNoResponse));
    }

    [Fact]
    public void Servers_on_the_link_each_with_its_own_hardware_address_are_not_a_path_failure()
    {
        // No gateway: every host on one link. Two dead resolvers on the segment are two failures, not one path.
        var s = new Scenario();
        for (int i = 0; i < 3; i++)
        {
            s.After(1).Query(Client, (ushort)(40000 + i), "10.1.0.53", (ushort)(100 + i), "www.example.com");
            s.After(1).Query(Client, (ushort)(41000 + i), "10.2.0.53", (ushort)(200 + i), "www.example.com");
        }
        for (int i = 0; i < 10; i++) s.After(1).Bystander();

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.PathFailure);
        Assert.Equal(2, report.Incidents.Count);
    }

    [Fact]
    public void One_router_reporting_three_destinations_unreachable_is_one_routing_incident_and_two_are_not()
    {
        static AnalysisReport Run(int destinations)
        {
            var s = new Scenario();
            for (int d = 0; d < destinations; d++)
            {
                for (int i = 0; i < 2; i++)
                {
                    s.After(1).Tcp(Client, (ushort)(50000 + (d * 10) + i), $"192.0.{2 + d}.80", 443, TcpFlags.Syn, 1000);
                    s.IcmpError("10.0.0.254", 3, 1); // host unreachable, from a router
                }
            }
            for (int i = 0; i < 10; i++) s.After(1).Bystander();
            return s.Analyze();
        }

        var three = Run(3);
        var incident = Assert.Single(three.Incidents);
        Assert.Equal(FindingKind.PathFailure, incident.Kind);
        Assert.Contains("10.0.0.254", incident.Title, StringComparison.Ordinal);
        var path = Assert.Single(three.Findings, f => f.Kind == FindingKind.PathFailure).Path!;
        Assert.Equal("router", path.Element);
        Assert.Equal("10.0.0.254", path.Address);
        Assert.Equal(3, path.Servers);
        Assert.Equal(6, path.Errors);
        Assert.Equal(4, incident.Findings.Count);

        var two = Run(2);
        Assert.DoesNotContain(two.Findings, f => f.Kind == FindingKind.PathFailure);
        Assert.Equal(2, two.Incidents.Count);
    }

    [Fact]
    public void Without_a_link_layer_a_client_that_receives_nothing_at_all_has_a_first_hop_failure()
    {
        // tcpdump's text without -e: no hardware addresses. Two resolvers in two networks, asked again and again.
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 4; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"09:00:{i * 2:00}.000000 IP 10.0.0.5.{40000 + i} > 198.51.100.53.53: {100 + i}+ A? www.example.com. (33)\n");
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"09:00:{(i * 2) + 1:00}.000000 IP 10.0.0.5.{41000 + i} > 203.0.113.53.53: {200 + i}+ A? www.example.com. (33)\n");
        }
        text.Append("09:00:30.000000 IP 10.0.0.7.123 > 10.0.0.8.123: NTPv4, Client, length 48\n");

        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text.ToString())), "queries.txt"))
        {
            analyzer.Read(source);
        }
        var report = analyzer.Finish();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.PathFailure, incident.Kind);
        var path = Assert.Single(report.Findings, f => f.Kind == FindingKind.PathFailure).Path!;
        Assert.Equal("first-hop", path.Element);
        Assert.Null(path.Mac);
        Assert.Equal(0, path.PacketsToClient);
        Assert.Equal("first-hop-down", incident.Causes[0].Id);
    }
}
