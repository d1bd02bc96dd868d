using NetTriage.Analysis.Detection.Spoofing;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Forged and rewritten DNS answers built packet by packet: a race of two answers, an answer from a server not
/// asked, NXDOMAIN redirection, and the traps of retransmissions answered from a rotating pool, a stub resolver
/// moving to its second server, shared hosting, and cached answers with short remaining TTLs.
/// </summary>
public sealed class DnsSpoofingTests
{
    private const string Client = "10.0.0.20";
    private const string Resolver = "10.0.0.53";
    private const string Second = "10.0.0.54";

    [Fact]
    public void Two_different_answers_to_one_query_are_dns_spoofing()
    {
        // dnsspoof on the segment answers first (a forger's answer, IP TTL 64 from the next host); the resolver's
        // real answer follows 2 ms later from a router away (IP TTL 63).
        var report = new Scenario()
            .Query(Client, 40001, Resolver, 77, "bank.example.com")
            .After(0.001).Answer(Resolver, Client, 40001, 77, "bank.example.com", addresses: ["10.0.0.66"], ttl: 60, ipTtl: 64)
            .After(0.002).Answer(Resolver, Client, 40001, 77, "bank.example.com", addresses: ["203.0.113.10"], ttl: 3600, ipTtl: 63)
            .Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsSpoofing, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal([Client], incident.Servers);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(1, facts.RaceAnswers);
        Assert.Equal(0, facts.WrongServerAnswers);
        string example = Assert.Single(facts.Examples!);
        Assert.Contains("10.0.0.66", example, StringComparison.Ordinal);
        Assert.Contains("203.0.113.10", example, StringComparison.Ordinal);
        Assert.Contains("different IP TTLs", incident.Summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_from_a_server_never_asked_is_dns_spoofing()
    {
        var report = new Scenario()
            .Query(Client, 40002, Resolver, 78, "mail.example.com")
            .After(0.001).Answer("10.0.0.66", Client, 40002, 78, "mail.example.com", addresses: ["10.0.0.66"])
            .After(0.010).Answer(Resolver, Client, 40002, 78, "mail.example.com", addresses: ["203.0.113.25"])
            .Analyze();

        var facts = Assert.Single(report.Findings, f => f.Kind == FindingKind.DnsSpoofing).Attack!;
        Assert.Equal(1, facts.WrongServerAnswers);
        Assert.Equal(0, facts.RaceAnswers);
        Assert.Equal(["10.0.0.66"], Assert.Single(report.Incidents).Clients);
    }

    [Fact]
    public void Queries_and_answers_forgotten_by_time_leave_a_race_caught_and_ordinary_answers_alone()
    {
        // Five minutes of lookups, one a second, each answered twice in a row identically or answered late: the
        // tables of questions (30 s a generation) and answers (2 s) turn over many times. Then a forged race.
        var s = new Scenario();
        for (int i = 0; i < 300; i++)
        {
            string client = $"10.0.1.{1 + i % 50}";
            ushort id = (ushort)(1000 + i);
            s.Query(client, (ushort)(30000 + i), Resolver, id, $"host{i % 40}.example.com")
                .After(0.002).Answer(Resolver, client, (ushort)(30000 + i), id, $"host{i % 40}.example.com", addresses: ["203.0.113.7"]);
            if (i % 10 == 0) s.After(0.001).Answer(Resolver, client, (ushort)(30000 + i), id, $"host{i % 40}.example.com", addresses: ["203.0.113.7"]);
            s.After(1);
        }
        var report = s.Query(Client, 40009, Resolver, 99, "bank.example.com")
            .After(0.001).Answer(Resolver, Client, 40009, 99, "bank.example.com", addresses: ["10.0.0.66"], ttl: 60, ipTtl: 64)
            .After(0.002).Answer(Resolver, Client, 40009, 99, "bank.example.com", addresses: ["203.0.113.10"], ttl: 3600, ipTtl: 63)
            .Analyze();

        var facts = Assert.Single(report.Findings, f => f.Kind == FindingKind.DnsSpoofing).Attack!;
        Assert.Equal(1, facts.RaceAnswers);
        Assert.Equal(0, facts.WrongServerAnswers);
        Assert.Equal([Client], Assert.Single(report.Incidents, i => i.Kind == FindingKind.DnsSpoofing).Servers);
    }

    [Fact]
    public void Answers_to_retransmissions_and_to_a_second_server_are_no_spoofing()
    {
        // A round-robin pool gives a different address each time: the client sent the query again (same id and port,
        // as glibc does) after 1 s, and then to its second resolver; all four answers are real.
        var report = new Scenario()
            .Query(Client, 40003, Resolver, 79, "pool.example.com")
            .After(0.9).Answer(Resolver, Client, 40003, 79, "pool.example.com", addresses: ["192.0.2.1"], ttl: 5)
            .After(0.1).Query(Client, 40003, Resolver, 79, "pool.example.com")
            .After(0.01).Answer(Resolver, Client, 40003, 79, "pool.example.com", addresses: ["192.0.2.2"], ttl: 5)
            .After(0.5).Query(Client, 40003, Second, 79, "pool.example.com")
            .After(0.01).Answer(Second, Client, 40003, 79, "pool.example.com", addresses: ["192.0.2.3"], ttl: 5)
            .After(0.05).Answer(Resolver, Client, 40003, 79, "pool.example.com", addresses: ["192.0.2.4"], ttl: 5)
            .Analyze();
        // The last answer is the first server's late answer to the second transmission; the same pool gives it.
        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.DnsSpoofing or FindingKind.DnsHijack);
    }

    [Fact]
    public void A_duplicate_identical_answer_is_no_spoofing()
    {
        var report = new Scenario()
            .Query(Client, 40004, Resolver, 80, "www.example.com")
            .After(0.01).Answer(Resolver, Client, 40004, 80, "www.example.com", addresses: ["192.0.2.9", "192.0.2.10"])
            .After(0.001).Answer(Resolver, Client, 40004, 80, "www.example.com", addresses: ["192.0.2.10", "192.0.2.9"])
            .Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsSpoofing);
    }

