using System.Text;
using System.Text.Json;
using NetTriage.Packets.Formatting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NetTriage.Reporting;

/// <summary>The syntax of a case file.</summary>
public enum CaseFileSyntax
{
    /// <summary>By the extension (.json, .yaml, .yml), else by content: JSON when it starts with '{'.</summary>
    Detect,
    Json,
    Yaml,
}

/// <summary>A case file that cannot be used: one line naming the file and, when known, the line.</summary>
public sealed class CaseFileException(string file, long? line, string detail)
    : Exception(line is { } l ? $"{TerminalEscaper.Escape(file)}: line {l}: {detail}" : $"{TerminalEscaper.Escape(file)}: {detail}")
{
    public string File { get; } = file;
    public long? Line { get; } = line;
    public string Detail { get; } = detail;
}

/// <summary>
/// Reads the case context (<see cref="ReportContext"/>) from a JSON or YAML file: one mapping whose keys are
/// <c>title</c>, <c>organisation</c> (or <c>organization</c>), <c>awareness</c>, <c>symptoms</c>, <c>analyst</c>,
/// <c>actions</c> and <c>case_id</c> (or <c>reference</c>); key case, '-' and '_' do not matter. <c>symptoms</c>
/// and <c>actions</c> take a list or a single string. Unknown keys are errors, so a typo is not silently lost.
/// Values are one line each: whitespace runs, line breaks included, become one space.
/// </summary>
public static class CaseFile
{
    /// <summary>Largest case file read.</summary>
    public const int MaxFileBytes = 1 << 20;
    /// <summary>Longest value kept (longer command-line values are cut; a longer file value is an error).</summary>
    public const int MaxValueLength = 2000;
    /// <summary>Most symptoms or actions.</summary>
    public const int MaxListItems = 100;

    /// <summary>The keys, as documented (docs/report.md).</summary>
    public static readonly IReadOnlyList<string> Keys = ["title", "organisation", "awareness", "symptoms", "analyst", "actions", "case_id"];

    private enum Key { Title, Organisation, Awareness, Symptoms, Analyst, Actions, CaseId }

