namespace NetTriage.Analysis.Tests;

/// <summary>
/// The NetBIOS name service (UDP 137) speaks DNS's message format, and the decoder reads it as DNS (Zeek's DNS analyzer
/// does the same, and the logs name it dns); but it resolves NetBIOS names by broadcast and asks hosts for their names
/// (NBSTAT), with no DNS server behind it: unanswered, it is no DNS failure, and it is not counted as DNS.
/// </summary>
public sealed class NetbiosNameServiceTests
{
    /// <summary>"IPV6.GOOGLE.COM" first-level encoded (RFC 1001 14.1), as in Zeek's Teredo trace.</summary>
    private const string EncodedName = "EJFAFGDGCOEHEPEPEHEMEFCOEDEPENAA";
    /// <summary>"*" and fifteen zeros: the wildcard an NBSTAT query asks (RFC 1002 4.2.17).</summary>
    private const string Wildcard = "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public void Unanswered_broadcasts_and_node_status_queries_are_no_dns_failure()
    {
        var s = new Scenario();
        for (int i = 0; i < 3; i++) s.NetbiosQuery("192.168.2.16", "192.168.2.255", 0x8664, EncodedName).After(0.75);
        // nbtstat -A: a node status query to each host in turn, none answering.
        for (int host = 1; host <= 20; host++) s.NetbiosQuery("192.168.2.16", $"192.168.2.{host + 100}", (ushort)host, Wildcard, type: 0x21).After(1.5);
        s.After(120).Bystander();

        var report = s.Analyze();

        Assert.Empty(report.Findings);
        Assert.Empty(report.Incidents);
        Assert.Equal(0, report.Dns.Queries);
        Assert.DoesNotContain(report.Overview.Protocols, p => p.Protocol == "DNS");
    }

    [Fact]
    public void A_dns_query_beside_them_is_still_followed()
    {
        var s = new Scenario()
            .NetbiosQuery("192.168.2.16", "192.168.2.255", 1, EncodedName)
            .Query("192.168.2.16", 50000, "192.168.2.1", 7, "www.example.test")
            .After(0.01).Response("192.168.2.1", "192.168.2.16", 50000, 7, "www.example.test", 0, "192.0.2.7");

        var report = s.Analyze();

        Assert.Equal(1, report.Dns.Queries);
        Assert.Empty(report.Findings);
    }
}
