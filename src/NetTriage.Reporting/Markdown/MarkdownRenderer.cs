using System.Text;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Markdown;

/// <summary>
/// The report as Markdown (CommonMark with GitHub tables), meant to read well both as plain text and rendered.
/// Labelled values are bullet lines (<c>- **Server:** `203.0.113.2`</c>), tables are GitHub tables, evidence is a
/// fenced code block. Every string is escaped by <see cref="MarkdownEscaper"/>; the timeline chart is left out
/// (the timeline table carries the same events).
/// </summary>
public static class MarkdownRenderer
{
    public static string Render(ReportDocument document)
    {
        var sb = new StringBuilder(16 * 1024);
        using (var writer = new StringWriter(sb) { NewLine = "\n" })
        {
            Render(document, writer);
        }
        return sb.ToString();
    }

    public static void Render(ReportDocument document, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        var w = new Writer(output);
        w.Line("# " + MarkdownEscaper.Escape(document.Title, inHeading: true));
        w.Blank();
        w.Line(Inline(document.Subtitle, atBlockStart: true));
        foreach (var section in document.Sections)
        {
            Block(w, section, "");
        }
    }

    private static void Block(Writer w, Block block, string indent)
    {
        switch (block)
        {
            case Section s:
                w.Blank();
                w.Line(new string('#', Math.Clamp(s.Level, 1, 6)) + " " + Inline(s.Title, atBlockStart: false, inHeading: true));
                foreach (var b in s.Body) Block(w, b, indent);
                break;
            case Paragraph p:
                w.Blank();
                w.Line(indent + Inline(p.Content, atBlockStart: true));
                break;
            case FieldList f:
                w.Blank();
                foreach (var field in f.Fields)
                {
                    w.Line(indent + "- **" + MarkdownEscaper.Escape(field.Label) + ":** " + Inline(field.Value, atBlockStart: false));
                }
                break;
            case ItemList l:
                w.Blank();
                List(w, l, indent);
                break;
            case Table t:
                w.Blank();
                Table(w, t, indent);
                break;
            case CodeBlock c:
                w.Blank();
                var lines = c.Lines.Select(TerminalEscaper.Escape).ToList();
                string fence = MarkdownEscaper.Fence(lines);
                w.Line(indent + fence + "text");
                foreach (var line in lines) w.Line(indent + line);
                w.Line(indent + fence);
                break;
            case TimelineChart:
                break;
            default:
                throw new ArgumentException($"unknown block {block.GetType().Name}", nameof(block));
        }
    }

    private static void List(Writer w, ItemList list, string indent)
    {
        int n = 0;
        foreach (var item in list.Items)
        {
            string marker = list.Ordered ? $"{++n}. " : "- ";
            w.Line(indent + marker + Inline(item.Content, atBlockStart: true));
            string inner = indent + new string(' ', marker.Length);
            foreach (var child in item.Children)
            {
                if (child is ItemList nested)
                {
                    List(w, nested, inner);
                }
                else
                {
                    Block(w, child, inner);
                }
            }
        }
    }

    private static void Table(Writer w, Table table, string indent)
    {
        var header = table.Columns.Select(c => MarkdownEscaper.Escape(c.Header)).ToList();
        var rows = table.Rows.Select(r => r.Select(cell => Inline(cell, atBlockStart: false, inTable: true)).ToList()).ToList();
        var widths = header.Select((h, i) => Math.Max(3, rows.Select(r => i < r.Count ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToList();
        for (int i = 0; i < widths.Count; i++) widths[i] = Math.Min(Math.Max(widths[i], header[i].Length), 40);
        w.Line(indent + "| " + string.Join(" | ", header.Select((h, i) => Pad(h, widths[i], table.Columns[i].Numeric))) + " |");
        w.Line(indent + "|" + string.Join("|", widths.Select((width, i) => table.Columns[i].Numeric ? new string('-', width + 1) + ":" : new string('-', width + 2))) + "|");
        foreach (var row in rows)
        {
            var cells = table.Columns.Select((c, i) => Pad(i < row.Count ? row[i] : "", widths[i], c.Numeric));
            w.Line(indent + "| " + string.Join(" | ", cells) + " |");
        }
    }

    private static string Pad(string text, int width, bool right) => right ? text.PadLeft(width) : text.PadRight(width);

    private static string Inline(IReadOnlyList<Span> spans, bool atBlockStart, bool inTable = false, bool inHeading = false)
    {
        var sb = new StringBuilder();
        foreach (var span in spans)
        {
            if (span.Text.Length == 0) continue;
            bool start = atBlockStart && sb.Length == 0;
            switch (span.Kind)
            {
                case SpanKind.Code:
                    sb.Append(MarkdownEscaper.CodeSpan(span.Text, inTable));
                    break;
                case SpanKind.Strong:
                    Emphasis(sb, "**", span.Text, start, inHeading);
                    break;
                case SpanKind.Badge:
                    Emphasis(sb, "**", span.Text.ToUpperInvariant(), start, inHeading);
                    break;
                case SpanKind.Missing:
                    Emphasis(sb, "_", span.Text, start, inHeading);
                    break;
                default:
                    sb.Append(MarkdownEscaper.Escape(span.Text, start, inHeading));
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Emphasis around trimmed text: a delimiter next to a space would not open or close (CommonMark 6.2).</summary>
    private static void Emphasis(StringBuilder sb, string delimiter, string text, bool atBlockStart, bool inHeading)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            sb.Append(MarkdownEscaper.Escape(text, atBlockStart, inHeading));
            return;
        }
        int lead = text.Length - text.TrimStart().Length;
        int trail = text.Length - text.TrimEnd().Length;
        sb.Append(' ', lead).Append(delimiter).Append(MarkdownEscaper.Escape(trimmed, inHeading: inHeading)).Append(delimiter).Append(' ', trail);
    }

    private sealed class Writer(TextWriter output)
    {
        private bool _blank = true;

        public void Line(string text)
        {
            output.Write(text);
            output.Write('\n');
            _blank = false;
        }

        /// <summary>One empty line between blocks, never two.</summary>
        public void Blank()
        {
            if (_blank) return;
            output.Write('\n');
            _blank = true;
        }
    }
}
