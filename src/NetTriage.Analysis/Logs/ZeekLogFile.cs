using System.Buffers;
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
/// <remarks>
/// Rows are formatted as UTF-8 straight into a 64 KiB buffer that goes to the file when full: numbers, times, addresses
/// and uids are written as digits in place, text runs that need no escaping are copied in one go, so a row allocates
/// nothing (an IPv6 address, which <see cref="System.Net.IPAddress"/> formats, is kept formatted while it recurs).
/// </remarks>
internal sealed class ZeekLogFile : IDisposable
{
    private const char Separator = '\t';
    private const char SetSeparator = ',';
    private const string EmptyField = "(empty)";
    private const string UnsetField = "-";
    private const int BufferSize = 1 << 16;
    /// <summary>IPv6 addresses kept formatted (direct-mapped by their hash).</summary>
    private const int V6CacheSize = 256;

    /// <summary>Printable ASCII that TSV writes as it is (outside a set; in a set the set separator is escaped too).</summary>
    private static readonly SearchValues<char> TsvPlain = SearchValues.Create(PrintableAsciiExcept("\\"));
    private static readonly SearchValues<char> TsvPlainInSet = SearchValues.Create(PrintableAsciiExcept("\\,"));
    /// <summary>Printable ASCII that a JSON string holds as it is.</summary>
    private static readonly SearchValues<char> JsonPlain = SearchValues.Create(PrintableAsciiExcept("\\\""));

    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _length;
    private readonly ZeekField[] _fields;
    /// <summary>JSON: each field's name as it opens its value ("name":), escaped once.</summary>
    private readonly byte[][] _jsonNames;
    private readonly ZeekLogFormat _format;
    private int _column;
    /// <summary>JSON: the row holds a field already (the next one is preceded by a comma).</summary>
    private bool _rowHasValue;
    private int _setItems;
    private readonly IpAddr[] _v6Addresses = new IpAddr[V6CacheSize];
    private readonly byte[]?[] _v6Texts = new byte[]?[V6CacheSize];
    private bool _disposed;

    public ZeekLogFile(string path, string logPath, ZeekField[] fields, ZeekLogFormat format)
    {
        _fields = fields;
        _format = format;
        _jsonNames = new byte[fields.Length][];
        for (int i = 0; i < fields.Length; i++)
        {
            Put((byte)'"');
            JsonEscape(fields[i].Name);
            Put("\":"u8);
            _jsonNames[i] = _buffer.AsSpan(0, _length).ToArray();
            _length = 0;
        }
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        if (format == ZeekLogFormat.Tsv) WriteHeader(logPath);
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    private static string PrintableAsciiExcept(string excluded)
    {
        var chars = new StringBuilder();
        for (char c = ' '; c <= '~'; c++)
        {
            if (!excluded.Contains(c)) chars.Append(c);
        }
        return chars.ToString();
    }

    private void WriteHeader(string logPath)
    {
        PutLine("#separator \\x09");
        PutLine($"#set_separator{Separator}{SetSeparator}");
        PutLine($"#empty_field{Separator}{EmptyField}");
        PutLine($"#unset_field{Separator}{UnsetField}");
        PutLine($"#path{Separator}{logPath}");
        PutLine($"#open{Separator}{WallClock()}");
        PutLine("#fields" + Separator + string.Join(Separator, _fields.Select(f => f.Name)));
        PutLine("#types" + Separator + string.Join(Separator, _fields.Select(f => f.Type)));
    }

    /// <summary>The #open and #close stamps are the time of writing, in Zeek's form (the log's rows carry capture time).</summary>
    private static string WallClock() => DateTime.Now.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture);

    public void BeginRow()
    {
        _column = 0;
        _rowHasValue = false;
        if (_format == ZeekLogFormat.Json) Put((byte)'{');
    }

    public void EndRow()
    {
        if (_column != _fields.Length) throw new InvalidOperationException($"{_fields.Length} fields expected, {_column} written");
        if (_format == ZeekLogFormat.Json) Put((byte)'}');
        Put((byte)'\n');
        Rows++;
    }

    /// <summary>Starts the next field: in TSV its separator, in JSON its name.</summary>
    private void Next()
    {
        if (_format == ZeekLogFormat.Tsv)
        {
            if (_column > 0) Put((byte)Separator);
        }
        else
        {
            if (_rowHasValue) Put((byte)',');
            _rowHasValue = true;
            Put(_jsonNames[_column]);
        }
        _column++;
    }

