using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace NetTriage.Capture.Input;

/// <summary>
/// Tells whether a gzip input ended with its trailer. A gzip file cut short decompresses without complaint up to
/// the cut, and when the cut falls between two records nothing else would notice. RFC 1952 2.3.1 ends a member
/// with CRC32 and ISIZE, the uncompressed length modulo 2^32: when the compressed bytes end, their last four must
/// equal the bytes decompressed. (For a file of several members only the last member's ISIZE is there, so such a
/// file is reported as possibly cut; tools that write captures and logs write one member.)
/// </summary>
internal sealed class GzipEndCheck
{
    /// <summary>The shortest gzip member: a 10-byte header, an empty deflate block, the 8-byte trailer.</summary>
    private const int MinimumMember = 20;
    private const int TrailerLength = 8;

    private readonly byte[] _tail = new byte[TrailerLength];
    private long _compressed;
    private long _decompressed;
    private bool _ended;
    private bool _reported;

    /// <summary>Wraps the compressed input and returns the decompressed stream to read; disposing it disposes <paramref name="compressed"/>.</summary>
    public Stream Open(Stream compressed) =>
        new DecompressedSide(this, new GZipStream(new CompressedSide(this, compressed), CompressionMode.Decompress, leaveOpen: false));

    /// <summary>Once the decompressed stream has ended: a warning when the trailer is missing or does not match, else null. Given once.</summary>
    public CaptureWarning? TakeWarning()
    {
        if (!_ended || _reported) return null;
        _reported = true;
        uint isize = BinaryPrimitives.ReadUInt32LittleEndian(_tail.AsSpan(4)); // after CRC32
        if (_compressed >= MinimumMember && isize == (uint)_decompressed) return null;
        return new CaptureWarning(string.Create(CultureInfo.InvariantCulture,
            $"the compressed input ends without its gzip trailer after {_compressed} bytes: it was probably cut here"), Offset: _decompressed);
    }

    private void SawCompressed(ReadOnlySpan<byte> bytes)
    {
        _compressed += bytes.Length;
        if (bytes.Length >= TrailerLength)
        {
            bytes[^TrailerLength..].CopyTo(_tail);
            return;
        }
        // Shift the last bytes kept to make room for the new ones.
        _tail.AsSpan(bytes.Length).CopyTo(_tail);
        bytes.CopyTo(_tail.AsSpan(TrailerLength - bytes.Length));
    }

    /// <summary>The compressed bytes on their way to the decompressor: the last eight are kept.</summary>
    private sealed class CompressedSide(GzipEndCheck check, Stream inner) : ReadOnlyForwardStream
    {
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            check.SawCompressed(buffer[..n]);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The decompressed bytes: counted, and the end noted.</summary>
    private sealed class DecompressedSide(GzipEndCheck check, Stream inner) : ReadOnlyForwardStream
    {
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            check._decompressed += n;
            if (n == 0 && !buffer.IsEmpty) check._ended = true;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A stream that can only be read forward, one span at a time.</summary>
    private abstract class ReadOnlyForwardStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public abstract override int Read(Span<byte> buffer);
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
