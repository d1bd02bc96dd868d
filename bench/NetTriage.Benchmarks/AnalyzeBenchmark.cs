using BenchmarkDotNet.Attributes;
using NetTriage.Analysis;

namespace NetTriage.Benchmarks;

/// <summary>
/// <see cref="Analyzer.Read"/> as the command runs it, per packet: on one thread, and with reading and decoding
/// on a second thread while the calling thread tracks. Steady state as in <see cref="StageBenchmarks"/>. Each
/// invocation is one call of Read (one input of <see cref="Packets"/> packets): its summary, and with two
/// threads the reading thread, are allocated once per call, which is what remains per packet here.
/// </summary>
[MemoryDiagnoser]
public class AnalyzeBenchmark
{
    public const int Packets = 100_000;
    private const int CapturePackets = 200_000;
    private const int Hosts = 1000;
    private const int MaxWarmUpPasses = 400;

    private Analyzer _analyzer = null!;
    private EndlessSource _source = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var capture = BenchCaptures.Mixed(CapturePackets, Hosts);
        _source = new EndlessSource(capture, CapturePackets);
        _analyzer = new Analyzer(new AnalysisOptions { Threads = Threads });
        int passes = 0;
        long allocated;
        do
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            _analyzer.Read(_source.Take(CapturePackets));
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            passes++;
        }
        while (allocated > 4096 && passes < MaxWarmUpPasses);
        Console.WriteLine($"// analyzer warmed up over {passes} passes of {CapturePackets} packets; the last allocated {allocated} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _source.Dispose();

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecodeTrack()
    {
        _analyzer.Read(_source.Take(Packets));
        return _analyzer.Packets;
    }
}
