using NetTriage.Capture.Pcap;
using NetTriage.Capture.Tests.Writers;
using NetTriage.Packets;
using static NetTriage.Capture.Tests.TestCaptures;

namespace NetTriage.Capture.Tests.Pcap;

public class PcapReaderTests
{
    /// <summary>A little-endian microsecond file written out by hand, field by field.</summary>
    private static readonly byte[] HandWritten =
    [
        // File header
        0xD4, 0xC3, 0xB2, 0xA1, // magic 0xA1B2C3D4 in little-endian order: microseconds
        0x02, 0x00, 0x04, 0x00, // version 2.4
        0x00, 0x00, 0x00, 0x00, // thiszone
        0x00, 0x00, 0x00, 0x00, // sigfigs
        0xFF, 0xFF, 0x00, 0x00, // snaplen 65535
        0x01, 0x00, 0x00, 0x00, // link type 1, Ethernet
        // Record at offset 24
        0x20, 0x9A, 0x2C, 0x65, // ts_sec 0x652C9A20 = 1697421856
        0x40, 0xE2, 0x01, 0x00, // ts_usec 0x0001E240 = 123456
        0x04, 0x00, 0x00, 0x00, // incl_len 4
        0x3C, 0x00, 0x00, 0x00, // orig_len 60
        0xDE, 0xAD, 0xBE, 0xEF, // captured bytes
    ];

