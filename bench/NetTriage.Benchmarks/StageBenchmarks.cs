using BenchmarkDotNet.Attributes;
using NetTriage.Analysis;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Tracking;
using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>
/// The stages one packet goes through, each timed per packet (OperationsPerInvoke) on the generator's mixed
/// traffic held in memory: framing a record (read), decoding a frame in the cache (decode), both (read+decode), and both
/// plus tracking (read+decode+track); tracking alone is the difference of the last two. The tracker is in
/// steady state: before timing, the capture is fed through it pass after pass (each an hour after the last)
/// until a whole pass allocates nothing, i.e. every host, flow, name and server is known and the tables that
/// keep evidence or statistics are at their caps. MemoryDiagnoser then shows the bytes allocated per packet.
/// read+decode+track+sensors adds the activity detectors (scans, floods, traceroutes) that see each packet after
/// tracking, as the analysis runs them: their cost is the difference with read+decode+track. Both use the same
/// tracker, warmed up with the sensors, so that neither pays for memory the other has in cache.
/// </summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    public const int Packets = 100_000;
    private const int CapturePackets = 200_000;
    private const int Hosts = 1000;
    private const int MaxWarmUpPasses = 400;
    private const int DecodeFrames = 4096;

    private byte[] _capture = [];
    private (int Offset, int Length, int OriginalLength, PacketTimestamp Time)[] _frames = [];
    private int _nextFrame;
    private IFrameReader _frameReader = null!;
    private EndlessSource _decodeSource = null!;
    private EndlessSource _trackSource = null!;
    private TrafficTracker _tracker = null!;
    private ActivitySensors _sensors = null!;
    private readonly DecodedPacket _packet = new();

    [GlobalSetup]
    public void Setup()
    {
        _capture = BenchCaptures.Mixed(CapturePackets, Hosts);
        // Decoding alone cycles over the first frames, a few megabytes: frames already in the cache, as the
        // reader leaves them (cycling over the whole capture would time the memory, not the decoders).
        _frames = BenchCaptures.Frames(_capture)[..DecodeFrames];
        _frameReader = CaptureOpener.OpenFrames(new LoopingStream(_capture), "endless.pcap");
        _decodeSource = new EndlessSource(_capture, CapturePackets);
        _trackSource = new EndlessSource(_capture, CapturePackets);
        var options = new AnalysisOptions();
        _tracker = new TrafficTracker(options, new FailureRecorder(options));
        _sensors = new ActivitySensors();
        int passes = 0;
        long allocated;
        do
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            _trackSource.Take(CapturePackets);
            while (_trackSource.TryRead(_packet))
            {
                _tracker.Observe(_packet, 0);
                _sensors.Observe(_packet, 0);
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            passes++;
        }
        while (allocated > 0 && passes < MaxWarmUpPasses);
        Console.WriteLine($"// tracker and sensors warmed up over {passes} passes of {CapturePackets} packets; the last allocated {allocated} bytes");

    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frameReader.Dispose();
        _decodeSource.Dispose();
        _trackSource.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Packets)]
    public long Read()
    {
        long bytes = 0;
        for (int i = 0; i < Packets; i++)
        {
            _frameReader.TryReadFrame(out var frame);
            bytes += frame.Data.Length;
        }
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long Decode()
    {
        long dns = 0;
        var packet = _packet;
        var capture = _capture.AsSpan();
        for (int i = 0; i < Packets; i++)
        {
            var (offset, length, original, time) = _frames[_nextFrame];
            _nextFrame = _nextFrame + 1 == _frames.Length ? 0 : _nextFrame + 1;
            packet.Reset();
            packet.CapturedLength = length;
            packet.OriginalLength = original;
            packet.Timestamp = time;
            PacketDecoder.Decode(LinkType.Ethernet, capture.Slice(offset, length), packet);
            if (packet.Has(PacketLayers.Dns)) dns++;
        }
        return dns;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecode()
    {
        long n = 0;
        _decodeSource.Take(Packets);
        while (_decodeSource.TryRead(_packet)) n++;
        return n;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecodeTrack()
    {
        _trackSource.Take(Packets);
        while (_trackSource.TryRead(_packet)) _tracker.Observe(_packet, 0);
        return _tracker.Packets;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecodeTrackSensors()
    {
        _trackSource.Take(Packets);
        while (_trackSource.TryRead(_packet))
        {
            _tracker.Observe(_packet, 0);
            _sensors.Observe(_packet, 0);
        }
        return _tracker.Packets;
    }
}
