using NetTriage.Synthetic;
using NetTriage.Capture;
using NetTriage.Capture.Writing;

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
