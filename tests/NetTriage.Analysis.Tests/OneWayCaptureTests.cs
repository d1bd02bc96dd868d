using System.Globalization;
using System.Text;
using NetTriage.Analysis;
using NetTriage.Capture;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// A capture of one direction only (a one-way tap, asymmetric routing): the clients' SYNs and acknowledgments are
/// there, the servers' packets are not. A client acknowledges only a SYN-ACK it received (RFC 9293 3.5), so those
/// connections were answered: they are not failures, and the report says the capture misses a direction. Before,
/// every such SYN was "no answer", a HIGH tcp-no-response.
/// </summary>
public sealed class OneWayCaptureTests
{
    private static AnalysisReport Analyze(string text)
    {
        var analyzer = new Analyzer();
        using var source = CaptureOpener.Open(new MemoryStream(Encoding.ASCII.GetBytes(text)), "one-way.txt");
        analyzer.Read(source);
        return analyzer.Finish();
    }

    /// <summary>Connections from one client, at irregular times, of which only the client's packets were captured.</summary>
    private static string ClientSideOnly(int connections, bool acknowledge)
    {
        var text = new StringBuilder();
        double t = 0;
        for (int i = 0; i < connections; i++)
        {
            t += 0.7 + (i * 37 % 11) / 10.0;
            int port = 50100 + i;
            string at(double s) => TimeSpan.FromSeconds(36_000 + s).ToString(@"hh\:mm\:ss\.ffffff", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{at(t)} IP 192.0.2.10.{port} > 198.51.100.80.443: Flags [S], seq {1000 * i}, win 64240, length 0\n");
            if (!acknowledge) continue;
            text.Append(CultureInfo.InvariantCulture, $"{at(t + 0.03)} IP 192.0.2.10.{port} > 198.51.100.80.443: Flags [.], ack {5001 + i}, win 502, length 0\n");
            text.Append(CultureInfo.InvariantCulture, $"{at(t + 0.031)} IP 192.0.2.10.{port} > 198.51.100.80.443: Flags [P.], seq {1000 * i + 1}:{1000 * i + 301}, ack {5001 + i}, win 502, length 300\n");
        }
        return text.ToString();
    }

    [Fact]
    public void Acknowledged_syns_without_their_syn_acks_are_answered_connections_of_a_one_way_capture()
    {
        var report = Analyze(ClientSideOnly(12, acknowledge: true));
        Assert.Equal(12, report.Tcp.Attempts);
        Assert.Equal(12, report.Tcp.Established);
        Assert.Equal(0, report.Tcp.Unanswered);
        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.TcpNoResponse or FindingKind.TcpConnectionRefused);
        var caveat = Assert.Single(report.Caveats, c => c.Kind == "one-way-capture");
        Assert.StartsWith("12 TCP connections (the first from 192.0.2.10 to 198.51.100.80 port 443) were answered", caveat.Text.Text, StringComparison.Ordinal);
    }

    /// <summary>Zeek's trace of SSH sessions captured on the client side only: before, four HIGH "no response" incidents.</summary>
    [SkippableFact]
    public void Zeeks_client_side_half_duplex_ssh_trace_is_twenty_answered_connections()
    {
        Skip.If(NetTriage.Tests.Shared.TestPaths.Shared is null, NetTriage.Tests.Shared.TestPaths.CorpusAbsent);
        string path = Path.Combine(NetTriage.Tests.Shared.TestPaths.Shared!, "corpus", "zeek", "Traces", "ssh", "ssh.client-side-half-duplex.pcap");
        Skip.IfNot(File.Exists(path), "the Zeek trace is absent");
        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(path))
        {
            analyzer.Read(source);
        }
        var report = analyzer.Finish();
        Assert.Equal("no-incident", report.Verdict);
        Assert.Equal(20, report.Tcp.Established);
        Assert.Equal(0, report.Tcp.Unanswered);
        Assert.StartsWith("20 TCP connections (the first from 192.168.1.79 to ", Assert.Single(report.Caveats, c => c.Kind == "one-way-capture").Text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Syns_the_client_never_acknowledged_are_still_unanswered()
    {
        var report = Analyze(ClientSideOnly(12, acknowledge: false));
        Assert.Equal(12, report.Tcp.Unanswered);
        Assert.DoesNotContain(report.Caveats, c => c.Kind == "one-way-capture");
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.TcpNoResponse);
    }
}
