using System.Text;

namespace NetTriage.Packets;

/// <summary>A slice of a packet's <see cref="PacketText"/> store. Default means "absent".</summary>
public readonly record struct TextRef(int Start, int Length)
{
    public bool IsEmpty => Length == 0;
}

/// <summary>
/// Per-packet text store: names, HTTP fields and SNI are appended here as bytes while decoding,
/// so decoding allocates nothing; strings are made only when something is shown.
/// The store is reset for every packet and has a fixed capacity; appends past it are refused. Its buffer starts small
/// and grows (by doubling, never past the capacity) the first time a packet needs more: an analysis holds hundreds of
/// decoded packets in flight, and most packets' text is a few hundred bytes, so a full buffer each held 6 MB for nothing.
/// Once grown it stays, so a steady stream of packets allocates nothing.
/// </summary>
public sealed class PacketText
{
    /// <summary>Room for several maximal DNS names in escaped presentation form.</summary>
    public const int Capacity = 64 * 1024;
    private const int FirstSize = 1024;
    /// <summary>The longest DNS name in presentation form: 255 octets, each escaped as at most four ("\DDD").</summary>
    public const int MaxNameText = 1024;

    private byte[] _buffer = new byte[FirstSize];
    private int _used;

    /// <summary>Makes room for <paramref name="more"/> bytes after those used, up to the capacity.</summary>
    private void Reserve(int more)
    {
        if (more <= _buffer.Length - _used || _buffer.Length == Capacity) return;
        int size = _buffer.Length;
        while (size - _used < more && size < Capacity) size *= 2;
        Array.Resize(ref _buffer, Math.Min(size, Capacity));
    }

    public int Used => _used;

    public void Reset() => _used = 0;

    /// <summary>Appends bytes; returns false (and appends nothing) when the store is full.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes, out TextRef text)
    {
        if (bytes.Length > Capacity - _used)
        {
            text = default;
            return false;
        }
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_used));
        text = new TextRef(_used, bytes.Length);
        _used += bytes.Length;
        return true;
    }

    /// <summary>Appends a string of ASCII/Latin-1 chars (text input), one byte per char.</summary>
    public bool TryAppend(ReadOnlySpan<char> chars, out TextRef text)
    {
        if (chars.Length > Capacity - _used)
        {
            text = default;
            return false;
        }
        Reserve(chars.Length);
        var dest = _buffer.AsSpan(_used, chars.Length);
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            dest[i] = c <= 0xFF ? (byte)c : (byte)'?';
        }
        text = new TextRef(_used, chars.Length);
        _used += chars.Length;
        return true;
    }

    /// <summary>
    /// Begins an in-place append of at most <paramref name="bytes"/> bytes (fewer when the store is nearly full): write
    /// into the span, then call <see cref="Commit"/>.
    /// </summary>
    public Span<byte> Remaining(int bytes)
    {
        Reserve(Math.Min(bytes, Capacity - _used));
        return _buffer.AsSpan(_used);
    }

    public TextRef Commit(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _buffer.Length - _used);
        var text = new TextRef(_used, length);
        _used += length;
        return text;
    }

    public ReadOnlySpan<byte> GetSpan(TextRef text) => _buffer.AsSpan(text.Start, text.Length);

    /// <summary>Makes a string (Latin-1: every byte one char; escaping is the renderer's job).</summary>
    public string GetString(TextRef text) =>
        text.Length == 0 ? string.Empty : Encoding.Latin1.GetString(_buffer, text.Start, text.Length);

    public bool Equals(TextRef text, ReadOnlySpan<byte> value) => GetSpan(text).SequenceEqual(value);

    /// <summary>Copies the used part of the store, so the same <see cref="TextRef"/>s are valid in <paramref name="destination"/>.</summary>
    public void CopyTo(PacketText destination)
    {
        destination._used = 0;
        destination.Reserve(_used);
        _buffer.AsSpan(0, _used).CopyTo(destination._buffer);
        destination._used = _used;
    }
}