    [Fact]
    public void An_answer_cut_by_the_snap_length_beside_the_whole_one_is_no_spoofing()
    {
        // The capture holds the answer twice (seen on two interfaces), once cut inside its record: its address is
        // unknown, not different.
        var report = new Scenario()
            .Query(Client, 40005, Resolver, 81, "shop.example.com")
            .After(0.01).Snapped(80).Answer(Resolver, Client, 40005, 81, "shop.example.com", addresses: ["192.0.2.30"])
            .Answer(Resolver, Client, 40005, 81, "shop.example.com", addresses: ["192.0.2.30"])
            .Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsSpoofing);
    }

    private static Scenario Redirected(int domains, uint ttl, string address = "198.51.100.80", bool sharedDomain = false)
    {
        var s = new Scenario();
        for (int i = 0; i < domains; i++)
        {
            string name = sharedDomain ? $"site{i}.example.net" : $"www.no-such-shop-{i}.example{i}.com".Replace(".example", "-example", StringComparison.Ordinal);
            s.After(1).Query(Client, (ushort)(41000 + i), Resolver, (ushort)(200 + i), name);
            s.After(0.02).Answer(Resolver, Client, (ushort)(41000 + i), (ushort)(200 + i), name, addresses: [address], ttl: ttl);
        }
        return s;
    }

    [Fact]
    public void Unrelated_names_answered_with_one_address_and_a_short_ttl_are_a_dns_hijack()
    {
        var report = Redirected(DnsSpoofingDetection.MinUnrelatedDomains, ttl: 0).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsHijack, incident.Kind);
        Assert.Equal(Severity.Medium, incident.Severity);
        Assert.Equal([Resolver], incident.Clients);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal("198.51.100.80", facts.RedirectAddress);
        Assert.Equal(DnsSpoofingDetection.MinUnrelatedDomains, facts.UnrelatedDomains);
        Assert.Equal(0, facts.NxdomainElsewhere);
    }

    [Fact]
    public void The_hijack_thresholds_domains_and_ttl_are_each_needed()
    {
        Assert.DoesNotContain(Redirected(DnsSpoofingDetection.MinUnrelatedDomains - 1, ttl: 0).Analyze().Findings, f => f.Kind == FindingKind.DnsHijack);
        // Shared hosting and parked domains: many unrelated sites on one address, cached for minutes.
        Assert.DoesNotContain(Redirected(20, ttl: DnsSpoofingDetection.MaxRedirectTtl + 1).Analyze().Findings, f => f.Kind == FindingKind.DnsHijack);
        // Many names of one domain on one address (a wildcard record) are one domain.
        Assert.DoesNotContain(Redirected(20, ttl: 30, sharedDomain: true).Analyze().Findings, f => f.Kind == FindingKind.DnsHijack);
    }

    [Fact]
    public void A_redirected_name_that_another_server_calls_nonexistent_is_counted_as_corroboration()
    {
        var s = Redirected(6, ttl: 10);
        string name = "www.no-such-shop-0-example0.com";
        s.After(1).Query(Client, 42000, Second, 300, name).After(0.02).Answer(Second, Client, 42000, 300, name, rcode: 3);
        var facts = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.DnsHijack).Attack!;
        Assert.Equal(1, facts.NxdomainElsewhere);
    }

    /// <summary>Lookups from <see cref="Client"/> to <paramref name="resolver"/>, answered or not, a second apart.</summary>
    private static Scenario Lookups(Scenario s, string resolver, int count, bool answered = true, int first = 0)
    {
        for (int i = first; i < first + count; i++)
        {
            string name = $"host{i}.example.com";
            s.After(1).Query(Client, (ushort)(43000 + i), resolver, (ushort)(500 + i), name);
            if (answered) s.After(0.02).Answer(resolver, Client, (ushort)(43000 + i), (ushort)(500 + i), name, addresses: ["192.0.2.7"]);
        }
        return s;
    }

    [Fact]
    public void A_client_leaving_a_resolver_that_answers_for_another_is_a_resolver_switch()
    {
        var s = Lookups(new Scenario(), Resolver, 8);
        Lookups(s, "203.0.113.53", ResolverSwitchDetection.MinQueries, first: 8);
        var finding = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.DnsHijack);
        Assert.Equal("resolver-switch", finding.Attack!.Technique);
        Assert.Equal("203.0.113.53", finding.Attack.RedirectAddress);
        Assert.Equal(ResolverSwitchDetection.MinQueries, finding.Attack.Packets);
    }

    [Fact]
    public void Failover_alternating_resolvers_and_a_short_visit_are_no_resolver_switch()
    {
        // The first resolver stops answering and the client moves on: a failover, reported as the DNS failure it is.
        var failover = Lookups(Lookups(new Scenario(), Resolver, 5), Resolver, 5, answered: false, first: 5);
        Lookups(failover, Second, 8, first: 10);
        // glibc's rotate: the two resolvers in turn.
        var rotate = new Scenario();
        for (int i = 0; i < 10; i++) Lookups(rotate, i % 2 == 0 ? Resolver : Second, 3, first: i * 3);
        // A few lookups elsewhere (a VPN's resolver for a moment) and back.
        var visit = Lookups(Lookups(Lookups(new Scenario(), Resolver, 8), Second, 6, first: 8), Resolver, 3, first: 14);
        // Fewer than five lookups after the move.
        var few = Lookups(Lookups(new Scenario(), Resolver, 8), Second, ResolverSwitchDetection.MinQueries - 1, first: 8);
        foreach (var s in new[] { failover, rotate, visit, few })
        {
            Assert.DoesNotContain(s.Analyze().Findings, f => f.Kind == FindingKind.DnsHijack);
        }
    }
}
