namespace NetTriage.Capture.Text;

/// <summary>
/// Small span scanners shared by the tcpdump text readers. Each "Try" method advances the span only when
/// it succeeds, so a caller can try alternatives in turn; nothing allocates.
/// </summary>
internal static class TextScan
{
    /// <summary>Longest run of digits read as a number (ten digits hold any 32-bit value).</summary>
    private const int MaxDigits = 10;

    public static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    public static bool IsHexDigit(char c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 5;

    /// <summary>White space, including the line break that joins the lines of one record.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    public static ReadOnlySpan<char> SkipSpaces(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && IsSpace(s[i])) i++;
        return s[i..];
    }

    public static void SkipSpaces(ref ReadOnlySpan<char> s) => s = SkipSpaces(s);

    public static bool StartsWith(ReadOnlySpan<char> s, ReadOnlySpan<char> literal) =>
        s.StartsWith(literal, StringComparison.Ordinal);

    /// <summary>Consumes <paramref name="literal"/> when the span starts with it.</summary>
    public static bool TryConsume(ref ReadOnlySpan<char> s, ReadOnlySpan<char> literal)
    {
        if (!s.StartsWith(literal, StringComparison.Ordinal)) return false;
        s = s[literal.Length..];
        return true;
    }

    /// <summary>Consumes a word followed by a space, a comma, or the end (so "IP" does not match "IPX").</summary>
    public static bool TryConsumeWord(ref ReadOnlySpan<char> s, ReadOnlySpan<char> word)
    {
        if (!s.StartsWith(word, StringComparison.Ordinal)) return false;
        if (s.Length > word.Length && !IsSpace(s[word.Length]) && s[word.Length] != ',') return false;
        s = s[word.Length..];
        return true;
    }

    /// <summary>The characters up to the next space (or the end); the span is left after them.</summary>
    public static ReadOnlySpan<char> ReadToken(scoped ref ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && !IsSpace(s[i])) i++;
        var token = s[..i];
        s = s[i..];
        return token;
    }

    /// <summary>Reads an unsigned decimal number of at most ten digits that fits 32 bits.</summary>
    public static bool TryReadUInt32(ref ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        int i = 0;
        ulong v = 0;
        while (i < s.Length && i < MaxDigits && IsDigit(s[i]))
        {
            v = (v * 10) + (uint)(s[i] - '0');
            i++;
        }
        if (i == 0 || v > uint.MaxValue || (i < s.Length && IsDigit(s[i]))) return false;
        value = (uint)v;
        s = s[i..];
        return true;
    }

    public static bool TryReadUInt16(ref ReadOnlySpan<char> s, out ushort value)
    {
        var t = s;
        if (TryReadUInt32(ref t, out uint v) && v <= ushort.MaxValue)
        {
            value = (ushort)v;
            s = t;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Parses a whole span as an unsigned 32-bit decimal number.</summary>
    public static bool TryParseUInt32(ReadOnlySpan<char> s, out uint value) =>
        TryReadUInt32(ref s, out value) && s.IsEmpty;

    /// <summary>Reads "0x" and up to eight hex digits.</summary>
    public static bool TryReadHex(ref ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        if (s.Length < 3 || s[0] != '0' || (s[1] | 0x20) != 'x') return false;
        int i = 2;
        uint v = 0;
        while (i < s.Length && i < 10 && IsHexDigit(s[i]))
        {
            char c = s[i];
            v = (v << 4) | (uint)(IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            i++;
        }
        if (i == 2) return false;
        value = v;
        s = s[i..];
        return true;
    }

    /// <summary>Finds the next "length N" (with or without a colon after "length") and reads N.</summary>
    public static bool TryFindLength(ReadOnlySpan<char> s, out int length)
    {
        length = 0;
        for (int guard = 0; guard < 64; guard++)
        {
            int at = s.IndexOf("length", StringComparison.Ordinal);
            if (at < 0) return false;
            bool wordStart = at == 0 || !char.IsAsciiLetter(s[at - 1]);
            s = s[(at + 6)..];
            if (!wordStart) continue;
            var t = s;
            TryConsume(ref t, ":");
            if (!TryConsume(ref t, " ")) continue;
            if (TryReadUInt32(ref t, out uint v) && v <= int.MaxValue)
            {
                length = (int)v;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Index of the bracket that closes the one at <paramref name="open"/>, counting nested () and [];
    /// -1 when it is never closed. Scans at most the whole span (the caller's text is capped).
    /// </summary>
    public static int MatchingClose(ReadOnlySpan<char> s, int open)
    {
        int depth = 0;
        for (int i = open; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth == 0) return i;
                if (depth < 0) return -1;
            }
        }
        return -1;
    }

    /// <summary>
    /// Splits off the next comma-separated item at bracket depth zero: returns the item (trimmed) and leaves
    /// the span after the comma. Commas inside (), [], {} or double quotes do not split.
    /// </summary>
    public static ReadOnlySpan<char> NextItem(scoped ref ReadOnlySpan<char> s)
    {
        int depth = 0;
        bool quoted = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"') quoted = !quoted;
            else if (quoted) continue;
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            else if (c == ',' && depth == 0)
            {
                var item = s[..i].Trim();
                s = s[(i + 1)..];
                return item;
            }
        }
        var last = s.Trim();
        s = default;
        return last;
    }

    /// <summary>Advances to the next comma at bracket depth zero (not consuming it), or to the end.</summary>
    public static void SkipToComma(ref ReadOnlySpan<char> s)
    {
        int depth = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            else if (c == ',' && depth == 0)
            {
                s = s[i..];
                return;
            }
        }
        s = default;
    }

    /// <summary>Index of the first whole-word occurrence of <paramref name="word"/> (no letter or digit on either side), or -1.</summary>
    public static int IndexOfWord(ReadOnlySpan<char> s, ReadOnlySpan<char> word)
    {
        int offset = 0;
        for (int guard = 0; guard < 256; guard++)
        {
            int at = s[offset..].IndexOf(word, StringComparison.Ordinal);
            if (at < 0) return -1;
            at += offset;
            bool startOk = at == 0 || !char.IsAsciiLetterOrDigit(s[at - 1]);
            int end = at + word.Length;
            bool endOk = end >= s.Length || !char.IsAsciiLetterOrDigit(s[end]);
            if (startOk && endOk) return at;
            offset = at + 1;
        }
        return -1;
    }
}
