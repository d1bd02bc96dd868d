using System.Buffers.Binary;
using System.Text;
using NetTriage.Packets;

namespace NetTriage.Live.Capture;

/// <summary>
/// Writes a pcapng file (draft-ietf-opsawg-pcapng) in little-endian order: one Section Header Block, one
/// Interface Description Block per interface, and an Enhanced Packet Block per packet. Timestamps are in
/// microseconds (the default if_tsresol of section 4.2). The project's reader reads what this writes.
/// </summary>
public sealed class PcapngWriter : IDisposable
{
    // Block types (section 4).
    private const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 1;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const ushort MajorVersion = 1;
    private const ushort MinorVersion = 0;

    // Every block: type and total length, body, total length again (section 3.1).
    private const int BlockHeaderLength = 8;
    private const int BlockTrailerLength = 4;
    private const int ShbFixedLength = 16;   // magic, versions, section length
    private const int IdbFixedLength = 8;    // link type, reserved, snap length
    private const int EpbFixedLength = 20;   // interface, timestamp high/low, captured and original lengths

    // Options (section 3.5): a code, a length, the value padded to 32 bits.
    private const int OptionHeaderLength = 4;
    /// <summary>An option's length is 16 bits; values are kept well below.</summary>
    private const int MaxOptionLength = 16_384;
    private const ushort OptionEnd = 0;
    private const ushort OptionComment = 1;
    private const ushort ShbUserApplication = 4;
    private const ushort IfName = 2;
    private const ushort IfFilter = 11;
    /// <summary>if_filter's first byte: 0 = a libpcap filter string (section 4.2).</summary>
    private const byte FilterKindLibpcap = 0;

    private const long MicrosPerSecond = 1_000_000;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _snapLength;
    private byte[] _buffer = new byte[4096];
    private int _interfaces;

    /// <summary>Writes the Section Header Block; <paramref name="application"/> names the writer (shb_userappl).</summary>
    public PcapngWriter(Stream stream, string application, int snapLength = 262_144, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(application);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _snapLength = snapLength;
        byte[] app = Encoding.UTF8.GetBytes(application);
        if (app.Length > MaxOptionLength) throw new ArgumentException($"longer than {MaxOptionLength} bytes", nameof(application));
        int length = BlockHeaderLength + ShbFixedLength + OptionLength(app.Length) + OptionHeaderLength + BlockTrailerLength;
        var b = Block(SectionHeaderType, length);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(b[12..], MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(b[14..], MinorVersion);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], -1); // section length not given
        int at = WriteOption(b, BlockHeaderLength + ShbFixedLength, ShbUserApplication, app);
        WriteEnd(b, at, length);
        _stream.Write(b);
    }

    public long PacketsWritten { get; private set; }

    /// <summary>
    /// Adds an interface (Interface Description Block) and returns its id for <see cref="Write"/>. The name and
    /// the capture filter are recorded (if_name, if_filter); <paramref name="comment"/> as opt_comment.
    /// </summary>
    public int AddInterface(LinkType linkType, string? name = null, string? filter = null, string? comment = null)
    {
        byte[] nameBytes = name is null ? [] : Encoding.UTF8.GetBytes(name);
        byte[] filterBytes = filter is null ? [] : [FilterKindLibpcap, .. Encoding.UTF8.GetBytes(filter)];
        byte[] commentBytes = comment is null ? [] : Encoding.UTF8.GetBytes(comment);
        if (nameBytes.Length > MaxOptionLength || filterBytes.Length > MaxOptionLength || commentBytes.Length > MaxOptionLength)
        {
            throw new ArgumentException($"an interface option is longer than {MaxOptionLength} bytes");
        }
        int length = BlockHeaderLength + IdbFixedLength
            + (name is null ? 0 : OptionLength(nameBytes.Length))
            + (filter is null ? 0 : OptionLength(filterBytes.Length))
            + (comment is null ? 0 : OptionLength(commentBytes.Length))
            + OptionHeaderLength + BlockTrailerLength;
        var b = Block(InterfaceDescriptionType, length);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], (ushort)linkType);
        BinaryPrimitives.WriteUInt16LittleEndian(b[10..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(b[12..], _snapLength);
        int at = BlockHeaderLength + IdbFixedLength;
        if (name is not null) at = WriteOption(b, at, IfName, nameBytes);
        if (filter is not null) at = WriteOption(b, at, IfFilter, filterBytes);
        if (comment is not null) at = WriteOption(b, at, OptionComment, commentBytes);
        WriteEnd(b, at, length);
        _stream.Write(b);
        return _interfaces++;
    }

    /// <summary>Writes one packet (Enhanced Packet Block); frames longer than the snap length are cut and keep their original length.</summary>
    public void Write(int interfaceId, PacketTimestamp timestamp, ReadOnlySpan<byte> frame, int? originalLength = null)
    {
        if ((uint)interfaceId >= (uint)_interfaces) throw new ArgumentOutOfRangeException(nameof(interfaceId));
        int captured = Math.Min(frame.Length, _snapLength);
        int padded = Pad(captured);
        int length = BlockHeaderLength + EpbFixedLength + padded + BlockTrailerLength;
        var b = Block(EnhancedPacketType, length);
        long micros = (timestamp.Seconds * MicrosPerSecond) + (timestamp.SubsecondNanos / 1000);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], (uint)((ulong)micros >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], (uint)micros);
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], originalLength ?? frame.Length);
        int data = BlockHeaderLength + EpbFixedLength;
        frame[..captured].CopyTo(b[data..]);
        b.Slice(data + captured, padded - captured).Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b[(length - BlockTrailerLength)..], length);
        _stream.Write(b);
        PacketsWritten++;
    }

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen) _stream.Dispose();
    }

    private Span<byte> Block(uint type, int length)
    {
        if (_buffer.Length < length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        var b = _buffer.AsSpan(0, length);
        BinaryPrimitives.WriteUInt32LittleEndian(b, type);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], length);
        return b;
    }

    private static int Pad(int length) => (length + 3) & ~3;

    private static int OptionLength(int valueLength) => OptionHeaderLength + Pad(valueLength);

    private static int WriteOption(Span<byte> b, int at, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(b[at..], code);
        BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 2)..], (ushort)value.Length);
        value.CopyTo(b[(at + OptionHeaderLength)..]);
        int padded = Pad(value.Length);
        b.Slice(at + OptionHeaderLength + value.Length, padded - value.Length).Clear();
        return at + OptionHeaderLength + padded;
    }

    /// <summary>opt_endofopt, then the trailing total length.</summary>
    private static void WriteEnd(Span<byte> b, int at, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(b[at..], OptionEnd);
        BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 2)..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(b[(length - BlockTrailerLength)..], length);
    }
}