    /// <summary>An unset field: the unset marker in TSV, left out in JSON.</summary>
    public void Unset()
    {
        if (_format == ZeekLogFormat.Json)
        {
            _column++;
            return;
        }
        Next();
        Put((byte)'-');
    }

    /// <summary>Several unset fields in a row.</summary>
    public void Unset(int count)
    {
        for (int i = 0; i < count; i++) Unset();
    }

    /// <summary>
    /// The uid and id.orig_h, id.orig_p, id.resp_h, id.resp_p columns every Zeek log with a connection has; the uid is
    /// made from the connection's serial number (<see cref="ZeekUid"/>), unset for a negative one.
    /// </summary>
    public void ConnectionId(long serial, IpAddr origHost, ushort origPort, IpAddr respHost, ushort respPort)
    {
        if (serial >= 0) Uid(serial);
        else Unset();
        Addr(origHost);
        Port(origPort);
        Addr(respHost);
        Port(respPort);
    }

    /// <summary>A connection's uid (a string field; base 62 needs no escaping).</summary>
    public void Uid(long serial)
    {
        Next();
        PutUid(serial);
    }

    private void PutUid(long serial)
    {
        QuoteIfJson();
        var room = Room(ZeekUid.MaxLength);
        _length += ZeekUid.Write(serial, room);
        QuoteIfJson();
    }

    /// <summary>Opens or closes a value that JSON quotes and TSV writes bare (it needs no escaping: a uid, an address).</summary>
    private void QuoteIfJson()
    {
        if (_format == ZeekLogFormat.Json) Put((byte)'"');
    }

    /// <summary>A time: seconds since the epoch with six decimals, as Zeek prints it.</summary>
    public void Time(long nanoseconds)
    {
        Next();
        PutSeconds(nanoseconds);
    }

    /// <summary>An interval in seconds with six decimals.</summary>
    public void Interval(long nanoseconds)
    {
        Next();
        PutSeconds(nanoseconds);
    }

    public void Interval(long? nanoseconds)
    {
        if (nanoseconds is { } ns) Interval(ns);
        else Unset();
    }

