using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Capture;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis;

/// <summary>
/// The analysis pipeline after the sources: track -> detect -> diagnose. Feed it every input with
/// <see cref="Read"/>, then call <see cref="Finish"/> for the report. One packet at a time, bounded state:
/// memory depends on live flows and pending transactions, not on the size of the capture.
/// </summary>
public sealed class Analyzer
{
    /// <summary>Packets handed from the reading thread to the tracking thread at a time.</summary>
    private const int BatchSize = 24;
    /// <summary>Batches in flight: one being read, one being tracked, and slack for the uneven pace of each.</summary>
    private const int BatchCount = 4;
    /// <summary>Spins (short pauses, then yields) before a thread waiting for a batch blocks.</summary>
    private const int SpinsBeforeBlocking = 64;

    /// <summary>Heap size past which <see cref="Finish"/> collects before detecting (a large capture's tables were just dropped).</summary>
    private const long CollectAbove = 32L << 20;

    private readonly AnalysisOptions _options;
    private readonly TrafficTracker _tracker;
    private readonly List<InputSummary> _inputs = [];
    private readonly DecodedPacket _packet = new();
    private Batch[]? _batches;

    public Analyzer(AnalysisOptions? options = null)
    {
        _options = options ?? new AnalysisOptions();
        _tracker = new TrafficTracker(_options);
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
            if (ThreadCount(_options) > 1) ReadPipelined(source, progress, ref counts);
            else ReadHere(source, progress, ref counts);
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
            });
        }
        progress?.Invoke(counts.Packets);
    }

    /// <summary>The threads <paramref name="options"/> ask for, with 0 resolved for this machine.</summary>
    public static int ThreadCount(AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Threads > 0 ? options.Threads : Environment.ProcessorCount > 1 ? 2 : 1;
    }

    private struct InputCounts(int index)
    {
        public readonly int Index = index;
        public long Packets;
        public long Bytes;
        public long Unparsed;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Track(DecodedPacket packet, ref InputCounts counts)
    {
        counts.Packets++;
        counts.Bytes += packet.Origin == PacketOrigin.Binary ? packet.CapturedLength : 0;
        if (packet.Unparsed) counts.Unparsed++;
        _tracker.Observe(packet, counts.Index);
    }

    /// <summary>Reads, decodes and tracks on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadHere(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        while (source.TryRead(_packet))
        {
            Track(_packet, ref counts);
            if (progress is not null && (counts.Packets & 0x3FFF) == 0) progress(counts.Packets);
        }
    }

    /// <summary>Packets read by one thread and tracked by the other; reused for the whole analysis.</summary>
    private sealed class Batch
    {
        public readonly DecodedPacket[] Packets = CreatePackets();
        public int Count;
        /// <summary>The source ended (or failed) with this batch.</summary>
        public bool Last;
        public ExceptionDispatchInfo? Error;

        private static DecodedPacket[] CreatePackets()
        {
            var packets = new DecodedPacket[BatchSize];
            for (int i = 0; i < packets.Length; i++) packets[i] = new DecodedPacket();
            return packets;
        }
    }

    /// <summary>
    /// Reads and decodes on a second thread while this one tracks: batches of decoded packets go round a ring of
    /// <see cref="BatchCount"/> (the reader fills them in order, the tracker empties them in the same order, and
    /// two semaphores count the free and the full ones), so packets are tracked in the order read and the
    /// results are those of <see cref="ReadHere"/>. Nothing is allocated per packet or per batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPipelined(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        var batches = _batches ??= [.. Enumerable.Range(0, BatchCount).Select(_ => new Batch())];
        using var free = new SemaphoreSlim(BatchCount);
        using var full = new SemaphoreSlim(0);
        var stop = new StrongBox<bool>();
        var reader = new Thread(() => Produce(source, progress, batches, free, full, stop))
        {
            IsBackground = true,
            Name = "nettriage-read",
        };
        reader.Start();
        bool finished = false;
        try
        {
            for (int i = 0; ; i = (i + 1) % BatchCount)
            {
                WaitFor(full);
                var batch = batches[i];
                for (int k = 0; k < batch.Count; k++)
                {
                    Track(batch.Packets[k], ref counts);
                }
                if (batch.Last)
                {
                    finished = true;
                    reader.Join();
                    batch.Error?.Throw();
                    return;
                }
                free.Release();
            }
        }
        finally
        {
            if (!finished)
            {
                // The tracker failed: let the reader stop at its next batch (it is a background thread).
                Volatile.Write(ref stop.Value, true);
                free.Release();
            }
        }
    }

    /// <summary>
    /// Takes one count of <paramref name="semaphore"/>, spinning a little first: the other thread usually hands a
    /// batch over within microseconds, and waking a blocked thread costs that thread a system call per batch.
    /// </summary>
    private static void WaitFor(SemaphoreSlim semaphore)
    {
        if (semaphore.Wait(0)) return;
        var spin = new SpinWait();
        for (int i = 0; i < SpinsBeforeBlocking; i++)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (semaphore.Wait(0)) return;
        }
        semaphore.Wait();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Produce(IPacketSource source, Action<long>? progress, Batch[] batches, SemaphoreSlim free, SemaphoreSlim full, StrongBox<bool> stop)
    {
        long read = 0;
        for (int i = 0; ; i = (i + 1) % BatchCount)
        {
            WaitFor(free);
            if (Volatile.Read(ref stop.Value)) return;
            var batch = batches[i];
            batch.Count = 0;
            batch.Last = false;
            batch.Error = null;
            try
            {
                while (batch.Count < BatchSize)
                {
                    if (!source.TryRead(batch.Packets[batch.Count]))
                    {
                        batch.Last = true;
                        break;
                    }
                    batch.Count++;
                    if (progress is not null && (++read & 0x3FFF) == 0) progress(read);
                }
            }
            catch (Exception ex)
            {
                batch.Error = ExceptionDispatchInfo.Capture(ex);
                batch.Last = true;
            }
            full.Release();
            if (batch.Last) return;
        }
    }

    /// <summary>Ends the capture: pending transactions get their outcome, findings are detected and diagnosed.</summary>
    public AnalysisReport Finish()
    {
        var t = _tracker;
        t.Finish();
        // Reading is over: the packets in flight and the tables that only served tracking go, and one full
        // collection hands their memory to detection and diagnosis instead of growing the heap (bounded memory
        // is the point of streaming).
        _batches = null;
        if (GC.GetTotalMemory(forceFullCollection: false) > CollectAbove)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var detected = Detector.Detect(t)
            .OrderBy(f => f.FirstTime.Nanoseconds)
            .ToList();
        int n = 0;
        foreach (var f in detected)
        {
            f.Finding = FindingBuilder.Build(f, $"F{++n}", t);
        }
        var incidents = Diagnoser.Diagnose(t, detected);
        return new AnalysisReport
        {
            Verdict = incidents.Count > 0 ? "incident" : "no-incident",
            Inputs = _inputs,
            Capture = CaptureSummary(t),
            Incidents = incidents,
            Findings = detected.Select(f => f.Finding).ToList(),
            Overview = Overview(t),
            Dns = DnsStatistics(t),
            Tcp = TcpStatistics(t),
            Caveats = Caveats(t),
        };
    }

    private static CaptureSummary CaptureSummary(TrafficTracker t) => new()
    {
        Start = t.First is { } f ? Describe.Time(f) : null,
        End = t.Last is { } l ? Describe.Time(l) : null,
        DurationSeconds = t.First is { } a && t.Last is { } b ? Describe.Seconds(a, b) : null,
        Packets = t.Packets,
        TruncatedPackets = t.TruncatedPackets,
        AnomalousPackets = t.AnomalousPackets,
        Anomalies = t.AnomalyCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select(kv => new NamedCount(AnomalyNames.Get(kv.Key), kv.Value)).ToList(),
        FromText = t.TextPackets > 0,
    };

    private static TrafficOverview Overview(TrafficTracker t) => new()
    {
        Packets = t.Packets,
        Bytes = t.Bytes,
        Protocols = t.Protocols.OrderByDescending(kv => kv.Value.Packets).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ProtocolCount(kv.Key, kv.Value.Packets, kv.Value.Bytes)).ToList(),
        TopTalkers = t.Hosts.OrderByDescending(kv => kv.Value.PacketsSent + kv.Value.PacketsReceived).ThenBy(kv => kv.Key)
            .Take(t.Options.TopTalkers)
            .Select(kv => new Talker
            {
                Address = kv.Key.ToString(),
                PacketsSent = kv.Value.PacketsSent,
                PacketsReceived = kv.Value.PacketsReceived,
                BytesSent = kv.Value.BytesSent,
                BytesReceived = kv.Value.BytesReceived,
            }).ToList(),
        Hosts = t.Hosts.Count,
        Flows = t.FlowCount,
    };

    private static DnsStatistics DnsStatistics(TrafficTracker t)
    {
        long errors = t.DnsErrorRcodes.Values.Sum();
        long failed = t.DnsIcmpAnswered + t.DnsUnanswered + errors;
        double? median = t.DnsResponseTimes.MedianMilliseconds();
        return new DnsStatistics
        {
            Queries = t.DnsQueries,
            Answered = t.DnsAnswered,
            AnsweredNoError = t.DnsAnsweredNoError,
            ErrorResponses = t.DnsErrorRcodes.OrderByDescending(kv => kv.Value)
                .Select(kv => new NamedCount(NetTriage.Packets.Dns.DnsNames.RcodeName(kv.Key), kv.Value)).ToList(),
            IcmpAnswered = t.DnsIcmpAnswered,
            Unanswered = t.DnsUnanswered,
            UnansweredAtCaptureEnd = t.DnsUnansweredAtEnd,
            Retransmissions = t.DnsRetransmissions,
            UnmatchedResponses = t.DnsUnmatchedResponses,
            MedianResponseMilliseconds = median is { } m ? Math.Round(m, 3) : null,
            FailureRate = t.DnsQueries == 0 ? 0 : Math.Round((double)failed / t.DnsQueries, 4),
            Servers = t.DnsServers.OrderByDescending(kv => kv.Value.Queries).ThenBy(kv => kv.Key).Take(20)
                .Select(kv => new DnsServerStatistics
                {
                    Server = kv.Key.ToString(),
                    Queries = kv.Value.Queries,
                    Answered = kv.Value.Answered,
                    Errors = kv.Value.Errors,
                    IcmpAnswered = kv.Value.IcmpAnswered,
                    Unanswered = kv.Value.Unanswered,
                    Clients = kv.Value.Clients.Count,
                }).ToList(),
        };
    }

    private static TcpStatistics TcpStatistics(TrafficTracker t)
    {
        long Get(TcpOutcome o) => t.TcpOutcomes.GetValueOrDefault(o);
        return new TcpStatistics
        {
            Attempts = t.TcpAttempts,
            Established = Get(TcpOutcome.Established) + Get(TcpOutcome.Closed) + Get(TcpOutcome.ResetAfterEstablished),
            Refused = Get(TcpOutcome.Refused),
            Unanswered = Get(TcpOutcome.Unanswered),
            IcmpRejected = Get(TcpOutcome.IcmpRejected),
            ResetAfterEstablished = Get(TcpOutcome.ResetAfterEstablished),
            Closed = Get(TcpOutcome.Closed),
            MidStream = t.TcpMidStream,
            Services = t.TcpServices.OrderByDescending(kv => kv.Value.Attempts).ThenBy(kv => kv.Key.Server).ThenBy(kv => kv.Key.Port).Take(20)
                .Select(kv => new ServiceOutcome
                {
                    Server = kv.Key.Server.ToString(),
                    Port = kv.Key.Port,
                    Attempts = kv.Value.Attempts,
                    Established = kv.Value.Established,
                    Refused = kv.Value.Refused,
                    Unanswered = kv.Value.Unanswered,
                    IcmpRejected = kv.Value.IcmpRejected,
                }).ToList(),
        };
    }

    private List<Caveat> Caveats(TrafficTracker t)
    {
        var list = new List<Caveat>();
        if (t.TextPackets > 0)
        {
            list.Add(new Caveat("text-input",
                "Read from tcpdump text, not a capture: only what tcpdump printed is known (no payload bytes, no link layer unless -e was used); lengths and fields are as printed."));
        }
        long unparsed = _inputs.Sum(i => i.UnparsedRecords);
        if (unparsed > 0)
        {
            list.Add(new Caveat("unparsed-text", $"{Describe.Count(unparsed, "text record")} could not be read and took no part in the analysis."));
        }
        if (t.TruncatedPackets > 0)
        {
            list.Add(new Caveat("truncated-packets",
                $"{Describe.Count(t.TruncatedPackets, "packet")} were cut short (snap length or a header ending early): what they carried past the cut is unknown."));
        }
        foreach (var input in _inputs.Where(i => i.Warnings.Count > 0))
        {
            list.Add(new Caveat("input-warning", $"{input.Name}: {input.Warnings[0]}"));
        }
        if (t.First is null && t.Packets > 0)
        {
            list.Add(new Caveat("no-timestamps", "The input has no time stamps: durations and the timeline cannot be given."));
        }
        if (t.HostsCapped || t.FlowsCapped || t.PendingDnsCapped || t.ConnectionsCapped || t.ResolutionsCapped
            || t.FailuresUncounted > 0 || t.FailureSummaryCapped || t.DnsServerClientsCapped)
        {
            list.Add(new Caveat("state-capped",
                "Some tables reached their limits (hosts, flows, pending queries, connections, resolutions or failure summaries): counts stay exact but some details were not kept."));
        }
        if (t.FailuresUncounted > 0)
        {
            list.Add(new Caveat("failures-uncounted",
                $"{Describe.Count(t.FailuresUncounted, "failure")} toward services past the table of findings ({t.Options.MaxFailureGroups}) belong to no finding."));
        }
        if (t.Packets == 0)
        {
            list.Add(new Caveat("empty", "The input holds no packets."));
        }
        return list;
    }
}
