using System.Globalization;
using System.Text;
using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>How the Zeek logs are written: Zeek's tab-separated logs (the default) or its JSON lines.</summary>
public enum ZeekLogFormat
{
    Tsv,
    Json,
}

/// <summary>A field of a Zeek log: its name and Zeek type as the #fields and #types header lines give them.</summary>
internal readonly record struct ZeekField(string Name, string Type);

/// <summary>
/// One Zeek log file (conn.log, dns.log, ...), written row by row as Zeek's ASCII writer writes it: the header
/// (#separator, #set_separator, #empty_field, #unset_field, #path, #open, #fields, #types), one tab-separated line per
/// row, and the #close trailer; or, in JSON, one object per line with the unset fields left out, as Zeek's JSON writer
/// does. Values are escaped the way Zeek escapes them, so nothing a capture holds (a tab or a newline in a DNS name, a
/// terminal escape sequence) can break a line, shift a column or reach a terminal that reads the log: bytes outside
/// printable ASCII become \xNN, as does the separator, a set separator inside a set element, and a value that would read
/// as the unset or empty marker.
/// </summary>
internal sealed class ZeekLogFile : IDisposable
{
    private const char Separator = '\t';
    private const char SetSeparator = ',';
    private const string EmptyField = "(empty)";
    private const string UnsetField = "-";

    private readonly TextWriter _out;
    private readonly ZeekField[] _fields;
    private readonly ZeekLogFormat _format;
    private readonly StringBuilder _line = new(256);
    private int _column;
    private bool _disposed;

    public ZeekLogFile(string path, string logPath, ZeekField[] fields, ZeekLogFormat format)
    {
        _fields = fields;
        _format = format;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        _out = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        if (format == ZeekLogFormat.Tsv) WriteHeader(logPath);
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    private void WriteHeader(string logPath)
    {
        _out.WriteLine("#separator \\x09");
        _out.WriteLine($"#set_separator{Separator}{SetSeparator}");
        _out.WriteLine($"#empty_field{Separator}{EmptyField}");
        _out.WriteLine($"#unset_field{Separator}{UnsetField}");
        _out.WriteLine($"#path{Separator}{logPath}");
        _out.WriteLine($"#open{Separator}{WallClock()}");
        _out.WriteLine("#fields" + Separator + string.Join(Separator, _fields.Select(f => f.Name)));
        _out.WriteLine("#types" + Separator + string.Join(Separator, _fields.Select(f => f.Type)));
    }

    /// <summary>The #open and #close stamps are the time of writing, in Zeek's form (the log's rows carry capture time).</summary>
    private static string WallClock() => DateTime.Now.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture);

    public void BeginRow()
    {
        _line.Clear();
        _column = 0;
        if (_format == ZeekLogFormat.Json) _line.Append('{');
    }

    public void EndRow()
    {
        if (_column != _fields.Length) throw new InvalidOperationException($"{_fields.Length} fields expected, {_column} written");
        if (_format == ZeekLogFormat.Json) _line.Append('}');
        _out.WriteLine(_line);
        Rows++;
    }

    /// <summary>Starts the next field; in JSON writes its name. Returns false for an unset field in JSON (left out).</summary>
    private void Next()
    {
        if (_format == ZeekLogFormat.Tsv)
        {
            if (_column > 0) _line.Append(Separator);
        }
        else
        {
            if (_line.Length > 1) _line.Append(',');
            _line.Append('"');
            JsonEscape(_fields[_column].Name);
            _line.Append("\":");
        }
        _column++;
    }

    public void Unset()
    {
        if (_format == ZeekLogFormat.Json)
        {
            _column++;
            return;
        }
        Next();
        _line.Append(UnsetField);
    }

    /// <summary>Several unset fields in a row.</summary>
    public void Unset(int count)
    {
        for (int i = 0; i < count; i++) Unset();
    }

