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
/// Moves the packets of a source into the tracker and the activity sensors: on the calling thread, or with the
/// reading, decoding and sensors on a second thread while the calling thread tracks
/// (<see cref="AnalysisOptions.Threads"/>). Either way both see the packets in the order read, and the results are
/// the same: the sensors read only the packet (never the tracker's state) until the capture ends, so which thread
/// runs them changes nothing but the time. They cost about as much as tracking, and the reading thread, with
/// decoding alone, waited for the tracker half its time.
/// </summary>
/// <remarks>
/// An observer (the Zeek logs) is shown each batch on the tracking thread once the batch is tracked. On its own third
/// thread it was slower on two cores (1 GB of browsing traffic: 3.0 to 3.2 s against 2.4 to 2.7 s, with twice the
/// system time): three busy threads on two cores spend their time spinning, yielding and switching. On the reading
/// thread, beside the sensors, it was slower still (2.9 to 3.7 s).
/// </remarks>
internal sealed class PacketPump(TrafficTracker tracker, ActivitySensors sensors, IPacketObserver? observer = null)
{
    /// <summary>Packets handed from the reading thread to the tracking thread at a time.</summary>
    private const int BatchSize = 32;
    /// <summary>
    /// Batches in flight: one being read, one being tracked, and slack for the uneven pace of each. Each thread waited
    /// for the other a sixth of its time with 4 batches of 24 packets (a few tens of microseconds of work): a hiccup
    /// of either (a table growing, a timer sweep, the collector's or the system's thread taking the core) stalled
    /// both. 16 of 32 halve the waits; 1 GB of browsing traffic ran 4 to 11% faster, in pairs of runs side by side.
    /// A decoded packet is 2.8 KB now that its DNS records and its text start small (9.2 KB before), so the 512 packets
    /// take about as much memory as the 96 did; peak memory on 2 GB of browsing traffic stayed 103-106 MB.
    /// </summary>
    private const int BatchCount = 16;
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

    /// <summary>The threads <paramref name="options"/> ask for, with 0 resolved for this machine.</summary>
    public static int ThreadCount(AnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Threads > 0 ? options.Threads : Environment.ProcessorCount > 1 ? 2 : 1;
    }

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
        /// <summary>The source ended (or failed) with this batch.</summary>
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
    /// <see cref="ReadHere"/>. The observer, if any, is shown each batch here once it is tracked: it too sees the
    /// packets in order, each after the tracker, as on one thread. Nothing is allocated per packet or per batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPipelined(IPacketSource source, Action<long>? progress, ref InputCounts counts)
    {
        var batches = _batches ??= [.. Enumerable.Range(0, BatchCount).Select(_ => new Batch(_observer))];
        using var free = new SemaphoreSlim(BatchCount);
        using var full = new SemaphoreSlim(0);
        var stop = new StrongBox<bool>();
        var sensors = _sensors;
        var observer = _observer;
        int input = counts.Index;
        var reader = new Thread(() => Produce(source, sensors, input, progress, batches, free, full, stop))
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
                if (observer is not null)
                {
                    for (int k = 0; k < batch.Count; k++) observer.Observe(batch.Packets[k], input);
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
                // The tracker or the observer failed: let the reader stop at its next batch (it is a background thread).
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
    private static void Produce(IPacketSource source, ActivitySensors sensors, int input, Action<long>? progress, Batch[] batches, SemaphoreSlim free, SemaphoreSlim full, StrongBox<bool> stop)
    {
        long read = 0;
        for (int i = 0; ; i = (i + 1) % batches.Length)
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
                    var packet = batch.Packets[batch.Count];
                    if (!source.TryRead(packet))
                    {
                        batch.Last = true;
                        break;
                    }
                    sensors.Observe(packet, input);
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
}
