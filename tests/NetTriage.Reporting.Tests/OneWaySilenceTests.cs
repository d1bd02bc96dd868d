using NetTriage.Analysis;
using NetTriage.Packets;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// A capture that misses a direction (clients acknowledge answers it does not hold) cannot prove that a server which
/// sent nothing in it did not answer: such silence is reported one step lower, with the blind side as a cause.
/// </summary>
public sealed class OneWaySilenceTests
{
    private static readonly IpAddr WebClient = IpAddr.Parse("192.0.2.20");

    /// <summary>DNS queries to the resolver, each asked again, never answered in the capture; with <paramref name="oneWay"/>, TCP connections whose answers the capture lacks.</summary>
    private static AnalysisReport SilentResolver(bool oneWay)
    {
        var b = new TestCaptures.Builder();
        for (int i = 0; i < 4; i++)
        {
            b.DnsQuery(TestCaptures.Client, TestCaptures.Resolver, (ushort)(41000 + i), (ushort)(300 + i), "www.example.com");
            b.Advance(1);
            b.DnsQuery(TestCaptures.Client, TestCaptures.Resolver, (ushort)(41000 + i), (ushort)(300 + i), "www.example.com");
            b.Advance(0.5);
            if (oneWay)
            {
                // The client's side of a handshake: its SYN, then its ACK of the SYN-ACK the capture lacks (RFC 9293 3.5).
                ushort port = (ushort)(42000 + i);
                b.Tcp(WebClient, TestCaptures.WebServer, port, 443, 1000, 0, TcpFlags.Syn);
                b.Advance(0.02);
                b.Tcp(WebClient, TestCaptures.WebServer, port, 443, 1001, 5001, TcpFlags.Ack);
                b.Advance(0.5);
            }
        }
        b.Advance(6);
        b.Tcp(WebClient, TestCaptures.WebServer, 43000, 443, 1000, 0, TcpFlags.Syn);
        return TestCaptures.Analyze(b.ToArray(), oneWay ? "one-way.pcap" : "both-ways.pcap");
    }

    [Fact]
    public void Silence_in_a_capture_of_both_directions_stays_high()
    {
        var incident = Assert.Single(SilentResolver(oneWay: false).Incidents, i => i.Kind == FindingKind.DnsNoResponse);

        Assert.Equal(Severity.High, incident.Severity);
        Assert.DoesNotContain(incident.Causes, c => c.Id == "one-direction-capture");
    }

    [Fact]
    public void Silence_in_a_one_way_capture_is_one_step_lower_and_the_blind_side_is_the_likely_cause()
    {
        var report = SilentResolver(oneWay: true);

        Assert.Contains(report.Caveats, c => c.Kind == "one-way-capture");
        var incident = Assert.Single(report.Incidents, i => i.Kind == FindingKind.DnsNoResponse);
        Assert.Equal(Severity.Medium, incident.Severity);
        Assert.Equal(Severity.High, report.Findings.Single(f => f.Kind == FindingKind.DnsNoResponse).Severity);
        Assert.Equal("one-direction-capture", incident.Causes[0].Id);
        Assert.Contains("4 TCP connections in this capture were answered out of its sight", string.Join(" ", incident.Causes[0].For.Select(p => p.Text)), StringComparison.Ordinal);
        Assert.Contains(incident.Caveats, c => c.Kind == "one-direction" && c.Text.Text.Contains("the capture misses a direction", StringComparison.Ordinal));
        Assert.Equal(FaultEnds.Unknown, incident.AtFault!.End);
    }
}
