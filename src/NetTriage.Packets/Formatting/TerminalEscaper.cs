namespace NetTriage.Packets.Formatting;

/// <summary>
/// Makes text from a capture safe to show on a terminal: nothing a capture contains can move the cursor,
/// change colours, ring the bell, start a new line, or reorder what follows it.
/// <list type="bullet">
/// <item>Bytes (the <see cref="PacketText"/> store, Latin-1): every byte outside printable ASCII
/// (0x20-0x7E) becomes <c>\xNN</c>, so the result is plain ASCII.</item>
/// <item>Characters: C0 controls, DEL and C1 controls (ECMA-48) become <c>\xNN</c>; bidirectional
/// overrides, embeddings and isolates (U+202A-202E, U+2066-2069, Unicode UAX #9), the other invisible
/// format characters (U+061C, U+200B-200F, U+2028-2029, U+2060-206F, U+FEFF, U+FFF9-FFFB) and unpaired
/// surrogates become <c>\uXXXX</c>.</item>
/// </list>
/// A backslash is left as it is: DNS names arrive already in RFC 4343 presentation form, where
/// <c>\\</c> and <c>\DDD</c> are meaningful and must not be escaped twice.
/// </summary>
public static class TerminalEscaper
{
    /// <summary>Most characters one input byte can become (<c>\xNN</c>).</summary>
    public const int MaxCharsPerByte = 4;

    /// <summary>Most characters one input character can become (<c>\uXXXX</c>).</summary>
    public const int MaxCharsPerChar = 6;

    private const string Hex = "0123456789ABCDEF";

    /// <summary>True when <paramref name="c"/> is written escaped.</summary>
    public static bool MustEscape(char c) =>
        c < 0x20
        || c is >= '\u007F' and <= '\u009F'
        || c == '\u061C'
        || c is >= '\u200B' and <= '\u200F'
        || c is >= '\u2028' and <= '\u202E'
        || c is >= '\u2060' and <= '\u206F'
        || c == '\uFEFF'
        || c is >= '\uFFF9' and <= '\uFFFB';

    /// <summary>
    /// Escapes Latin-1 bytes into <paramref name="destination"/>, which must hold
    /// <see cref="MaxCharsPerByte"/> characters per byte. Returns the number of characters written.
    /// </summary>
    public static int Escape(ReadOnlySpan<byte> latin1, Span<char> destination)
    {
        int o = 0;
        foreach (byte b in latin1)
        {
            if (b is >= 0x20 and < 0x7F)
            {
                destination[o++] = (char)b;
            }
            else
            {
                o += WriteByteEscape(b, destination[o..]);
            }
        }
        return o;
    }

    /// <summary>
    /// Escapes characters into <paramref name="destination"/>, which must hold
    /// <see cref="MaxCharsPerChar"/> characters per input character. Returns the number written.
    /// </summary>
    public static int Escape(ReadOnlySpan<char> text, Span<char> destination)
    {
        int o = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                destination[o++] = c;
                destination[o++] = text[++i];
            }
            else if (char.IsSurrogate(c))
            {
                o += WriteCharEscape(c, destination[o..]);
            }
            else if (!MustEscape(c))
            {
                destination[o++] = c;
            }
            else if (c <= '\u00FF')
            {
                o += WriteByteEscape((byte)c, destination[o..]);
            }
            else
            {
                o += WriteCharEscape(c, destination[o..]);
            }
        }
        return o;
    }

    /// <summary>Returns <paramref name="text"/> escaped (allocates; for report renderers and messages).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsEscaping(text))
        {
            return text;
        }
        char[] buffer = new char[text.Length * MaxCharsPerChar];
        int n = Escape(text.AsSpan(), buffer);
        return new string(buffer, 0, n);
    }

    /// <summary>Writes escaped characters to <paramref name="writer"/> in bounded chunks.</summary>
    public static void Write(TextWriter writer, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        const int Chunk = 256;
        Span<char> buffer = stackalloc char[(Chunk + 1) * MaxCharsPerChar];
        while (!text.IsEmpty)
        {
            int take = Math.Min(Chunk, text.Length);
            // Keep a surrogate pair in one chunk so it is not mistaken for two lone halves.
            if (take < text.Length && char.IsHighSurrogate(text[take - 1]))
            {
                take++;
            }
            writer.Write(buffer[..Escape(text[..take], buffer)]);
            text = text[take..];
        }
    }

    /// <summary>Writes escaped Latin-1 bytes to <paramref name="writer"/> in bounded chunks.</summary>
    public static void Write(TextWriter writer, ReadOnlySpan<byte> latin1)
    {
        ArgumentNullException.ThrowIfNull(writer);
        const int Chunk = 256;
        Span<char> buffer = stackalloc char[Chunk * MaxCharsPerByte];
        while (!latin1.IsEmpty)
        {
            int take = Math.Min(Chunk, latin1.Length);
            writer.Write(buffer[..Escape(latin1[..take], buffer)]);
            latin1 = latin1[take..];
        }
    }

    private static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (MustEscape(c) || char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }

    private static int WriteByteEscape(byte b, Span<char> destination)
    {
        destination[0] = '\\';
        destination[1] = 'x';
        destination[2] = Hex[b >> 4];
        destination[3] = Hex[b & 0xF];
        return 4;
    }

    private static int WriteCharEscape(char c, Span<char> destination)
    {
        destination[0] = '\\';
        destination[1] = 'u';
        destination[2] = Hex[(c >> 12) & 0xF];
        destination[3] = Hex[(c >> 8) & 0xF];
        destination[4] = Hex[(c >> 4) & 0xF];
        destination[5] = Hex[c & 0xF];
        return 6;
    }
}
