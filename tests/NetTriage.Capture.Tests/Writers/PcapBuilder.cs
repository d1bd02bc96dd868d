namespace NetTriage.Capture.Tests.Writers;

/// <summary>
/// Builds a classic pcap file byte by byte (draft-ietf-opsawg-pcap sections 4 and 5), including files with
/// deliberately wrong fields, for the reader tests.
/// </summary>
internal sealed class PcapBuilder
{
    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    private readonly ByteWriter _w = new();

    public PcapBuilder(bool bigEndian = false, bool nanosecond = false, uint linkTypeField = 1, uint snapLength = 262144,
        ushort versionMajor = 2, ushort versionMinor = 4)
    {
        _w.BigEndian = bigEndian;
        _w.U32(nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u); // magic, written in the file's order
        _w.U16(versionMajor);
        _w.U16(versionMinor);
        _w.U32(0);                                    // thiszone
        _w.U32(0);                                    // sigfigs
        _w.U32(snapLength);
        _w.U32(linkTypeField);
    }

    /// <summary>Offsets of the record headers written so far.</summary>
    public List<long> RecordOffsets { get; } = [];

    public int Length => _w.Length;

    /// <summary>
    /// Adds a record; <paramref name="capturedLength"/> overrides the incl_len field (for corrupt files) and
    /// <paramref name="originalLength"/> the orig_len field (default: the data length).
    /// </summary>
    public PcapBuilder Record(uint seconds, uint fraction, byte[] data, uint? originalLength = null, uint? capturedLength = null)
    {
        RecordOffsets.Add(_w.Length);
        _w.U32(seconds);
        _w.U32(fraction);
        _w.U32(capturedLength ?? (uint)data.Length);
        _w.U32(originalLength ?? (uint)data.Length);
        _w.Bytes(data);
        return this;
    }

    public byte[] ToArray() => _w.ToArray();
}
