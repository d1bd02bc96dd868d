using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.History;

namespace NetTriage.Benchmarks;

/// <summary>
/// The history step after an analysis of <see cref="Packets"/> packets of mixed traffic: opening a new SQLite store,
/// placing every incident in the history (trends) and recording the analysis (its service-minutes, DNS answers,
/// findings and incidents), as <c>nettriage analyze</c> does at its end. Compare with <see cref="FinishBenchmark"/>
/// and the analysis itself: docs/history.md gives the figures.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
public class HistoryBenchmark
{
    public const int Packets = 200_000;

    private AnalysisReport _report = null!;
    private string _folder = "";
    private StoreLocation _store = null!;
    private int _run;

    [GlobalSetup]
    public void Setup()
    {
        var analyzer = new Analyzer(new AnalysisOptions { Threads = 1 });
        using (var source = CaptureOpener.Open(new MemoryStream(BenchCaptures.Mixed(Packets), writable: false), "bench.pcap"))
        {
            analyzer.Read(source);
        }
        _report = analyzer.Finish();
        _folder = Path.Combine(Path.GetTempPath(), "nettriage-history-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(_folder);
    }

    [IterationSetup]
    public void NewStore() => _store = StoreLocation.Parse(Path.Combine(_folder, $"history-{_run++}.db"));

    [Benchmark]
    public RecordOutcome? KeepInNewSqliteStore() =>
        HistoryRecorder.Keep(_report, _store, "bench", DateTimeOffset.UnixEpoch).Outcome;

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);
}
