using System.Globalization;

namespace NetTriage.Packets.Formatting;

/// <summary>
/// A reusable, growable character buffer that one formatter instance fills per line and then hands to
/// the output in a single write. Numbers and addresses are formatted in place through
/// <see cref="ISpanFormattable"/>, so building a line allocates nothing once the buffer has grown to
/// the longest line seen.
/// </summary>
internal sealed class LineBuffer
{
    private const int InitialCapacity = 512;

    private char[] _chars = new char[InitialCapacity];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<char> Written => _chars.AsSpan(0, _length);

    public void Clear() => _length = 0;

    /// <summary>Drops everything written after <paramref name="length"/>.</summary>
    public void Truncate(int length)
    {
        if (length < _length)
        {
            _length = length;
        }
    }

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }
        _chars[_length++] = c;
    }

    public void Append(string text) => Append(text.AsSpan());

    public void Append(ReadOnlySpan<char> text)
    {
        EnsureRoom(text.Length);
        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Appends a value formatted with the invariant culture (numbers, <see cref="IpAddr"/>).</summary>
    public void AppendFormatted<T>(T value, ReadOnlySpan<char> format = default)
        where T : ISpanFormattable
    {
        int written;
        while (!value.TryFormat(_chars.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
        {
            Grow(64);
        }
        _length += written;
    }

    /// <summary>Appends <paramref name="value"/> right-aligned in <paramref name="width"/> columns (printf "%5u").</summary>
    public void AppendRightAligned(long value, int width)
    {
        Span<char> digits = stackalloc char[24];
        value.TryFormat(digits, out int count, default, CultureInfo.InvariantCulture);
        for (int i = count; i < width; i++)
        {
            Append(' ');
        }
        Append(digits[..count]);
    }

    /// <summary>Appends a non-negative value zero-padded to exactly <paramref name="digits"/> digits (printf "%06u").</summary>
    public void AppendZeroPadded(long value, int digits)
    {
        EnsureRoom(digits);
        var dest = _chars.AsSpan(_length, digits);
        for (int i = digits - 1; i >= 0; i--)
        {
            dest[i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
        _length += digits;
    }

    /// <summary>Appends <paramref name="value"/> as lower-case hex without leading zeros (printf "%x").</summary>
    public void AppendHex(uint value) => AppendFormatted(value, "x");

    /// <summary>Appends a MAC address as six colon-separated lower-case hex pairs, as tcpdump prints it.</summary>
    public void AppendMac(MacAddress mac)
    {
        const string Hex = "0123456789abcdef";
        EnsureRoom(17);
        var dest = _chars.AsSpan(_length, 17);
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(mac.Value >> (40 - (8 * i)));
            dest[i * 3] = Hex[b >> 4];
            dest[(i * 3) + 1] = Hex[b & 0xF];
            if (i < 5)
            {
                dest[(i * 3) + 2] = ':';
            }
        }
        _length += 17;
    }

    /// <summary>Appends capture bytes (Latin-1) with every control or non-ASCII byte made visible.</summary>
    public void AppendEscaped(ReadOnlySpan<byte> latin1)
    {
        EnsureRoom(latin1.Length * TerminalEscaper.MaxCharsPerByte);
        _length += TerminalEscaper.Escape(latin1, _chars.AsSpan(_length));
    }

    /// <summary>Appends text with every control, bidi-override or invisible formatting character made visible.</summary>
    public void AppendEscaped(ReadOnlySpan<char> text)
    {
        EnsureRoom(text.Length * TerminalEscaper.MaxCharsPerChar);
        _length += TerminalEscaper.Escape(text, _chars.AsSpan(_length));
    }

    private void EnsureRoom(int count)
    {
        if (count > _chars.Length - _length)
        {
            Grow(count);
        }
    }

    private void Grow(int atLeast)
    {
        int wanted = Math.Max(_chars.Length * 2, _length + atLeast);
        Array.Resize(ref _chars, wanted);
    }
}
