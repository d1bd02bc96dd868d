using System.Text;
using NetTriage.Packets.Formatting;

namespace NetTriage.Reporting.Markdown;

/// <summary>
/// Makes any text inert in Markdown (CommonMark 0.31 with the GitHub extensions), keeping ordinary prose
/// readable as plain text. First, control and invisible characters become visible (<see cref="TerminalEscaper"/>),
/// so text never holds a line break and cannot start a new block. Then:
/// <list type="bullet">
/// <item>every character that can open inline syntax is backslash-escaped (CommonMark 2.4 allows it for any ASCII
/// punctuation): <c>\ ` * _ [ ] &lt; &gt; | ~ ! &amp; $ @</c>. With <c>[</c> and <c>]</c> escaped no link or image can
/// form, so <c>( )</c> stay as they are; <c>&lt;</c> stops raw HTML and autolinks, <c>&amp;</c> stops entities,
/// <c>|</c> table cells, <c>~</c> strike-through, <c>$</c> math, <c>@</c> e-mail autolinks;</item>
/// <item>the GitHub "extended autolinks" are broken up: the <c>:</c> of <c>://</c> and the dot of <c>www.</c> are escaped;</item>
/// <item>at the start of a block, a character that would start a list, a quote, a heading or a thematic break
/// (<c>- + = #</c>, digits followed by <c>.</c> or <c>)</c>) is escaped, and leading spaces become <c>&amp;#32;</c>
/// so they cannot make an indented code block.</item>
/// </list>
/// Code spans and fenced code blocks use a fence longer than any backtick run in their content (CommonMark 6.1, 4.5).
/// </summary>
public static class MarkdownEscaper
{
    private const string AlwaysEscaped = "\\`*_[]<>|~!&$@";

    /// <summary>Escapes <paramref name="text"/> for Markdown inline content.</summary>
    /// <param name="atBlockStart">True when the text starts a paragraph or a list item.</param>
    /// <param name="inHeading">True in a heading, where a trailing run of <c>#</c> would be taken as its closing sequence.</param>
    public static string Escape(string text, bool atBlockStart = false, bool inHeading = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = TerminalEscaper.Escape(text);
        var sb = new StringBuilder(s.Length + 8);
        int i = 0;
        if (atBlockStart)
        {
            while (i < s.Length && s[i] == ' ')
            {
                sb.Append("&#32;");
                i++;
            }
            if (i < s.Length && s[i] is '-' or '+' or '=' or '#')
            {
                sb.Append('\\').Append(s[i]);
                i++;
            }
            else
            {
                int digits = i;
                while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
                if (digits > i && digits < s.Length && s[digits] is '.' or ')')
                {
                    sb.Append(s, i, digits - i).Append('\\').Append(s[digits]);
                    i = digits + 1;
                }
            }
        }
        for (; i < s.Length; i++)
        {
            char c = s[i];
            bool escape = AlwaysEscaped.Contains(c)
                || (c == '#' && inHeading)
                || (c == ':' && i + 2 < s.Length && s[i + 1] == '/' && s[i + 2] == '/')
                || (c == '.' && EndsWithWww(s, i));
            if (escape) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// An inline code span holding <paramref name="text"/> literally. In a table cell a <c>|</c> must still be
    /// written <c>\|</c> (GitHub tables split cells before they read code spans).
    /// </summary>
    public static string CodeSpan(string text, bool inTable = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = TerminalEscaper.Escape(text);
        if (inTable) s = s.Replace("|", "\\|", StringComparison.Ordinal);
        if (s.Length == 0) return "";
        var fence = new string('`', LongestRun(s, '`') + 1);
        bool pad = s[0] == '`' || s[^1] == '`' || (s[0] == ' ' && s[^1] == ' ');
        return pad ? fence + " " + s + " " + fence : fence + s + fence;
    }

    /// <summary>The fence for a code block holding <paramref name="lines"/>: backticks, at least three, longer than any run inside.</summary>
    public static string Fence(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        int longest = 0;
        foreach (var line in lines) longest = Math.Max(longest, LongestRun(line, '`'));
        return new string('`', Math.Max(3, longest + 1));
    }

    /// <summary>The length of the longest run of <paramref name="c"/> in <paramref name="s"/>.</summary>
    public static int LongestRun(string s, char c)
    {
        ArgumentNullException.ThrowIfNull(s);
        int longest = 0, run = 0;
        foreach (char x in s)
        {
            run = x == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    private static bool EndsWithWww(string s, int dot) =>
        dot >= 3
        && char.ToLowerInvariant(s[dot - 1]) == 'w' && char.ToLowerInvariant(s[dot - 2]) == 'w' && char.ToLowerInvariant(s[dot - 3]) == 'w';
}
