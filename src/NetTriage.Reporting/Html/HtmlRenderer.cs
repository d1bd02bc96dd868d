using System.Text;
using System.Text.RegularExpressions;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Html;

/// <summary>
/// The report as one self-contained HTML file: no script, no external resource, a Content-Security-Policy that
/// allows only its own hashed style sheet (<see cref="ReportStyle"/>), each incident's timeline drawn as inline SVG
/// (<see cref="TimelineSvg"/>), and print rules so that "print to PDF" gives clean A4 pages.
/// Every string is escaped by <see cref="HtmlEscaper"/> and only ever placed in element content; attributes hold
/// only the renderer's own constants and the builder's section ids.
/// </summary>
public static partial class HtmlRenderer
{
    public static string Render(ReportDocument document)
    {
        var sb = new StringBuilder(32 * 1024);
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
        w.Line("<!DOCTYPE html>");
        w.Line("<html lang=\"en\">");
        w.Line("<head>");
        w.Line("<meta charset=\"utf-8\">");
        w.Line($"<meta http-equiv=\"Content-Security-Policy\" content=\"{ReportStyle.ContentSecurityPolicy}\">");
        w.Line("<meta name=\"referrer\" content=\"no-referrer\">");
        w.Line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        w.Line("<meta name=\"generator\" content=\"NetTriage\">");
        w.Line("<title>" + HtmlEscaper.Escape(document.Title) + "</title>");
        w.Line("<style>" + ReportStyle.Css + "</style>");
        w.Line("</head>");
        w.Line("<body>");
        w.Line("<header>");
        w.Line("<h1>" + HtmlEscaper.Escape(document.Title) + "</h1>");
        w.Line("<p class=\"subtitle\">" + Inline(document.Subtitle) + "</p>");
        w.Line("</header>");
        w.Line("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
        foreach (var section in document.Sections)
        {
            w.Line($"<li><a href=\"#{Id(section.Id)}\">{Inline(section.Title)}</a></li>");
        }
        w.Line("</ol></nav>");
        w.Line("<main>");
        foreach (var section in document.Sections) Block(w, section);
        w.Line("</main>");
        w.Line("<footer>Written by NetTriage. This file is self-contained: it loads nothing and runs no script.</footer>");
        w.Line("</body>");
        w.Line("</html>");
    }

    private static void Block(Writer w, Block block)
    {
        switch (block)
        {
            case Section s:
            {
                int level = Math.Clamp(s.Level, 2, 6);
                string cls = s.Id.StartsWith("incident-", StringComparison.Ordinal) && s.Level == 2 ? " class=\"incident\"" : "";
                w.Line($"<section id=\"{Id(s.Id)}\"{cls}>");
                w.Line($"<h{level}>{Inline(s.Title)}</h{level}>");
                foreach (var b in s.Body) Block(w, b);
                w.Line("</section>");
                break;
            }
            case Paragraph p:
                w.Line("<p>" + Inline(p.Content) + "</p>");
                break;
            case FieldList f:
                w.Line("<dl class=\"fields\">");
                foreach (var field in f.Fields)
                {
                    w.Line("<dt>" + HtmlEscaper.Escape(field.Label) + "</dt><dd>" + Inline(field.Value) + "</dd>");
                }
                w.Line("</dl>");
                break;
            case ItemList l:
                List(w, l);
                break;
            case Table t:
                Table(w, t);
                break;
            case CodeBlock c:
                w.Line("<pre class=\"evidence\"><code>" + string.Join("\n", c.Lines.Select(Text)) + "</code></pre>");
                break;
            case TimelineChart chart:
                TimelineSvg.Write(w.Output, chart);
                break;
            default:
                throw new ArgumentException($"unknown block {block.GetType().Name}", nameof(block));
        }
    }

    private static void List(Writer w, ItemList list)
    {
        string tag = list.Ordered ? "ol" : "ul";
        w.Line($"<{tag}>");
        foreach (var item in list.Items)
        {
            if (item.Children.Count == 0)
            {
                w.Line("<li>" + Inline(item.Content) + "</li>");
                continue;
            }
            w.Line("<li>" + Inline(item.Content));
            foreach (var child in item.Children) Block(w, child);
            w.Line("</li>");
        }
        w.Line($"</{tag}>");
    }

    private static void Table(Writer w, Table table)
    {
        w.Line("<div class=\"table-wrap\"><table>");
        w.Line("<thead><tr>" + string.Concat(table.Columns.Select(c => (c.Numeric ? "<th class=\"num\">" : "<th>") + HtmlEscaper.Escape(c.Header) + "</th>")) + "</tr></thead>");
        w.Line("<tbody>");
        foreach (var row in table.Rows)
        {
            var cells = table.Columns.Select((c, i) => (c.Numeric ? "<td class=\"num\">" : "<td>") + (i < row.Count ? Inline(row[i]) : "") + "</td>");
            w.Line("<tr>" + string.Concat(cells) + "</tr>");
        }
        w.Line("</tbody>");
        w.Line("</table></div>");
    }

    internal static string Inline(IReadOnlyList<Span> spans)
    {
        var sb = new StringBuilder();
        foreach (var span in spans)
        {
            string text = Text(span.Text);
            switch (span.Kind)
            {
                case SpanKind.Code:
                    sb.Append("<code>").Append(text).Append("</code>");
                    break;
                case SpanKind.Strong:
                    sb.Append("<strong>").Append(text).Append("</strong>");
                    break;
                case SpanKind.Missing:
                    sb.Append("<em class=\"missing\">").Append(text).Append("</em>");
                    break;
                case SpanKind.Badge:
                    sb.Append("<span class=\"badge ").Append(ToneClass(span.Tone)).Append("\">").Append(text).Append("</span>");
                    break;
                default:
                    sb.Append(text);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> escaped, with each date and time of day ("2023-03-14", "13:24:32.192571 UTC") in a
    /// <c>span.time</c> that the print style keeps on one line: a browser may otherwise wrap a line after the
    /// hyphen of a date. The pattern matches only ASCII digits, '-', ':', '.', a space, "UTC" and a zone offset, escaped all the same.
    /// </summary>
    internal static string Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 16);
        int at = 0;
        foreach (Match m in TimePattern().Matches(text))
        {
            sb.Append(HtmlEscaper.Escape(text[at..m.Index])).Append("<span class=\"time\">").Append(HtmlEscaper.Escape(m.Value)).Append("</span>");
            at = m.Index + m.Length;
        }
        return at == 0 ? HtmlEscaper.Escape(text) : sb.Append(HtmlEscaper.Escape(text[at..])).ToString();
    }

    /// <summary>A date with an optional time of day, or a time of day with seconds, optionally followed by " UTC" or " UTC+01:00"; not part of a longer token.</summary>
    [GeneratedRegex(@"(?<![\w:.+-])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?|[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)(?: UTC(?:[+-][0-9]{2}:[0-9]{2})?)?(?![\w:]|[.-][0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    internal static string ToneClass(Tone tone) => tone switch
    {
        Tone.Good => "tone-good",
        Tone.Info => "tone-info",
        Tone.Warning => "tone-warning",
        Tone.Bad => "tone-bad",
        Tone.Muted => "tone-muted",
        _ => "tone-none",
    };

    /// <summary>Section ids come from the builder; they are still reduced to [a-z0-9-] before going into an attribute.</summary>
    private static string Id(string id) =>
        new(id.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());

    private sealed class Writer(TextWriter output)
    {
        public TextWriter Output { get; } = output;

        public void Line(string text)
        {
            Output.Write(text);
            Output.Write('\n');
        }
    }
}
