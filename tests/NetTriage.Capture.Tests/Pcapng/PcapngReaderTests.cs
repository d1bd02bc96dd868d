using NetTriage.Capture.Input;
using NetTriage.Capture.Pcapng;
using NetTriage.Capture.Tests.Writers;
using NetTriage.Packets;
using static NetTriage.Capture.Tests.TestCaptures;

namespace NetTriage.Capture.Tests.Pcapng;

public class PcapngReaderTests
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>A little-endian file written out by hand, field by field.</summary>
    private static readonly byte[] HandWritten =
    [
        // Section Header Block at offset 0
        0x0A, 0x0D, 0x0D, 0x0A, // block type SHB
        0x1C, 0x00, 0x00, 0x00, // block total length 28
        0x4D, 0x3C, 0x2B, 0x1A, // byte-order magic 0x1A2B3C4D, little-endian
        0x01, 0x00, 0x00, 0x00, // version 1.0
        0xFF, 0xFF, 0xFF, 0xFF, // section length -1 (low)
        0xFF, 0xFF, 0xFF, 0xFF, // section length -1 (high)
        0x1C, 0x00, 0x00, 0x00, // block total length 28
        // Interface Description Block at offset 28
        0x01, 0x00, 0x00, 0x00, // block type IDB
        0x1C, 0x00, 0x00, 0x00, // block total length 28
        0x01, 0x00, 0x00, 0x00, // link type 1 (Ethernet), reserved
        0x00, 0x00, 0x04, 0x00, // snaplen 262144
        0x09, 0x00, 0x01, 0x00, // option if_tsresol, length 1
        0x09, 0x00, 0x00, 0x00, // 10^-9, padding
        0x1C, 0x00, 0x00, 0x00, // block total length 28
        // Enhanced Packet Block at offset 56
        0x06, 0x00, 0x00, 0x00, // block type EPB
        0x24, 0x00, 0x00, 0x00, // block total length 36
        0x00, 0x00, 0x00, 0x00, // interface id 0
        0xFE, 0x9C, 0x97, 0x17, // timestamp high 0x17979CFE
        0x15, 0xCD, 0x85, 0x3D, // timestamp low 0x3D85CD15: 0x17979CFE3D85CD15 = 1700000000123456789 ns
        0x03, 0x00, 0x00, 0x00, // captured length 3
        0x3C, 0x00, 0x00, 0x00, // original length 60
        0xAA, 0xBB, 0xCC, 0x00, // packet data, one byte of padding
        0x24, 0x00, 0x00, 0x00, // block total length 36
    ];

    [Fact]
    public void ReadsHandWrittenFile()
    {
        using var reader = OpenPcapng(HandWritten);
        var f = Assert.Single(ReadAll(reader));
        Assert.Equal([0xAA, 0xBB, 0xCC], f.Data);
        Assert.Equal(new PacketTimestamp(1_700_000_000_123_456_789, TimestampKind.Absolute), f.Timestamp);
        Assert.Equal(60, f.OriginalLength);
        Assert.Equal(LinkType.Ethernet, f.LinkType);
        Assert.Equal(56, f.FileOffset);
        Assert.Empty(reader.Warnings);
        Assert.Equal(1, reader.SectionCount);
    }

    /// <summary>
    /// Two sections in opposite byte orders, each with two interfaces of other link types and timestamp
    /// units, every packet block kind, and blocks that must be skipped.
    /// </summary>
    private static PcapngBuilder TwoSections(bool firstBigEndian)
    {
        var b = new PcapngBuilder();
        b.Section(firstBigEndian, options: b.Options((PcapngBuilder.OptionComment, "first"u8.ToArray())))
            .Interface(1, snapLength: 65535, withName: true)                     // if 0: Ethernet, microseconds
            .Interface(101, tsResol: 9)                                         // if 1: raw IP, nanoseconds
            .Enhanced(0, 1_700_000_000_123_456, Payload(60, 1))
            .Block(PcapngBuilder.NameResolutionType, [0x01, 0x00, 0x06, 0x00, 10, 0, 0, 1, (byte)'a', 0, 0, 0, 0, 0, 0, 0])
            .Enhanced(1, 1_700_000_000_123_456_789, Payload(41, 2), originalLength: 1500,
                options: b.Options((PcapngBuilder.OptionComment, "packet comment"u8.ToArray())))
            .Block(PcapngBuilder.InterfaceStatisticsType, [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        b.Section(!firstBigEndian)
            .Interface(113, tsResol: 0x80 | 20, tsOffset: 1000)                  // if 0: SLL, 2^-20 s, +1000 s
            .Interface(229, snapLength: 40, tsResol: 3, tsOffset: -5)             // if 1: IPv6, milliseconds, -5 s
            .Block(PcapngBuilder.DecryptionSecretsType, [0x4B, 0x53, 0x4C, 0x54, 3, 0, 0, 0, 1, 2, 3])
            .Enhanced(0, (1_700_000_000UL << 20) + (1UL << 19), Payload(54, 3))
            .Block(PcapngBuilder.CustomType, [0x7F, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5])
            .Simple(Payload(30, 4), originalLength: 30)
            .Block(0x40000BAD, [0, 0, 0, 0])
            .ObsoletePacket(1, 1_700_000_000_250, Payload(50, 5))
            .Block(0x12345678, []);
        return b;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsSectionsInBothByteOrdersWithTheirOwnInterfaces(bool firstBigEndian)
    {
        var b = TwoSections(firstBigEndian);
        using var reader = OpenPcapng(b.ToArray());
        var frames = ReadAll(reader);

        Assert.Equal(5, frames.Count);
        Assert.Equal(2, reader.SectionCount);
        Assert.Empty(reader.Warnings);
        Assert.Equal(!firstBigEndian, reader.IsBigEndian);

        // Section 1, interface 0: microseconds.
        Assert.Equal((1_700_000_000 * NanosPerSecond) + 123_456_000, frames[0].Timestamp.Nanoseconds);
        Assert.Equal(LinkType.Ethernet, frames[0].LinkType);
        Assert.Equal(0, frames[0].InterfaceId);
        Assert.Equal(Payload(60, 1), frames[0].Data);
        Assert.Equal(b.BlockOffsets[3], frames[0].FileOffset);
        // Section 1, interface 1: nanoseconds; data of a length that needs padding.
        Assert.Equal(1_700_000_000_123_456_789, frames[1].Timestamp.Nanoseconds);
        Assert.Equal(LinkType.Raw, frames[1].LinkType);
        Assert.Equal(1, frames[1].InterfaceId);
        Assert.Equal(Payload(41, 2), frames[1].Data);
        Assert.Equal(1500, frames[1].OriginalLength);
        // Section 2, interface 0: 2^-20 seconds, offset +1000 s.
        Assert.Equal(((1_700_000_000 + 1000) * NanosPerSecond) + 500_000_000, frames[2].Timestamp.Nanoseconds);
        Assert.Equal(LinkType.LinuxSll, frames[2].LinkType);
        Assert.Equal(0, frames[2].InterfaceId);
        Assert.Equal(Payload(54, 3), frames[2].Data);
        // Section 2, SPB: interface 0, no timestamp.
        Assert.Equal(new PacketTimestamp(0, TimestampKind.None), frames[3].Timestamp);
        Assert.Equal(LinkType.LinuxSll, frames[3].LinkType);
        Assert.Equal(0, frames[3].InterfaceId);
        Assert.Equal(Payload(30, 4), frames[3].Data);
        Assert.Equal(30, frames[3].OriginalLength);
        // Section 2, obsolete Packet Block on interface 1: milliseconds, offset -5 s.
        Assert.Equal(((1_700_000_000 - 5) * NanosPerSecond) + 250_000_000, frames[4].Timestamp.Nanoseconds);
        Assert.Equal(LinkType.Ipv6, frames[4].LinkType);
        Assert.Equal(1, frames[4].InterfaceId);
        Assert.Equal(Payload(50, 5), frames[4].Data);
        Assert.All(frames.Where(f => f != frames[3]), f => Assert.Equal(TimestampKind.Absolute, f.Timestamp.Kind));
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)1)]
    [InlineData((ushort)12)]
    [InlineData((ushort)14)]
    [InlineData((ushort)101)]
    [InlineData((ushort)108)]
    [InlineData((ushort)113)]
    [InlineData((ushort)228)]
    [InlineData((ushort)229)]
    [InlineData((ushort)276)]
    [InlineData((ushort)147)]
    public void FramesEveryLinkTypeInBothByteOrders(ushort linkType)
    {
        foreach (bool big in new[] { false, true })
        {
            var b = new PcapngBuilder().Section(big).Interface(linkType).Enhanced(0, 5, Payload(20, 1));
            using var reader = OpenPcapng(b.ToArray());
            Assert.Equal((LinkType)linkType, Assert.Single(ReadAll(reader)).LinkType);
        }
    }

    [Theory]
    [InlineData((byte)6, 0L, 1_700_000_000_123_456UL, 1_700_000_000_123_456_000L)]
    [InlineData((byte)9, 0L, 1UL, 1L)]
    [InlineData((byte)0, 0L, 5UL, 5_000_000_000L)]
    [InlineData((byte)3, 0L, 1500UL, 1_500_000_000L)]
    [InlineData((byte)12, 0L, 1_234_567_890_123_456UL, 1_234_567_890_123L)]          // picoseconds, rounded down
    [InlineData((byte)19, 0L, ulong.MaxValue, 1_844_674_407L)]
    [InlineData((byte)29, 0L, ulong.MaxValue, 0L)]
    [InlineData((byte)127, 0L, ulong.MaxValue, 0L)]
    [InlineData((byte)0x80, 0L, 3UL, 3_000_000_000L)]                                // 2^0: seconds
    [InlineData((byte)0x8A, 0L, (5UL * 1024) + 512, 5_500_000_000L)]                  // 2^-10
    [InlineData((byte)0x9E, 0L, 3UL << 29, 1_500_000_000L)]                          // 2^-30
    [InlineData((byte)0xC0, 0L, ulong.MaxValue, 999_999_999L)]                       // 2^-64
    [InlineData((byte)0xFF, 0L, 1UL, 0L)]                                            // 2^-127
    [InlineData((byte)6, 3600L, 1_000_000UL, 3601_000_000_000L)]
    [InlineData((byte)6, -10L, 0UL, -10_000_000_000L)]
    [InlineData((byte)0x94, 1000L, 1UL << 20, 1001_000_000_000L)]
    [InlineData((byte)9, long.MaxValue, 0UL, long.MaxValue)]                          // saturates
    [InlineData((byte)6, long.MinValue, 0UL, long.MinValue)]                          // saturates
    [InlineData((byte)0, 0L, ulong.MaxValue, long.MaxValue)]                          // saturates
    [InlineData((byte)6, 0L, 9_223_372_036_854_775UL, 9_223_372_036_854_775_000L)]   // largest exact in the fast path
    [InlineData((byte)6, 0L, 9_223_372_036_854_776UL, long.MaxValue)]                 // one more: saturates
    public void TimestampsConvertExactly(byte resolution, long offsetSeconds, ulong units, long expected)
    {
        var ifc = new PcapngInterface(LinkType.Ethernet, 0, resolution, offsetSeconds);
        Assert.Equal(expected, ifc.ToNanoseconds(units));
    }

    [Fact]
    public void BinaryResolutionThroughTheFile()
    {
        var b = new PcapngBuilder().Section().Interface(1, tsResol: 0x80 | 9).Enhanced(0, (10UL << 9) + 1, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        // 2^-9 s = 1953125 ns exactly.
        Assert.Equal((10 * NanosPerSecond) + 1_953_125, Assert.Single(ReadAll(reader)).Timestamp.Nanoseconds);
    }

    [Fact]
    public void InterfaceOptionsOfTheWrongSizeAreIgnored()
    {
        var b = new PcapngBuilder().Section();
        var body = new ByteWriter();
        body.U16(1); body.U16(0); body.U32(0);                        // Ethernet, reserved, snaplen 0
        body.Bytes(b.Options(
            (PcapngBuilder.OptionIfTsResol, [9, 9]),                   // if_tsresol must be 1 byte
            (PcapngBuilder.OptionIfTsOffset, [1, 2, 3, 4])));          // if_tsoffset must be 8 bytes
        b.Block(PcapngBuilder.InterfaceDescriptionType, body.ToArray()).Enhanced(0, 2_000_001, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        Assert.Equal(2_000_001_000, Assert.Single(ReadAll(reader)).Timestamp.Nanoseconds);
    }

    [Fact]
    public void AMalformedOptionListEndsTheOptionsNotTheFile()
    {
        var b = new PcapngBuilder().Section();
        var body = new ByteWriter();
        body.U16(1); body.U16(0); body.U32(0);                        // Ethernet, reserved, snaplen 0
        body.U16(PcapngBuilder.OptionIfTsResol); body.U16(1); body.Bytes([9, 0, 0, 0]);   // if_tsresol 10^-9
        body.U16(PcapngBuilder.OptionComment); body.U16(200); body.Bytes([1, 2, 3, 4]);   // claims 200, has 4
        b.Block(PcapngBuilder.InterfaceDescriptionType, body.ToArray()).Enhanced(0, 7, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        Assert.Equal(7, Assert.Single(ReadAll(reader)).Timestamp.Nanoseconds);
    }

    [Theory]
    [InlineData(100u, 60, 0u, 60)]      // cut to the block body
    [InlineData(100u, 60, 40u, 40)]     // cut to the snap length
    [InlineData(10u, 12, 0u, 10)]       // the original length, padding left out
    [InlineData(0u, 8, 0u, 0)]
    public void SimplePacketLengthIsTheSmallestOfOriginalBodyAndSnapLength(uint original, int body, uint snapLength, int expected)
    {
        var data = Payload(body, 3);
        var b = new PcapngBuilder().Section().Interface(1, snapLength).Simple(data, original);
        using var reader = OpenPcapng(b.ToArray());
        var f = Assert.Single(ReadAll(reader));
        Assert.Equal(data[..expected], f.Data);
        Assert.Equal((int)original, f.OriginalLength);
    }

    [Fact]
    public void SkipsABlockLargerThanTheBufferWithoutHoldingIt()
    {
        var b = new PcapngBuilder().Section().Interface(1)
            .Enhanced(0, 1, Payload(10, 1))
            .Block(PcapngBuilder.CustomType, Payload(1_000_000, 7))
            .Enhanced(0, 2, Payload(10, 2));
        // A buffer that cannot hold the custom block: reading it whole would fail.
        using var reader = OpenPcapng(b.ToArray(), maxCapacity: 300_000);
        var frames = ReadAll(reader);
        Assert.Equal(2, frames.Count);
        Assert.Equal(Payload(10, 2), frames[1].Data);
        Assert.Empty(reader.Warnings);
    }

    private static PcapngBuilder LongOptions(out byte[] data)
    {
        var b = new PcapngBuilder().Section().Interface(1);
        var comment = Payload(60_000, 5);
        var options = b.Options([.. Enumerable.Range(0, 7).Select(_ => (PcapngBuilder.OptionComment, comment))]);
        data = Payload(CaptureLimits.MaxCapturedLength, 11);
        b.Enhanced(0, 1, data, options: options).Enhanced(0, 2, Payload(33, 1));
        return b;
    }

    [Fact]
    public void PacketBlockLargerThanTheBufferKeepsItsPacketBytes()
    {
        var b = LongOptions(out var data);
        Assert.True(b.Length > 600_000);
        using var reader = OpenPcapng(b.ToArray(), maxCapacity: 300_000);
        var frames = ReadAll(reader);
        Assert.Equal(2, frames.Count);
        Assert.Equal(data, frames[0].Data);
        Assert.Equal(b.BlockOffsets[2], frames[0].FileOffset);
        Assert.Equal(Payload(33, 1), frames[1].Data);
        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public void PacketBlockLargerThanTheBufferReadFromShortReads()
    {
        var b = LongOptions(out var data);
        using var reader = OpenPcapng(new ChunkedStream(b.ToArray(), new Random(5)), maxCapacity: 300_000);
        var frames = ReadAll(reader);
        Assert.Equal(2, frames.Count);
        Assert.Equal(data, frames[0].Data);
    }

    [Fact]
    public void PacketBlockLargerThanTheBufferCutInItsOptions()
    {
        var b = LongOptions(out _);
        int cut = (int)b.BlockOffsets[2] + 400_000;
        using var reader = OpenPcapng(b.ToArray()[..cut], maxCapacity: 300_000);
        Assert.Empty(ReadAll(reader));
        var w = Assert.Single(reader.Warnings);
        Assert.Equal(b.BlockOffsets[2], w.Offset);
        Assert.StartsWith("capture ends mid-block: 400000 of ", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PacketBlockLargerThanTheBufferWithABadTrailer()
    {
        var b = new PcapngBuilder().Section().Interface(1);
        var w = new ByteWriter();
        w.U32(0); w.U32(0); w.U32(1); w.U32(4); w.U32(4);        // interface, timestamp, lengths
        w.Bytes([1, 2, 3, 4]);                                    // data
        w.Bytes(Payload(400_000, 1));                             // a long tail where options would be
        b.Block(PcapngBuilder.EnhancedPacketType, w.ToArray(), trailer: 99);
        using var reader = OpenPcapng(b.ToArray(), maxCapacity: 300_000);
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.BadBlockTrailer, e.Reason);
        Assert.Equal(b.BlockOffsets[2], e.Offset);
    }

    [Fact]
    public void HugeBlockCutByTheEndOfTheFileWarns()
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(10, 1));
        long offset = b.Length;
        b.Block(PcapngBuilder.CustomType, [1, 2, 3, 4], totalLength: 0xFFFF_FFF0);
        using var reader = OpenPcapng(b.ToArray());
        Assert.Single(ReadAll(reader));
        var w = Assert.Single(reader.Warnings);
        Assert.Equal(offset, w.Offset);
        Assert.Equal("capture ends mid-block: 16 of 4294967280 bytes", w.Message);
    }

    public static TheoryData<uint, uint> BadLengths() => new()
    {
        { PcapngBuilder.CustomType, 0 },
        { PcapngBuilder.CustomType, 4 },
        { PcapngBuilder.CustomType, 8 },
        { PcapngBuilder.CustomType, 13 },
        { PcapngBuilder.CustomType, 18 },
        { PcapngBuilder.CustomType, 0xFFFF_FFFF },
        { PcapngBuilder.EnhancedPacketType, 28 },
        { PcapngBuilder.EnhancedPacketType, 30 },
        { PcapngBuilder.ObsoletePacketType, 24 },
        { PcapngBuilder.SimplePacketType, 12 },
        { PcapngBuilder.InterfaceDescriptionType, 16 },
        { PcapngBuilder.SectionHeaderType, 24 },
        { PcapngBuilder.SectionHeaderType, 30 },
    };

    [Theory]
    [MemberData(nameof(BadLengths))]
    public void BadBlockLengthThrowsWithBlockOffset(uint type, uint length)
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(10, 1));
        long offset = b.Length;
        var body = new ByteWriter();
        body.U32(0x1A2B3C4D);                                     // an SHB's byte-order magic, other blocks' first field
        body.Bytes(new byte[40]);
        b.Block(type, body.ToArray(), totalLength: length);
        using var reader = OpenPcapng(b.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.BadBlockLength, e.Reason);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public void CapturedLengthThatDoesNotFitTheBlockThrows()
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(40, 1), capturedLength: 41);
        using var reader = OpenPcapng(b.ToArray());
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.BadBlockLength, e.Reason);
        Assert.Equal(b.BlockOffsets[2], e.Offset);
    }

    public static TheoryData<uint> TrailerBlockTypes() => new()
    {
        PcapngBuilder.EnhancedPacketType,
        PcapngBuilder.ObsoletePacketType,
        PcapngBuilder.SimplePacketType,
        PcapngBuilder.InterfaceDescriptionType,
        PcapngBuilder.NameResolutionType,
        PcapngBuilder.SectionHeaderType,
    };

    [Theory]
    [MemberData(nameof(TrailerBlockTypes))]
    public void TrailerThatDoesNotMatchThrowsWithBlockOffset(uint type)
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(10, 1));
        long offset = b.Length;
        var body = new ByteWriter();
        if (type == PcapngBuilder.SectionHeaderType)
        {
            body.U32(0x1A2B3C4D); body.U16(1); body.U16(0);          // byte-order magic, version 1.0
        }
        body.Bytes(new byte[24]);                                    // zeros: interface 0, lengths 0, no options
        b.Block(type, body.ToArray(), trailer: 1000);
        using var reader = OpenPcapng(b.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.BadBlockTrailer, e.Reason);
        Assert.Equal(offset, e.Offset);
        Assert.Contains("1000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PacketOnAnUndescribedInterfaceThrows()
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(4, 1)).Enhanced(1, 1, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.UnknownInterface, e.Reason);
        Assert.Equal(b.BlockOffsets[3], e.Offset);
    }

    [Fact]
    public void ObsoletePacketOnAnUndescribedInterfaceThrows()
    {
        var b = new PcapngBuilder().Section().Interface(1).ObsoletePacket(3, 1, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.UnknownInterface, e.Reason);
    }

    [Fact]
    public void SimplePacketBeforeAnyInterfaceThrows()
    {
        var b = new PcapngBuilder().Section().Simple(Payload(4, 1), 4);
        using var reader = OpenPcapng(b.ToArray());
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.UnknownInterface, e.Reason);
        Assert.Equal(b.BlockOffsets[1], e.Offset);
    }

    [Fact]
    public void ANewSectionForgetsTheInterfacesOfTheLastOne()
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(4, 1))
            .Section(bigEndian: true).Enhanced(0, 1, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        Assert.True(reader.TryReadFrame(out _));
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.UnknownInterface, e.Reason);
        Assert.Equal(b.BlockOffsets[4], e.Offset);
    }

    [Fact]
    public void CapturedLengthOverLimitThrows()
    {
        var b = new PcapngBuilder().Section().Interface(1).Enhanced(0, 1, Payload(8, 1), capturedLength: 262_145);
        using var reader = OpenPcapng(b.ToArray());
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.CapturedLengthTooLarge, e.Reason);
        Assert.Equal(b.BlockOffsets[2], e.Offset);
    }

    [Fact]
    public void SimplePacketOverLimitThrowsUnlessTheSnapLengthCutsIt()
    {
        var data = Payload(300_000, 1);
        var bad = new PcapngBuilder().Section().Interface(1).Simple(data, 300_000);
        using (var reader = OpenPcapng(bad.ToArray()))
        {
            var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
            Assert.Equal(CaptureErrorReason.CapturedLengthTooLarge, e.Reason);
        }

        var cut = new PcapngBuilder().Section().Interface(1, snapLength: 65535).Simple(data, 300_000);
        using (var reader = OpenPcapng(cut.ToArray()))
        {
            Assert.Equal(data[..65535], Assert.Single(ReadAll(reader)).Data);
        }
    }

    [Fact]
    public void TooManyInterfacesThrows()
    {
        var b = new PcapngBuilder().Section();
        for (int i = 0; i <= CaptureLimits.MaxInterfacesPerSection; i++) b.Interface(1);
        using var reader = OpenPcapng(b.ToArray());
        var e = Assert.Throws<CaptureFormatException>(() => reader.TryReadFrame(out _));
        Assert.Equal(CaptureErrorReason.TooManyInterfaces, e.Reason);
        Assert.Equal(b.BlockOffsets[^1], e.Offset);
    }

    [Theory]
    [InlineData((ushort)2, (ushort)0)]
    [InlineData((ushort)0, (ushort)1)]
    public void UnsupportedSectionVersionThrows(ushort major, ushort minor)
    {
        var b = new PcapngBuilder().Section(major: major, minor: minor);
        var e = Assert.Throws<CaptureFormatException>(() => OpenPcapng(b.ToArray()));
        Assert.Equal(CaptureErrorReason.UnsupportedVersion, e.Reason);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void MinorVersion2IsRead()
    {
        var b = new PcapngBuilder().Section(minor: 2).Interface(1).Enhanced(0, 1, Payload(4, 1));
        using var reader = OpenPcapng(b.ToArray());
        Assert.Single(ReadAll(reader));
    }

    [Fact]
    public void BadByteOrderMagicThrows()
    {
        byte[] bytes =
        [
            0x0A, 0x0D, 0x0D, 0x0A, // SHB
            0x1C, 0x00, 0x00, 0x00, // length 28
            0x11, 0x01, 0x02, 0x03, // not a byte-order magic
            0x01, 0x00, 0x00, 0x00, // version 1.0
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // section length
            0x1C, 0x00, 0x00, 0x00, // length 28
        ];
        var e = Assert.Throws<CaptureFormatException>(() => OpenPcapng(bytes));
        Assert.Equal(CaptureErrorReason.BadFileHeader, e.Reason);
        Assert.Contains("\\x11\\x01\\x02\\x03", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Block layout of a built file: (offset, type, length), for the cut-point tests.</summary>
    private static List<(long Offset, uint Type, long Length)> Layout(PcapngBuilder b, uint[] types)
    {
        var list = new List<(long, uint, long)>();
        for (int i = 0; i < b.BlockOffsets.Count; i++)
        {
            long end = i + 1 < b.BlockOffsets.Count ? b.BlockOffsets[i + 1] : b.Length;
            list.Add((b.BlockOffsets[i], types[i], end - b.BlockOffsets[i]));
        }
        return list;
    }

    private static PcapngBuilder CutFileOne()
    {
        var b = new PcapngBuilder();
        return b.Section(options: b.Options((PcapngBuilder.OptionComment, "abc"u8.ToArray())))
            .Interface(1, tsResol: 9)
            .Enhanced(0, 100, Payload(30, 1))
            .Enhanced(0, 200, Payload(7, 2));
    }

    private static readonly uint[] CutFileOneTypes =
        [PcapngBuilder.SectionHeaderType, 1, PcapngBuilder.EnhancedPacketType, PcapngBuilder.EnhancedPacketType];

    private static PcapngBuilder CutFileTwo() => new PcapngBuilder()
        .Section().Interface(1).Enhanced(0, 100, Payload(5, 1))
        .Section(bigEndian: true).Interface(101).Block(PcapngBuilder.CustomType, Payload(9, 3))
        .Simple(Payload(12, 4), 12).ObsoletePacket(0, 5, Payload(3, 5));

    private static readonly uint[] CutFileTwoTypes =
    [
        PcapngBuilder.SectionHeaderType, 1, PcapngBuilder.EnhancedPacketType,
        PcapngBuilder.SectionHeaderType, 1, PcapngBuilder.CustomType, PcapngBuilder.SimplePacketType, PcapngBuilder.ObsoletePacketType,
    ];

    public static TheoryData<int, int> CutPointsOfBothFiles()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < CutFileOne().Length; i++) data.Add(1, i);
        for (int i = 0; i < CutFileTwo().Length; i++) data.Add(2, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CutPointsOfBothFiles))]
    public void EveryTruncatedPrefix(int file, int cut)
    {
        var b = file == 1 ? CutFileOne() : CutFileTwo();
        var layout = Layout(b, file == 1 ? CutFileOneTypes : CutFileTwoTypes);
        byte[] bytes = b.ToArray()[..cut];

        if (cut == 0)
        {
            var e = Assert.Throws<CaptureFormatException>(() => ReadThroughOpener(new MemoryStream(bytes)));
            Assert.Equal(CaptureErrorReason.EmptyInput, e.Reason);
            return;
        }
        if (cut < 4)
        {
            // "\n", "\n\r", "\n\r\r": too short to tell from text, and text has no binary frames.
            var e = Assert.Throws<CaptureFormatException>(() => ReadThroughOpener(new MemoryStream(bytes)));
            Assert.Equal(CaptureErrorReason.UnknownFormat, e.Reason);
            return;
        }
        if (cut < layout[0].Length)
        {
            var e = Assert.Throws<CaptureFormatException>(() => ReadThroughOpener(new MemoryStream(bytes)));
            Assert.Equal(CaptureErrorReason.BadFileHeader, e.Reason);
            Assert.Equal(0, e.Offset);
            return;
        }

        var (frames, warnings) = ReadThroughOpener(new MemoryStream(bytes));
        static bool IsPacket(uint t) => t is PcapngBuilder.EnhancedPacketType or PcapngBuilder.SimplePacketType or PcapngBuilder.ObsoletePacketType;
        int complete = layout.Count(x => IsPacket(x.Type) && x.Offset + x.Length <= cut);
        Assert.Equal(complete, frames.Count);
        Assert.Equal(layout.Where(x => IsPacket(x.Type)).Take(complete).Select(x => x.Offset), frames.Select(f => f.FileOffset));

        var block = layout.Single(x => x.Offset <= cut && cut < x.Offset + x.Length);
        if (block.Offset == cut)
        {
            Assert.Empty(warnings);
            return;
        }
        long have = cut - block.Offset;
        long needed = have < 8 ? 8 : block.Type == PcapngBuilder.SectionHeaderType && have < 12 ? 12 : block.Length;
        var w = Assert.Single(warnings);
        Assert.Equal(block.Offset, w.Offset);
        Assert.Equal($"capture ends mid-block: {have} of {needed} bytes", w.Message);
    }

    [Fact]
    public void ShortReadsGiveTheSameFrames()
    {
        byte[] bytes = TwoSections(false).ToArray();
        using var whole = OpenPcapng(bytes);
        var expected = ReadAll(whole);
        foreach (Stream s in new Stream[] { new ChunkedStream(bytes, 1), new ChunkedStream(bytes, 3), new ChunkedStream(bytes, new Random(1)) })
        {
            using var reader = OpenPcapng(s);
            var frames = ReadAll(reader);
            Assert.Equal(expected.Count, frames.Count);
            Assert.All(expected.Zip(frames), p => Assert.True(p.First.Same(p.Second)));
        }
    }

    [Fact]
    public void NotStartingWithASectionHeaderThrows()
    {
        var e = Assert.Throws<CaptureFormatException>(() => OpenPcapng(new byte[] { 1, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0 }));
        Assert.Equal(CaptureErrorReason.BadFileHeader, e.Reason);
    }

    [Fact]
    public void BufferMustHoldTheLargestPacketBlock()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PcapngReader(new InputBuffer(new MemoryStream(HandWritten), Name, 64, 100_000)));
    }
}
