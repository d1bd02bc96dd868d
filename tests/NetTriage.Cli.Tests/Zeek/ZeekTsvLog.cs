using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace NetTriage.Cli.Tests.Zeek;

/// <summary>One data row of a Zeek log: each field's raw text (as written, escapes kept) and its unescaped value.</summary>
internal sealed class ZeekRow
{
    public ZeekRow(int line, IReadOnlyDictionary<string, string> raw)
    {
        Line = line;
        Raw = raw;
        Values = raw.ToDictionary(p => p.Key, p => ZeekTsvLog.Unescape(p.Value), StringComparer.Ordinal);
    }

    /// <summary>The 1-based line of the row in its file.</summary>
    public int Line { get; }

    /// <summary>Field to text as written: the unset and empty markers are recognised here (a literal "-" is written \x2d).</summary>
    public IReadOnlyDictionary<string, string> Raw { get; }

    /// <summary>Field to value with the \xNN escapes resolved.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    public string this[string field] => Values[field];
}

/// <summary>
/// A Zeek TSV log read by following its own header (#separator, #set_separator, #empty_field, #unset_field,
/// #path, #fields, #types). #open, #close and other comment lines are ignored, as is btest's
/// "### BTest baseline" line. A file without #fields whose first line names the columns (zeek-cut -m output,
/// as in many btest baselines) is read with Zeek's default markers and no types (<see cref="IsCut"/>).
/// </summary>
internal sealed class ZeekTsvLog
{
    /// <summary>The #open/#close time format: %Y-%m-%d-%H-%M-%S.</summary>
    private static readonly Regex LogTime = new(@"^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$", RegexOptions.CultureInvariant);
    private static readonly Regex SixDecimals = new(@"^-?\d+\.\d{6}$", RegexOptions.CultureInvariant);
    private static readonly Regex Integer = new(@"^-?\d+$", RegexOptions.CultureInvariant);
    private static readonly Regex Dotted = new(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.CultureInvariant);

    /// <summary>The header lines Zeek writes, in Zeek's order, before the first row.</summary>
    public static readonly IReadOnlyList<string> HeaderOrder =
        ["#separator", "#set_separator", "#empty_field", "#unset_field", "#path", "#open", "#fields", "#types"];

    private ZeekTsvLog() { }

    public string Separator { get; private set; } = "\t";
    public string SetSeparator { get; private set; } = ",";
    public string EmptyField { get; private set; } = "(empty)";
    public string UnsetField { get; private set; } = "-";
    public string? PathName { get; private set; }
    public IReadOnlyList<string> Fields { get; private set; } = [];

    /// <summary>The #types, one per field, or null when the log had none (zeek-cut output).</summary>
    public IReadOnlyList<string>? Types { get; private set; }

    /// <summary>The columns came from a zeek-cut header line rather than #fields.</summary>
    public bool IsCut { get; private set; }

    public IReadOnlyList<ZeekRow> Rows { get; private set; } = [];

    /// <summary>A log with no fields and no rows (the stand-in for a log that was not written).</summary>
    public static ZeekTsvLog Empty { get; } = new();

    public static ZeekTsvLog Load(string path) => Parse(File.ReadAllText(path));