    /// <summary>The uid and id.orig_h, id.orig_p, id.resp_h, id.resp_p columns every Zeek log with a connection has (null uid: unset).</summary>
    public void ConnectionId(string? uid, IpAddr origHost, ushort origPort, IpAddr respHost, ushort respPort)
    {
        String(uid);
        Addr(origHost);
        Port(origPort);
        Addr(respHost);
        Port(respPort);
    }

    /// <summary>A time: seconds since the epoch with six decimals, as Zeek prints it.</summary>
    public void Time(long nanoseconds)
    {
        Next();
        AppendSeconds(nanoseconds);
    }

    /// <summary>An interval in seconds with six decimals.</summary>
    public void Interval(long nanoseconds)
    {
        Next();
        AppendSeconds(nanoseconds);
    }

    public void Interval(long? nanoseconds)
    {
        if (nanoseconds is { } ns) Interval(ns);
        else Unset();
    }

    private void AppendSeconds(long nanoseconds)
    {
        // Zeek rounds to microseconds (%.6f of a double); the integer form avoids a double's rounding on large epochs.
        long micros = (long)Math.Round(nanoseconds / 1000.0, MidpointRounding.AwayFromZero);
        if (micros < 0)
        {
            _line.Append('-');
            micros = -micros;
        }
        _line.Append(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    public void Count(long value)
    {
        Next();
        _line.Append(value);
    }

    public void Count(long? value)
    {
        if (value is { } v) Count(v);
        else Unset();
    }

    public void Port(ushort port)
    {
        Next();
        _line.Append(port);
    }

    public void Bool(bool value)
    {
        Next();
        _line.Append(_format == ZeekLogFormat.Json ? (value ? "true" : "false") : (value ? "T" : "F"));
    }

    public void Bool(bool? value)
    {
        if (value is { } v) Bool(v);
        else Unset();
    }

    public void Addr(IpAddr address)
    {
        if (address.IsNone)
        {
            Unset();
            return;
        }
        Next();
        if (_format == ZeekLogFormat.Json) _line.Append('"');
        Span<char> text = stackalloc char[48];
        if (address.IsV4 && address.TryFormat(text, out int n, default, null)) _line.Append(text[..n]);
        else _line.Append(address.ToString());
        if (_format == ZeekLogFormat.Json) _line.Append('"');
    }

    /// <summary>A string or enum value; null is unset, "" is the empty marker.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Unset();
            return;
        }
        Next();
        if (_format == ZeekLogFormat.Json)
        {
            _line.Append('"');
            JsonEscape(value);
            _line.Append('"');
        }
        else if (value.Length == 0)
        {
            _line.Append(EmptyField);
        }
        else
        {
            TsvEscape(value, inSet: false);
        }
    }