    [Fact]
    public void ReadsHandWrittenFile()
    {
        using var reader = OpenPcap(HandWritten);
        Assert.Equal(LinkType.Ethernet, reader.LinkType);
        Assert.Equal(65535u, reader.SnapLength);
        Assert.Equal((ushort)2, reader.VersionMajor);
        Assert.Equal((ushort)4, reader.VersionMinor);
        Assert.False(reader.IsBigEndian);
        Assert.False(reader.IsNanosecond);

        var frames = ReadAll(reader);
        var f = Assert.Single(frames);
        Assert.Equal([0xDE, 0xAD, 0xBE, 0xEF], f.Data);
        Assert.Equal(new PacketTimestamp((1697421856L * 1_000_000_000) + 123_456_000, TimestampKind.Absolute), f.Timestamp);
        Assert.Equal(60, f.OriginalLength);
        Assert.Equal(0, f.InterfaceId);
        Assert.Equal(24, f.FileOffset);
        Assert.Empty(reader.Warnings);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ReadsBothByteOrdersAndResolutions(bool bigEndian, bool nanosecond)
    {
        var b = new PcapBuilder(bigEndian, nanosecond, linkTypeField: 101)
            .Record(1_700_000_000, 999_999, Payload(60, 1), originalLength: 1514)
            .Record(4_294_967_295, 1, Payload(1, 2))
            .Record(0, 0, []);
        using var reader = OpenPcap(b.ToArray());
        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.Equal(nanosecond, reader.IsNanosecond);

        var frames = ReadAll(reader);
        long unit = nanosecond ? 1 : 1000;
        Assert.Equal(3, frames.Count);
        Assert.Equal((1_700_000_000L * 1_000_000_000) + (999_999 * unit), frames[0].Timestamp.Nanoseconds);
        Assert.Equal((4_294_967_295L * 1_000_000_000) + unit, frames[1].Timestamp.Nanoseconds);
        Assert.Equal(0, frames[2].Timestamp.Nanoseconds);
        Assert.All(frames, f => Assert.Equal(TimestampKind.Absolute, f.Timestamp.Kind));
        Assert.Equal(Payload(60, 1), frames[0].Data);
        Assert.Equal(Payload(1, 2), frames[1].Data);
        Assert.Empty(frames[2].Data);
        Assert.Equal(1514, frames[0].OriginalLength);
        Assert.Equal(b.RecordOffsets, frames.Select(f => f.FileOffset));
        Assert.All(frames, f => Assert.Equal(LinkType.Raw, f.LinkType));
        Assert.False(reader.TryReadFrame(out _));
        Assert.Empty(reader.Warnings);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(12u)]
    [InlineData(14u)]
    [InlineData(101u)]
    [InlineData(108u)]
    [InlineData(113u)]
    [InlineData(228u)]
    [InlineData(229u)]
    [InlineData(276u)]
    [InlineData(147u)]   // LINKTYPE_USER0: not decoded, still framed
    [InlineData(65000u)]
    public void FramesEveryLinkType(uint linkType)
    {
        var b = new PcapBuilder(linkTypeField: linkType).Record(1, 2, Payload(20, 3));
        using var reader = OpenPcap(b.ToArray());
        var f = Assert.Single(ReadAll(reader));
        Assert.Equal((LinkType)linkType, f.LinkType);
    }

    [Theory]
    [InlineData(0x1000_0001u, LinkType.Ethernet)]   // FCS length 1 in the upper bits
    [InlineData(0xF400_0071u, LinkType.LinuxSll)]   // FCS length and the F flag set
    [InlineData(0x03FF_00E4u, LinkType.Ipv4)]       // reserved bits set
    public void LinkTypeIsTheLow16Bits(uint field, LinkType expected)
    {
        using var reader = OpenPcap(new PcapBuilder(linkTypeField: field).ToArray());
        Assert.Equal(expected, reader.LinkType);
    }

    [Fact]
    public void CapturedLengthAboveOriginalIsKept()
    {
        var b = new PcapBuilder().Record(1, 0, Payload(100, 1), originalLength: 40);
        using var reader = OpenPcap(b.ToArray());
        var f = Assert.Single(ReadAll(reader));
        Assert.Equal(100, f.Data.Length);
        Assert.Equal(40, f.OriginalLength);
    }

    [Fact]
    public void OriginalLengthAboveIntRangeIsClamped()
    {
        var b = new PcapBuilder().Record(1, 0, Payload(10, 1), originalLength: uint.MaxValue);
        using var reader = OpenPcap(b.ToArray());
        Assert.Equal(int.MaxValue, Assert.Single(ReadAll(reader)).OriginalLength);
    }

    [Fact]
    public void CapturedLengthOfExactlyTheLimitIsRead()
    {
        var data = Payload(CaptureLimits.MaxCapturedLength, 9);
        var b = new PcapBuilder().Record(1, 0, data);
        using var reader = OpenPcap(b.ToArray());
        Assert.Equal(data, Assert.Single(ReadAll(reader)).Data);
    }

    [Theory]
    [InlineData(262_145u)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0xFFFF_FFFFu)]
    public void CapturedLengthOverLimitThrowsWithRecordOffset(uint captured)
    {
        var b = new PcapBuilder()
            .Record(1, 0, Payload(10, 1))
            .Record(2, 0, Payload(10, 2), capturedLength: captured);
        using var reader = OpenPcap(b.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.CapturedLengthTooLarge, e.Reason);
        Assert.Equal(b.RecordOffsets[1], e.Offset);
        Assert.Equal(Name, e.InputName);
        Assert.Contains("offset 50", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((ushort)1, (ushort)0)]
    [InlineData((ushort)3, (ushort)0)]
    [InlineData((ushort)543, (ushort)0)]
    public void UnsupportedMajorVersionThrows(ushort major, ushort minor)
    {
        var e = Assert.Throws<CaptureFormatException>(() => OpenPcap(new PcapBuilder(versionMajor: major, versionMinor: minor).ToArray()));
        Assert.Equal(CaptureErrorReason.UnsupportedVersion, e.Reason);
    }

    [Fact]
    public void VersionsBefore23HaveTheLengthFieldsSwapped()
    {
        // Before 2.3 the record header held orig_len before incl_len: a 10-byte capture of a 60-byte packet.
        var b = new PcapBuilder(versionMinor: 2).Record(1, 0, Payload(10, 1), capturedLength: 60, originalLength: 10);
        using var reader = OpenPcap(b.ToArray());
        var f = Assert.Single(ReadAll(reader));
        Assert.Equal(10, f.Data.Length);
        Assert.Equal(60, f.OriginalLength);
    }

    [Fact]
    public void Version23SwapsOnlyWhenCapturedExceedsOriginal()
    {
        var b = new PcapBuilder(versionMinor: 3)
            .Record(1, 0, Payload(10, 1), capturedLength: 60, originalLength: 10)
            .Record(2, 0, Payload(10, 2), capturedLength: 10, originalLength: 60);
        using var reader = OpenPcap(b.ToArray());
        var frames = ReadAll(reader);
        Assert.Equal([10, 10], frames.Select(f => f.Data.Length));
        Assert.Equal([60, 60], frames.Select(f => f.OriginalLength));
    }

    /// <summary>A file header and two records: every cut point of it.</summary>
    private static PcapBuilder CutFile() => new PcapBuilder()
        .Record(10, 20, Payload(30, 1), originalLength: 60)
        .Record(11, 21, Payload(7, 2));

    public static TheoryData<int> CutFilePoints()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < CutFile().Length; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CutFilePoints))]
    public void EveryTruncatedPrefix(int cut)
    {
        var b = CutFile();
        byte[] bytes = b.ToArray()[..cut];
        long first = b.RecordOffsets[0];
        long second = b.RecordOffsets[1];

        if (cut == 0)
        {
            var e = Assert.Throws<CaptureFormatException>(() => ReadThroughOpener(new MemoryStream(bytes)));
            Assert.Equal(CaptureErrorReason.EmptyInput, e.Reason);
            return;
        }
        if (cut < PcapBuilder.FileHeaderLength)
        {
            var e = Assert.Throws<CaptureFormatException>(() => ReadThroughOpener(new MemoryStream(bytes)));
            Assert.Equal(CaptureErrorReason.BadFileHeader, e.Reason);
            Assert.Equal(0, e.Offset);
            return;
        }

        var (frames, warnings) = ReadThroughOpener(new MemoryStream(bytes));
        int complete = cut >= second ? 1 : 0;
        Assert.Equal(complete, frames.Count);
        long cutRecord = cut >= second ? second : first;
        long recordLength = (cut >= second ? 7 : 30) + PcapBuilder.RecordHeaderLength;
        if (cut == first || cut == second)
        {
            Assert.Empty(warnings);
            return;
        }

        long have = cut - cutRecord;
        long needed = have < PcapBuilder.RecordHeaderLength ? PcapBuilder.RecordHeaderLength : recordLength;
        var w = Assert.Single(warnings);
        Assert.Equal(cutRecord, w.Offset);
        Assert.Equal($"capture ends mid-record: {have} of {needed} bytes", w.Message);
    }

    [Fact]
    public void ReadsNothingMoreAfterTheEnd()
    {
        byte[] bytes = CutFile().ToArray()[..^3];
        using var reader = OpenPcap(bytes);
        Assert.True(reader.TryReadFrame(out _));
        Assert.False(reader.TryReadFrame(out _));
        Assert.False(reader.TryReadFrame(out _));
        Assert.Single(reader.Warnings);
    }

    [Fact]
    public void RecordsLargerThanTheStartingBufferAreRead()
    {
        var b = new PcapBuilder();
        for (int i = 0; i < 20; i++) b.Record((uint)i, 0, Payload(100 + (i * 1000), i));
        using var reader = OpenPcap(b.ToArray());
        var frames = ReadAll(reader);
        Assert.Equal(20, frames.Count);
        for (int i = 0; i < 20; i++) Assert.Equal(Payload(100 + (i * 1000), i), frames[i].Data);
    }
}
