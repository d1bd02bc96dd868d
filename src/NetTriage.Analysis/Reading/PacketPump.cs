using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Tracking;
using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Analysis.Reading;

/// <summary>Packets, bytes and unreadable text records of one input, as read.</summary>
internal struct InputCounts(int index)
{
    public readonly int Index = index;
    public long Packets;
    public long Bytes;
    public long Unparsed;
    /// <summary>The input's earliest and latest time stamps (its own window: inputs may not share a clock).</summary>
    public PacketTimestamp? First;
    public PacketTimestamp? Last;
}

/// <summary>
/// Moves the packets of a source into the tracker, the activity sensors and the observer (the Zeek logs): on the calling
/// thread, or with the reading and decoding on a second thread while the calling thread tracks
/// (<see cref="AnalysisOptions.Threads"/>). Either way each sees the packets in the order read, and the results are
/// the same: the sensors and the observer read only the packet (never the tracker's state) until the capture ends, so
/// which thread runs them changes nothing but the time.
/// </summary>
/// <remarks>
/// On two threads the observer runs on the reading thread, and the sensor families are shared between the threads by
/// <see cref="Balance"/> as their costs and the tracker's come: the sensors cost about as much as tracking, and the
/// Zeek logs a quarter of it. With the observer on the tracking thread and every family on the reading thread,
/// `logs` on 1 GB of browsing traffic took about 9% longer (this way takes 0.88 to 0.99 of that time in runs side by
/// side; the balance settles with one or two families on the reading thread), and `analyze` about 4% longer (0.89 to
/// 1.0; 13 of the 16 families stay on the reading thread). On a third thread of its own the observer was
/// slower on two cores (3.0 to 3.2 s against 2.4 to 2.7 s, with twice the system time): three busy threads on two
/// cores spend their time spinning, yielding and switching.
/// <para>
/// With more than two threads the families run on sensor threads of their own, each batch going from the reader through
/// them to the tracker in turn (a pipeline: one thread at a time on a batch). On two cores that is slower (1 GB of
/// browsing traffic: 2.8 to 3.5 s on three threads against 2.4 to 3.0 s on two); with more cores, the sensors' work
/// leaves the two busiest threads.
/// </para>
/// </remarks>
internal sealed class PacketPump(TrafficTracker tracker, ActivitySensors sensors, IPacketObserver? observer = null)
{
    /// <summary>Packets handed from the reading thread to the tracking thread at a time.</summary>
    private const int BatchSize = 32;
    /// <summary>
    /// Batches in flight: one being read, one being tracked, and slack for the uneven pace of each. With 4 batches of 24
    /// packets (a few tens of microseconds of work) each thread waited for the other about a sixth of its time: a
    /// hiccup of either (a table growing, a timer sweep, the collector's or the system's thread taking the core)
    /// stalled both. 8 of 32 give twice the slack. 16 of 32 were no faster in runs side by side but took 7 MB more at
    /// the peak on 100 MB of real traffic (each packet in flight keeps the DNS records and text buffers its largest
    /// packet needed); 8 of 32 take 1 to 2 MB more than 4 of 24 did.
    /// </summary>
    private const int BatchCount = 8;
    /// <summary>Spins (short pauses, then yields) before a thread waiting for a batch blocks.</summary>
    private const int SpinsBeforeBlocking = 64;

    private readonly TrafficTracker _tracker = tracker;
    private readonly ActivitySensors _sensors = sensors;
    private readonly IPacketObserver? _observer = observer;
    /// <summary>
    /// The analysis follows tunnels, reassembles IP fragments and reads DNS over TCP by connection: it diagnoses the
    /// traffic inside them (Packets/Tunnels, Packets/Ip/IpReassembler, Packets/Dns/DnsTcpReassembler).
    /// </summary>
    private readonly DecodedPacket _packet = NewPacket(observer);
    private Batch[]? _batches;
    /// <summary>
    /// On two threads, the sensor families below this place (<see cref="ActivityDetector.Order"/>) run on the reading
    /// thread and the rest on the tracking thread; -1 until the first batch (then all on the reading thread). See
    /// <see cref="Balance"/>.
    /// </summary>
    private int _split = -1;

    /// <summary>
    /// Tests only: the split for each batch (its number from 0, the number of families), in place of <see cref="Balance"/>'s
    /// choice, to move families between the threads as often and as far as they like.
    /// </summary>
    internal Func<long, int, int>? SplitSchedule { get; init; }