    /// <summary>A set or vector of strings; null is unset, an empty list the empty marker.</summary>
    public void Strings(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            Unset();
            return;
        }
        Next();
        if (_format == ZeekLogFormat.Json)
        {
            _line.Append('[');
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0) _line.Append(',');
                _line.Append('"');
                JsonEscape(values[i]);
                _line.Append('"');
            }
            _line.Append(']');
            return;
        }
        if (values.Count == 0)
        {
            _line.Append(EmptyField);
            return;
        }
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0) _line.Append(SetSeparator);
            if (values[i].Length == 0) _line.Append(EmptyField);
            else TsvEscape(values[i], inSet: true);
        }
    }

    private int _setItems;

    /// <summary>Starts a set or vector written item by item (<see cref="SetItem"/>, <see cref="SetInterval"/>).</summary>
    public void BeginSet()
    {
        Next();
        _setItems = 0;
        if (_format == ZeekLogFormat.Json) _line.Append('[');
    }

    private void SetSeparatorIfNeeded()
    {
        if (_setItems++ > 0) _line.Append(_format == ZeekLogFormat.Json ? ',' : SetSeparator);
    }

    public void SetItem(ReadOnlySpan<char> value)
    {
        SetSeparatorIfNeeded();
        if (_format == ZeekLogFormat.Json)
        {
            _line.Append('"');
            JsonEscape(value);
            _line.Append('"');
        }
        else if (value.Length == 0) _line.Append(EmptyField);
        else TsvEscape(value, inSet: true);
    }

    public void SetInterval(long nanoseconds)
    {
        SetSeparatorIfNeeded();
        AppendSeconds(nanoseconds);
    }

    public void EndSet()
    {
        if (_format == ZeekLogFormat.Json) _line.Append(']');
        else if (_setItems == 0) _line.Append(EmptyField);
    }

    /// <summary>A vector of intervals (dns.log's TTLs); null is unset.</summary>
    public void Intervals(IReadOnlyList<long>? nanoseconds)
    {
        if (nanoseconds is null)
        {
            Unset();
            return;
        }
        Next();
        if (_format == ZeekLogFormat.Json) _line.Append('[');
        else if (nanoseconds.Count == 0) _line.Append(EmptyField);
        for (int i = 0; i < nanoseconds.Count; i++)
        {
            if (i > 0) _line.Append(_format == ZeekLogFormat.Json ? ',' : SetSeparator);
            AppendSeconds(nanoseconds[i]);
        }
        if (_format == ZeekLogFormat.Json) _line.Append(']');
    }

    /// <summary>First of the 128 code points that stand for a byte that is not valid UTF-8 (U+DC80..U+DCFF, as Python's surrogateescape).</summary>
    private const char RawByteBase = '\uDC00';

    /// <summary>
    /// Bytes from the wire as a string for the log: valid UTF-8 decoded, every other byte kept as a stand-in the writer
    /// escapes as \xNN (Zeek writes valid UTF-8 as it is and escapes the rest).
    /// </summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes) text.Append(b < 0x80 ? (char)b : (char)(RawByteBase + b));
        return text.ToString();
    }

    private static bool IsRawByte(char c) => c >= RawByteBase + 0x80 && c <= RawByteBase + 0xFF;

    private void TsvEscape(ReadOnlySpan<char> value, bool inSet)
    {
        if (value.SequenceEqual(UnsetField) || value.SequenceEqual(EmptyField))
        {
            // A value that reads as a marker: its first byte escaped, as Zeek does.
            AppendHex(value[0]);
            _line.Append(value[1..]);
            return;
        }
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c < 0x20 || c == 0x7F || c == Separator || (inSet && c == SetSeparator) || c == '\\') AppendHex(c);
            else if (c < 0x80) _line.Append(c);
            else if (IsRawByte(c)) AppendHex(c - RawByteBase);
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                // A character outside the basic plane (an emoji): printable, kept as it is.
                _line.Append(c).Append(value[++i]);
            }
            else
            {
                // Outside ASCII: kept when printable; control and format characters (bidirectional overrides that could
                // disguise a line) and lone surrogates are escaped as their UTF-8 bytes.
                var category = char.GetUnicodeCategory(c);
                if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                    or UnicodeCategory.OtherNotAssigned)
                {
                    int n = char.IsSurrogate(c) ? 0 : Encoding.UTF8.GetBytes([c], utf8);
                    if (n == 0) AppendHex('?');
                    for (int k = 0; k < n; k++) AppendHex(utf8[k]);
                }
                else
                {
                    _line.Append(c);
                }
            }
        }
    }

    private void AppendHex(int b)
    {
        const string hex = "0123456789abcdef";
        _line.Append('\\').Append('x').Append(hex[(b >> 4) & 0xF]).Append(hex[b & 0xF]);
    }

    private void JsonEscape(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': _line.Append("\\\""); break;
                case '\\': _line.Append("\\\\"); break;
                default:
                    if (IsRawByte(c))
                    {
                        // As Zeek's JSON writer: a byte that is not UTF-8 as the text \xNN.
                        _line.Append("\\\\x");
                        _line.Append(((int)(c - RawByteBase)).ToString("x2", CultureInfo.InvariantCulture));
                        break;
                    }
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
                        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate))
                    {
                        _line.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        _line.Append(c);
                    }
                    break;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_format == ZeekLogFormat.Tsv) _out.WriteLine($"#close{Separator}{WallClock()}");
        _out.Dispose();
    }
}
