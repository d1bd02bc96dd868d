using System.Buffers.Binary;
using NetTriage.Packets;

namespace NetTriage.Capture.Writing;

/// <summary>
/// Writes a classic pcap file (little-endian, version 2.4), microsecond or nanosecond resolution.
/// Used to ship samples the project generates itself and, later, by the capture generator.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private const uint MagicMicroseconds = 0xA1B2C3D4;
    private const uint MagicNanoseconds = 0xA1B23C4D;
    private const int GlobalHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly bool _nanoseconds;
    private readonly int _snapLength;
    private readonly byte[] _header = new byte[RecordHeaderLength];

    public PcapWriter(Stream stream, LinkType linkType, bool nanoseconds = false, int snapLength = 262144, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _nanoseconds = nanoseconds;
        _snapLength = snapLength;
        Span<byte> h = stackalloc byte[GlobalHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(h, nanoseconds ? MagicNanoseconds : MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], 0);   // thiszone
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0); // sigfigs
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)linkType);
        _stream.Write(h);
    }

    public long PacketsWritten { get; private set; }

    /// <summary>Writes one record; frames longer than the snap length are cut and keep their original length.</summary>
    public void Write(PacketTimestamp timestamp, ReadOnlySpan<byte> frame, int? originalLength = null)
    {
        int captured = Math.Min(frame.Length, _snapLength);
        long fraction = _nanoseconds ? timestamp.SubsecondNanos : timestamp.SubsecondNanos / 1000;
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)timestamp.Seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)fraction);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), captured);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(12), originalLength ?? frame.Length);
        _stream.Write(_header);
        _stream.Write(frame[..captured]);
        PacketsWritten++;
    }

    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
