using NetTriage.Analysis.Detection.Floods;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Scans and floods built packet by packet, each threshold met and just missed, and the traps an analyst knows:
/// a slow scan, a client of many open ports, a NAT gateway, a DNS server's replies, a busy web server.
/// </summary>
public sealed class AttackTests
{
    private const string Scanner = "10.0.0.66";
    private const string Target = "10.0.0.10";
    private const TcpFlags SynAck = TcpFlags.Syn | TcpFlags.Ack;
    private const TcpFlags RstAck = TcpFlags.Rst | TcpFlags.Ack;

    /// <summary>A half-open SYN scan (nmap -sS): open ports answer SYN-ACK and get a RST, closed answer RST, filtered nothing.</summary>
    private static Scenario SynScan(Scenario s, string target, int ports, ushort[] open, Func<int, bool> closed, double gap = 0)
    {
        for (int port = 1; port <= ports; port++)
        {
            s.Tcp(Scanner, 40000, target, (ushort)port, TcpFlags.Syn, 1000);
            if (open.Contains((ushort)port))
            {
                s.Tcp(target, (ushort)port, Scanner, 40000, SynAck, 5000, 1001);
                s.Tcp(Scanner, 40000, target, (ushort)port, TcpFlags.Rst, 1001);
            }
            else if (closed(port))
            {
                s.Tcp(target, (ushort)port, Scanner, 40000, RstAck, 0, 1001);
            }
            if (gap > 0) s.After(gap);
        }
        return s;
    }

