using NetTriage.Synthetic;
using System.Buffers.Binary;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>Captures for the benchmarks, made by the project's own generator and held in memory (the disk is out of the picture).</summary>
public static class BenchCaptures
{
    private const int PcapHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    /// <summary>A pcap of exactly <paramref name="packets"/> records of the generator's mixed traffic.</summary>
    public static byte[] Mixed(int packets, int hosts = SyntheticCapture.DefaultHosts, int seed = 7)
    {
        using var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, packets, seed, hosts);
        return stream.ToArray();
    }

    /// <summary>Where each record's frame lies in <paramref name="capture"/>, with its time and original length.</summary>
    public static (int Offset, int Length, int OriginalLength, PacketTimestamp Time)[] Frames(byte[] capture)
    {
        var frames = new List<(int, int, int, PacketTimestamp)>();
        for (int offset = PcapHeaderLength; offset + RecordHeaderLength <= capture.Length;)
        {
            var header = capture.AsSpan(offset, RecordHeaderLength);
            long seconds = BinaryPrimitives.ReadUInt32LittleEndian(header);
            long micros = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            int original = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            var time = new PacketTimestamp(seconds * PacketTimestamp.NanosPerSecond + micros * 1000, TimestampKind.Absolute);
            frames.Add((offset + RecordHeaderLength, length, original, time));
            offset += RecordHeaderLength + length;
        }
        return [.. frames];
    }
}

/// <summary>
/// A pcap that never ends: the header once, then the records of <paramref name="capture"/> over and over, so a
/// reader framing it meets every record as many times as asked without being reopened (nothing is allocated).
/// </summary>
public sealed class LoopingStream(byte[] capture) : Stream
{
    private const int PcapHeaderLength = 24;
    private long _position;
    private int _offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (buffer.Length > 0)
        {
            if (_offset == capture.Length) _offset = PcapHeaderLength;
            int n = Math.Min(buffer.Length, capture.Length - _offset);
            capture.AsSpan(_offset, n).CopyTo(buffer);
            buffer = buffer[n..];
            _offset += n;
            total += n;
        }
        _position += total;
        return total;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// The packets of a capture read round and round (<see cref="LoopingStream"/>), each pass an hour after the
/// previous one so the tracker sees time go on and expires what the previous pass left; each call of
/// <see cref="Take"/> allows <c>count</c> more packets, then the source reports its end (for one analysis call).
/// </summary>
public sealed class EndlessSource : IPacketSource
{
    private static readonly long PassGap = 3600 * PacketTimestamp.NanosPerSecond;
    private readonly IPacketSource _inner;
    private readonly int _packetsPerPass;
    private readonly long _passLength;
    private long _allowed;

    public EndlessSource(byte[] capture, int packetsPerPass)
    {
        _inner = CaptureOpener.Open(new LoopingStream(capture), "endless.pcap");
        _packetsPerPass = packetsPerPass;
        var frames = BenchCaptures.Frames(capture);
        _passLength = frames[^1].Time.Nanoseconds - frames[0].Time.Nanoseconds + PassGap;
    }

    public string Name => "endless.pcap";
    public CaptureFormat Format => CaptureFormat.Pcap;
    public bool Compressed => false;
    public long BytesConsumed => _inner.BytesConsumed;
    public long? TotalBytes => null;
    public IReadOnlyList<CaptureWarning> Warnings => _inner.Warnings;

    /// <summary>Lets <paramref name="count"/> more packets through before the next end.</summary>
    public EndlessSource Take(long count)
    {
        _allowed = count;
        return this;
    }

    public bool TryRead(DecodedPacket packet)
    {
        if (_allowed <= 0 || !_inner.TryRead(packet)) return false;
        _allowed--;
        long pass = (packet.FrameNumber - 1) / _packetsPerPass;
        packet.Timestamp = new PacketTimestamp(packet.Timestamp.Nanoseconds + pass * _passLength, packet.Timestamp.Kind);
        return true;
    }

    public void Dispose() => _inner.Dispose();
}