    /// <summary>
    /// The threads <paramref name="options"/> ask for, with 0 resolved for this machine (one a processor, up to
    /// <see cref="DefaultThreads"/>), and more than <see cref="MaxThreads"/> taken as that many.
    /// </summary>
    public static int ThreadCount(AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Min(MaxThreads, options.Threads > 0 ? options.Threads : Math.Min(DefaultThreads, Environment.ProcessorCount));
    }

    /// <summary>
    /// Threads used when none are asked for, on a machine with that many processors: reading, tracking and one for the
    /// sensors. All the sensors together cost less than tracking (1 GB of browsing traffic: about 1,970 samples against
    /// 2,720 in a profile), so a second sensor thread would leave tracking the slowest all the same, with a batch more to
    /// hand over; each stage also takes a share of the batches in flight.
    /// </summary>
    public const int DefaultThreads = 3;

    /// <summary>
    /// Threads an analysis uses at most: reading, tracking, and up to four for the sensor families (16 of them, of very
    /// unequal cost: past four threads most would wait).
    /// </summary>
    public const int MaxThreads = 6;

    /// <summary>Reads the whole source into the tracker, counting into <paramref name="counts"/>; rethrows a source's error after the packets before it.</summary>
    public void Pump(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        if (ThreadCount(_tracker.Options) > 1) ReadPipelined(source, progress, ref counts);
        else ReadHere(source, progress, ref counts);
    }

    /// <summary>
    /// A packet as the analysis reads it: its checksums verified when the observer asks, and the marks only the Zeek
    /// logs read (an SSH banner's version, a UDP datagram's application) made only when there is an observer: the
    /// analysis alone skips their look at every TCP and UDP payload.
    /// </summary>
    private static DecodedPacket NewPacket(IPacketObserver? observer) =>
        new()
        {
            DecodeTunnels = true,
            ReassembleFragments = true,
            ReassembleDnsOverTcp = true,
            VerifyChecksums = observer?.VerifiesChecksums ?? false,
            MarkApplications = observer is not null,
        };

    /// <summary>Reading is over: the packets in flight go.</summary>
    public void Release() => _batches = null;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Track(DecodedPacket packet, ref InputCounts counts)
    {
        counts.Packets++;
        counts.Bytes += packet.Origin == PacketOrigin.Binary ? packet.CapturedLength : 0;
        if (packet.Unparsed) counts.Unparsed++;
        var time = packet.Timestamp;
        if (counts.First is not { } first || time.Nanoseconds < first.Nanoseconds) counts.First = time;
        if (counts.Last is not { } last || time.Nanoseconds > last.Nanoseconds) counts.Last = time;
        _tracker.Observe(packet, counts.Index);
    }

