using System.Buffers;

namespace NetTriage.Capture.Input;

/// <summary>
/// A forward-only buffered reader over a stream (file, pipe, standard input, GZipStream) that owns one
/// reusable buffer from <see cref="ArrayPool{T}"/>. It hands out spans into that buffer, which stay valid
/// until the next <see cref="Fill"/>, <see cref="Skip"/> or <see cref="Detach"/>, and tracks the absolute
/// byte offset of the next byte it will hand out. No allocation per record: the buffer only grows when a
/// record is larger than any before it, and never beyond <see cref="MaxCapacity"/>.
/// Read failures of the stream become <see cref="CaptureFormatException"/> naming the input and offset.
/// </summary>
internal sealed class InputBuffer : IDisposable
{
    public const int DefaultInitialCapacity = 128 * 1024;
    /// <summary>Largest record ever buffered whole (pcapng allows long option lists; Wireshark caps blocks near 16 MiB).</summary>
    public const int DefaultMaxCapacity = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly string _name;
    private readonly int _maxCapacity;
    private byte[] _buffer;
    private int _start;
    private int _end;
    /// <summary>Absolute offset of <c>_buffer[0]</c> in the stream.</summary>
    private long _bufferOffset;
    private bool _endOfStream;
    private bool _released;

    public InputBuffer(Stream stream, string name, int initialCapacity = DefaultInitialCapacity, int maxCapacity = DefaultMaxCapacity)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCapacity, initialCapacity);
        _stream = stream;
        _name = name;
        _maxCapacity = maxCapacity;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>The input's name, for messages.</summary>
    public string Name => _name;

    /// <summary>Absolute offset of the next byte to be handed out.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Bytes read from the stream and not yet handed out.</summary>
    public int Buffered => _end - _start;

    /// <summary>The largest <see cref="Fill"/> request that can be met.</summary>
    public int MaxCapacity => _maxCapacity;

    /// <summary>True once the stream has reported its end.</summary>
    public bool EndOfStream => _endOfStream;

    /// <summary>
    /// Makes at least <paramref name="count"/> bytes available, reading as needed. Returns the number of
    /// bytes available, which is less than <paramref name="count"/> only at the end of the stream.
    /// </summary>
    public int Fill(int count)
    {
        int have = _end - _start;
        return have >= count ? have : FillSlow(count);
    }

    private int FillSlow(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _maxCapacity);
        ObjectDisposedException.ThrowIf(_released, this);
        if (_endOfStream)
        {
            return _end - _start;
        }

        if (_buffer.Length - _start < count)
        {
            if (_buffer.Length < count)
            {
                Grow(count);
            }
            else
            {
                Compact();
            }
        }

        while (_end - _start < count)
        {
            // Read as much as fits: one call per buffer-full, not per record.
            int n = ReadStream(_buffer.AsSpan(_end));
            if (n == 0)
            {
                _endOfStream = true;
                break;
            }
            _end += n;
        }
        return _end - _start;
    }

    /// <summary>The next <paramref name="count"/> bytes without consuming them; <see cref="Fill"/> first.</summary>
    public ReadOnlySpan<byte> Peek(int count) => _buffer.AsSpan(_start, Math.Min(count, _end - _start));

    /// <summary>Consumes and returns <paramref name="count"/> bytes; <see cref="Fill"/> first.</summary>
    public ReadOnlySpan<byte> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _end - _start);
        var span = _buffer.AsSpan(_start, count);
        _start += count;
        return span;
    }

    /// <summary>Consumes <paramref name="count"/> buffered bytes; <see cref="Fill"/> first.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _end - _start);
        _start += count;
    }

    /// <summary>
    /// Discards <paramref name="count"/> bytes, reading and dropping them a buffer at a time so a huge
    /// record is never held whole. Returns the number skipped: less than asked only at the end of the stream.
    /// </summary>
    public long Skip(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ObjectDisposedException.ThrowIf(_released, this);
        int fromBuffer = (int)Math.Min(count, _end - _start);
        _start += fromBuffer;
        long skipped = fromBuffer;
        while (skipped < count && !_endOfStream)
        {
            _bufferOffset += _end;
            _start = 0;
            _end = 0;
            int n = ReadStream(_buffer);
            if (n == 0)
            {
                _endOfStream = true;
                break;
            }
            _end = n;
            int take = (int)Math.Min(n, count - skipped);
            _start = take;
            skipped += take;
        }
        return skipped;
    }

    /// <summary>
    /// Gives up the buffer and returns a stream that yields the bytes not yet handed out, then the rest of
    /// the underlying stream (used after format detection to hand the input to a decompressor or the text
    /// reader). Disposing the returned stream disposes the underlying one; this buffer is unusable after.
    /// </summary>
    public Stream Detach()
    {
        ObjectDisposedException.ThrowIf(_released, this);
        byte[] rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        var stream = new ReplayStream(rest, _stream);
        ReleaseBuffer();
        return stream;
    }

    /// <summary>Returns the buffer to the pool and disposes the stream (unless detached).</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }
        ReleaseBuffer();
        _stream.Dispose();
    }

    private void ReleaseBuffer()
    {
        _released = true;
        byte[] buffer = _buffer;
        _buffer = [];
        _start = 0;
        _end = 0;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void Compact()
    {
        int have = _end - _start;
        if (have > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, have);
        }
        _bufferOffset += _start;
        _start = 0;
        _end = have;
    }

    private void Grow(int count)
    {
        int size = (int)Math.Min(Math.Max((long)count, (long)_buffer.Length * 2), _maxCapacity);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        int have = _end - _start;
        Buffer.BlockCopy(_buffer, _start, bigger, 0, have);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _bufferOffset += _start;
        _start = 0;
        _end = have;
    }

    private int ReadStream(Span<byte> destination)
    {
        try
        {
            return _stream.Read(destination);
        }
        catch (InvalidDataException e)
        {
            // GZipStream reports corrupt compressed data this way; the offset is in the decompressed stream.
            throw new CaptureFormatException(_name, CaptureErrorReason.CorruptCompression,
                "corrupt compressed data: " + e.Message, _bufferOffset + _end, inner: e);
        }
        catch (IOException e)
        {
            throw new CaptureFormatException(_name, CaptureErrorReason.ReadFailed,
                "read failed: " + e.Message, _bufferOffset + _end, inner: e);
        }
    }
}
