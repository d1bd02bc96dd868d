using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetTriage.Analysis;

/// <summary>What a piece of report text is, so that each format can present it (code, plain text...).</summary>
public enum PieceKind
{
    /// <summary>Words.</summary>
    Text,
    /// <summary>A command to run, as typed at a shell prompt.</summary>
    Command,
    /// <summary>An IP or MAC address.</summary>
    Address,
    /// <summary>A name from the capture (a DNS name, a path): hostile text, shown as a literal.</summary>
    Name,
    /// <summary>A number or a measure.</summary>
    Value,
}

/// <summary>One run of report text of one kind.</summary>
public readonly record struct Piece(PieceKind Kind, string Text);

/// <summary>
/// A sentence of report text as structured pieces, built in the analysis and rendered per format: a command
/// is a <see cref="PieceKind.Command"/> piece, never markup inside a string, so a name holding a backtick, an
/// asterisk or a pipe renders as itself in every format. JSON carries the plain text (<see cref="ToString"/>):
/// the schema keeps its strings and no markup.
/// </summary>
/// <remarks>
/// Written with <see cref="Of"/> and an interpolated string: backticks in the literal parts of the template
/// (the author's text) open and close a command; interpolated values never do, whatever they hold. A plain
/// string converts to a phrase of one text piece.
/// </remarks>
[JsonConverter(typeof(PhraseJsonConverter))]
public sealed class Phrase : IEquatable<Phrase>
{
    private readonly Piece[] _pieces;
    private readonly string _text;

    private Phrase(Piece[] pieces)
    {
        _pieces = pieces;
        _text = pieces.Length switch
        {
            0 => "",
            1 => pieces[0].Text,
            _ => string.Concat(pieces.Select(p => p.Text)),
        };
    }

    public static readonly Phrase Empty = new([]);

    public IReadOnlyList<Piece> Pieces => _pieces;

    /// <summary>The plain text, without markup.</summary>
    public string Text => _text;

    public static Phrase Plain(string text) => text.Length == 0 ? Empty : new([new Piece(PieceKind.Text, text)]);

    public static Phrase Of(params IEnumerable<Piece> pieces) => new(Merge(pieces));

    /// <summary>A phrase from an interpolated template whose backticks mark commands.</summary>
    public static Phrase Of(ref Builder template) => template.Build();

    /// <summary>A command piece, for interpolation into a template.</summary>
    public static Piece Command(string text) => new(PieceKind.Command, text);

    public static Piece Address(string text) => new(PieceKind.Address, text);

    public static Piece Name(string text) => new(PieceKind.Name, text);

    public static implicit operator Phrase(string text) => Plain(text);

    public override string ToString() => _text;

    public bool Equals(Phrase? other) =>
        other is not null && (ReferenceEquals(this, other) || _pieces.AsSpan().SequenceEqual(other._pieces));

    public override bool Equals(object? obj) => Equals(obj as Phrase);

    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    /// <summary>Adjacent pieces of one kind joined, empty pieces dropped.</summary>
    private static Piece[] Merge(IEnumerable<Piece> pieces)
    {
        var merged = new List<Piece>();
        foreach (var piece in pieces)
        {
            if (piece.Text.Length == 0) continue;
            if (merged.Count > 0 && merged[^1].Kind == piece.Kind)
            {
                merged[^1] = piece with { Text = merged[^1].Text + piece.Text };
            }
            else
            {
                merged.Add(piece);
            }
        }
        return [.. merged];
    }

    /// <summary>Builds a phrase from an interpolated string; see <see cref="Phrase"/>.</summary>
    [InterpolatedStringHandler]
    public ref struct Builder
    {
        private readonly List<Piece> _pieces;
        private readonly StringBuilder _run;
        private bool _inCommand;

        public Builder(int literalLength, int formattedCount)
        {
            _pieces = new List<Piece>(formattedCount * 2 + 1);
            _run = new StringBuilder(literalLength + formattedCount * 16);
            _inCommand = false;
        }

        public void AppendLiteral(string value)
        {
            int start = 0;
            while (true)
            {
                int tick = value.IndexOf('`', start);
                if (tick < 0)
                {
                    _run.Append(value, start, value.Length - start);
                    return;
                }
                _run.Append(value, start, tick - start);
                Flush();
                _inCommand = !_inCommand;
                start = tick + 1;
            }
        }

        public void AppendFormatted(Piece piece)
        {
            if (_inCommand)
            {
                _run.Append(piece.Text);
                return;
            }
            Flush();
            _pieces.Add(piece);
        }

        public void AppendFormatted(Phrase phrase)
        {
            foreach (var piece in phrase.Pieces) AppendFormatted(piece);
        }

        public void AppendFormatted(string? value) => _run.Append(value);

        public void AppendFormatted<T>(T value) => _run.Append(value?.ToString());

        public void AppendFormatted<T>(T value, string? format) where T : IFormattable =>
            _run.Append(value.ToString(format, null));

        private void Flush()
        {
            if (_run.Length == 0) return;
            _pieces.Add(new Piece(_inCommand ? PieceKind.Command : PieceKind.Text, _run.ToString()));
            _run.Clear();
        }

        internal Phrase Build()
        {
            if (_inCommand) throw new InvalidOperationException("A phrase template opens a command it does not close.");
            Flush();
            return new Phrase(Merge(_pieces));
        }
    }
}

/// <summary>Writes a phrase as its plain text; reads a string back as one text piece.</summary>
internal sealed class PhraseJsonConverter : JsonConverter<Phrase>
{
    public override Phrase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Phrase.Plain(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, Phrase value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}
