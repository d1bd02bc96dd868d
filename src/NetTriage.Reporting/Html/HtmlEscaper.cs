using System.Text;
using NetTriage.Packets.Formatting;

namespace NetTriage.Reporting.Html;

/// <summary>
/// Makes any text inert in HTML element content and in quoted attribute values (HTML Living Standard 13.1):
/// control and invisible characters are first made visible (<see cref="TerminalEscaper"/>), so bidirectional
/// overrides cannot reorder what a reader sees; then <c>&amp; &lt; &gt; " '</c> become character references.
/// The report never puts text into a <c>&lt;style&gt;</c> or <c>&lt;script&gt;</c> element, or into an unquoted attribute.
/// </summary>
public static class HtmlEscaper
{
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = TerminalEscaper.Escape(text);
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            string? entity = s[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            if (entity is null)
            {
                sb?.Append(s[i]);
                continue;
            }
            sb ??= new StringBuilder(s.Length + 16).Append(s, 0, i);
            sb.Append(entity);
        }
        return sb?.ToString() ?? s;
    }
}
