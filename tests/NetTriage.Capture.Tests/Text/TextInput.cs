using System.Text;
using NetTriage.Capture.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>Builds text sources over strings and reads their packets for the tests.</summary>
internal static class TextInput
{
    public static TcpdumpTextSource Source(string text, Func<Stream, Stream>? wrap = null)
    {
        Stream stream = new MemoryStream(Encoding.Latin1.GetBytes(text));
        if (wrap is not null) stream = wrap(stream);
        return new TcpdumpTextSource(stream, "test.txt", compressed: false, totalBytes: text.Length);
    }

    /// <summary>Reads one record into a fresh packet, failing when there is not exactly one.</summary>
    public static DecodedPacket One(string text)
    {
        using var source = Source(text);
        var packet = new DecodedPacket();
        Assert.True(source.TryRead(packet), "no record was read");
        var probe = new DecodedPacket();
        Assert.False(source.TryRead(probe), "more than one record was read");
        return packet;
    }

    /// <summary>Reads every record; <paramref name="each"/> sees the reused packet and returns what to keep of it.</summary>
    public static List<T> All<T>(string text, Func<DecodedPacket, T> each, Func<Stream, Stream>? wrap = null)
    {
        using var source = Source(text, wrap);
        var packet = new DecodedPacket();
        var list = new List<T>();
        while (source.TryRead(packet)) list.Add(each(packet));
        return list;
    }

    public static string Name(DecodedPacket p, DnsQuestion q) => p.GetText(q.Name);
}

/// <summary>A stream that hands out one byte per read, to prove lines split across reads are joined.</summary>
internal sealed class OneByteStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));
    public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, 1)]);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
