namespace NetTriage.Capture.Tests.Writers;

/// <summary>
/// Builds a pcapng file block by block (draft-ietf-opsawg-pcapng), each section in its own byte order,
/// including blocks with deliberately wrong lengths, for the reader tests.
/// </summary>
internal sealed class PcapngBuilder
{
    public const uint SectionHeaderType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionType = 1;
    public const uint ObsoletePacketType = 2;
    public const uint SimplePacketType = 3;
    public const uint NameResolutionType = 4;
    public const uint InterfaceStatisticsType = 5;
    public const uint EnhancedPacketType = 6;
    public const uint DecryptionSecretsType = 0x0A;
    public const uint CustomType = 0x00000BAD;

    public const ushort OptionEnd = 0;
    public const ushort OptionComment = 1;
    public const ushort OptionIfName = 2;
    public const ushort OptionIfTsResol = 9;
    public const ushort OptionIfTsOffset = 14;

    private readonly ByteWriter _w = new();

    /// <summary>Offsets of the blocks written so far.</summary>
    public List<long> BlockOffsets { get; } = [];

    public int Length => _w.Length;

    public bool BigEndian => _w.BigEndian;

    /// <summary>A Section Header Block (section 4.1); later blocks use its byte order.</summary>
    public PcapngBuilder Section(bool bigEndian = false, ushort major = 1, ushort minor = 0, byte[]? options = null)
    {
        _w.BigEndian = bigEndian;
        var body = new ByteWriter { BigEndian = bigEndian };
        body.U32(0x1A2B3C4D);                         // byte-order magic
        body.U16(major);
        body.U16(minor);
        body.U64(ulong.MaxValue);                     // section length: -1, not given
        body.Bytes(options ?? []);
        return Block(SectionHeaderType, body.ToArray());
    }

    /// <summary>An Interface Description Block (section 4.2) with optional if_tsresol and if_tsoffset.</summary>
    public PcapngBuilder Interface(ushort linkType, uint snapLength = 0, byte? tsResol = null, long? tsOffset = null, bool withName = false)
    {
        var body = NewWriter();
        body.U16(linkType);
        body.U16(0);                                  // reserved
        body.U32(snapLength);
        var options = new List<(ushort, byte[])>();
        if (withName) options.Add((OptionIfName, "eth0"u8.ToArray()));
        if (tsResol is { } r) options.Add((OptionIfTsResol, [r]));
        if (tsOffset is { } o)
        {
            var v = NewWriter();
            v.U64((ulong)o);
            options.Add((OptionIfTsOffset, v.ToArray()));
        }
        if (options.Count > 0) body.Bytes(Options([.. options]));
        return Block(InterfaceDescriptionType, body.ToArray());
    }

    /// <summary>An Enhanced Packet Block (section 4.3).</summary>
    public PcapngBuilder Enhanced(uint interfaceId, ulong timestamp, byte[] data, uint? originalLength = null,
        byte[]? options = null, uint? capturedLength = null)
    {
        var body = NewWriter();
        body.U32(interfaceId);
        body.U32((uint)(timestamp >> 32));
        body.U32((uint)timestamp);
        body.U32(capturedLength ?? (uint)data.Length);
        body.U32(originalLength ?? (uint)data.Length);
        body.Bytes(data);
        body.PadTo4();
        body.Bytes(options ?? []);
        return Block(EnhancedPacketType, body.ToArray());
    }

    /// <summary>A Simple Packet Block (section 4.4): original length, then the data.</summary>
    public PcapngBuilder Simple(byte[] data, uint originalLength)
    {
        var body = NewWriter();
        body.U32(originalLength);
        body.Bytes(data);
        return Block(SimplePacketType, body.ToArray());
    }

    /// <summary>The obsolete Packet Block (Appendix A): 16-bit interface id and drop count.</summary>
    public PcapngBuilder ObsoletePacket(ushort interfaceId, ulong timestamp, byte[] data, uint? originalLength = null)
    {
        var body = NewWriter();
        body.U16(interfaceId);
        body.U16(0);                                  // drops count
        body.U32((uint)(timestamp >> 32));
        body.U32((uint)timestamp);
        body.U32((uint)data.Length);
        body.U32(originalLength ?? (uint)data.Length);
        body.Bytes(data);
        return Block(ObsoletePacketType, body.ToArray());
    }

    /// <summary>
    /// Any block: type, total length, body padded to 32 bits, total length again (section 3.1).
    /// <paramref name="totalLength"/> and <paramref name="trailer"/> override the two length fields.
    /// </summary>
    public PcapngBuilder Block(uint type, byte[] body, uint? totalLength = null, uint? trailer = null)
    {
        uint length = (uint)(12 + ((body.Length + 3) & ~3));
        BlockOffsets.Add(_w.Length);
        _w.U32(type);
        _w.U32(totalLength ?? length);
        _w.Bytes(body);
        _w.PadTo4();
        _w.U32(trailer ?? totalLength ?? length);
        return this;
    }

    /// <summary>Raw bytes, for blocks no helper writes.</summary>
    public PcapngBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _w.Bytes(bytes);
        return this;
    }

    /// <summary>An option list in the current byte order (section 3.5), ended by opt_endofopt.</summary>
    public byte[] Options(params (ushort Code, byte[] Value)[] options)
    {
        var w = NewWriter();
        foreach (var (code, value) in options)
        {
            w.U16(code);
            w.U16((ushort)value.Length);
            w.Bytes(value);
            w.PadTo4();
        }
        w.U16(OptionEnd);
        w.U16(0);
        return w.ToArray();
    }

    public byte[] ToArray() => _w.ToArray();

    private ByteWriter NewWriter() => new() { BigEndian = _w.BigEndian };
}
