using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using NetTriage.Analysis;
using NetTriage.Capture;

namespace NetTriage.Benchmarks;

/// <summary>
/// The stages after the last packet, for a capture of <see cref="Packets"/> packets of mixed traffic (failures of
/// every kind the generator makes): ending the tracking, detecting and diagnosing (<see cref="Analyzer.Finish"/>),
/// and writing the JSON report. Times are per capture: these stages depend on the failures kept, not on packets.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
public class FinishBenchmark
{
    public const int Packets = 200_000;

    private byte[] _capture = [];
    private Analyzer _analyzer = null!;
    private AnalysisReport _report = null!;

    [GlobalSetup]
    public void Setup()
    {
        _capture = BenchCaptures.Mixed(Packets);
        _report = ReadAll().Finish();
    }

    private Analyzer ReadAll()
    {
        var analyzer = new Analyzer(new AnalysisOptions { Threads = 1 });
        using var source = CaptureOpener.Open(new MemoryStream(_capture, writable: false), "bench.pcap");
        analyzer.Read(source);
        return analyzer;
    }

    [IterationSetup(Target = nameof(DetectDiagnose))]
    public void ReadCapture() => _analyzer = ReadAll();

    [Benchmark]
    public int DetectDiagnose() => _analyzer.Finish().Incidents.Count;

    [Benchmark]
    public int Json() => AnalysisJson.Serialize(_report).Length;
}
