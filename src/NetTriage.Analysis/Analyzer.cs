using NetTriage.Analysis.Text;
using System.Runtime;
using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Reading;
using NetTriage.Analysis.Summary;
using NetTriage.Analysis.Tracking;
using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Analysis;

/// <summary>
/// The analysis pipeline after the sources: track -> detect -> diagnose. Feed it every input with
/// <see cref="Read"/>, then call <see cref="Finish"/> for the report. One packet at a time, bounded state:
/// memory depends on live flows and pending transactions, not on the size of the capture.
/// </summary>
public sealed class Analyzer
{
    /// <summary>Heap size past which <see cref="Finish"/> collects before detecting (a large capture's tables were just dropped).</summary>
    private const long CollectAbove = 32L << 20;

    private readonly FailureRecorder _failures;
    private readonly TrafficTracker _tracker;
    private readonly ActivitySensors _sensors;
    private readonly PacketPump _pump;
    private readonly List<InputSummary> _inputs = [];

    /// <param name="options">Limits and time constants; the defaults when null.</param>
    /// <param name="observer">Sees every packet as it is read (the Zeek logs follow the same pass).</param>
    public Analyzer(AnalysisOptions? options = null, IPacketObserver? observer = null)
    {
        var resolved = options ?? new AnalysisOptions();
        _failures = new FailureRecorder(resolved);
        _tracker = new TrafficTracker(resolved, _failures);
        _sensors = new ActivitySensors();
        _pump = new PacketPump(_tracker, _sensors, observer) { SplitSchedule = resolved.SensorSplitSchedule };
    }

    /// <summary>Packets observed so far, over all inputs.</summary>
    public long Packets => _tracker.Packets;

    /// <summary>
    /// Reads a whole source. <paramref name="progress"/> is called now and then with the packets read so far
    /// (the caller asks the source for bytes; with more than one thread it is called on the reading thread, never
    /// at the same time twice). Throws <see cref="CaptureFormatException"/> for a corrupt input, after every packet
    /// before the corrupt record has been analysed.
    /// </summary>
    public void Read(IPacketSource source, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var counts = new InputCounts(_inputs.Count);
        try
        {
            _pump.Pump(source, progress, ref counts);
        }
        finally
        {
            _inputs.Add(new InputSummary
            {
                Name = source.Name,
                Format = source.Format switch
                {
                    CaptureFormat.Pcap => "pcap",
                    CaptureFormat.Pcapng => "pcapng",
                    _ => "tcpdump-text",
                },
                Compressed = source.Compressed,
                Packets = counts.Packets,
                Bytes = counts.Bytes,
                UnparsedRecords = counts.Unparsed,
                Warnings = source.Warnings.Select(w => w.ToString()).ToList(),
                ContentHash = source.ContentHash,
                Start = counts.First is { } first ? Describe.Time(first) : null,
                End = counts.Last is { } last ? Describe.Time(last) : null,
            });
        }
        progress?.Invoke(counts.Packets);
    }

    /// <summary>
    /// Hands the memory of a finished analysis back before its report is rendered: call it once nothing holds the
    /// <see cref="Analyzer"/> any more. The tracker's and the sensors' tables are most of the heap at the end of a
    /// large capture and garbage once <see cref="Finish"/> has returned; collected (and compacted) now, the rendering
    /// reuses their memory instead of growing the process. A small heap is left to the collector's own pace.
    /// </summary>
    public static void ReleaseTracking() => Collect();

    /// <summary>One full, compacting collection (the large objects' heap too) when the heap is large enough to matter.</summary>
    private static void Collect()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) <= CollectAbove) return;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>The threads <paramref name="options"/> ask for, with 0 resolved for this machine.</summary>
    public static int ThreadCount(AnalysisOptions options) => PacketPump.ThreadCount(options);

    /// <summary>Ends the capture: pending transactions get their outcome, findings are detected and diagnosed.</summary>
    public AnalysisReport Finish()
    {
        var t = _tracker;
        t.Finish();
        // Reading is over: the packets in flight and the tables that only served tracking go, and a full collection
        // hands their memory to what comes next instead of growing the heap (bounded memory is the point of
        // streaming). Once the sensors have said what they found, their tables go the same way: a third of the heap
        // at the end of 2 GB of browsing traffic.
        _pump.Release();
        Collect();
        var traffic = new TrafficView(t);
        var activities = _sensors.Finish(traffic);
        Collect();
        var detected = Detector.Detect(_failures.Table, traffic, activities)
            .OrderBy(f => f.FirstTime.Nanoseconds)
            .ToList();
        AttackSeverity.Raise(activities, detected);
        int n = 0;
        foreach (var f in detected)
        {
            f.Finding = FindingBuilder.Build(f, $"F{++n}", traffic);
        }
        foreach (var a in activities.OrderBy(a => a.First.Nanoseconds))
        {
            a.Finding = FindingBuilder.Build(a, $"F{++n}");
        }
        // Causes several findings share (a gateway that forwards nothing): one incident each, holding those findings.
        var shared = SharedCauseFamilies.Find(detected, traffic);
        foreach (var c in shared)
        {
            c.Finding = FindingBuilder.Build(c, $"F{++n}");
        }
        List<Finding> findings = [.. detected.Select(f => f.Finding), .. activities.Select(a => a.Finding).OrderBy(f => f.First.Seconds), .. shared.Select(c => c.Finding)];
        var incidents = FaultJudge.Judge(Diagnoser.Diagnose(traffic, detected, activities, shared), findings);
        return new AnalysisReport
        {
            Verdict = incidents.Count > 0 ? "incident" : "no-incident",
            Inputs = _inputs,
            Capture = TrafficStatistics.CaptureSummary(t, _inputs),
            Incidents = incidents,
            Findings = findings,
            Overview = TrafficStatistics.Overview(t) with
            {
                Activities = activities.Where(a => a.Severity == Severity.Low).OrderBy(a => a.First.Nanoseconds)
                    .Select(a => new ActivityNote(a.Kind, a.Finding.Id, a.Finding.Title.Text)).ToList() is { Count: > 0 } notes ? notes : null,
            },
            Dns = TrafficStatistics.DnsStatistics(t),
            Tcp = TrafficStatistics.TcpStatistics(t),
            Caveats = CaptureCaveats.For(t, _failures.Table, _inputs),
            ServiceMinutes = t.Minutes.ToList(t.First?.Kind ?? TimestampKind.None),
            ServiceMinutesDropped = t.Minutes.Dropped,
            DnsAnswers = t.Answers.ToList(),
        };
    }
}