    private void PutSeconds(long nanoseconds)
    {
        // Zeek rounds to microseconds (%.6f of a double); the integer form avoids a double's rounding on large epochs.
        long micros = (long)Math.Round(nanoseconds / 1000.0, MidpointRounding.AwayFromZero);
        if (micros < 0)
        {
            Put((byte)'-');
            micros = -micros;
        }
        PutNumber(micros / 1_000_000);
        var room = Room(7);
        room[0] = (byte)'.';
        long fraction = micros % 1_000_000;
        for (int i = 6; i >= 1; i--)
        {
            room[i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }
        _length += 7;
    }

    private void PutNumber(long value)
    {
        value.TryFormat(Room(20), out int written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Count(long value)
    {
        Next();
        PutNumber(value);
    }

    public void Count(long? value)
    {
        if (value is { } v) Count(v);
        else Unset();
    }

    public void Port(ushort port)
    {
        Next();
        PutNumber(port);
    }

    public void Bool(bool value)
    {
        Next();
        if (_format == ZeekLogFormat.Json) Put(value ? "true"u8 : "false"u8);
        else Put(value ? (byte)'T' : (byte)'F');
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
        PutQuotedAddress(address);
    }

    /// <summary>An address as a set item (dns.log's answers).</summary>
    public void SetItem(IpAddr address)
    {
        SetSeparatorIfNeeded();
        PutQuotedAddress(address);
    }

    /// <summary>An address's text (quoted in JSON): it needs no escaping.</summary>
    private void PutQuotedAddress(IpAddr address)
    {
        QuoteIfJson();
        if (address.IsV4)
        {
            uint value = address.V4Value;
            PutNumber(value >> 24);
            Put((byte)'.');
            PutNumber((value >> 16) & 0xFF);
            Put((byte)'.');
            PutNumber((value >> 8) & 0xFF);
            Put((byte)'.');
            PutNumber(value & 0xFF);
        }
        else
        {
            Put(V6Text(address));
        }
        QuoteIfJson();
    }

    /// <summary>An IPv6 address as <see cref="System.Net.IPAddress"/> writes it, formatted once while it recurs.</summary>
    private byte[] V6Text(IpAddr address)
    {
        int slot = (int)((uint)address.GetHashCode() % V6CacheSize);
        if (_v6Texts[slot] is { } text && _v6Addresses[slot] == address) return text;
        text = Encoding.ASCII.GetBytes(address.ToString());
        _v6Addresses[slot] = address;
        _v6Texts[slot] = text;
        return text;
    }

    /// <summary>A string or enum value; null is unset, "" is the empty marker.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Unset();
            return;
        }
        String(value.AsSpan());
    }

    /// <summary>A string value (never unset); empty is the empty marker.</summary>
    public void String(ReadOnlySpan<char> value)
    {
        Next();
        if (_format == ZeekLogFormat.Json)
        {
            Put((byte)'"');
            JsonEscape(value);
            Put((byte)'"');
        }
        else if (value.Length == 0)
        {
            PutAscii(EmptyField);
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
        BeginSet();
        for (int i = 0; i < values.Count; i++) SetItem(values[i]);
        EndSet();
    }

    /// <summary>Starts a set or vector written item by item (<see cref="SetItem(ReadOnlySpan{char})"/>, <see cref="SetInterval"/>).</summary>
    public void BeginSet()
    {
        Next();
        _setItems = 0;
        if (_format == ZeekLogFormat.Json) Put((byte)'[');
    }

    private void SetSeparatorIfNeeded()
    {
        if (_setItems++ > 0) Put(_format == ZeekLogFormat.Json ? (byte)',' : (byte)SetSeparator);
    }

    public void SetItem(ReadOnlySpan<char> value)
    {
        SetSeparatorIfNeeded();
        if (_format == ZeekLogFormat.Json)
        {
            Put((byte)'"');
            JsonEscape(value);
            Put((byte)'"');
        }
        else if (value.Length == 0) PutAscii(EmptyField);
        else TsvEscape(value, inSet: true);
    }

    /// <summary>A uid as a set item (conn.log's tunnel_parents).</summary>
    public void SetUid(long serial)
    {
        SetSeparatorIfNeeded();
        PutUid(serial);
    }

    public void SetInterval(long nanoseconds)
    {
        SetSeparatorIfNeeded();
        PutSeconds(nanoseconds);
    }

    public void EndSet()
    {
        if (_format == ZeekLogFormat.Json) Put((byte)']');
        else if (_setItems == 0) PutAscii(EmptyField);
    }

    /// <summary>A vector of intervals (dns.log's TTLs); null is unset.</summary>
    public void Intervals(IReadOnlyList<long>? nanoseconds)
    {
        if (nanoseconds is null)
        {
            Unset();
            return;
        }
        BeginSet();
        for (int i = 0; i < nanoseconds.Count; i++) SetInterval(nanoseconds[i]);
        EndSet();
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

    /// <summary>Characters outside ASCII that are escaped (as their UTF-8 bytes in TSV, as \uNNNN in JSON) rather than written.</summary>
    private static bool IsHidden(UnicodeCategory category, bool json) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
        || (!json && category is UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);

    private void TsvEscape(ReadOnlySpan<char> value, bool inSet)
    {
        if (value.SequenceEqual(UnsetField) || value.SequenceEqual(EmptyField))
        {
            // A value that reads as a marker: its first byte escaped, as Zeek does.
            PutHex(value[0]);
            PutAscii(value[1..]);
            return;
        }
        var plain = inSet ? TsvPlainInSet : TsvPlain;
        while (PutPlainRun(ref value, plain))
        {
            char c = value[0];
            int used = 1;
            if (c < 0x20 || c == 0x7F || c == Separator || (inSet && c == SetSeparator) || c == '\\') PutHex(c);
            else if (c < 0x80) Put((byte)c);
            else if (IsRawByte(c)) PutHex(c - RawByteBase);
            else if (char.IsHighSurrogate(c) && value.Length > 1 && char.IsLowSurrogate(value[1]))
            {
                // A character outside the basic plane (an emoji): printable, kept as it is.
                PutUtf8(new Rune(c, value[1]));
                used = 2;
            }
            else if (IsHidden(char.GetUnicodeCategory(c), json: false))
            {
                // Control and format characters (bidirectional overrides that could disguise a line) and lone
                // surrogates are escaped as their UTF-8 bytes (a lone surrogate has none: \x3f, a question mark).
                if (char.IsSurrogate(c))
                {
                    PutHex('?');
                }
                else
                {
                    PutHexUtf8(c);
                }
            }
            else
            {
                PutUtf8(new Rune(c));
            }
            value = value[used..];
        }
    }

    /// <summary>A character's UTF-8 bytes, each as \xNN.</summary>
    private void PutHexUtf8(char c)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int n = new Rune(c).EncodeToUtf8(utf8);
        for (int k = 0; k < n; k++) PutHex(utf8[k]);
    }

    private void PutHex(int b)
    {
        const string hex = "0123456789abcdef";
        var room = Room(4);
        room[0] = (byte)'\\';
        room[1] = (byte)'x';
        room[2] = (byte)hex[(b >> 4) & 0xF];
        room[3] = (byte)hex[b & 0xF];
        _length += 4;
    }

    /// <summary>
    /// Copies the run at the start of <paramref name="value"/> that needs no escaping as it is, and moves past it;
    /// false when nothing is left, else the next character is one to escape.
    /// </summary>
    private bool PutPlainRun(ref ReadOnlySpan<char> value, SearchValues<char> plain)
    {
        int run = value.IndexOfAnyExcept(plain);
        if (run < 0) run = value.Length;
        PutAscii(value[..run]);
        value = value[run..];
        return !value.IsEmpty;
    }

    private void JsonEscape(ReadOnlySpan<char> value)
    {
        while (PutPlainRun(ref value, JsonPlain))
        {
            char c = value[0];
            value = value[1..];
            switch (c)
            {
                case '"': Put("\\\""u8); break;
                case '\\': Put("\\\\"u8); break;
                default:
                    if (IsRawByte(c))
                    {
                        // As Zeek's JSON writer: a byte that is not UTF-8 as the text \xNN.
                        Put("\\\\x"u8);
                        PutHexDigits(c - RawByteBase, 2);
                    }
                    else if (c < 0x20 || c == 0x7F || (c >= 0x80 && IsHidden(char.GetUnicodeCategory(c), json: true)))
                    {
                        Put("\\u"u8);
                        PutHexDigits(c, 4);
                    }
                    else
                    {
                        PutUtf8(new Rune(c));
                    }
                    break;
            }
        }
    }

    /// <summary>A value as lower-case hexadecimal of <paramref name="digits"/> digits.</summary>
    private void PutHexDigits(int value, int digits)
    {
        const string hex = "0123456789abcdef";
        var room = Room(digits);
        for (int i = digits - 1; i >= 0; i--)
        {
            room[i] = (byte)hex[value & 0xF];
            value >>= 4;
        }
        _length += digits;
    }

    /// <summary>At least <paramref name="bytes"/> free bytes at the end of the buffer (written out first if need be).</summary>
    private Span<byte> Room(int bytes)
    {
        if (_buffer.Length - _length < bytes) Flush();
        return _buffer.AsSpan(_length);
    }

    private void Put(byte b)
    {
        if (_length == _buffer.Length) Flush();
        _buffer[_length++] = b;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            int n = Math.Min(bytes.Length, _buffer.Length - _length);
            bytes[..n].CopyTo(_buffer.AsSpan(_length));
            _length += n;
            bytes = bytes[n..];
            if (bytes.IsEmpty) return;
            Flush();
        }
    }

    private void PutUtf8(Rune rune)
    {
        var room = Room(4);
        _length += rune.EncodeToUtf8(room);
    }

    /// <summary>Text known to be ASCII, one byte a character.</summary>
    private void PutAscii(ReadOnlySpan<char> text)
    {
        while (true)
        {
            int n = Math.Min(text.Length, _buffer.Length - _length);
            Encoding.ASCII.GetBytes(text[..n], _buffer.AsSpan(_length));
            _length += n;
            text = text[n..];
            if (text.IsEmpty) return;
            Flush();
        }
    }

    /// <summary>A header or trailer line (ASCII).</summary>
    private void PutLine(string line)
    {
        PutAscii(line);
        Put((byte)'\n');
    }

    private void Flush()
    {
        _file.Write(_buffer, 0, _length);
        _length = 0;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_format == ZeekLogFormat.Tsv) PutLine($"#close{Separator}{WallClock()}");
        Flush();
        _file.Dispose();
    }
}