    /// <summary>Reads, decodes, tracks and senses on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadHere(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        while (source.TryRead(_packet))
        {
            Track(_packet, ref counts);
            _sensors.Observe(_packet, counts.Index);
            _observer?.Observe(_packet, counts.Index);
            if (progress is not null && (counts.Packets & 0x3FFF) == 0) progress(counts.Packets);
        }
    }

    /// <summary>Packets read by one thread and tracked by the other; reused for the whole analysis.</summary>
    private sealed class Batch(IPacketObserver? observer)
    {
        public readonly DecodedPacket[] Packets = CreatePackets(observer);
        public int Count;
        /// <summary>The families from this place on are the tracking thread's to run on this batch (<see cref="_split"/>).</summary>
        public int Split;
        /// <summary>The source ended (or failed) with this batch, or a sensor thread failed on it.</summary>
        public bool Last;
        public ExceptionDispatchInfo? Error;

        private static DecodedPacket[] CreatePackets(IPacketObserver? observer)
        {
            var packets = new DecodedPacket[BatchSize];
            for (int i = 0; i < packets.Length; i++) packets[i] = NewPacket(observer);
            return packets;
        }
    }

    /// <summary>
    /// Reads, decodes and senses on a second thread while this one tracks: batches of decoded packets go round a ring
    /// (the reader fills them in order, the tracker empties them in the same order, and two semaphores count the free
    /// and the full ones), so packets are tracked in the order read and the results are those of
    /// <see cref="ReadHere"/>. The observer, if any, is shown each packet on the reading thread after its families; the
    /// families past each batch's split (<see cref="Batch.Split"/>) are shown it here after the tracker. Nothing is
    /// allocated per packet or per batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPipelined(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        var batches = _batches ??= [.. Enumerable.Range(0, BatchCount).Select(_ => new Batch(_observer))];
        // Not disposed: after a failure the other threads may still touch them on their way out (a semaphore that
        // never gave out its wait handle holds nothing but memory).
        var free = new SemaphoreSlim(BatchCount);
        var full = new SemaphoreSlim(0);
        var stop = new StrongBox<bool>();
        var sensors = _sensors;
        int families = sensors.Count;
        int input = counts.Index;
        var shared = new Handover();
        // Past two threads, the families run on threads of their own, between reading and tracking: stage k runs the
        // families whose place is k modulo the number of stages. Each stage hands a batch to the next, so no two
        // threads ever read one packet at once (tracking and the families swap a segment's DNS messages in and out).
        int stageCount = Math.Min(ThreadCount(_tracker.Options) - 2, families);
        var stageInputs = new SemaphoreSlim[stageCount + 1];
        for (int k = 0; k < stageCount; k++) stageInputs[k] = new SemaphoreSlim(0);
        stageInputs[stageCount] = full;
        var stages = new Thread[stageCount];
        for (int k = 0; k < stageCount; k++)
        {
            int stage = k;
            stages[k] = new Thread(() => Sense(stage, stageCount, input, batches, stageInputs[stage], stageInputs[stage + 1], stop))
            {
                IsBackground = true,
                Name = "nettriage-sense",
            };
            stages[k].Start();
        }
        var reader = new Thread(() => Produce(source, input, progress, batches, free, stageInputs[0], stop, shared, stageCount > 0))
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
                long waited = WaitFor(full);
                if (waited != 0) Volatile.Write(ref shared.TrackerWaited, shared.TrackerWaited + waited);
                var batch = batches[i];
                int split = batch.Split;
                if (split < families)
                {
                    for (int k = 0; k < batch.Count; k++)
                    {
                        var packet = batch.Packets[k];
                        Track(packet, ref counts);
                        sensors.Observe(packet, input, split, families);
                    }
                }
                else
                {
                    for (int k = 0; k < batch.Count; k++)
                    {
                        Track(batch.Packets[k], ref counts);
                    }
                }
                if (batch.Last)
                {
                    if (batch.Error is null)
                    {
                        finished = true;
                        reader.Join();
                        foreach (var stage in stages) stage.Join();
                    }
                    batch.Error?.Throw();
                    return;
                }
                Volatile.Write(ref shared.Tracked, shared.Tracked + 1);
                free.Release();
            }
        }
        finally
        {
            if (!finished)
            {
                // The tracker, a family or the source failed: let the reader and the sensor threads stop at their next
                // batch (they are background threads).
                Volatile.Write(ref stop.Value, true);
                free.Release();
                for (int k = 0; k < stageCount; k++) stageInputs[k].Release();
            }
        }
    }

    /// <summary>
    /// A sensor thread (more than two threads): shows each batch, in order, to its share of the families, then hands it
    /// on. A family's exception ends the analysis there: the batch goes on as the last, with the error.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Sense(int stage, int stageCount, int input, Batch[] batches, SemaphoreSlim mine, SemaphoreSlim next, StrongBox<bool> stop)
    {
        var sensors = _sensors;
        for (int i = 0; ; i = (i + 1) % batches.Length)
        {
            WaitFor(mine);
            if (Volatile.Read(ref stop.Value)) return;
            var batch = batches[i];
            try
            {
                for (int k = 0; k < batch.Count; k++) sensors.ObserveShare(batch.Packets[k], input, stage, stageCount);
            }
            catch (Exception ex)
            {
                // The first error stands (the source's, if the batch ended with one).
                batch.Error ??= ExceptionDispatchInfo.Capture(ex);
                batch.Last = true;
            }
            next.Release();
            if (batch.Last) return;
        }
    }

    /// <summary>
    /// Takes one count of <paramref name="semaphore"/>, spinning a little first: the other thread usually hands a
    /// batch over within microseconds, and waking a blocked thread costs that thread a system call per batch.
    /// </summary>
    /// <returns>How long it waited (<see cref="Stopwatch"/> ticks, at least 1), or 0 when a count was there.</returns>
    private static long WaitFor(SemaphoreSlim semaphore)
    {
        if (semaphore.Wait(0)) return 0;
        long started = Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        for (int i = 0; i < SpinsBeforeBlocking; i++)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (semaphore.Wait(0)) return Math.Max(1, Stopwatch.GetTimestamp() - started);
        }
        semaphore.Wait();
        return Math.Max(1, Stopwatch.GetTimestamp() - started);
    }

    /// <summary>What the tracking thread tells the reading thread: batches done, and time spent waiting for one.</summary>
    internal sealed class Handover
    {
        /// <summary>Batches tracked (and their families run) so far; written by the tracking thread only.</summary>
        public long Tracked;
        /// <summary>Ticks the tracking thread waited for a batch; written by it only.</summary>
        public long TrackerWaited;
    }

    /// <summary>Batches between two looks at the threads' waits, at first (<see cref="Balance"/>).</summary>
    internal const int BalancePeriod = 64;
    /// <summary>A thread waits this share of a period more than the other before a family moves (hysteresis).</summary>
    private const double BalanceMargin = 0.05;

    /// <summary>The reading thread's view of the balance between the two threads.</summary>
    internal struct Balancer
    {
        public long Batches, ReaderWaited, LastReaderWaited, LastTrackerWaited, LastLook;
        public int Period, Reversals, LastMove;
    }

    /// <summary>
    /// Moves sensor families between the threads so that neither waits for the other: every period, the thread that
    /// waited more (by more than <see cref="BalanceMargin"/> of the period) is given one family more to run. Each change
    /// of direction doubles the period (up to 32 times), so a family that tips the balance both ways is not moved back
    /// and forth. Which thread runs a family changes only the time: each family sees every packet, in order, on one
    /// thread at a time.
    /// </summary>
    internal static int Balance(ref Balancer b, int split, int families, Handover shared)
    {
        if (b.Period == 0)
        {
            b.Period = BalancePeriod;
            b.LastLook = Stopwatch.GetTimestamp();
        }
        if (b.Batches % b.Period != 0) return split;
        long now = Stopwatch.GetTimestamp();
        long tracker = Volatile.Read(ref shared.TrackerWaited);
        long dt = tracker - b.LastTrackerWaited, dr = b.ReaderWaited - b.LastReaderWaited;
        long margin = (long)((now - b.LastLook) * BalanceMargin);
        b.LastTrackerWaited = tracker;
        b.LastReaderWaited = b.ReaderWaited;
        b.LastLook = now;
        int move = dt > dr + margin && split > 0 ? -1 : dr > dt + margin && split < families ? 1 : 0;
        if (move == 0) return split;
        if (b.LastMove != 0 && move != b.LastMove && b.Reversals < 5)
        {
            b.Reversals++;
            b.Period *= 2;
        }
        b.LastMove = move;
        return split + move;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Produce(IPacketSource source, int input, Action<long>? progress, Batch[] batches, SemaphoreSlim free, SemaphoreSlim full, StrongBox<bool> stop, Handover shared, bool sensorThreads)
    {
        long read = 0, published = 0;
        var sensors = _sensors;
        var observer = _observer;
        int families = sensors.Count;
        if (_split < 0) _split = families;
        var balancer = new Balancer();
        for (int i = 0; ; i = (i + 1) % batches.Length)
        {
            balancer.ReaderWaited += WaitFor(free);
            if (Volatile.Read(ref stop.Value)) return;
            // With sensor threads neither this thread nor the tracker runs a family: the split says "none" to both.
            int split = sensorThreads ? 0
                : SplitSchedule is { } schedule ? Math.Clamp(schedule(balancer.Batches, families), 0, families)
                : Balance(ref balancer, _split, families, shared);
            balancer.Batches++;
            if (split > _split)
            {
                // Families come back from the tracking thread: it must have run them on every batch handed over before
                // this one reads them here.
                var spin = new SpinWait();
                while (Volatile.Read(ref shared.Tracked) < published)
                {
                    if (Volatile.Read(ref stop.Value)) return;
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
            _split = split;
            var batch = batches[i];
            batch.Split = sensorThreads ? families : split;
            batch.Count = 0;
            batch.Last = false;
            batch.Error = null;
            try
            {
                while (batch.Count < BatchSize)
                {
                    var packet = batch.Packets[batch.Count];
                    if (!source.TryRead(packet))
                    {
                        batch.Last = true;
                        break;
                    }
                    if (split > 0) sensors.Observe(packet, input, 0, split);
                    observer?.Observe(packet, input);
                    batch.Count++;
                    if (progress is not null && (++read & 0x3FFF) == 0) progress(read);
                }
            }
            catch (Exception ex)
            {
                batch.Error = ExceptionDispatchInfo.Capture(ex);
                batch.Last = true;
            }
            published++;
            full.Release();
            if (batch.Last) return;
        }
    }
}
