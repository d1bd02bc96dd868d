using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>Each detection rule, severity and cause score, on facts built in the test (no packets).</summary>
public sealed class RuleTests
{
    private const string Client = "10.0.0.5";
    private const string Resolver = "10.0.0.53";
    private const string Router = "10.0.0.1";
    private const string Web = "192.0.2.80";

    [Theory]
    [InlineData(false, 3, 3, FindingKind.DnsServerUnreachable)]
    [InlineData(false, 3, 13, FindingKind.DnsBlocked)]
    [InlineData(false, 3, 10, FindingKind.DnsBlocked)]
    [InlineData(false, 3, 0, FindingKind.NetworkUnreachable)]
    [InlineData(false, 3, 1, FindingKind.HostUnreachable)]
    [InlineData(false, 11, 0, FindingKind.TtlExceeded)]
    [InlineData(true, 1, 4, FindingKind.DnsServerUnreachable)]
    [InlineData(true, 1, 1, FindingKind.DnsBlocked)]
    [InlineData(true, 1, 3, FindingKind.HostUnreachable)]
    [InlineData(true, 3, 0, FindingKind.TtlExceeded)]
    public void An_icmp_error_answering_a_query_is_classified_by_its_meaning(bool v6, byte type, byte code, FindingKind kind)
    {
        var error = Facts.Icmp(Resolver, Client, Resolver, 53, type, code, v6);
        Assert.Equal(kind, FindingCatalog.Classify(Facts.Query(Client, Resolver), DnsOutcome.IcmpError, error));
    }

    [Fact]
    public void Errors_that_say_nothing_of_a_failure_have_no_kind()
    {
        // Fragmentation needed (3/4) answers a query but says nothing about the service.
        Assert.Null(FindingCatalog.Classify(Facts.Query(Client, Resolver), DnsOutcome.IcmpError, Facts.Icmp(Router, Client, Resolver, 53, 3, 4)));
        // FORMERR (1) and NOTIMP (4) are counted, not findings.
        Assert.Null(FindingCatalog.Classify(Facts.Query(Client, Resolver, rcode: 1), DnsOutcome.Answered, null));
        Assert.Null(FindingCatalog.Classify(Facts.Query(Client, Resolver, rcode: 4), DnsOutcome.Answered, null));
        // A port unreachable that answered no tracked transaction (a traceroute's last hop) is no failure of a service.
        Assert.Null(FindingCatalog.ClassifyUnanswered(Facts.Icmp(Web, Client, Web, 33434, 3, 3)));
        Assert.Equal(FindingKind.HostUnreachable, FindingCatalog.ClassifyUnanswered(Facts.Icmp(Router, Client, Web, 0, 3, 1)));
    }

    [Theory]
    [InlineData(2, FindingKind.DnsServfail)]
    [InlineData(3, FindingKind.DnsNxdomain)]
    [InlineData(5, FindingKind.DnsRefused)]
    public void Error_rcodes_have_their_kinds(int rcode, FindingKind kind) =>
        Assert.Equal(kind, FindingCatalog.Classify(Facts.Query(Client, Resolver, rcode: rcode), DnsOutcome.Answered, null));

    [Fact]
    public void Connection_outcomes_have_their_kinds()
    {
        var conn = new TcpConnection();
        Assert.Equal(FindingKind.TcpConnectionRefused, FindingCatalog.Classify(conn, TcpOutcome.Refused, null));
        Assert.Equal(FindingKind.TcpNoResponse, FindingCatalog.Classify(conn, TcpOutcome.Unanswered, null));
        Assert.Equal(FindingKind.TcpBlocked, FindingCatalog.Classify(conn, TcpOutcome.IcmpRejected, Facts.Icmp(Router, Client, Web, 80, 3, 13, quoted: IpProtocol.Tcp)));
        Assert.Equal(FindingKind.TcpConnectionRefused, FindingCatalog.Classify(conn, TcpOutcome.IcmpRejected, Facts.Icmp(Web, Client, Web, 80, 3, 3, quoted: IpProtocol.Tcp)));
        Assert.Null(FindingCatalog.Classify(conn, TcpOutcome.Established, null));
    }

    [Fact]
    public void One_unanswered_query_is_no_silent_server_but_two_known_unanswered_are()
    {
        var one = new Facts();
        one.DnsFailure(Facts.Query(Client, Resolver), 0, DnsOutcome.Unanswered);
        one.Tracker.Dns.Servers[IpAddr.Parse(Resolver)] = new DnsTracker.DnsServerCounters { Queries = 1 };
        Assert.Empty(one.Detect());

        var two = new Facts();
        two.DnsFailure(Facts.Query(Client, Resolver), 0, DnsOutcome.Unanswered, superseded: true);
        two.DnsFailure(Facts.Query(Client, Resolver), 2, DnsOutcome.Unanswered);
        two.Tracker.Dns.Servers[IpAddr.Parse(Resolver)] = new DnsTracker.DnsServerCounters { Queries = 2 };
        var finding = Assert.Single(two.Detect());
        Assert.Equal(FindingKind.DnsNoResponse, finding.Kind);
        Assert.Equal(Severity.High, finding.Finding.Severity);
        Assert.Equal(2, finding.Finding.Failed);
    }

    [Fact]
    public void Unanswered_queries_that_are_fewer_than_half_of_the_server_s_are_no_finding()
    {
        var facts = new Facts();
        facts.DnsFailure(Facts.Query(Client, Resolver), 0, DnsOutcome.Unanswered, superseded: true);
        facts.DnsFailure(Facts.Query(Client, Resolver), 2, DnsOutcome.Unanswered, superseded: true);
        // The server answered three more: two lost of five is loss, not a silent server.
        facts.Tracker.Dns.Servers[IpAddr.Parse(Resolver)] = new DnsTracker.DnsServerCounters { Queries = 5 };
        Assert.Empty(facts.Detect());
    }

