using System.Text;
using NetTriage.Analysis;
using NetTriage.Capture;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// tcpdump without -v prints an admin-prohibited error without the packet it quotes ("ICMP host X unreachable -
/// admin prohibited filter"): the error is joined to the query it follows by addresses and timing, and the report
/// says the join is an inference. Before, such a text gave "no answer at all" where the pcap of the same traffic
/// gives dns-blocked.
/// </summary>
public sealed class TextIcmpJoinTests
{
    private static AnalysisReport Analyze(string text)
    {
        var analyzer = new Analyzer();
        using var source = CaptureOpener.Open(new MemoryStream(Encoding.ASCII.GetBytes(text)), "filtered.txt");
        analyzer.Read(source);
        return analyzer.Finish();
    }

    private const string Filtered = """
        13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (39)
        13:24:32.194003 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.2 unreachable - admin prohibited filter, length 75
        13:24:34.192571 IP 192.51.100.15.52445 > 203.0.113.2.53: 35085+ A? yummyrecipesforme.com. (39)
        13:24:34.194003 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.2 unreachable - admin prohibited filter, length 75
        13:24:38.192571 IP 192.51.100.15.52446 > 203.0.113.2.53: 35086+ A? yummyrecipesforme.com. (39)
        13:24:38.194003 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.2 unreachable - admin prohibited filter, length 75

        """;

    [Fact]
    public void An_admin_prohibited_error_without_its_quote_answers_the_query_it_follows()
    {
        var report = Analyze(Filtered);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsBlocked, finding.Kind);
        Assert.Equal(3, finding.Failed);
        Assert.Equal(53, finding.Port);
        var sender = Assert.Single(finding.IcmpSenders);
        Assert.Equal("198.51.100.1", sender.Address);
        Assert.Equal(3, report.Dns.IcmpAnswered);
        Assert.Equal(0, report.Dns.Unanswered);
        var caveat = Assert.Single(report.Caveats, c => c.Kind == "icmp-join-inferred");
        Assert.StartsWith("3 ICMP errors named no protocol or port", caveat.Text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_admin_prohibited_error_without_its_quote_rejects_the_connection_attempt_it_follows()
    {
        var report = Analyze("""
            10:00:00.000000 IP 192.51.100.15.50100 > 203.0.113.80.443: Flags [S], seq 1000, win 64240, length 0
            10:00:00.001000 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.80 unreachable - admin prohibited filter, length 68
            10:00:01.000000 IP 192.51.100.15.50101 > 203.0.113.80.443: Flags [S], seq 2000, win 64240, length 0
            10:00:01.001000 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.80 unreachable - admin prohibited filter, length 68
            10:00:03.000000 IP 192.51.100.15.50102 > 203.0.113.80.443: Flags [S], seq 3000, win 64240, length 0
            10:00:03.001000 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.80 unreachable - admin prohibited filter, length 68

            """);
        Assert.Equal(3, report.Tcp.IcmpRejected);
        Assert.Equal(0, report.Tcp.Unanswered);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(443, finding.Port);
        Assert.Equal("198.51.100.1", Assert.Single(finding.IcmpSenders).Address);
        Assert.Contains(report.Caveats, c => c.Kind == "icmp-join-inferred");
    }

    [Fact]
    public void An_error_without_a_pending_query_to_its_address_is_not_joined()
    {
        // The query went to another server: the error names 203.0.113.9, to which nothing is pending.
        var report = Analyze("""
            13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (39)
            13:24:32.194003 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.9 unreachable - admin prohibited filter, length 75

            """);
        Assert.DoesNotContain(report.Caveats, c => c.Kind == "icmp-join-inferred");
        Assert.Equal(0, report.Dns.IcmpAnswered);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsBlocked);
    }

    [Fact]
    public void An_answered_query_is_not_joined_to_a_later_error()
    {
        var report = Analyze("""
            13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (39)
            13:24:32.193571 IP 203.0.113.2.53 > 192.51.100.15.52444: 35084 1/0/0 A 192.0.2.80 (55)
            13:24:33.194003 IP 198.51.100.1 > 192.51.100.15: ICMP host 203.0.113.2 unreachable - admin prohibited filter, length 75

            """);
        Assert.DoesNotContain(report.Caveats, c => c.Kind == "icmp-join-inferred");
        Assert.Equal(1, report.Dns.AnsweredNoError);
        Assert.Equal(0, report.Dns.IcmpAnswered);
    }
}
