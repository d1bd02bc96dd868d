using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>Tracker and detector behaviour on captures built byte by byte.</summary>
public sealed class TrackingAndDetectionTests
{
    private const string Client = "10.0.0.5";
    private const string Resolver = "10.0.0.53";
    private const string Web = "192.0.2.80";

    [Fact]
    public void Healthy_traffic_yields_no_incident_and_an_overview()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .Response(Resolver, Client, 40000, 1, "www.example.com", 0, Web)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Syn, 1000)
            .Tcp(Web, 443, Client, 50000, TcpFlags.Syn | TcpFlags.Ack, 9000, 1001)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Ack, 1001, 9001)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Psh | TcpFlags.Ack, 1001, 9001, payload: 100)
            .Tcp(Web, 443, Client, 50000, TcpFlags.Fin | TcpFlags.Ack, 9001, 1101)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Fin | TcpFlags.Ack, 1101, 9002)
            .After(10)
            .Analyze();

        Assert.Equal("no-incident", report.Verdict);
        Assert.Empty(report.Incidents);
        Assert.Empty(report.Findings);
        Assert.Equal(8, report.Overview.Packets);
        Assert.Equal(1, report.Dns.Queries);
        Assert.Equal(1, report.Dns.AnsweredNoError);
        Assert.Equal(0, report.Dns.FailureRate);
        Assert.Equal(1, report.Tcp.Attempts);
        Assert.Equal(1, report.Tcp.Established);
        Assert.Equal(1, report.Tcp.Closed);
        Assert.Equal(3, report.Overview.Hosts);
    }

    [Fact]
    public void A_retry_from_a_new_source_port_is_a_retransmission_and_the_first_query_stays_unanswered()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 7, "www.example.com")
            .After(1)
            .Query(Client, 40001, Resolver, 8, "www.example.com")
            .Response(Resolver, Client, 40001, 8, "www.example.com", 0, Web)
            .After(30)
            .Analyze();

        Assert.Equal(2, report.Dns.Queries);
        Assert.Equal(1, report.Dns.Retransmissions);
        Assert.Equal(1, report.Dns.Answered);
        Assert.Equal(1, report.Dns.Unanswered);
        Assert.Empty(report.Incidents); // one lost query, recovered by the retry, is no incident
    }

    [Fact]
    public void An_icmp_error_quoting_only_the_udp_header_still_answers_its_query()
    {
        // RFC 792 requires only the IP header and 8 bytes: no DNS id in the quote.
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 9, "www.example.com")
            .IcmpError(Resolver, 3, 3, quote: 28)
            .After(2)
            .Query(Client, 40000, Resolver, 10, "www.example.com")
            .IcmpError(Resolver, 3, 3, quote: 28)
            .After(30)
            .Analyze();

        Assert.Equal(2, report.Dns.IcmpAnswered);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsServerUnreachable, incident.Kind);
        Assert.Equal(2, incident.Failed);
    }

    [Fact]
    public void An_icmp_error_quoting_a_cut_ip_header_is_kept_out_of_the_join()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 9, "www.example.com")
            .IcmpError(Resolver, 3, 3, quote: 12)
            .After(90)
            .Analyze();

        Assert.Equal(0, report.Dns.IcmpAnswered);
        Assert.Equal(1, report.Dns.Unanswered);
    }

    [Fact]
    public void A_capture_that_ends_right_after_a_query_does_not_call_it_unanswered_with_confidence()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .Analyze();

        Assert.Equal(2, report.Dns.Unanswered);
        Assert.Equal(1, report.Dns.UnansweredAtCaptureEnd);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsNoResponse);
    }

    [Fact]
    public void Unanswered_retransmitted_queries_are_dns_no_response()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .After(2).Query(Client, 40000, Resolver, 1, "www.example.com")
            .After(2).Query(Client, 40000, Resolver, 1, "www.example.com")
            .After(20).Bystander()
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsNoResponse, incident.Kind);
        Assert.Equal(3, incident.Failed);
        Assert.Equal("firewall-drop", incident.Causes[0].Id);
        Assert.Contains(incident.Caveats, c => c.Kind == "one-direction");
    }

    [Theory]
    [InlineData(2, FindingKind.DnsServfail)]
    [InlineData(5, FindingKind.DnsRefused)]
    [InlineData(3, FindingKind.DnsNxdomain)]
    public void Error_rcodes_are_findings_of_their_kind(int rcode, FindingKind kind)
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .Response(Resolver, Client, 40000, 1, "www.example.com", rcode)
            .After(10)
            .Analyze();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(kind, finding.Kind);
        Assert.Equal(["www.example.com"], finding.Names);
        Assert.Equal(2, finding.Evidence.Count);
        Assert.Equal("response", finding.Evidence[1].Role);
        Assert.Single(report.Dns.ErrorResponses);
    }

    [Theory]
    [InlineData("b._dns-sd._udp.corp.example.com", false)]
    [InlineData("lb._dns-sd._udp.0.1.168.192.in-addr.arpa", false)]
    [InlineData("DB._DNS-SD._UDP.example.com", false)]
    [InlineData("x._dns-sd._udp.example.com", true)]
    [InlineData("b.dns-sd.example.com", true)]
    public void Service_discovery_domain_enumeration_answered_nxdomain_is_no_failure(string name, bool failure)
    {
        // RFC 6763 11: a Mac asks every search domain whether it offers service discovery; NXDOMAIN means no.
        var scenario = new Scenario();
        for (ushort id = 1; id <= 3; id++)
        {
            scenario.Query(Client, (ushort)(40000 + id), Resolver, id, name, NetTriage.Packets.Dns.DnsType.PTR)
                .Response(Resolver, Client, (ushort)(40000 + id), id, name, rcode: 3)
                .After(5);
        }
        var report = scenario.After(10).Analyze();

        Assert.Equal(3, report.Dns.Queries);
        Assert.Equal(failure, report.Findings.Any(f => f.Kind == FindingKind.DnsNxdomain));
        Assert.Equal(failure, report.Incidents.Count > 0);
    }

    [Fact]
    public void A_search_domain_miss_followed_by_success_is_not_nxdomain()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com.corp.example")
            .Response(Resolver, Client, 40000, 1, "www.example.com.corp.example", 3)
            .Query(Client, 40001, Resolver, 2, "www.example.com")
            .Response(Resolver, Client, 40001, 2, "www.example.com", 0, Web)
            .After(10)
            .Analyze();

        Assert.Empty(report.Findings);
    }

    [Fact]
    public void Admin_prohibited_from_a_router_is_dns_blocked_and_names_the_filter()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .IcmpError("10.0.0.1", 3, 13)
            .After(1).Query(Client, 40000, Resolver, 2, "www.example.com")
            .IcmpError("10.0.0.1", 3, 13)
            .After(10)
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsBlocked, incident.Kind);
        var sender = Assert.Single(report.Findings[0].IcmpSenders);
        Assert.Equal(("10.0.0.1", "router"), (sender.Address, sender.Role));
        Assert.Equal("firewall-rule", incident.Causes[0].Id);
        Assert.Contains(incident.Causes[0].For, f => f.Text.Contains("10.0.0.1 (a router or firewall on the path)", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_unreachable_from_a_router_for_dns_is_a_network_layer_incident()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .IcmpError("10.0.0.1", 3, 1)
            .After(1).Query(Client, 40000, Resolver, 2, "www.example.com")
            .IcmpError("10.0.0.1", 3, 1)
            .After(10)
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.HostUnreachable, incident.Kind);
        Assert.Equal(Layer.Network, incident.Layer);
        Assert.Equal("host-down", incident.Causes[0].Id);
    }

    [Fact]
    public void A_syn_answered_by_reset_is_connection_refused_and_dns_is_ruled_out()
    {
        var report = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com")
            .Response(Resolver, Client, 40000, 1, "www.example.com", 0, Web)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Syn, 1000)
            .Tcp(Web, 443, Client, 50000, TcpFlags.Rst | TcpFlags.Ack, 0, 1001)
            .Tcp(Client, 50002, Web, 443, TcpFlags.Syn, 5000)
            .Tcp(Web, 443, Client, 50002, TcpFlags.Rst | TcpFlags.Ack, 0, 5001)
            .After(10)
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.TcpConnectionRefused, incident.Kind);
        Assert.Equal(Layer.Transport, incident.Layer);
        Assert.Equal("HTTPS", incident.Protocol);
        Assert.Equal(443, incident.Port);
        Assert.Equal(2, incident.Failed);
        Assert.Equal("service-not-listening", incident.Causes[0].Id);
        Assert.Contains(incident.RuledOut, r => r.Item == "Name resolution" && r.Reason.Text.Contains("www.example.com resolved to 192.0.2.80", StringComparison.Ordinal));
        Assert.Equal(2, report.Tcp.Refused);
    }

    [Fact]
    public void Of_two_incidents_as_severe_a_dead_resolver_comes_before_a_refused_service_that_failed_earlier()
    {
        // The refused service fails first in time; the resolver that answers nothing is still read first (every
        // name it does not answer is a connection never tried).
        const string OtherResolver = "10.0.0.54";
        var scenario = new Scenario()
            .Tcp(Client, 50000, Web, 443, TcpFlags.Syn, 1000)
            .Tcp(Web, 443, Client, 50000, TcpFlags.Rst | TcpFlags.Ack, 0, 1001)
            .Tcp(Client, 50002, Web, 443, TcpFlags.Syn, 5000)
            .Tcp(Web, 443, Client, 50002, TcpFlags.Rst | TcpFlags.Ack, 0, 5001)
            .After(1);
        for (ushort id = 1; id <= 4; id++)
        {
            scenario.Query(Client, (ushort)(40000 + id), OtherResolver, id, "www.example.com").After(2);
        }
        var report = scenario.After(30).Analyze();

        Assert.Equal(2, report.Incidents.Count);
        Assert.All(report.Incidents, i => Assert.Equal(Severity.High, i.Severity));
        Assert.Equal(FindingKind.DnsNoResponse, report.Incidents[0].Kind);
        Assert.Equal("INC-1", report.Incidents[0].Id);
        Assert.Equal(FindingKind.TcpConnectionRefused, report.Incidents[1].Kind);
    }

    [Fact]
    public void Syn_retransmissions_without_answer_are_tcp_no_response()
    {
        var report = new Scenario()
            .Tcp(Client, 50000, Web, 80, TcpFlags.Syn, 1000)
            .After(1).Tcp(Client, 50000, Web, 80, TcpFlags.Syn, 1000)
            .After(2).Tcp(Client, 50000, Web, 80, TcpFlags.Syn, 1000)
            .After(40)
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.TcpNoResponse, incident.Kind);
        Assert.Equal(1, report.Tcp.Attempts);
        Assert.Equal(1, report.Tcp.Unanswered);
        Assert.Contains("sent 3 times", incident.Evidence[0].Role, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)] // REFUSED
    [InlineData(2)] // SERVFAIL
    public void A_search_domain_name_refused_or_failed_while_the_bare_name_resolved_is_no_failure(int rcode)
    {
        // The resolver's search list: the name with the domain appended is refused (or failed), the bare one resolves.
        var searchList = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com.corp.test")
            .Response(Resolver, Client, 40000, 1, "www.example.com.corp.test", rcode)
            .Query(Client, 40001, Resolver, 2, "www.example.com")
            .Response(Resolver, Client, 40001, 2, "www.example.com", 0, Web)
            .After(10)
            .Analyze();
        Assert.Empty(searchList.Incidents);

        // The same answer for a name whose shorter form never resolved is a failure of the server.
        var failing = new Scenario()
            .Query(Client, 40000, Resolver, 1, "www.example.com.corp.test")
            .Response(Resolver, Client, 40000, 1, "www.example.com.corp.test", rcode)
            .Query(Client, 40001, Resolver, 2, "www.example.com")
            .Response(Resolver, Client, 40001, 2, "www.example.com", rcode)
            .After(10)
            .Analyze();
        Assert.Equal(rcode == 5 ? FindingKind.DnsRefused : FindingKind.DnsServfail, Assert.Single(failing.Incidents).Kind);
        Assert.Equal(2, failing.Incidents[0].Failed);
    }

    [Fact]
    public void A_SYN_the_capture_saw_twice_is_no_retransmission()
    {
        // The same SYN 1 ms apart (a mirror port and a tunnel both captured), at the end of a short capture: one
        // attempt the capture may have cut off, not a client that tried again and got nothing.
        var copies = new Scenario()
            .Tcp(Client, 50001, Web, 80, TcpFlags.Syn, 1000)
            .Tcp(Client, 50001, Web, 80, TcpFlags.Syn, 1000)
            .Analyze();
        Assert.Empty(copies.Incidents);

        // The same SYN after a retransmission timeout is the client trying again.
        var retried = new Scenario()
            .Tcp(Client, 50002, Web, 80, TcpFlags.Syn, 1000)
            .After(1).Tcp(Client, 50002, Web, 80, TcpFlags.Syn, 1000)
            .Analyze();
        Assert.Equal(FindingKind.TcpNoResponse, Assert.Single(retried.Incidents).Kind);
    }

    [Fact]
    public void Ttl_exceeded_for_pings_is_found_once_per_target()
    {
        var s = new Scenario();
        for (int i = 0; i < 3; i++)
        {
            // A UDP probe stands in for the ping: what matters is the quoted packet and who answered.
            s.Query(Client, (ushort)(33434 + i), Web, (ushort)i, "probe.example").IcmpError("10.0.0.1", 11, 0).After(1);
        }
        var report = s.After(10).Analyze();

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.TtlExceeded);
        Assert.Equal(3, finding.Failed);
        Assert.Equal("10.0.0.1", finding.IcmpSenders[0].Address);
    }

    [Fact]
    public void Tables_stay_bounded_under_many_distinct_flows()
    {
        var options = new AnalysisOptions { MaxTcpConnections = 50, MaxHosts = 40, MaxFlows = 30, MaxPendingDnsQueries = 20 };
        var s = new Scenario();
        for (int i = 0; i < 500; i++)
        {
            string host = $"10.1.{i / 250}.{(i % 250) + 1}";
            s.Tcp(host, (ushort)(1024 + i), Web, 80, TcpFlags.Syn, (uint)i);
            s.Query(host, (ushort)(2000 + i), Resolver, (ushort)i, $"n{i}.example.com");
        }
        var report = s.After(100).Analyze(options);

        Assert.Equal(500, report.Tcp.Attempts);
        Assert.Equal(500, report.Dns.Queries);
        Assert.Equal(500, report.Dns.Unanswered);
        Assert.True(report.Overview.Hosts <= 40);
        Assert.Contains(report.Caveats, c => c.Kind == "state-capped");
    }
}
