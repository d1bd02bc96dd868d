using BenchmarkDotNet.Attributes;
using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>
/// Read (framing) and read+decode of a mixed capture held in memory, so the disk is out of the picture.
/// Each invocation processes exactly <see cref="Packets"/> packets; BenchmarkDotNet reports time and
/// allocated bytes per packet (OperationsPerInvoke), which must be 0 in steady state.
/// </summary>
[MemoryDiagnoser]
public class ReadDecodeBenchmark
{
    public const int Packets = 100_000;

    private byte[] _capture = [];
    private readonly DecodedPacket _packet = new();

    [GlobalSetup]
    public void Setup() => _capture = BenchCaptures.Mixed(Packets);

    [Benchmark(Baseline = true, OperationsPerInvoke = Packets)]
    public long Read()
    {
        using var reader = CaptureOpener.OpenFrames(new MemoryStream(_capture, writable: false), "bench");
        long bytes = 0;
        while (reader.TryReadFrame(out var frame))
        {
            bytes += frame.Data.Length;
        }
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecode()
    {
        using var reader = CaptureOpener.OpenFrames(new MemoryStream(_capture, writable: false), "bench");
        long dns = 0;
        var packet = _packet;
        while (reader.TryReadFrame(out var frame))
        {
            packet.Reset();
            packet.CapturedLength = frame.Data.Length;
            packet.OriginalLength = frame.OriginalLength;
            packet.Timestamp = frame.Timestamp;
            PacketDecoder.Decode(frame.LinkType, frame.Data, packet);
            if (packet.Has(PacketLayers.Dns)) dns++;
        }
        return dns;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long Source()
    {
        using var source = CaptureOpener.Open(new MemoryStream(_capture, writable: false), "bench");
        long n = 0;
        while (source.TryRead(_packet))
        {
            n++;
        }
        return n;
    }
}