    public static ZeekTsvLog Parse(string text)
    {
        var log = new ZeekTsvLog();
        var rows = new List<ZeekRow>();
        bool haveFields = false;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                log.ReadDirective(line, ref haveFields);
                continue;
            }
            var cells = line.Split(log.Separator);
            if (!haveFields)
            {
                // zeek-cut -m: the first line names the columns.
                log.Fields = cells;
                log.IsCut = true;
                haveFields = true;
                continue;
            }
            var raw = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < log.Fields.Count && c < cells.Length; c++)
            {
                raw[log.Fields[c]] = cells[c];
            }
            rows.Add(new ZeekRow(i + 1, raw));
        }
        log.Rows = rows;
        return log;
    }

    private void ReadDirective(string line, ref bool haveFields)
    {
        // "#separator \x09" is the one directive separated by a space: it defines the separator itself.
        if (line.StartsWith("#separator ", StringComparison.Ordinal))
        {
            Separator = Unescape(line["#separator ".Length..]);
            return;
        }
        int cut = line.IndexOf(Separator, StringComparison.Ordinal);
        if (cut < 0) return;
        var name = line[..cut];
        var value = line[(cut + Separator.Length)..];
        switch (name)
        {
            case "#set_separator": SetSeparator = Unescape(value); break;
            case "#empty_field": EmptyField = Unescape(value); break;
            case "#unset_field": UnsetField = Unescape(value); break;
            case "#path": PathName = value; break;
            case "#fields": Fields = value.Split(Separator); haveFields = true; break;
            case "#types": Types = value.Split(Separator); break;
        }
    }

    /// <summary>The #types entry of a field, or null (no such field, or no #types).</summary>
    public string? TypeOf(string field)
    {
        if (Types is null) return null;
        for (int i = 0; i < Fields.Count && i < Types.Count; i++)
        {
            if (Fields[i] == field) return Types[i];
        }
        return null;
    }

    public bool Has(string field) => Fields.Contains(field);

    public bool IsUnset(string raw) => raw == UnsetField;

    public bool IsEmpty(string raw) => raw == EmptyField;

    /// <summary>The unescaped elements of a set or vector value, split on the set separator before unescaping.</summary>
    public IReadOnlyList<string> Elements(string raw) =>
        IsEmpty(raw) ? [] : raw.Split(SetSeparator).Select(Unescape).ToArray();

    /// <summary>Resolves Zeek's \xNN byte escapes; the bytes are read as UTF-8.</summary>
    public static string Unescape(string value)
    {
        if (!value.Contains("\\x", StringComparison.Ordinal)) return value;
        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && value[i + 1] == 'x'
                && byte.TryParse(value.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 3;
                continue;
            }
            int width = char.IsSurrogatePair(value, i) ? 2 : 1;
            int n = Encoding.UTF8.GetBytes(value.AsSpan(i, width), utf8);
            for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
            i += width - 1;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>
    /// Checks a log we wrote against Zeek's TSV format: the eight header lines in Zeek's order, #fields and
    /// #types of the same length, every row with one column per field and each value valid for its type
    /// (or the unset/empty marker), and the #close trailer last. Returns the problems; none when valid.
    /// </summary>
    public static IReadOnlyList<string> Check(string text)
    {
        var problems = new List<string>();
        if (text.Length == 0)
        {
            problems.Add("the log is empty");
            return problems;
        }
        if (!text.EndsWith('\n')) problems.Add("the last line does not end with a newline");
        var lines = text.TrimEnd('\n').Split('\n');
        if (lines.Length < HeaderOrder.Count + 1)
        {
            problems.Add($"only {lines.Length} lines: the header ({HeaderOrder.Count} lines) and #close need {HeaderOrder.Count + 1}");
            return problems;
        }

        const string separatorLine = "#separator ";
        if (!lines[0].StartsWith(separatorLine, StringComparison.Ordinal))
        {
            problems.Add($"line 1: expected '#separator \\x09', found '{Clip(lines[0])}'");
            return problems;
        }
        var sepText = lines[0][separatorLine.Length..];
        if (!Regex.IsMatch(sepText, @"^(\\x[0-9a-fA-F]{2})+$"))
        {
            problems.Add($"line 1: the separator is not written as \\xNN escapes: '{sepText}'");
        }
        var separator = Unescape(sepText);
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < HeaderOrder.Count; i++)
        {
            var expected = HeaderOrder[i];
            var line = lines[i];
            if (!line.StartsWith(expected + separator, StringComparison.Ordinal))
            {
                problems.Add($"line {i + 1}: expected {expected}, found '{Clip(line)}'");
                return problems;
            }
            header[expected] = line[(expected.Length + separator.Length)..];
        }
        if (!LogTime.IsMatch(header["#open"])) problems.Add($"line 6: #open time '{header["#open"]}' is not YYYY-MM-DD-HH-MM-SS");

        var setSeparator = Unescape(header["#set_separator"]);
        var empty = Unescape(header["#empty_field"]);
        var unset = Unescape(header["#unset_field"]);
        var fields = header["#fields"].Split(separator);
        var types = header["#types"].Split(separator);
        if (fields.Length != types.Length) problems.Add($"#fields has {fields.Length} names, #types {types.Length}");
        var duplicate = fields.GroupBy(f => f, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) problems.Add($"#fields names '{duplicate.Key}' twice");
        foreach (var (type, index) in types.Select((t, i) => (t, i)))
        {
            if (!IsKnownType(type)) problems.Add($"#types: unknown type '{type}' for {fields.ElementAtOrDefault(index)}");
        }

        var last = lines[^1];
        if (!last.StartsWith("#close" + separator, StringComparison.Ordinal))
        {
            problems.Add($"no #close trailer: the last line is '{Clip(last)}'");
        }
        else if (!LogTime.IsMatch(last[("#close".Length + separator.Length)..]))
        {
            problems.Add($"line {lines.Length}: #close time is not YYYY-MM-DD-HH-MM-SS");
        }

        int bodyEnd = last.StartsWith("#close", StringComparison.Ordinal) ? lines.Length - 1 : lines.Length;
        for (int i = HeaderOrder.Count; i < bodyEnd; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#'))
            {
                problems.Add($"line {i + 1}: unexpected '{Clip(line)}' among the rows");
                continue;
            }
            var cells = line.Split(separator);
            if (cells.Length != fields.Length)
            {
                problems.Add($"line {i + 1}: {cells.Length} columns, #fields has {fields.Length}");
                continue;
            }
            for (int c = 0; c < cells.Length && c < types.Length; c++)
            {
                var cell = cells[c];
                if (cell == unset) continue;
                bool container = types[c].StartsWith("set[", StringComparison.Ordinal) || types[c].StartsWith("vector[", StringComparison.Ordinal);
                if (cell == empty && (container || types[c] == "string")) continue;
                if (!IsValid(types[c], cell, setSeparator))
                {
                    problems.Add($"line {i + 1}: {fields[c]} = '{Clip(cell)}' is not a valid {types[c]}");
                }
            }
        }
        return problems;
    }

    private static bool IsKnownType(string type)
    {
        var element = ContainerElement(type);
        if (element is not null) return IsKnownType(element);
        return type is "time" or "interval" or "count" or "int" or "double" or "port" or "addr" or "subnet"
            or "bool" or "enum" or "string" or "pattern";
    }

    private static string? ContainerElement(string type)
    {
        foreach (var prefix in new[] { "set[", "vector[" })
        {
            if (type.StartsWith(prefix, StringComparison.Ordinal) && type.EndsWith(']')) return type[prefix.Length..^1];
        }
        return null;
    }

    /// <summary>Whether a written (escaped) value is valid for a Zeek type.</summary>
    public static bool IsValid(string type, string raw, string setSeparator)
    {
        var element = ContainerElement(type);
        if (element is not null) return raw.Split(setSeparator).All(e => IsValid(element, e, setSeparator));
        return type switch
        {
            "time" or "interval" => SixDecimals.IsMatch(raw),
            "count" => ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            "int" => Integer.IsMatch(raw) && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "double" => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            "port" => ushort.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            "addr" => IsAddress(raw),
            "subnet" => IsSubnet(raw),
            "bool" => raw is "T" or "F",
            _ => true,
        };
    }

    /// <summary>A dotted-quad IPv4 or a colon-form IPv6 address (IPAddress.TryParse alone accepts "1" as 0.0.0.1).</summary>
    public static bool IsAddress(string text)
    {
        if (Dotted.IsMatch(text)) return IPAddress.TryParse(text, out _);
        return text.Contains(':', StringComparison.Ordinal) && !text.Contains('%', StringComparison.Ordinal)
            && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static bool IsSubnet(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IsAddress(text[..slash])
            && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            && bits <= (text.Contains(':', StringComparison.Ordinal) ? 128 : 32);
    }

    private static string Clip(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