    /// <summary>Reads and parses a case file. Throws <see cref="CaseFileException"/> naming the file for anything wrong.</summary>
    public static ReportContext Load(string path, CaseFileSyntax syntax = CaseFileSyntax.Detect)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new CaseFileException(path, null, Directory.Exists(path) ? "is a directory, not a case file" : "no such file");
            }
            if (info.Length > MaxFileBytes)
            {
                throw new CaseFileException(path, null, $"is larger than {MaxFileBytes / 1024} KiB: a case file holds a few fields");
            }
            text = System.IO.File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new CaseFileException(path, null, "is not UTF-8 text");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaseFileException(path, null, "cannot read: " + OneLine(ex.Message));
        }
        return Parse(text, path, syntax);
    }

    /// <summary>Parses case file text; <paramref name="name"/> names it in errors and picks the syntax by extension.</summary>
    public static ReportContext Parse(string text, string name, CaseFileSyntax syntax = CaseFileSyntax.Detect)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        if (syntax == CaseFileSyntax.Detect)
        {
            string ext = Path.GetExtension(name).ToLowerInvariant();
            syntax = ext switch
            {
                ".json" => CaseFileSyntax.Json,
                ".yaml" or ".yml" => CaseFileSyntax.Yaml,
                _ => text.AsSpan().TrimStart().StartsWith("{") ? CaseFileSyntax.Json : CaseFileSyntax.Yaml,
            };
        }
        var builder = new Builder(name);
        if (syntax == CaseFileSyntax.Json) ReadJson(text, builder);
        else ReadYaml(text, builder);
        return builder.Build();
    }

    private static void ReadJson(string text, Builder builder)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = 8,
            });
        }
        catch (JsonException ex)
        {
            throw new CaseFileException(builder.File, ex.LineNumber + 1, "not valid JSON: " + JsonDetail(ex.Message));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CaseFileException(builder.File, null, "must hold one JSON object of case fields (title, analyst, ...)");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var key = builder.KeyOf(property.Name, null);
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.Array:
                        var items = new List<string>();
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            items.Add(JsonScalar(builder, property.Name, item) ?? "");
                        }
                        builder.SetList(key, property.Name, items, null);
                        break;
                    default:
                        builder.Set(key, property.Name, JsonScalar(builder, property.Name, property.Value), null);
                        break;
                }
            }
        }
    }

    private static string? JsonScalar(Builder builder, string field, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => null,
        _ => throw new CaseFileException(builder.File, null, $"field '{Safe(field)}' must be text or a list of text"),
    };

    private static void ReadYaml(string text, Builder builder)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new CaseFileException(builder.File, ex.Start.Line > 0 ? ex.Start.Line : null, "not valid YAML: " + YamlDetail(ex));
        }
        if (stream.Documents.Count == 0)
        {
            throw new CaseFileException(builder.File, null, "holds no case fields");
        }
        if (stream.Documents.Count > 1)
        {
            throw new CaseFileException(builder.File, stream.Documents[1].RootNode.Start.Line, "holds more than one YAML document");
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var node = stream.Documents[0].RootNode;
            throw new CaseFileException(builder.File, node.Start.Line, "must be a mapping of case fields (title: ..., analyst: ...)");
        }
        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                throw new CaseFileException(builder.File, keyNode.Start.Line, "a field name must be plain text");
            }
            long line = keyNode.Start.Line;
            var key = builder.KeyOf(name, line);
            switch (valueNode)
            {
                case YamlScalarNode scalar:
                    builder.Set(key, name, YamlScalar(scalar), line);
                    break;
                case YamlSequenceNode sequence:
                    var items = new List<string>();
                    foreach (var item in sequence.Children)
                    {
                        if (item is not YamlScalarNode s)
                        {
                            throw new CaseFileException(builder.File, item.Start.Line, $"field '{Safe(name)}' must be a list of text");
                        }
                        items.Add(YamlScalar(s) ?? "");
                    }
                    builder.SetList(key, name, items, line);
                    break;
                default:
                    throw new CaseFileException(builder.File, valueNode.Start.Line, $"field '{Safe(name)}' must be text or a list of text");
            }
        }
    }

    /// <summary>A plain <c>~</c>, <c>null</c> or empty scalar is no value (YAML 1.2 core schema).</summary>
    private static string? YamlScalar(YamlScalarNode node) =>
        node.Style == ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : node.Value;

    /// <summary>Collapses whitespace runs (line breaks included) into one space and trims; blank becomes null.</summary>
    internal static string? Clean(string? value)
    {
        if (value is null) return null;
        var sb = new StringBuilder(Math.Min(value.Length, MaxValueLength));
        bool space = false;
        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
            if (sb.Length >= MaxValueLength)
            {
                sb.Append('\u2026');
                break;
            }
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    internal static IReadOnlyList<string> CleanList(IEnumerable<string>? values) =>
        values is null ? [] : values.Select(Clean).OfType<string>().Take(MaxListItems).ToList();

    private static string JsonDetail(string message)
    {
        // System.Text.Json appends " Path: $ | LineNumber: 0 | BytePositionInLine: 5."; the line is given separately.
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return OneLine(cut > 0 ? message[..cut] : message);
    }

    private static string YamlDetail(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 2, Col: 5, Idx: 10) - (Line: 2, Col: 6, Idx: 11): "; the line is given separately.
        string message = ex.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        return OneLine(cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message);
    }

    private static string OneLine(string message)
    {
        string text = Clean(message) ?? "unknown error";
        return text.Length > 200 ? text[..200] + "\u2026" : text;
    }

    /// <summary>A field name from the file, made harmless for a one-line message.</summary>
    private static string Safe(string text) => TerminalEscaper.Escape(text.Length > 60 ? text[..60] + "\u2026" : text);

    private sealed class Builder(string file)
    {
        private readonly Dictionary<Key, string> _values = [];
        private readonly Dictionary<Key, IReadOnlyList<string>> _lists = [];
        private readonly HashSet<Key> _seen = [];

        public string File { get; } = file;

        public Key KeyOf(string name, long? line)
        {
            string normal = new(name.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());
            Key? key = normal switch
            {
                "title" => Key.Title,
                "organisation" or "organization" => Key.Organisation,
                "awareness" or "howaware" or "howtheteambecameaware" => Key.Awareness,
                "symptoms" or "symptom" => Key.Symptoms,
                "analyst" => Key.Analyst,
                "actions" or "action" or "actionstaken" => Key.Actions,
                "caseid" or "reference" or "ref" or "ticket" => Key.CaseId,
                _ => null,
            };
            if (key is not { } k)
            {
                throw new CaseFileException(File, line, $"unknown field '{Safe(name)}' (known: {string.Join(", ", Keys)})");
            }
            if (!_seen.Add(k))
            {
                throw new CaseFileException(File, line, $"field '{Safe(name)}' is given twice");
            }
            return k;
        }

        public void Set(Key key, string name, string? value, long? line)
        {
            if (key is Key.Symptoms or Key.Actions)
            {
                SetList(key, name, value is null ? [] : [value], line);
                return;
            }
            if (value is not null && value.Length > MaxValueLength)
            {
                throw new CaseFileException(File, line, $"field '{Safe(name)}' is longer than {MaxValueLength} characters");
            }
            if (Clean(value) is { } clean) _values[key] = clean;
        }

        public void SetList(Key key, string name, IReadOnlyList<string> items, long? line)
        {
            if (key is not (Key.Symptoms or Key.Actions))
            {
                throw new CaseFileException(File, line, $"field '{Safe(name)}' takes one value, not a list");
            }
            if (items.Count > MaxListItems)
            {
                throw new CaseFileException(File, line, $"field '{Safe(name)}' has more than {MaxListItems} items");
            }
            if (items.Any(i => i.Length > MaxValueLength))
            {
                throw new CaseFileException(File, line, $"an item of '{Safe(name)}' is longer than {MaxValueLength} characters");
            }
            _lists[key] = CleanList(items);
        }

        public ReportContext Build() => new()
        {
            Title = _values.GetValueOrDefault(Key.Title),
            Organisation = _values.GetValueOrDefault(Key.Organisation),
            Awareness = _values.GetValueOrDefault(Key.Awareness),
            Symptoms = _lists.GetValueOrDefault(Key.Symptoms) ?? [],
            Analyst = _values.GetValueOrDefault(Key.Analyst),
            Actions = _lists.GetValueOrDefault(Key.Actions) ?? [],
            CaseId = _values.GetValueOrDefault(Key.CaseId),
        };
    }
}
