using NetTriage.Capture.Input;

namespace NetTriage.Capture.Tests.Input;

public class InputBufferTests
{
    private static byte[] Bytes(int n) => TestCaptures.Payload(n, 0);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void HandsOutRecordsInOrderWithTheirOffsets(int chunk)
    {
        byte[] data = Bytes(5000);
        using var input = new InputBuffer(new ChunkedStream(data, chunk), "x", 64, 4096);
        int position = 0;
        // Records of growing size, larger than the starting buffer, so it compacts and grows.
        for (int size = 1; position + size <= data.Length; size += 37)
        {
            Assert.Equal(position, input.Position);
            Assert.True(input.Fill(size) >= size);
            Assert.Equal(data.AsSpan(position, size), input.Take(size));
            position += size;
        }
        int rest = data.Length - position;
        Assert.Equal(rest, input.Fill(rest + 10));
        Assert.True(input.EndOfStream);
        Assert.Equal(data.AsSpan(position), input.Take(rest));
        Assert.Equal(data.Length, input.Position);
        Assert.Equal(0, input.Fill(1));
    }

    [Fact]
    public void PeekDoesNotConsume()
    {
        using var input = new InputBuffer(new MemoryStream(Bytes(100)), "x", 64, 4096);
        input.Fill(10);
        Assert.Equal(Bytes(100).AsSpan(0, 4), input.Peek(4));
        Assert.Equal(0, input.Position);
        input.Advance(3);
        Assert.Equal(3, input.Position);
        Assert.Equal(Bytes(100)[3], input.Peek(1)[0]);
    }

    [Fact]
    public void FillAboveTheCapIsAProgrammingError()
    {
        using var input = new InputBuffer(new MemoryStream(Bytes(10)), "x", 64, 128);
        Assert.Throws<ArgumentOutOfRangeException>(() => input.Fill(129));
        Assert.Throws<ArgumentOutOfRangeException>(() => input.Take(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(100_000)]
    public void SkipDiscardsInChunksAndStopsAtTheEnd(int chunk)
    {
        byte[] data = Bytes(50_000);
        using var input = new InputBuffer(new ChunkedStream(data, chunk), "x", 64, 256);
        input.Fill(10);
        Assert.Equal(30_000, input.Skip(30_000));
        Assert.Equal(30_000, input.Position);
        input.Fill(4);
        Assert.Equal(data.AsSpan(30_000, 4), input.Take(4));
        Assert.Equal(19_996, input.Skip(1_000_000));
        Assert.Equal(50_000, input.Position);
        Assert.True(input.EndOfStream);
        Assert.Equal(0, input.Skip(5));
    }

    [Fact]
    public void DetachReplaysTheBufferedBytesThenTheRest()
    {
        byte[] data = Bytes(10_000);
        var inner = new ChunkedStream(data, 100);
        var input = new InputBuffer(inner, "x", 64, 4096);
        input.Fill(40);
        input.Advance(5);
        using Stream rest = input.Detach();
        var copy = new MemoryStream();
        rest.CopyTo(copy);
        Assert.Equal(data[5..], copy.ToArray());
        input.Dispose();
        Assert.False(inner.Disposed);
        rest.Dispose();
        Assert.True(inner.Disposed);
    }

    [Fact]
    public void DisposeDisposesTheStream()
    {
        var inner = new ChunkedStream(Bytes(10), 10);
        var input = new InputBuffer(inner, "x");
        input.Dispose();
        input.Dispose();
        Assert.True(inner.Disposed);
        Assert.Throws<ObjectDisposedException>(() => input.Fill(1));
    }

    [Fact]
    public void ReadFailureBecomesAFormatErrorWithTheOffset()
    {
        using var input = new InputBuffer(new FailingStream(Bytes(100), new IOException("device gone")), "cap.pcap", 64, 4096);
        input.Fill(100);
        input.Advance(60);
        var e = Assert.Throws<CaptureFormatException>(() => input.Fill(50));
        Assert.Equal(CaptureErrorReason.ReadFailed, e.Reason);
        Assert.Equal(100, e.Offset);
        Assert.Equal("cap.pcap", e.InputName);
        Assert.Contains("device gone", e.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public void CorruptDataBecomesACompressionError()
    {
        using var input = new InputBuffer(new FailingStream(Bytes(10), new InvalidDataException("bad block")), "cap.gz", 64, 4096);
        var e = Assert.Throws<CaptureFormatException>(() => input.Fill(20));
        Assert.Equal(CaptureErrorReason.CorruptCompression, e.Reason);
        Assert.Equal(10, e.Offset);
    }

    [Fact]
    public void ReadsWholeBuffersNotRecordSizes()
    {
        var inner = new ChunkedStream(Bytes(100_000), 1_000_000);
        using var input = new InputBuffer(inner, "x", 65_536, 1 << 20);
        for (int i = 0; i < 6000; i++)
        {
            input.Fill(16);
            input.Advance(16);
        }
        // 96000 bytes in records of 16: two or three reads of a 64 KiB buffer, not thousands.
        Assert.True(inner.ReadCalls <= 4, $"{inner.ReadCalls} reads");
    }
}
