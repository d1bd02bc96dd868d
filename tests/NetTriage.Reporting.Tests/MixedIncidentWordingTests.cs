using NetTriage.Analysis;
using NetTriage.Packets;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// An incident that holds failures of two kinds words each with its own count: DNS over UDP answered by ICMP port
/// unreachable and DNS over TCP refused by a reset (what a resolver with its service down gives a client that falls
/// back to TCP, as `nettriage diagnose` does) are not "all 8 queries answered by ICMP".
/// </summary>
public sealed class MixedIncidentWordingTests
{
    private static AnalysisReport UdpUnreachableThenTcpRefused()
    {
        var b = new TestCaptures.Builder();
        for (int i = 0; i < 6; i++)
        {
            var query = b.DnsQuery(TestCaptures.Client, TestCaptures.DnsServer, (ushort)(50000 + i), (ushort)(200 + i), "www.example.com");
            b.Advance(0.002);
            b.IcmpUnreachable(TestCaptures.DnsServer, TestCaptures.Client, 3, query);
            b.Advance(0.5);
        }
        for (int i = 0; i < 2; i++)
        {
            b.Tcp(TestCaptures.Client, TestCaptures.DnsServer, (ushort)(51000 + i), 53, 1000, 0, TcpFlags.Syn);
            b.Advance(0.002);
            b.Tcp(TestCaptures.DnsServer, TestCaptures.Client, 53, (ushort)(51000 + i), 0, 1001, TcpFlags.Rst | TcpFlags.Ack);
            b.Advance(0.5);
        }
        return TestCaptures.Analyze(b.ToArray(), "udp-then-tcp.pcap");
    }

    [Fact]
    public void Each_kind_of_failure_is_counted_under_its_own_words()
    {
        var report = UdpUnreachableThenTcpRefused();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsServerUnreachable, incident.Kind);
        Assert.Equal(8, incident.Attempts);
        string summary = incident.Summary.Text;
        // Before: "answered 6 of 8 queries ... with ICMP": 2 of the 8 were TCP connection attempts, not queries.
        Assert.Contains("answered all 6 queries from 192.51.100.15 for www.example.com with ICMP 'udp port 53 unreachable'", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("of 8 queries", summary, StringComparison.Ordinal);
        Assert.Contains("Also: all 2 TCP connection attempts to 203.0.113.2 port 53 were refused", summary, StringComparison.Ordinal);
    }
}
