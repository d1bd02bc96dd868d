namespace NetTriage.Reporting.Document;

/// <summary>
/// The report as a neutral document: sections, paragraphs, field lists, lists, tables, code and a timeline.
/// <see cref="ReportBuilder"/> writes it from the incident model and the case context; the Markdown, HTML and
/// terminal renderers lay it out. Every string in it is plain, unescaped text: each renderer escapes all of it
/// for its own format, so capture text (attacker-controlled) is never trusted anywhere.
/// </summary>
public sealed record ReportDocument(string Title, IReadOnlyList<Span> Subtitle, IReadOnlyList<Section> Sections);

/// <summary>How a run of text is shown.</summary>
public enum SpanKind
{
    Text,
    Strong,
    /// <summary>A literal value: an address, a name, a command, a packet.</summary>
    Code,
    /// <summary>A case field nobody gave ("not provided").</summary>
    Missing,
    /// <summary>A short label such as a severity or a confidence, coloured by its <see cref="Tone"/>.</summary>
    Badge,
}

/// <summary>The colour a renderer may give a span: what the value means to the reader.</summary>
public enum Tone
{
    None,
    Good,
    Info,
    Warning,
    Bad,
    Muted,
}

/// <summary>A run of text with one look.</summary>
public readonly record struct Span(string Text, SpanKind Kind = SpanKind.Text, Tone Tone = Tone.None);

/// <summary>A block of the document.</summary>
public abstract record Block;

/// <summary>A titled part of the report. <see cref="Id"/> is made by the builder, never from capture text.</summary>
public sealed record Section(string Id, int Level, IReadOnlyList<Span> Title, IReadOnlyList<Block> Body) : Block;

public sealed record Paragraph(IReadOnlyList<Span> Content) : Block;

/// <summary>Labelled values ("Server: 203.0.113.2").</summary>
public sealed record FieldList(IReadOnlyList<Field> Fields) : Block;

public sealed record Field(string Label, IReadOnlyList<Span> Value);

public sealed record ItemList(bool Ordered, IReadOnlyList<ListItem> Items) : Block;

public sealed record ListItem(IReadOnlyList<Span> Content, IReadOnlyList<Block> Children);

public sealed record Column(string Header, bool Numeric = false);

public sealed record Table(IReadOnlyList<Column> Columns, IReadOnlyList<IReadOnlyList<IReadOnlyList<Span>>> Rows) : Block;

/// <summary>Lines shown exactly as they are, one per line (evidence packets).</summary>
public sealed record CodeBlock(IReadOnlyList<string> Lines) : Block;

/// <summary>
/// An incident's events on a time axis. Renderers that can draw (HTML) draw it; the others skip it,
/// because the table that follows it in the document says the same in words. <see cref="ClockOffset"/> is the
/// offset from UTC, in seconds, of the zone the report prints absolute times in (its clock labels follow it).
/// </summary>
public sealed record TimelineChart(string TimeKind, IReadOnlyList<TimelinePoint> Points, double ClockOffset = 0) : Block;

/// <summary>
/// One event on the time axis: <see cref="Seconds"/> in the model's time base, the time as shown, what
/// happened, the role of its evidence ("query", "icmp-error", ...) and where to find it ("line 3", "frame 2").
/// </summary>
public sealed record TimelinePoint(int Number, double Seconds, string Time, string Event, string Role, Tone Tone, string Reference);
