using NetTriage.Synthetic;
using NetTriage.Analysis.Logs;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// Reading and decoding on a second thread while the calling thread tracks must give exactly the report of
/// doing everything on one thread: same packets in the same order, same tables, same JSON.
/// </summary>
public sealed class PipelineTests
{
    private static readonly Lazy<byte[]> Mixed = new(() =>
    {
        using var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, 60_000, seed: 7, hostCount: 300);
        return stream.ToArray();
    });

    public static TheoryData<string> Limits => ["defaults", "small caps"];

    private static AnalysisOptions Options(string limits, int threads) => limits == "defaults"
        ? new AnalysisOptions { Threads = threads }
        : new AnalysisOptions
        {
            Threads = threads,
            MaxFailureRecords = 300,
            MaxResolutions = 200,
            MaxTcpConnections = 150,
            MaxPendingDnsQueries = 40,
            MaxFlows = 500,
            MaxHosts = 250,
        };

    private static string Analyze(byte[] capture, AnalysisOptions options, int inputs = 1)
    {
        var analyzer = new Analyzer(options);
        for (int i = 0; i < inputs; i++)
        {
            using var source = CaptureOpener.Open(new MemoryStream(capture, writable: false), $"mixed-{i}.pcap");
            analyzer.Read(source);
        }
        return AnalysisJson.Serialize(analyzer.Finish());
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Two_threads_give_the_same_json_as_one(string limits)
    {
        string one = Analyze(Mixed.Value, Options(limits, threads: 1));
        string two = Analyze(Mixed.Value, Options(limits, threads: 2));

        Assert.Equal(one, two);
        var report = AnalysisJson.Deserialize(one)!;
        Assert.Equal(60_000, report.Capture.Packets);
        // The mix has failures of every family the generator makes, so the comparison covers them.
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.DnsServerUnreachable);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.DnsNoResponse);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.TcpConnectionRefused);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.TcpBlocked);
        Assert.Equal(limits != "defaults", report.Caveats.Any(c => c.Kind == "state-capped"));
    }

    [Fact]
    public void Two_threads_give_the_same_json_over_several_inputs()
    {
        Assert.Equal(Analyze(Mixed.Value, new AnalysisOptions { Threads = 1 }, inputs: 2),
            Analyze(Mixed.Value, new AnalysisOptions { Threads = 2 }, inputs: 2));
    }

    /// <summary>
    /// Attacks and oddities of many families at once, built byte by byte: a SYN scan, a flood of forged SYNs, failed HTTP
    /// logins, an ICMP echo channel, two answers to one DNS query. With the mixed traffic after it, every sensor family
    /// has packets to read, so the comparisons below cover them all.
    /// </summary>
    private static readonly Lazy<byte[]> Attacks = new(() =>
    {
        var s = new Scenario();
        for (int port = 1; port <= 300; port++)
        {
            s.Tcp("10.9.9.9", 40000, "10.0.0.80", (ushort)port, TcpFlags.Syn, 1000);
            if (port is 22 or 80) s.Tcp("10.0.0.80", (ushort)port, "10.9.9.9", 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            else if (port % 2 == 0) s.Tcp("10.0.0.80", (ushort)port, "10.9.9.9", 40000, TcpFlags.Rst | TcpFlags.Ack, 0, 1001);
        }
        s.After(1);
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
        {
            string forged = $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
            s.Tcp(forged, (ushort)random.Next(1024, 65535), "10.0.0.80", 80, TcpFlags.Syn, (uint)i);
        }
        s.After(1);
        for (int i = 0; i < 40; i++)
        {
            ushort port = (ushort)(41000 + i);
            s.TcpText("10.9.9.8", port, "10.0.0.80", 80, "GET /admin HTTP/1.1\r\nHost: site\r\nAuthorization: Basic eDp5\r\n\r\n", 1001, 5001);
            s.TcpText("10.0.0.80", 80, "10.9.9.8", port, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 5001, 1100);
            s.After(0.01);
        }
        for (int i = 0; i < 100; i++)
        {
            var data = new byte[200 + (i % 5 * 100)];
            random.NextBytes(data);
            s.Echo("10.0.0.7", "198.51.100.9", (ushort)i, data: data);
            s.Echo("198.51.100.9", "10.0.0.7", (ushort)i, reply: true, data: data);
        }
        s.Query("10.0.0.7", 40001, "10.0.0.53", 77, "bank.example.com")
            .After(0.001).Answer("10.0.0.53", "10.0.0.7", 40001, 77, "bank.example.com", addresses: ["10.0.0.66"], ttl: 60, ipTtl: 64)
            .After(0.002).Answer("10.0.0.53", "10.0.0.7", 40001, 77, "bank.example.com", addresses: ["203.0.113.10"], ttl: 3600, ipTtl: 63);
        return s.Bytes();
    });

    /// <summary>How the families are split between the threads, batch by batch.</summary>
    public static TheoryData<string> Splits => ["all on the tracking thread", "half and half", "every family moves at every batch", "at random"];

    private static Func<long, int, int> Split(string name) => name switch
    {
        "all on the tracking thread" => (_, _) => 0,
        "half and half" => (_, families) => families / 2,
        // Back and forth: the reader waits for the tracker to finish the families' earlier batches every other batch.
        "every family moves at every batch" => (batch, families) => batch % 2 == 0 ? 0 : families,
        _ => (batch, families) => (int)((ulong)(batch * 2654435761) % (ulong)(families + 1)),
    };

    private static string AnalyzeAll(AnalysisOptions options, params byte[][] captures)
    {
        var analyzer = new Analyzer(options);
        for (int i = 0; i < captures.Length; i++)
        {
            using var source = CaptureOpener.Open(new MemoryStream(captures[i], writable: false), $"input-{i}.pcap");
            analyzer.Read(source);
        }
        return AnalysisJson.Serialize(analyzer.Finish());
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void The_sensor_families_give_the_same_json_whichever_thread_runs_them(string split)
    {
        string one = AnalyzeAll(new AnalysisOptions { Threads = 1 }, Attacks.Value, Mixed.Value);
        string two = AnalyzeAll(new AnalysisOptions { Threads = 2, SensorSplitSchedule = Split(split) }, Attacks.Value, Mixed.Value);

        Assert.Equal(one, two);
        var report = AnalysisJson.Deserialize(one)!;
        Assert.Superset(new HashSet<FindingKind> { FindingKind.PortScan, FindingKind.SynFlood, FindingKind.BruteForce, FindingKind.IcmpTunneling, FindingKind.DnsSpoofing },
            report.Findings.Select(f => f.Kind).ToHashSet());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(40)]
    public void Sensor_threads_of_their_own_give_the_same_json(int threads)
    {
        Assert.Equal(AnalyzeAll(new AnalysisOptions { Threads = 1 }, Attacks.Value, Mixed.Value),
            AnalyzeAll(new AnalysisOptions { Threads = threads }, Attacks.Value, Mixed.Value));
    }

    [Theory]
    [InlineData("all on the tracking thread", 2)]
    [InlineData("every family moves at every batch", 2)]
    [InlineData("", 4)]
    public void The_zeek_logs_are_the_same_on_one_thread_and_more(string split, int threads)
    {
        string Logs(AnalysisOptions options)
        {
            string dir = Path.Combine(Path.GetTempPath(), "nettriage-pipeline-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (var writer = new ZeekLogWriter(dir, ZeekLogFormat.Tsv))
                {
                    var analyzer = new Analyzer(options, writer);
                    foreach (var (capture, i) in new[] { Attacks.Value, Mixed.Value }.Select((c, i) => (c, i)))
                    {
                        using var source = CaptureOpener.Open(new MemoryStream(capture, writable: false), $"input-{i}.pcap");
                        analyzer.Read(source);
                    }
                    writer.EndInput();
                    writer.Finish(analyzer.Finish());
                }
                // The header's #open and the #close trailer hold the time they were written.
                return string.Join("\n", new[] { "conn", "dns", "notice", "weird" }.Select(log =>
                    string.Join("\n", File.ReadLines(Path.Combine(dir, log + ".log")).Where(l => !l.StartsWith("#open", StringComparison.Ordinal) && !l.StartsWith("#close", StringComparison.Ordinal)))));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        string one = Logs(new AnalysisOptions { Threads = 1 });
        Assert.Equal(one, Logs(new AnalysisOptions { Threads = threads, SensorSplitSchedule = split.Length > 0 ? Split(split) : null }));
        Assert.Contains("\tS0\t", one, StringComparison.Ordinal);
        Assert.Contains("Scan", one, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_record_stops_both_ways_after_the_same_packets()
    {
        // Cut the capture inside a record header, then append a record claiming an impossible length.
        var capture = Mixed.Value;
        var corrupt = new byte[capture.Length / 2 + 16];
        capture.AsSpan(0, capture.Length / 2).CopyTo(corrupt);
        int offset = 24;
        while (offset + 16 <= capture.Length / 2)
        {
            int length = BitConverter.ToInt32(capture, offset + 8);
            if (offset + 16 + length > capture.Length / 2) break;
            offset += 16 + length;
        }
        capture.AsSpan(offset, 16).CopyTo(corrupt.AsSpan(offset));
        BitConverter.TryWriteBytes(corrupt.AsSpan(offset + 8), 1 << 30);
        corrupt = corrupt[..(offset + 16)];

        long Packets(int threads)
        {
            var analyzer = new Analyzer(new AnalysisOptions { Threads = threads });
            using var source = CaptureOpener.Open(new MemoryStream(corrupt, writable: false), "corrupt.pcap");
            var error = Assert.Throws<CaptureFormatException>(() => analyzer.Read(source));
            Assert.Contains("corrupt.pcap", error.Message, StringComparison.Ordinal);
            return analyzer.Packets;
        }

        long one = Packets(1);
        Assert.True(one > 1000);
        Assert.Equal(one, Packets(2));
    }
}
