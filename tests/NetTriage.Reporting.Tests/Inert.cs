using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Checks that a rendered report holds capture text only as inert text: the HTML has no element, attribute or
/// resource that the report did not put there itself; the Markdown has no syntax outside its own; the terminal
/// text has no escape sequence but colours.
/// </summary>
internal static partial class Inert
{
    private static readonly HashSet<string> HtmlElements =
    [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "h5", "h6", "p", "nav", "ol", "ul", "li", "a",
        "main", "section", "dl", "dt", "dd", "div", "table", "thead", "tbody", "tr", "th", "td", "pre", "code", "strong", "em", "span",
        "figure", "figcaption", "svg", "line", "text", "g", "circle", "footer",
    ];

    private static readonly HashSet<string> HtmlAttributes =
    [
        "lang", "charset", "http-equiv", "content", "name", "id", "class", "href", "aria-label", "xmlns", "viewbox", "role",
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "text-anchor",
    ];

    [GeneratedRegex("""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"<>]*")?)*)\s*/?>""")]
    private static partial Regex Tag();

    [GeneratedRegex("""\s+([a-zA-Z][a-zA-Z0-9:-]*)(?:="([^"]*)")?""")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex ColourSequence();

    public static void Html(string html)
    {
        int style = html.IndexOf("<style>", StringComparison.Ordinal);
        int styleEnd = html.IndexOf("</style>", StringComparison.Ordinal);
        Assert.True(style > 0 && styleEnd > style, "one style element");
        Assert.Equal(style, html.LastIndexOf("<style>", StringComparison.Ordinal));
        Assert.Equal(styleEnd, html.LastIndexOf("</style>", StringComparison.Ordinal));

        // The policy comes before the style and allows exactly this style sheet, no script, nothing remote.
        var csp = Regex.Match(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">");
        Assert.True(csp.Success && csp.Index < style, "CSP meta before the style");
        string css = html[(style + "<style>".Length)..styleEnd];
        string hash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(css))) + "'";
        Assert.Equal($"default-src 'none'; style-src {hash}; img-src data:; base-uri 'none'; form-action 'none'", csp.Groups[1].Value);
        Assert.DoesNotContain("url(", css, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", css, StringComparison.Ordinal);

        // Every '<' outside the style sheet starts one of the report's own tags with its own attributes.
        string markup = html[..style] + html[styleEnd..];
        int tags = 0;
        for (int i = markup.IndexOf('<'); i >= 0; i = markup.IndexOf('<', i + 1))
        {
            if (string.CompareOrdinal(markup, i, "<!DOCTYPE html>", 0, 15) == 0) continue;
            var m = Tag().Match(markup, i);
            Assert.True(m.Success && m.Index == i, $"unexpected '<' at {i}: {Excerpt(markup, i)}");
            string name = m.Groups[2].Value.ToLowerInvariant();
            Assert.True(HtmlElements.Contains(name), $"unexpected element <{name}> at {i}: {Excerpt(markup, i)}");
            foreach (Match a in Attribute().Matches(m.Groups[3].Value))
            {
                string attribute = a.Groups[1].Value.ToLowerInvariant();
                Assert.True(HtmlAttributes.Contains(attribute), $"unexpected attribute {attribute} on <{name}>: {Excerpt(markup, i)}");
                if (attribute == "href") Assert.StartsWith("#", a.Groups[2].Value, StringComparison.Ordinal);
            }
            tags++;
        }
        Assert.True(tags > 50);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        NoHiddenCharacters(html, allowed: "\n");
    }

    public static void Markdown(string markdown, int expectedHeadings)
    {
        NoHiddenCharacters(markdown, allowed: "\n");
        var prose = new List<string>();
        string? fence = null;
        int headings = 0;
        foreach (var line in markdown.Split('\n'))
        {
            if (fence is not null)
            {
                if (line == fence)
                {
                    fence = null;
                    continue;
                }
                // Nothing inside may close the block early.
                Assert.False(line.TrimStart().StartsWith(fence, StringComparison.Ordinal), $"a line closes the code block early: {line}");
                continue;
            }
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fence = line.TrimEnd('t', 'e', 'x');
                continue;
            }
            if (Regex.IsMatch(line, "^#{1,6} ")) headings++;
            prose.Add(StripCodeSpans(line));
        }
        Assert.Null(fence);
        Assert.Equal(expectedHeadings, headings);
        foreach (var line in prose)
        {
            // With every backslash escape taken out, no link, image, raw HTML or autolink can remain.
            string unescaped = Regex.Replace(line, @"\\.", "");
            foreach (var bad in new[] { "<", "](", "![", "www.evil", "http://" })
            {
                Assert.DoesNotContain(bad, unescaped, StringComparison.OrdinalIgnoreCase);
            }
            // Raw HTML needs an unescaped '<'; links and images an unescaped '['.
            for (int i = 0; i < line.Length; i++)
            {
                if (line[i] is '<' or '[' or ']' or '`')
                {
                    Assert.True(Escaped(line, i), $"unescaped '{line[i]}' in: {line}");
                }
            }
        }
    }

    /// <summary>Plain text has no control character but the line feed; coloured text has only SGR colour sequences.</summary>
    public static void Terminal(string text, bool colour)
    {
        string rest = colour ? ColourSequence().Replace(text, "") : text;
        NoHiddenCharacters(rest, allowed: "\n");
        if (!colour) Assert.DoesNotContain('\u001b', text);
    }

    private static void NoHiddenCharacters(string text, string allowed)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool hidden = (c < 0x20 && !allowed.Contains(c)) || c is >= '\u007F' and <= '\u009F'
                || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069' || c is '\u200B' or '\u200E' or '\u200F';
            Assert.False(hidden, $"hidden character U+{(int)c:X4} at {i}: {Excerpt(text, i)}");
        }
    }

    /// <summary>Removes code spans (CommonMark 6.1: a backtick run closed by a run of the same length).</summary>
    internal static string StripCodeSpans(string line)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < line.Length)
        {
            if (line[i] == '`' && !Escaped(line, i))
            {
                int run = 0;
                while (i + run < line.Length && line[i + run] == '`') run++;
                int close = FindRun(line, i + run, run);
                if (close >= 0)
                {
                    sb.Append("CODE");
                    i = close + run;
                    continue;
                }
                sb.Append(line, i, run);
                i += run;
                continue;
            }
            sb.Append(line[i]);
            i++;
        }
        return sb.ToString();
    }

    private static int FindRun(string line, int from, int length)
    {
        for (int i = from; i < line.Length; i++)
        {
            if (line[i] != '`') continue;
            int run = 0;
            while (i + run < line.Length && line[i + run] == '`') run++;
            if (run == length) return i;
            i += run - 1;
        }
        return -1;
    }

    private static bool Escaped(string line, int i)
    {
        int backslashes = 0;
        for (int j = i - 1; j >= 0 && line[j] == '\\'; j--) backslashes++;
        return backslashes % 2 == 1;
    }

    private static string Excerpt(string text, int i) => text.Substring(Math.Max(0, i - 40), Math.Min(100, text.Length - Math.Max(0, i - 40)));
}
