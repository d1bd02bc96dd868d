using System.IO.Compression;
using System.Text;
using NetTriage.Capture.Tests.Writers;
using NetTriage.Capture.Text;
using NetTriage.Packets;
using static NetTriage.Capture.Tests.TestCaptures;

namespace NetTriage.Capture.Tests;

public sealed class CaptureOpenerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-opener-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] SamplePcap() => new PcapBuilder(nanosecond: true)
        .Record(1, 2, Payload(60, 1)).Record(3, 4, Payload(1500, 2)).Record(5, 6, Payload(42, 3)).ToArray();

    private static byte[] SamplePcapng()
    {
        var b = new PcapngBuilder().Section().Interface(1).Interface(101, tsResol: 9)
            .Enhanced(0, 10, Payload(60, 1)).Enhanced(1, 20, Payload(70, 2))
            .Section(bigEndian: true).Interface(113).Simple(Payload(16, 3), 16);
        return b.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }
        return ms.ToArray();
    }

    private static List<FrameCopy> Frames(byte[] bytes)
    {
        using var reader = CaptureOpener.OpenFrames(new MemoryStream(bytes), Name);
        return ReadAll(reader);
    }

    private static int CountPackets(IPacketSource source)
    {
        var packet = new DecodedPacket();
        int n = 0;
        while (source.TryRead(packet)) n++;
        return n;
    }

    public static TheoryData<string> BinaryKinds() => ["pcap", "pcapng"];

    private static byte[] Sample(string kind) => kind == "pcap" ? SamplePcap() : SamplePcapng();

    [Theory]
    [MemberData(nameof(BinaryKinds))]
    public void RecognisesBinaryCapturesByContent(string kind)
    {
        byte[] bytes = Sample(kind);
        using var source = CaptureOpener.Open(new MemoryStream(bytes), "capture.txt");
        Assert.Equal(kind == "pcap" ? CaptureFormat.Pcap : CaptureFormat.Pcapng, source.Format);
        Assert.False(source.Compressed);
        Assert.Equal("capture.txt", source.Name);
        Assert.Equal(bytes.Length, source.TotalBytes);
        Assert.Equal(3, CountPackets(source));
        Assert.Equal(bytes.Length, source.BytesConsumed);
        Assert.Empty(source.Warnings);
    }

    [Theory]
    [MemberData(nameof(BinaryKinds))]
    public void ReadsGzipTransparently(string kind)
    {
        byte[] plain = Sample(kind);
        byte[] gz = Gzip(plain);
        using (var source = CaptureOpener.Open(new MemoryStream(gz), Name))
        {
            Assert.True(source.Compressed);
            Assert.Equal(kind == "pcap" ? CaptureFormat.Pcap : CaptureFormat.Pcapng, source.Format);
            Assert.Equal(gz.Length, source.TotalBytes);
            Assert.Equal(3, CountPackets(source));
            Assert.Equal(gz.Length, source.BytesConsumed);
        }

        var expected = Frames(plain);
        var actual = Frames(gz);
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected.Zip(actual), p => Assert.True(p.First.Same(p.Second)));
    }

    public static TheoryData<string, int> KindsAndChunks() => new()
    {
        { "pcap", 1 }, { "pcap", 2 }, { "pcap", 0 }, { "pcapng", 1 }, { "pcapng", 5 }, { "pcapng", 0 },
        { "gzip-pcap", 1 }, { "gzip-pcap", 0 }, { "gzip-pcapng", 1 }, { "gzip-pcapng", 0 },
    };

    /// <summary>A non-seekable input fed one byte at a time, a few bytes, or random sizes (chunk 0).</summary>
    [Theory]
    [MemberData(nameof(KindsAndChunks))]
    public void ReadsNonSeekableStreamsWithShortReads(string kind, int chunk)
    {
        byte[] plain = Sample(kind.Replace("gzip-", "", StringComparison.Ordinal));
        byte[] bytes = kind.StartsWith("gzip-", StringComparison.Ordinal) ? Gzip(plain) : plain;
        var expected = Frames(plain);

        Stream stream = chunk == 0 ? new ChunkedStream(bytes, new Random(chunk + 17)) : new ChunkedStream(bytes, chunk);
        using IFrameReader reader = CaptureOpener.OpenFrames(stream, Name);
        var actual = ReadAll(reader);
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected.Zip(actual), p => Assert.True(p.First.Same(p.Second)));

        using var source = CaptureOpener.Open(new ChunkedStream(bytes, 1), Name);
        Assert.Null(source.TotalBytes);
        Assert.Equal(expected.Count, CountPackets(source));
    }

    [Fact]
    public void TextGoesToTheTextSource()
    {
        byte[] text = Encoding.ASCII.GetBytes("13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A? yummyrecipesforme.com. (24)\n");
        using var source = CaptureOpener.Open(new MemoryStream(text), "log.txt");
        var textSource = Assert.IsType<TcpdumpTextSource>(source);
        Assert.Equal(CaptureFormat.TcpdumpText, textSource.Format);
        Assert.False(textSource.Compressed);
        Assert.Equal(text.Length, textSource.TotalBytes);
        Assert.Equal("log.txt", textSource.Name);
    }

    [Fact]
    public void GzipTextGoesToTheTextSourceAsCompressed()
    {
        byte[] gz = Gzip(Encoding.ASCII.GetBytes("12:00:00.000000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64\n"));
        using var source = CaptureOpener.Open(new MemoryStream(gz), Name);
        var textSource = Assert.IsType<TcpdumpTextSource>(source);
        Assert.True(textSource.Compressed);
        Assert.Equal(gz.Length, textSource.TotalBytes);
    }

    [Fact]
    public void TextHasNoFrames()
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.OpenFrames(new MemoryStream("hello\n"u8.ToArray()), Name));
        Assert.Equal(CaptureErrorReason.UnknownFormat, e.Reason);
    }

    [Fact]
    public void EmptyInputThrows()
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(new MemoryStream(), Name));
        Assert.Equal(CaptureErrorReason.EmptyInput, e.Reason);
        Assert.Equal($"{Name}: input is empty", e.Message);
    }

    [Fact]
    public void EmptyGzipThrows()
    {
        byte[] emptyGzip =
        [
            0x1F, 0x8B, 0x08, 0x00, // ID1 ID2, CM deflate, FLG none (RFC 1952 2.3)
            0x00, 0x00, 0x00, 0x00, // MTIME
            0x00, 0xFF,             // XFL, OS unknown
            0x03, 0x00,             // deflate: one final fixed-Huffman block holding only end-of-block
            0x00, 0x00, 0x00, 0x00, // CRC32 of nothing
            0x00, 0x00, 0x00, 0x00, // ISIZE 0
        ];
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(new MemoryStream(emptyGzip), Name));
        Assert.Equal(CaptureErrorReason.EmptyInput, e.Reason);
        Assert.Contains("compressed input is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownBinaryThrowsWithTheFirstBytesEscaped()
    {
        byte[] bytes = [0x00, 0x01, 0x02, 0x1B, (byte)'A', (byte)'\\', 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(new MemoryStream(bytes), Name));
        Assert.Equal(CaptureErrorReason.UnknownFormat, e.Reason);
        Assert.Equal(0, e.Offset);
        Assert.Contains(@"\x00\x01\x02\x1bA\x5c\xff", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("...", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    [Theory]
    [InlineData("d4")]
    [InlineData("d4c3b2")]
    [InlineData("a1b2c3")]
    public void AFewBytesOfAMagicNumberThrowBadFileHeader(string hex)
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(new MemoryStream(Convert.FromHexString(hex)), Name));
        Assert.Equal(CaptureErrorReason.BadFileHeader, e.Reason);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void CorruptGzipThrowsCorruptCompression()
    {
        byte[] gz = Gzip(SamplePcap());
        // Keep the 10-byte gzip header, spoil the deflate data.
        for (int i = 10; i < gz.Length; i++) gz[i] = 0xFF;
        var e = Assert.Throws<CaptureFormatException>(() =>
        {
            using var source = CaptureOpener.Open(new MemoryStream(gz), Name);
            CountPackets(source);
        });
        Assert.Equal(CaptureErrorReason.CorruptCompression, e.Reason);
        Assert.NotNull(e.Offset);
    }

    [Fact]
    public void TruncatedGzipEndsWithAWarning()
    {
        var b = new PcapBuilder();
        for (int i = 0; i < 50; i++) b.Record((uint)i, 0, Payload(200, i));
        byte[] gz = Gzip(b.ToArray());
        byte[] cut = gz[..(gz.Length / 2)];
        using var source = CaptureOpener.Open(new MemoryStream(cut), Name);
        int n = CountPackets(source);
        // The decompressor ends where the data does; the pcap reader reports the record it cut, then the gzip
        // stream is found to end without its trailer.
        Assert.InRange(n, 1, 49);
        Assert.Equal(2, source.Warnings.Count);
        var w = source.Warnings[0];
        Assert.Equal(b.RecordOffsets[n], w.Offset);
        Assert.StartsWith("capture ends mid-record: ", w.Message, StringComparison.Ordinal);
        Assert.StartsWith($"the compressed input ends without its gzip trailer after {cut.Length} bytes", source.Warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GzipInsideGzipIsRefused()
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(new MemoryStream(Gzip(Gzip(SamplePcap()))), Name));
        Assert.Equal(CaptureErrorReason.UnknownFormat, e.Reason);
    }

    [Fact]
    public void ReadFailureMidFileThrowsWithTheOffset()
    {
        byte[] bytes = SamplePcap()[..100];
        using var source = CaptureOpener.Open(new FailingStream(bytes, new IOException("disk error")), Name);
        var packet = new DecodedPacket();
        Assert.True(source.TryRead(packet));
        var e = Assert.Throws<CaptureFormatException>(() => source.TryRead(packet));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal(100, e.Offset);
    }

    [Fact]
    public void ReadsFromTheStreamsCurrentPosition()
    {
        byte[] bytes = [.. new byte[10], .. SamplePcap()];
        var ms = new MemoryStream(bytes) { Position = 10 };
        using var source = CaptureOpener.Open(ms, Name);
        Assert.Equal(bytes.Length - 10, source.TotalBytes);
        Assert.Equal(3, CountPackets(source));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DisposesTheStreamUnlessLeftOpen(bool leaveOpen)
    {
        var ok = new ChunkedStream(SamplePcap(), 100);
        CaptureOpener.Open(ok, Name, leaveOpen).Dispose();
        Assert.Equal(!leaveOpen, ok.Disposed);

        var bad = new ChunkedStream([1, 2, 3, 4, 5, 6], 100);
        Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(bad, Name, leaveOpen));
        Assert.Equal(!leaveOpen, bad.Disposed);

        var gz = new ChunkedStream(Gzip(SamplePcapng()), 100);
        CaptureOpener.Open(gz, Name, leaveOpen).Dispose();
        Assert.Equal(!leaveOpen, gz.Disposed);

        var text = new ChunkedStream("some text\n"u8.ToArray(), 100);
        CaptureOpener.Open(text, Name, leaveOpen).Dispose();
        Assert.Equal(!leaveOpen, text.Disposed);
    }

    [Fact]
    public void OpensAFileByPathWhateverItsName()
    {
        byte[] bytes = SamplePcapng();
        string path = Path.Combine(_dir, "looks-like.pcap.txt");
        File.WriteAllBytes(path, bytes);
        using var source = CaptureOpener.Open(path);
        Assert.Equal(CaptureFormat.Pcapng, source.Format);
        Assert.Equal(path, source.Name);
        Assert.Equal(bytes.Length, source.TotalBytes);
        Assert.Equal(3, CountPackets(source));
        Assert.Equal(bytes.Length, source.BytesConsumed);
    }

    [Fact]
    public void OpensAGzipFileByPathCountingCompressedBytes()
    {
        byte[] gz = Gzip(SamplePcap());
        string path = Path.Combine(_dir, "capture");
        File.WriteAllBytes(path, gz);
        using var source = CaptureOpener.Open(path);
        Assert.True(source.Compressed);
        Assert.Equal(gz.Length, source.TotalBytes);
        Assert.Equal(3, CountPackets(source));
        Assert.Equal(gz.Length, source.BytesConsumed);
    }

    [Fact]
    public void MissingFileThrowsReadFailed()
    {
        string path = Path.Combine(_dir, "absent.pcap");
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(path));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal($"{path}: cannot open: no such file", e.Message);
        Assert.Null(e.Offset);
        Assert.Equal(path, e.InputName);
    }

    [Fact]
    public void MissingDirectoryThrowsReadFailed()
    {
        string path = Path.Combine(_dir, "no-such-dir", "absent.pcap");
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(path));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal("cannot open: no such file", e.Detail);
    }

    [Fact]
    public void DirectoryThrowsReadFailed()
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(_dir));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal("cannot open: is a directory", e.Detail);
    }

    [Fact]
    public void EmptyPathThrowsReadFailed()
    {
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(""));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
    }

    [Fact]
    public void UnreadableFileThrowsReadFailed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string path = Path.Combine(_dir, "secret.pcap");
        File.WriteAllBytes(path, SamplePcap());
        File.SetUnixFileMode(path, UnixFileMode.None);
        try
        {
            using (File.OpenRead(path))
            {
                // The test runs with rights that ignore file modes (root): nothing to check.
                return;
            }
        }
        catch (UnauthorizedAccessException)
        {
        }
        var e = Assert.Throws<CaptureFormatException>(() => CaptureOpener.Open(path));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal("cannot open: permission denied", e.Detail);
    }
}
