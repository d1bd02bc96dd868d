using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using NetTriage.Capture.Input;
using NetTriage.Packets;

namespace NetTriage.Capture.Pcapng;

/// <summary>
/// Frames a pcapng file (draft-ietf-opsawg-pcapng): one or more sections, each opened by a Section Header
/// Block with its own byte order and its own interfaces. Packets come from Enhanced, Simple and obsolete
/// Packet Blocks; every other block is skipped by its length without being held whole. Frames are lent
/// from the input buffer until the next read; nothing is allocated per block.
/// </summary>
public sealed class PcapngReader : IFrameReader
{
    // Block types (section 4 and Appendix A), as read in the section's byte order.
    internal const uint SectionHeaderType = 0x0A0D0D0A;
    internal const uint InterfaceDescriptionType = 1;
    internal const uint ObsoletePacketType = 2;
    internal const uint SimplePacketType = 3;
    internal const uint EnhancedPacketType = 6;
    /// <summary>Byte-order magic of the SHB, read big-endian (section 4.1).</summary>
    internal const uint ByteOrderMagic = 0x1A2B3C4D;
    internal const uint ByteOrderMagicSwapped = 0x4D3C2B1A;

    // Every block: type, total length, body, total length again (section 3.1).
    private const int BlockHeaderLength = 8;
    private const int BlockTrailerLength = 4;
    private const int MinBlockLength = 12;
    private const int BlockLengthOffset = 4;

    // Section Header Block (section 4.1).
    private const int ShbByteOrderOffset = 8;
    private const int ShbMajorVersionOffset = 12;
    private const int ShbMinorVersionOffset = 14;
    private const int ShbFixedLength = 24;
    private const int ShbMinLength = 28;

    // Interface Description Block (section 4.2).
    private const int IdbLinkTypeOffset = 8;
    private const int IdbSnapLengthOffset = 12;
    private const int IdbOptionsOffset = 16;
    private const int IdbMinLength = 20;

    // Enhanced Packet Block (section 4.3) and the obsolete Packet Block (Appendix A), which differ only in
    // the interface id: 32 bits in the EPB, 16 bits followed by a 16-bit drop count in the Packet Block.
    private const int PacketInterfaceOffset = 8;
    private const int PacketTimestampHighOffset = 12;
    private const int PacketTimestampLowOffset = 16;
    private const int PacketCapturedLengthOffset = 20;
    private const int PacketOriginalLengthOffset = 24;
    private const int PacketDataOffset = 28;
    private const int PacketMinLength = 32;

    // Simple Packet Block (section 4.4).
    private const int SpbOriginalLengthOffset = 8;
    private const int SpbDataOffset = 12;
    private const int SpbMinLength = 16;

    // Options (section 3.5) and the interface options read here (section 4.2).
    private const int OptionHeaderLength = 4;
    private const ushort OptionEndOfOptions = 0;
    private const ushort OptionIfTsResol = 9;
    private const ushort OptionIfTsOffset = 14;

    private readonly InputBuffer _input;
    private readonly string _name;
    private readonly List<PcapngInterface> _interfaces = [];
    private readonly List<CaptureWarning> _warnings = [];
    private bool _bigEndian;
    private bool _ended;
    private byte[]? _spill;