    [Fact]
    public void A_syn_scan_of_a_thousand_ports_is_one_incident_that_says_what_the_scanner_learned()
    {
        var report = SynScan(new Scenario(), Target, 1000, [22, 80, 443], port => port % 2 == 0).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.PortScan, incident.Kind);
        Assert.Equal([Target], incident.Servers);
        Assert.Equal([Scanner], incident.Clients);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal("syn", facts.Technique);
        Assert.Equal(1000, facts.Ports);
        Assert.Equal(3, facts.Open);
        Assert.Equal(498, facts.Closed); // the 500 even ports but 22 and 80, which are open
        Assert.Equal(1000 - 3 - 498, facts.Filtered);
        Assert.Equal(["22/tcp", "80/tcp", "443/tcp"], facts.OpenList);
        // The refused probes were recorded as failures and counted into the scan instead of 500 incidents.
        Assert.True(facts.FailuresAbsorbed >= facts.Closed, $"absorbed {facts.FailuresAbsorbed}");
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.TcpConnectionRefused);
        Assert.Contains("22/tcp, 80/tcp, 443/tcp are open", incident.Summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scan_of_a_host_whose_service_fails_for_another_client_is_high_severity()
    {
        // A user's connections to the web server are refused while a scanner probes the same host: the scan is an
        // attack on a failing service, so high severity, and the user's failure stays its own incident.
        var s = new Scenario();
        for (int i = 0; i < 3; i++)
        {
            s.Tcp("10.0.0.20", (ushort)(51000 + i), Target, 8080, TcpFlags.Syn, 1000);
            s.Tcp(Target, 8080, "10.0.0.20", (ushort)(51000 + i), RstAck, 0, 1001).After(1);
        }
        var report = SynScan(s, Target, 100, [22], port => true).Analyze();

        var scan = Assert.Single(report.Incidents, i => i.Kind == FindingKind.PortScan);
        Assert.Equal(Severity.High, scan.Severity);
        Assert.Contains(report.Incidents, i => i.Kind == FindingKind.TcpConnectionRefused);
        // Alone, the same scan is medium.
        Assert.Equal(Severity.Medium, Assert.Single(SynScan(new Scenario(), Target, 100, [22], port => true).Analyze().Incidents).Severity);
    }

    [Fact]
    public void Fourteen_failed_ports_are_not_a_scan_and_fifteen_are()
    {
        var below = SynScan(new Scenario(), Target, ScanDetection.PortScanPorts - 1, [], _ => true).Analyze();
        Assert.DoesNotContain(below.Findings, f => f.Kind == FindingKind.PortScan);
        var at = SynScan(new Scenario(), Target, ScanDetection.PortScanPorts, [], _ => true).Analyze();
        Assert.Contains(at.Findings, f => f.Kind == FindingKind.PortScan);
    }

    [Fact]
    public void A_connect_scan_completes_handshakes_and_is_named_so()
    {
        // connect(): SYN, SYN-ACK, ACK, then the kernel aborts with RST and ACK; closed ports answer RST.
        var s = new Scenario();
        for (int port = 1; port <= 20; port++)
        {
            s.Tcp(Scanner, (ushort)(42000 + port), Target, (ushort)port, TcpFlags.Syn, 1000);
            if (port == 8)
            {
                s.Tcp(Target, 8, Scanner, 42008, SynAck, 5000, 1001);
                s.Tcp(Scanner, 42008, Target, 8, TcpFlags.Ack, 1001, 5001);
                s.Tcp(Scanner, 42008, Target, 8, RstAck, 1001, 5001);
            }
            else
            {
                s.Tcp(Target, (ushort)port, Scanner, (ushort)(42000 + port), RstAck, 0, 1001);
            }
        }
        var facts = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.PortScan).Attack!;
        Assert.Equal("connect", facts.Technique);
        Assert.Equal(["8/tcp"], facts.OpenList);
    }

    [Fact]
    public void A_slow_scan_of_one_port_a_minute_is_caught()
    {
        // 20 ports over 19 minutes: never more than 5 in scan.zeek's 5-minute window.
        var report = SynScan(new Scenario(), Target, 20, [], _ => true, gap: 60).Analyze();
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.PortScan);
        Assert.Equal(20, finding.Attack!.Ports);
        Assert.True(finding.DurationSeconds > 1100);
    }

    [Fact]
    public void A_client_of_many_open_ports_is_not_a_scanner()
    {
        // Passive FTP, or a monitoring agent: 40 ports of one host, every one answering and completing.
        var s = new Scenario();
        for (ushort port = 30000; port < 30040; port++)
        {
            s.Tcp("10.0.0.5", 50000, Target, port, TcpFlags.Syn, 1);
            s.Tcp(Target, port, "10.0.0.5", 50000, SynAck, 9, 2);
            s.Tcp("10.0.0.5", 50000, Target, port, TcpFlags.Ack, 2, 10);
        }
        var report = s.Analyze();
        Assert.Empty(report.Incidents);
        Assert.DoesNotContain(report.Findings, f => f.Attack is not null);
    }

    [Fact]
    public void Fin_null_and_xmas_probes_are_named_and_closed_ports_counted()
    {
        var s = new Scenario();
        TcpFlags[] probes = [TcpFlags.Fin, TcpFlags.None, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg];
        for (int port = 1; port <= 30; port++)
        {
            s.Tcp(Scanner, 41000, Target, (ushort)port, probes[port % 3], 1);
            if (port != 22) s.Tcp(Target, (ushort)port, Scanner, 41000, RstAck, 0, 1);
        }
        var facts = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.PortScan).Attack!;
        Assert.Equal("fin+null+xmas", facts.Technique);
        Assert.Equal(29, facts.Closed);
        Assert.Equal(1, facts.Filtered); // port 22 stayed silent: open or filtered, as RFC 9293 says
    }

    [Fact]
    public void An_address_scan_of_one_port_is_one_incident_and_its_silent_hosts_no_outage()
    {
        var s = new Scenario();
        for (int host = 1; host <= 60; host++)
        {
            string target = $"10.0.1.{host}";
            s.Tcp(Scanner, 40000, target, 22, TcpFlags.Syn, 1000);
            if (host is 7 or 9)
            {
                s.Tcp(target, 22, Scanner, 40000, SynAck, 5000, 1001);
                s.Tcp(Scanner, 40000, target, 22, TcpFlags.Rst, 1001);
            }
        }
        s.After(30).Bystander();
        var report = s.Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.AddressScan, incident.Kind);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.AddressScan).Attack!;
        Assert.Equal(60, facts.Targets);
        Assert.Equal(2, facts.Open);
        Assert.Equal(["10.0.1.7:22", "10.0.1.9:22"], facts.OpenList);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.TcpNoResponse);
    }

    [Fact]
    public void A_nat_gateway_reaching_many_web_servers_is_not_an_address_scan()
    {
        // 200 web servers on port 443, 30 of them dead: 30 failed hosts is past scan.zeek's 25, but a small share.
        var s = new Scenario();
        for (int host = 1; host <= 200; host++)
        {
            string server = $"198.51.{host / 100}.{host % 100 + 1}";
            ushort port = (ushort)(50000 + host);
            s.Tcp("10.0.0.1", port, server, 443, TcpFlags.Syn, 1);
            if (host % 7 != 0 || host > 210)
            {
                s.Tcp(server, 443, "10.0.0.1", port, SynAck, 9, 2);
                s.Tcp("10.0.0.1", port, server, 443, TcpFlags.Ack, 2, 10);
            }
        }
        var report = s.Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.AddressScan or FindingKind.PortScan);
    }

    [Fact]
    public void Unanswered_mdns_and_llmnr_queries_are_no_dns_failure()
    {
        // Multicast name queries are answered by whichever host owns the name, or by nobody: never a silent server.
        var s = new Scenario();
        for (int i = 0; i < 20; i++)
        {
            s.Query("10.0.0.5", 5353, "224.0.0.251", 0, $"printer{i}.local");
            s.Query("10.0.0.5", (ushort)(50000 + i), "224.0.0.252", (ushort)i, $"host{i}");
            s.After(1);
        }
        s.After(10).Bystander();
        var report = s.Analyze();
        Assert.Empty(report.Findings);
        Assert.Empty(report.Incidents);
    }

    [Fact]
    public void A_dns_servers_replies_to_many_client_ports_are_not_a_udp_scan()
    {
        var s = new Scenario();
        for (int i = 0; i < 60; i++)
        {
            ushort port = (ushort)(33000 + i * 17);
            s.Query("10.0.0.5", port, "10.0.0.53", (ushort)i, "www.example.com");
            s.Response("10.0.0.53", "10.0.0.5", port, (ushort)i, "www.example.com", 0, "192.0.2.80");
        }
        Assert.DoesNotContain(s.Analyze().Findings, f => f.Attack is not null);
    }

    [Fact]
    public void A_udp_scan_answered_by_port_unreachable_is_a_port_scan()
    {
        var s = new Scenario();
        for (int port = 100; port < 130; port++)
        {
            s.Datagram(Scanner, 45000, Target, (ushort)port, 0);
            if (port != 123) s.IcmpError(Target, 3, 3);
        }
        var facts = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.PortScan).Attack!;
        Assert.Equal("udp", facts.Technique);
        Assert.Equal(30, facts.Ports);
        Assert.Equal(29, facts.Closed);
    }

    [Fact]
    public void A_traceroute_is_diagnostic_activity_not_an_outage()
    {
        // Time exceeded from every hop is what traceroute asks for: no "packets expire in transit" incident.
        var s = new Scenario();
        ushort port = 33434;
        for (int hop = 1; hop <= 6; hop++)
        {
            for (int probe = 0; probe < 3; probe++)
            {
                s.Datagram("10.0.0.5", 45000, "192.0.2.80", port++, 32);
                if (hop < 6) s.IcmpError($"10.1.{hop}.1", 11, 0);
                else s.IcmpError("192.0.2.80", 3, 3);
            }
        }
        var report = s.Analyze();

        Assert.Empty(report.Incidents);
        var trace = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Traceroute, trace.Kind);
        Assert.Equal(Severity.Low, trace.Severity);
        Assert.StartsWith("Traceroute from 10.0.0.5 to 192.0.2.80: 5 routers answered time exceeded", trace.Title.Text, StringComparison.Ordinal);
        var note = Assert.Single(report.Overview.Activities!);
        Assert.Equal(trace.Id, note.Finding);
    }

    [Fact]
    public void Time_exceeded_from_two_routers_is_still_a_loop_not_a_traceroute()
    {
        var s = new Scenario();
        for (int i = 0; i < 6; i++)
        {
            s.Datagram("10.0.0.5", 45000, "192.0.2.80", 5000, 32);
            s.IcmpError(i % 2 == 0 ? "10.1.1.1" : "10.1.2.1", 11, 0);
        }
        var report = s.Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Traceroute);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.TtlExceeded);
    }

    [Fact]
    public void A_traceroute_is_not_a_udp_scan()
    {
        // traceroute: three UDP probes a hop to rising ports, time exceeded from each router, then port unreachable.
        var s = new Scenario();
        ushort port = 33434;
        for (int hop = 1; hop <= 8; hop++)
        {
            for (int probe = 0; probe < 3; probe++)
            {
                s.Datagram(Scanner, 45000, Target, port++, 32);
                if (hop < 8) s.IcmpError($"10.1.{hop}.1", 11, 0);
                else s.IcmpError(Target, 3, 3);
            }
        }
        Assert.DoesNotContain(s.Analyze().Findings, f => f.Kind == FindingKind.PortScan);
    }

    /// <summary>A web server with ordinary clients for <paramref name="calmSeconds"/>, then a flood of SYNs from forged sources.</summary>
    private static Scenario Flood(int calmSeconds, int syns, bool answered)
    {
        var s = new Scenario();
        for (int i = 0; i < calmSeconds; i++)
        {
            ushort port = (ushort)(40000 + i);
            s.Tcp("10.0.0.5", port, Target, 80, TcpFlags.Syn, 1);
            s.Tcp(Target, 80, "10.0.0.5", port, SynAck, 9, 2);
            s.Tcp("10.0.0.5", port, Target, 80, TcpFlags.Ack, 2, 10);
            s.After(1);
        }
        var random = new Random(7);
        for (int i = 0; i < syns; i++)
        {
            string forged = $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
            ushort port = (ushort)random.Next(1024, 65535);
            s.Tcp(forged, port, Target, 80, TcpFlags.Syn, (uint)i);
            if (answered) s.Tcp(Target, 80, forged, port, SynAck, 9, (uint)i + 1);
        }
        return s;
    }

    [Fact]
    public void A_flood_of_forged_syns_is_one_distributed_syn_flood_incident()
    {
        var report = Flood(calmSeconds: 20, syns: 3000, answered: true).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.SynFlood, incident.Kind);
        Assert.StartsWith("Distributed SYN flood against 10.0.0.10 port 80", incident.Title, StringComparison.Ordinal);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.SynFlood).Attack!;
        Assert.Equal(3020, facts.Packets);
        Assert.True(facts.SpoofedSources);
        Assert.Equal(3000, facts.HalfOpen);
        Assert.InRange(facts.PeakPerSecond, 400, 1000); // one SYN and one SYN-ACK a millisecond: 500 SYNs a second
        Assert.InRange(facts.BaselinePerSecond!.Value, 0.95, 1.0); // 20 SYNs in the 20.2 s before the surge
        Assert.Equal("syn-flood", incident.Causes[0].Id);
    }

    [Fact]
    public void A_busy_web_server_whose_handshakes_complete_is_not_flooded()
    {
        var s = new Scenario();
        for (int i = 0; i < 3000; i++)
        {
            string client = $"10.2.{i / 250}.{i % 250 + 1}";
            ushort port = (ushort)(40000 + i % 20000);
            s.Tcp(client, port, Target, 443, TcpFlags.Syn, 1);
            s.Tcp(Target, 443, client, port, SynAck, 9, 2);
            s.Tcp(client, port, Target, 443, TcpFlags.Ack, 2, 10);
        }
        Assert.DoesNotContain(s.Analyze().Findings, f => f.Attack is not null);
    }

    [Fact]
    public void A_short_burst_below_the_flood_minimum_is_not_a_flood()
    {
        var report = Flood(calmSeconds: 0, syns: FloodDetection.MinPackets - 1, answered: true).Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.SynFlood);
    }

    [Fact]
    public void A_flood_of_dns_queries_from_forged_sources_is_a_udp_flood_even_when_answered()
    {
        var s = new Scenario();
        var random = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            // 0.3 ms apart: about 3,300 queries a second, from a new forged address each.
            string forged = $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
            ushort port = (ushort)random.Next(1024, 65535);
            s.Query(forged, port, "10.0.0.53", (ushort)i, "example.com");
            s.After(-0.0007);
        }
        var report = s.Analyze();
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.UdpFlood, incident.Kind);
        Assert.StartsWith("Distributed DNS (UDP) flood against 10.0.0.53 port 53", incident.Title, StringComparison.Ordinal);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.UdpFlood).Attack!;
        Assert.Equal(3000, facts.Packets);
        Assert.True(facts.SpoofedSources);
        // The unanswered queries were recorded as DNS failures and are counted into the flood, not a second incident.
        Assert.DoesNotContain(report.Incidents, i => i.Kind == FindingKind.DnsNoResponse);
    }

    [Fact]
    public void A_busy_resolver_answering_its_clients_is_not_flooded()
    {
        // 50 clients, 4,000 queries at 2,000 a second, every one answered.
        var s = new Scenario();
        for (int i = 0; i < 4000; i++)
        {
            string client = $"10.3.0.{i % 50 + 1}";
            ushort port = (ushort)(20000 + i % 30000);
            s.Query(client, port, "10.0.0.53", (ushort)i, "www.example.com");
            s.After(-0.0005);
            s.Response("10.0.0.53", client, port, (ushort)i, "www.example.com", 0, "192.0.2.80");
        }
        Assert.DoesNotContain(s.Analyze().Findings, f => f.Attack is not null);
    }

    [Fact]
    public void A_ping_flood_is_an_icmp_flood_and_ordinary_pings_are_not()
    {
        var flood = new Scenario();
        for (int i = 0; i < 2000; i++) flood.Echo(Scanner, Target, (ushort)i);
        var facts = Assert.Single(flood.Analyze().Findings, f => f.Kind == FindingKind.IcmpFlood).Attack!;
        Assert.Equal(2000, facts.Packets);
        Assert.Equal("icmp-echo", facts.Technique);

        var pings = new Scenario();
        for (int i = 0; i < 2000; i++) pings.Echo(Scanner, Target, (ushort)i).After(0.2);
        Assert.DoesNotContain(pings.Analyze().Findings, f => f.Attack is not null);
    }

    [Fact]
    public void An_outage_on_a_flooded_server_weighs_the_flood_with_its_figures()
    {
        var s = new Scenario();
        // A client's connection attempts to port 443 go unanswered while the host drowns in echo requests.
        for (int i = 0; i < 2000; i++)
        {
            s.Echo(Scanner, Target, (ushort)i);
            if (i % 400 == 0) s.Tcp("10.0.0.5", 50000, Target, 443, TcpFlags.Syn, 1);
        }
        s.After(10).Bystander();
        var report = s.Analyze();

        var outage = Assert.Single(report.Incidents, i => i.Kind == FindingKind.TcpNoResponse);
        var overload = Assert.Single(outage.Causes, c => c.Id == "overload-or-dos");
        Assert.Contains(overload.For, f => f.Text.StartsWith("The capture holds a flood toward 10.0.0.10 (icmp-flood, F", StringComparison.Ordinal));
        Assert.Contains(report.Incidents, i => i.Kind == FindingKind.IcmpFlood);

        // Without the flood, the same outage says that no flood was seen, and why that counts.
        var calm = new Scenario();
        for (int i = 0; i < 5; i++) calm.Tcp("10.0.0.5", 50000, Target, 443, TcpFlags.Syn, 1).After(1);
        calm.After(10).Bystander();
        var quiet = Assert.Single(calm.Analyze().Incidents).Causes.Single(c => c.Id == "overload-or-dos");
        Assert.Contains(quiet.Against, a => a.Text.StartsWith("No SYN, UDP or ICMP flood toward 10.0.0.10", StringComparison.Ordinal));
    }

    [Fact]
    public void Answers_from_udp_services_to_many_client_ports_are_no_port_scan()
    {
        // Reflected DNS answers: 20 reflectors' port 53 toward 40 random ports each of one victim, never asked for.
        var s = new Scenario();
        for (int r = 1; r <= 20; r++)
        {
            for (int i = 0; i < 40; i++) s.Datagram($"192.0.2.{r}", 53, Target, (ushort)(30000 + r * 100 + i), 512);
        }
        var report = s.Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.PortScan);

        // The same from a client's port toward the victim's low ports is a UDP scan.
        var scan = new Scenario();
        for (int port = 1; port <= 40; port++) scan.Datagram(Scanner, 45000, Target, (ushort)port, 0);
        Assert.Contains(scan.Analyze().Findings, f => f.Kind == FindingKind.PortScan);
    }

    [Fact]
    public void Pinging_twenty_five_hosts_is_a_ping_sweep_listed_as_diagnostic_and_twenty_four_is_not()
    {
        static Scenario Sweep(int hosts)
        {
            var s = new Scenario();
            for (int h = 1; h <= hosts; h++)
            {
                s.Echo(Scanner, $"10.0.1.{h}", 1);
                if (h % 2 == 0) s.Echo($"10.0.1.{h}", Scanner, 1, reply: true);
            }
            return s;
        }

        var below = Sweep(NetTriage.Analysis.Detection.Diagnostics.PingSweepDetection.MinHosts - 1).Analyze();
        Assert.DoesNotContain(below.Findings, f => f.Kind == FindingKind.PingSweep);
        var at = Sweep(NetTriage.Analysis.Detection.Diagnostics.PingSweepDetection.MinHosts).Analyze();
        var finding = Assert.Single(at.Findings, f => f.Kind == FindingKind.PingSweep);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Equal(25, finding.Attack!.Targets);
        Assert.Equal(12, finding.Attack.Open);
        Assert.Empty(at.Incidents);
    }
}