    [Fact]
    public void Nxdomain_answers_for_names_never_resolved_are_one_medium_finding_over_both_names()
    {
        var facts = new Facts();
        facts.DnsFailure(Facts.Query(Client, Resolver, "www.example.com.corp.local.", rcode: 3), 0, DnsOutcome.Answered);
        facts.DnsFailure(Facts.Query(Client, Resolver, "missing.example.", rcode: 3), 1, DnsOutcome.Answered);
        var finding = Assert.Single(facts.Detect());
        Assert.Equal(2, finding.Finding.Failed);
        // A name that does not exist is a fact about the name: medium, whatever the share of failures.
        Assert.Equal(Severity.Medium, finding.Finding.Severity);
        Assert.Equal(["www.example.com.corp.local", "missing.example"], finding.Finding.Names);
    }

    [Fact]
    public void A_single_syn_cut_off_by_the_end_of_the_capture_is_no_finding_but_a_retried_one_is()
    {
        var cut = new Facts();
        cut.TcpFailure(Client, Web, 80, 0, TcpOutcome.Unanswered, atCaptureEnd: true);
        Assert.Empty(cut.Detect());

        var retried = new Facts();
        retried.TcpFailure(Client, Web, 80, 0, TcpOutcome.Unanswered, syns: 3);
        var finding = Assert.Single(retried.Detect());
        Assert.Equal(FindingKind.TcpNoResponse, finding.Kind);
    }

    [Fact]
    public void Expired_packets_are_low_severity_when_few_and_medium_from_three()
    {
        var few = new Facts();
        few.Unanswered(Facts.Icmp(Router, Client, Web, 0, 11, 0), 0);
        few.Unanswered(Facts.Icmp(Router, Client, Web, 0, 11, 0), 1);
        Assert.Equal(Severity.Low, Assert.Single(few.Detect()).Finding.Severity);

        var more = new Facts();
        for (int i = 0; i < 3; i++) more.Unanswered(Facts.Icmp(Router, Client, Web, 0, 11, 0), i);
        Assert.Equal(Severity.Medium, Assert.Single(more.Detect()).Finding.Severity);
    }

    [Fact]
    public void Port_unreachable_from_the_server_itself_ranks_a_service_that_does_not_listen_first()
    {
        var facts = new Facts();
        for (int i = 0; i < 3; i++) facts.DnsFailure(Facts.Query(Client, Resolver), i * 2, DnsOutcome.IcmpError, Facts.Icmp(Resolver, Client, Resolver, 53, 3, 3));
        var c = facts.Incident();
        var causes = c.Primary.Row.Causes(c).OrderByDescending(x => x.Score).ToList();
        Assert.Equal("service-not-listening", causes[0].Id);
        Assert.Equal(0.8, causes[0].Score);
        Assert.Equal(Confidence.High, causes[0].Confidence);
        Assert.Equal("firewall-reject", causes[1].Id);
        // One client, three queries: no flood.
        Assert.Equal(0.15, causes.Single(x => x.Id == "overload-or-dos").Score);
    }

    [Fact]
    public void Port_unreachable_from_a_router_blames_a_filter_on_the_path()
    {
        var facts = new Facts();
        for (int i = 0; i < 2; i++) facts.DnsFailure(Facts.Query(Client, Resolver), i, DnsOutcome.IcmpError, Facts.Icmp(Router, Client, Resolver, 53, 3, 3));
        var c = facts.Incident();
        var top = c.Primary.Row.Causes(c).OrderByDescending(x => x.Score).First();
        Assert.Equal("path-filter-reject", top.Id);
        Assert.Contains(Router, top.Title.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Administratively_prohibited_blames_the_firewall_that_sent_it()
    {
        var facts = new Facts();
        for (int i = 0; i < 2; i++) facts.TcpFailure(Client, Web, 443, i, TcpOutcome.IcmpRejected, error: Facts.Icmp(Router, Client, Web, 443, 3, 13, quoted: IpProtocol.Tcp));
        var c = facts.Incident();
        var causes = c.Primary.Row.Causes(c).OrderByDescending(x => x.Score).ToList();
        Assert.Equal(("firewall-rule", 0.9), (causes[0].Id, causes[0].Score));
        Assert.Equal(("service-not-listening", 0.05), (causes[1].Id, causes[1].Score));
        Assert.Equal(Layer.Transport, c.Primary.Row.Layer);
    }

    [Fact]
    public void Silence_from_a_host_that_sends_nothing_keeps_host_down_open_and_many_sources_raise_a_flood()
    {
        var facts = new Facts();
        for (int i = 0; i < 60; i++) facts.TcpFailure($"10.1.{i / 200}.{i % 200 + 1}", Web, 80, i * 0.1, TcpOutcome.Unanswered, syns: 2);
        var counters = new TcpTracker.ServiceCounters { Attempts = 60 };
        for (int i = 0; i < TcpTracker.ServiceCounters.MaxClients; i++) counters.Clients.Add(IpAddr.Parse($"10.1.0.{i + 1}"));
        facts.Tracker.Tcp.Services[(IpAddr.Parse(Web), 80)] = counters;
        var c = facts.Incident();
        var causes = c.Primary.Row.Causes(c).ToDictionary(x => x.Id, x => x.Score);
        Assert.Equal(0.55, causes["firewall-drop"]);
        Assert.Equal(0.5, causes["host-down"]);
        Assert.Equal(0.5, causes["overload-or-dos"]);
    }
}