    /// <summary>Reads the first Section Header Block; the input must start at it.</summary>
    internal PcapngReader(InputBuffer input)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(input.MaxCapacity, PacketDataOffset + CaptureLimits.MaxCapturedLength);
        _input = input;
        _name = input.Name;
        long offset = input.Position;
        int have = input.Fill(4);
        if (have < 4 || BinaryPrimitives.ReadUInt32BigEndian(input.Peek(4)) != SectionHeaderType)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadFileHeader, "not a pcapng section header block", offset);
        }
        ReadBlock(out _);
    }

    private enum BlockResult : byte
    {
        Packet,
        Other,
        End,
    }

    public CaptureFormat Format => CaptureFormat.Pcapng;

    /// <summary>Section Header Blocks read so far.</summary>
    public int SectionCount { get; private set; }

    /// <summary>True when the current section is big-endian.</summary>
    public bool IsBigEndian => _bigEndian;

    /// <summary>Interfaces of the current section, in id order.</summary>
    internal IReadOnlyList<PcapngInterface> Interfaces => _interfaces;

    public IReadOnlyList<CaptureWarning> Warnings => _warnings;

    public bool TryReadFrame(out RawFrame frame)
    {
        frame = default;
        // Each pass consumes a whole block of at least 12 bytes or ends, so the loop is bounded by the input.
        while (!_ended)
        {
            switch (ReadBlock(out frame))
            {
                case BlockResult.Packet:
                    return true;
                case BlockResult.End:
                    _ended = true;
                    return false;
            }
        }
        return false;
    }

    public void Dispose()
    {
        if (_spill is { } spill)
        {
            _spill = null;
            ArrayPool<byte>.Shared.Return(spill);
        }
        _input.Dispose();
    }

    private BlockResult ReadBlock(out RawFrame frame)
    {
        frame = default;
        long offset = _input.Position;
        int have = _input.Fill(BlockHeaderLength);
        if (have == 0 && SectionCount > 0)
        {
            return BlockResult.End;
        }
        if (have < BlockHeaderLength)
        {
            return Cut(offset, have, BlockHeaderLength);
        }

        ReadOnlySpan<byte> header = _input.Peek(BlockHeaderLength);
        // The SHB type reads the same in both byte orders (section 4.1), so it is recognised before the order is known.
        if (BinaryPrimitives.ReadUInt32BigEndian(header) == SectionHeaderType)
        {
            return ReadSectionHeader(offset);
        }

        uint type = ReadUInt32(header);
        uint length = ReadUInt32(header[BlockLengthOffset..]);
        CheckLength(offset, length, MinBlockLength);
        return type switch
        {
            InterfaceDescriptionType => ReadInterface(offset, length),
            EnhancedPacketType or ObsoletePacketType => ReadPacket(offset, type, length, out frame),
            SimplePacketType => ReadSimplePacket(offset, length, out frame),
            _ => SkipBlock(offset, length) ? BlockResult.Other : BlockResult.End,
        };
    }

    private BlockResult ReadSectionHeader(long offset)
    {
        int have = _input.Fill(ShbByteOrderOffset + 4);
        if (have < ShbByteOrderOffset + 4)
        {
            return Cut(offset, have, ShbByteOrderOffset + 4);
        }

        ReadOnlySpan<byte> head = _input.Peek(ShbByteOrderOffset + 4);
        switch (BinaryPrimitives.ReadUInt32BigEndian(head[ShbByteOrderOffset..]))
        {
            case ByteOrderMagic: _bigEndian = true; break;
            case ByteOrderMagicSwapped: _bigEndian = false; break;
            default:
                CaptureThrow.Format(_name, CaptureErrorReason.BadFileHeader,
                    "bad byte-order magic in section header block: " + CaptureThrow.Escape(head.Slice(ShbByteOrderOffset, 4)), offset);
                break;
        }

        uint length = ReadUInt32(head[BlockLengthOffset..]);
        CheckLength(offset, length, ShbMinLength);
        have = _input.Fill(ShbFixedLength);
        if (have < ShbFixedLength)
        {
            return Cut(offset, have, length);
        }

        ReadOnlySpan<byte> fixedPart = _input.Peek(ShbFixedLength);
        ushort major = ReadUInt16(fixedPart[ShbMajorVersionOffset..]);
        ushort minor = ReadUInt16(fixedPart[ShbMinorVersionOffset..]);
        if (major != 1)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture,
                $"unsupported pcapng version {major}.{minor}"), offset);
        }

        // The section length and the options are not needed; a new section starts a new interface list (section 4.1).
        if (!SkipBlock(offset, length))
        {
            return BlockResult.End;
        }
        _interfaces.Clear();
        SectionCount++;
        return BlockResult.Other;
    }

    private BlockResult ReadInterface(long offset, uint length)
    {
        CheckLength(offset, length, IdbMinLength);
        if (length > _input.MaxCapacity)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadBlockLength, string.Create(CultureInfo.InvariantCulture,
                $"interface description block of {length} bytes exceeds the {_input.MaxCapacity} byte limit"), offset);
        }

        int have = _input.Fill((int)length);
        if (have < length)
        {
            return Cut(offset, have, length);
        }

        ReadOnlySpan<byte> block = _input.Peek((int)length);
        CheckTrailer(offset, length, block[^BlockTrailerLength..]);
        if (_interfaces.Count >= CaptureLimits.MaxInterfacesPerSection)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.TooManyInterfaces, string.Create(CultureInfo.InvariantCulture,
                $"more than {CaptureLimits.MaxInterfacesPerSection} interfaces in one section"), offset);
        }

        var linkType = (LinkType)ReadUInt16(block[IdbLinkTypeOffset..]);
        uint snapLength = ReadUInt32(block[IdbSnapLengthOffset..]);
        ReadInterfaceOptions(block[IdbOptionsOffset..^BlockTrailerLength], out byte resolution, out long offsetSeconds);
        _interfaces.Add(new PcapngInterface(linkType, snapLength, resolution, offsetSeconds));
        _input.Advance((int)length);
        return BlockResult.Other;
    }

    /// <summary>
    /// Reads if_tsresol and if_tsoffset (section 4.2); a malformed option list ends the reading of options,
    /// not of the file, as the options only refine the interface.
    /// </summary>
    private void ReadInterfaceOptions(ReadOnlySpan<byte> options, out byte resolution, out long offsetSeconds)
    {
        resolution = PcapngInterface.DefaultResolution;
        offsetSeconds = 0;
        bool haveResolution = false;
        bool haveOffset = false;
        // Each pass consumes at least 4 bytes, so the loop is bounded by the block.
        while (options.Length >= OptionHeaderLength)
        {
            ushort code = ReadUInt16(options);
            int valueLength = ReadUInt16(options[2..]);
            if (code == OptionEndOfOptions)
            {
                break;
            }
            int padded = (valueLength + 3) & ~3;
            if (padded > options.Length - OptionHeaderLength)
            {
                break;
            }

            ReadOnlySpan<byte> value = options.Slice(OptionHeaderLength, valueLength);
            if (code == OptionIfTsResol && valueLength == 1 && !haveResolution)
            {
                resolution = value[0];
                haveResolution = true;
            }
            else if (code == OptionIfTsOffset && valueLength == 8 && !haveOffset)
            {
                offsetSeconds = (long)ReadUInt64(value);
                haveOffset = true;
            }
            options = options[(OptionHeaderLength + padded)..];
        }
    }

    private BlockResult ReadPacket(long offset, uint type, uint length, out RawFrame frame)
    {
        frame = default;
        CheckLength(offset, length, PacketMinLength);
        int have = _input.Fill(PacketDataOffset);
        if (have < PacketDataOffset)
        {
            return Cut(offset, have, length);
        }

        ReadOnlySpan<byte> head = _input.Peek(PacketDataOffset);
        uint interfaceId = type == EnhancedPacketType
            ? ReadUInt32(head[PacketInterfaceOffset..])
            : ReadUInt16(head[PacketInterfaceOffset..]);
        ulong units = ((ulong)ReadUInt32(head[PacketTimestampHighOffset..]) << 32) | ReadUInt32(head[PacketTimestampLowOffset..]);
        uint captured = ReadUInt32(head[PacketCapturedLengthOffset..]);
        uint original = ReadUInt32(head[PacketOriginalLengthOffset..]);
        if (captured > CaptureLimits.MaxCapturedLength)
        {
            ThrowCapturedLengthTooLarge(offset, captured);
        }
        // The packet data, padded to 32 bits, must fit inside the block (section 4.3).
        if (PacketMinLength + ((captured + 3) & ~3u) > length)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadBlockLength, string.Create(CultureInfo.InvariantCulture,
                $"packet block of {length} bytes cannot hold its {captured} captured bytes"), offset);
        }
        PcapngInterface ifc = GetInterface(offset, interfaceId);

        if (!ReadPacketData(offset, length, PacketDataOffset, (int)captured, out ReadOnlySpan<byte> data))
        {
            return BlockResult.End;
        }
        frame = new RawFrame(data, ifc.LinkType, new PacketTimestamp(ifc.ToNanoseconds(units), TimestampKind.Absolute),
            original > int.MaxValue ? int.MaxValue : (int)original, (int)interfaceId, offset);
        return BlockResult.Packet;
    }

    private BlockResult ReadSimplePacket(long offset, uint length, out RawFrame frame)
    {
        frame = default;
        CheckLength(offset, length, SpbMinLength);
        int have = _input.Fill(SpbDataOffset);
        if (have < SpbDataOffset)
        {
            return Cut(offset, have, length);
        }

        uint original = ReadUInt32(_input.Peek(SpbDataOffset)[SpbOriginalLengthOffset..]);
        // An SPB belongs to interface 0 (section 4.4).
        PcapngInterface ifc = GetInterface(offset, 0);
        // Captured length: the original length, cut to the block body and to the snap length (section 4.4).
        uint captured = Math.Min(original, length - SpbMinLength);
        if (ifc.SnapLength != 0)
        {
            captured = Math.Min(captured, ifc.SnapLength);
        }
        if (captured > CaptureLimits.MaxCapturedLength)
        {
            ThrowCapturedLengthTooLarge(offset, captured);
        }

        if (!ReadPacketData(offset, length, SpbDataOffset, (int)captured, out ReadOnlySpan<byte> data))
        {
            return BlockResult.End;
        }
        // The SPB carries no timestamp.
        frame = new RawFrame(data, ifc.LinkType, new PacketTimestamp(0, TimestampKind.None),
            original > int.MaxValue ? int.MaxValue : (int)original, 0, offset);
        return BlockResult.Packet;
    }

    /// <summary>
    /// Consumes a packet block and lends its packet bytes. A block that fits the buffer is read whole; a
    /// larger one (a long option list) has its packet bytes copied aside and the rest skipped in chunks.
    /// </summary>
    private bool ReadPacketData(long offset, uint length, int dataOffset, int captured, out ReadOnlySpan<byte> data)
    {
        data = default;
        int have;
        if (length <= _input.MaxCapacity)
        {
            have = _input.Fill((int)length);
            if (have < length)
            {
                Cut(offset, have, length);
                return false;
            }
            ReadOnlySpan<byte> block = _input.Take((int)length);
            CheckTrailer(offset, length, block[^BlockTrailerLength..]);
            data = block.Slice(dataOffset, captured);
            return true;
        }

        int head = dataOffset + captured;
        have = _input.Fill(head);
        if (have < head)
        {
            Cut(offset, have, length);
            return false;
        }
        _spill ??= ArrayPool<byte>.Shared.Rent(CaptureLimits.MaxCapturedLength);
        _input.Take(head)[dataOffset..].CopyTo(_spill);
        long rest = length - head - BlockTrailerLength;
        long skipped = _input.Skip(rest);
        if (skipped < rest)
        {
            Cut(offset, head + skipped, length);
            return false;
        }
        if (!ReadTrailer(offset, length))
        {
            return false;
        }
        data = _spill.AsSpan(0, captured);
        return true;
    }

    /// <summary>Skips a whole block from its start without buffering it, then checks its trailing length.</summary>
    private bool SkipBlock(long offset, uint length)
    {
        long body = length - BlockTrailerLength;
        long skipped = _input.Skip(body);
        if (skipped < body)
        {
            Cut(offset, skipped, length);
            return false;
        }
        return ReadTrailer(offset, length);
    }

    private bool ReadTrailer(long offset, uint length)
    {
        int have = _input.Fill(BlockTrailerLength);
        if (have < BlockTrailerLength)
        {
            Cut(offset, length - BlockTrailerLength + have, length);
            return false;
        }
        CheckTrailer(offset, length, _input.Take(BlockTrailerLength));
        return true;
    }

    private PcapngInterface GetInterface(long offset, uint interfaceId)
    {
        if (interfaceId >= (uint)_interfaces.Count)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.UnknownInterface, string.Create(CultureInfo.InvariantCulture,
                $"packet refers to interface {interfaceId}, but the section describes {_interfaces.Count}"), offset);
        }
        return _interfaces[(int)interfaceId];
    }

    /// <summary>Block total length: a multiple of 4 and at least the block type's minimum (section 3.1).</summary>
    private void CheckLength(long offset, uint length, int minimum)
    {
        if (length < minimum || (length & 3) != 0)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadBlockLength, string.Create(CultureInfo.InvariantCulture,
                $"block total length {length} is not a multiple of 4 of at least {minimum}"), offset);
        }
    }

    /// <summary>The trailing total length must repeat the leading one (section 3.1).</summary>
    private void CheckTrailer(long offset, uint length, ReadOnlySpan<byte> trailer)
    {
        uint trailing = ReadUInt32(trailer);
        if (trailing != length)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadBlockTrailer, string.Create(CultureInfo.InvariantCulture,
                $"block trailing length {trailing} does not match its total length {length}"), offset);
        }
    }

    /// <summary>
    /// The input ends inside a block: a warning and the end of the capture, except inside the first Section
    /// Header Block, which is the file header.
    /// </summary>
    private BlockResult Cut(long offset, long have, long needed)
    {
        if (SectionCount == 0)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadFileHeader, string.Create(CultureInfo.InvariantCulture,
                $"input ends inside the pcapng section header block: {have} of {needed} bytes"), offset);
        }
        _warnings.Add(new CaptureWarning(string.Create(CultureInfo.InvariantCulture,
            $"capture ends mid-block: {have} of {needed} bytes"), offset));
        return BlockResult.End;
    }

    private void ThrowCapturedLengthTooLarge(long offset, uint captured) =>
        CaptureThrow.Format(_name, CaptureErrorReason.CapturedLengthTooLarge, string.Create(CultureInfo.InvariantCulture,
            $"packet block claims {captured} captured bytes, more than the {CaptureLimits.MaxCapturedLength} byte limit"), offset);

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private ulong ReadUInt64(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
}
