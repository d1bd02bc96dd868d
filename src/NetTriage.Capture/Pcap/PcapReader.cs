using System.Buffers.Binary;
using System.Globalization;
using NetTriage.Capture.Input;
using NetTriage.Packets;

namespace NetTriage.Capture.Pcap;

/// <summary>
/// Frames a classic pcap file (draft-ietf-opsawg-pcap, "PCAP Capture File Format"): a 24-byte file header,
/// then records of a 16-byte header and the captured bytes. Both byte orders, microsecond and nanosecond
/// timestamps. Frames are lent from the input buffer until the next read; nothing is allocated per record.
/// </summary>
public sealed class PcapReader : IFrameReader
{
    /// <summary>Magic numbers as read big-endian from the first four bytes (draft-ietf-opsawg-pcap section 4).</summary>
    internal const uint MagicMicroBigEndian = 0xA1B2C3D4;
    internal const uint MagicMicroLittleEndian = 0xD4C3B2A1;
    internal const uint MagicNanoBigEndian = 0xA1B23C4D;
    internal const uint MagicNanoLittleEndian = 0x4D3CB2A1;

    internal const int FileHeaderLength = 24;
    internal const int RecordHeaderLength = 16;

    // File header fields (draft-ietf-opsawg-pcap section 4).
    private const int MagicOffset = 0;
    private const int VersionMajorOffset = 4;
    private const int VersionMinorOffset = 6;
    private const int SnapLengthOffset = 16;
    private const int LinkTypeOffset = 20;

    // Record header fields (draft-ietf-opsawg-pcap section 5).
    private const int TimestampSecondsOffset = 0;
    private const int TimestampFractionOffset = 4;
    private const int CapturedLengthOffset = 8;
    private const int OriginalLengthOffset = 12;

    private readonly InputBuffer _input;
    private readonly string _name;
    private readonly bool _bigEndian;
    private readonly bool _nanosecond;
    private readonly LengthOrder _lengthOrder;
    private readonly List<CaptureWarning> _warnings = [];
    private bool _ended;

    /// <summary>Reads the file header; the input must start at the pcap magic.</summary>
    internal PcapReader(InputBuffer input)
    {
        _input = input;
        _name = input.Name;
        long offset = input.Position;
        int have = input.Fill(FileHeaderLength);
        if (have < FileHeaderLength)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.BadFileHeader, string.Create(CultureInfo.InvariantCulture,
                $"input ends inside the pcap file header: {have} of {FileHeaderLength} bytes"), offset);
        }

        ReadOnlySpan<byte> header = input.Take(FileHeaderLength);
        switch (BinaryPrimitives.ReadUInt32BigEndian(header[MagicOffset..]))
        {
            case MagicMicroBigEndian: _bigEndian = true; break;
            case MagicMicroLittleEndian: break;
            case MagicNanoBigEndian: _bigEndian = true; _nanosecond = true; break;
            case MagicNanoLittleEndian: _nanosecond = true; break;
            default:
                CaptureThrow.Format(_name, CaptureErrorReason.BadFileHeader,
                    "not a pcap magic number: " + CaptureThrow.Escape(header[..4]), offset);
                break;
        }

        VersionMajor = ReadUInt16(header[VersionMajorOffset..]);
        VersionMinor = ReadUInt16(header[VersionMinorOffset..]);
        if (VersionMajor != 2)
        {
            CaptureThrow.Format(_name, CaptureErrorReason.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture,
                $"unsupported pcap version {VersionMajor}.{VersionMinor}"), offset + VersionMajorOffset);
        }

        // libpcap's record: files before version 2.3 have the two length fields the other way round, and some
        // files labelled 2.3 do too, which shows as a captured length above the original length.
        _lengthOrder = VersionMinor switch
        {
            < 3 => LengthOrder.Swapped,
            3 => LengthOrder.SwappedWhenCapturedExceedsOriginal,
            _ => LengthOrder.Normal,
        };

        SnapLength = ReadUInt32(header[SnapLengthOffset..]);
        // The upper 16 bits of the field carry the FCS length and flags in newer files (section 4, "LinkType").
        LinkType = (LinkType)(ReadUInt32(header[LinkTypeOffset..]) & 0xFFFF);
    }

    private enum LengthOrder : byte
    {
        Normal,
        Swapped,
        SwappedWhenCapturedExceedsOriginal,
    }

    public CaptureFormat Format => CaptureFormat.Pcap;

    /// <summary>Link type of every record, the low 16 bits of the header's field.</summary>
    public LinkType LinkType { get; }

    public uint SnapLength { get; }
    public ushort VersionMajor { get; }
    public ushort VersionMinor { get; }
    public bool IsBigEndian => _bigEndian;
    public bool IsNanosecond => _nanosecond;

    public IReadOnlyList<CaptureWarning> Warnings => _warnings;

    public bool TryReadFrame(out RawFrame frame)
    {
        frame = default;
        if (_ended)
        {
            return false;
        }

        long offset = _input.Position;
        int have = _input.Fill(RecordHeaderLength);
        if (have < RecordHeaderLength)
        {
            return End(offset, have, RecordHeaderLength);
        }

        ReadOnlySpan<byte> header = _input.Peek(RecordHeaderLength);
        uint seconds = ReadUInt32(header[TimestampSecondsOffset..]);
        uint fraction = ReadUInt32(header[TimestampFractionOffset..]);
        uint captured = ReadUInt32(header[CapturedLengthOffset..]);
        uint original = ReadUInt32(header[OriginalLengthOffset..]);
        if (_lengthOrder != LengthOrder.Normal &&
            (_lengthOrder == LengthOrder.Swapped || captured > original))
        {
            (captured, original) = (original, captured);
        }

        if (captured > CaptureLimits.MaxCapturedLength)
        {
            ThrowCapturedLengthTooLarge(offset, captured);
        }

        int total = RecordHeaderLength + (int)captured;
        have = _input.Fill(total);
        if (have < total)
        {
            return End(offset, have, total);
        }

        ReadOnlySpan<byte> record = _input.Take(total);
        // Seconds are unsigned (section 5); the fraction is not checked against one second, as libpcap does not.
        long nanos = ((long)seconds * PacketTimestamp.NanosPerSecond) + (_nanosecond ? fraction : fraction * 1000L);
        frame = new RawFrame(record[RecordHeaderLength..], LinkType, new PacketTimestamp(nanos, TimestampKind.Absolute),
            original > int.MaxValue ? int.MaxValue : (int)original, 0, offset);
        return true;
    }

    public void Dispose() => _input.Dispose();

    private bool End(long offset, int have, int needed)
    {
        _ended = true;
        if (have > 0)
        {
            _warnings.Add(CutWarning(offset, have, needed));
        }
        return false;
    }

    internal static CaptureWarning CutWarning(long offset, long have, long needed) =>
        new(string.Create(CultureInfo.InvariantCulture, $"capture ends mid-record: {have} of {needed} bytes"), offset);

    private void ThrowCapturedLengthTooLarge(long offset, uint captured) =>
        CaptureThrow.Format(_name, CaptureErrorReason.CapturedLengthTooLarge, string.Create(CultureInfo.InvariantCulture,
            $"record claims {captured} captured bytes, more than the {CaptureLimits.MaxCapturedLength} byte limit"), offset);

    private ushort ReadUInt16(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint ReadUInt32(ReadOnlySpan<byte> span) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
}
