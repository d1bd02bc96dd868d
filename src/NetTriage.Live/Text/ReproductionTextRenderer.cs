using System.Globalization;
using System.Net;
using NetTriage.Analysis;
using NetTriage.Packets.Formatting;

namespace NetTriage.Live.Text;

/// <summary>
/// The "Reproduced from this host" section as plain text, printed after the analysis of the capture. It presents
/// the model and decides nothing; every string that came from the network, the capture or the user (server
/// messages, status lines, certificate names, file and interface names) goes through <see cref="TerminalEscaper"/>.
/// </summary>
public static class ReproductionTextRenderer
{
    public static void Render(Reproduction reproduction, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(reproduction);
        ArgumentNullException.ThrowIfNull(output);
        var r = reproduction;
        output.WriteLine($"Reproduced from this host: {Safe(r.Url)}");
        string outcome = r.Outcome switch
        {
            "reproduced" => $"the failure is reproduced, at step {r.FailedStepNumber} ({r.FailedStep})"
                + (r.FailureKind is null ? "" : $"; kind: {r.FailureKind}") + (r.Incident is null ? "" : $" ({r.Incident})"),
            "not-reproduced" => "not reproduced: every step worked",
            _ => "incomplete: the steps did not all run",
        };
        output.WriteLine($"  outcome: {outcome}");
        output.WriteLine($"  at fault: {End(r.AtFault)}{(r.FaultAddress is null ? "" : " " + Safe(r.FaultAddress))} [{r.Confidence.Name()} confidence]");
        output.WriteLine($"  {Safe(r.Conclusion)}");
        output.WriteLine($"  resolvers: {(r.Resolvers.Count == 0 ? "none (the target is an address)" : Safe(string.Join(", ", r.Resolvers)) + $" (from {Safe(r.ResolverSource)})")}; " +
            string.Create(CultureInfo.InvariantCulture, $"took {r.DurationSeconds:0.###} s of a {r.BudgetSeconds:0.#} s budget"));

        output.WriteLine("  steps:");
        foreach (var s in r.Steps)
        {
            string question = s.Question is null ? "" : " " + Safe(s.Question);
            string link = s.Finding is null ? "" : $" [{s.Finding}; frames {string.Join(", ", s.Frames)}]";
            string path = s.BrowserPath ? "" : " (beyond the failure)";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {s.Number,2}. {s.Step,-11} {Safe(s.Peer)} {s.Transport}{question}: {s.Result} in {s.Milliseconds:0.#} ms{path}{link}"));
            output.WriteLine($"        {Safe(s.Detail)}");
            if (s.CertificateNames.Count > 0)
            {
                output.WriteLine($"        certificate names: {Safe(string.Join(", ", s.CertificateNames))}" +
                    (s.CertificateNotAfter is null ? "" : $"; valid until {Safe(s.CertificateNotAfter)}"));
            }
        }

        if (r.Evidence.Count > 0)
        {
            output.WriteLine("  evidence:");
            foreach (var e in r.Evidence) output.WriteLine($"    - {Safe(e)}");
        }

        var c = r.Capture;
        if (c.Captured)
        {
            output.WriteLine($"  capture: {c.Packets} packets on {Safe(c.Interface ?? "?")} written to {Safe(c.File ?? "?")}" +
                (c.Dropped > 0 ? $" ({c.Dropped} dropped)" : ""));
            output.WriteLine($"    filter: {Safe(c.Filter ?? "")}");
        }
        else
        {
            output.WriteLine($"  capture: no packets were captured: {Safe(c.Problem ?? "unknown reason")}");
        }
        if (r.Caveats.Count > 0)
        {
            output.WriteLine("  caveats:");
            foreach (var caveat in r.Caveats) output.WriteLine($"    - {Safe(caveat.Text.Text)}");
        }
    }

    /// <summary>
    /// The section for a Markdown report: a heading and the text in a fenced block whose fence is longer than
    /// any run of backticks in it (CommonMark 4.5), so nothing inside can end the block.
    /// </summary>
    public static void RenderMarkdown(Reproduction reproduction, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string text = ToText(reproduction);
        int longest = 0, run = 0;
        foreach (char ch in text)
        {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        string fence = new('`', Math.Max(3, longest + 1));
        output.WriteLine("## Reproduced from this host");
        output.WriteLine();
        output.WriteLine(fence + "text");
        output.Write(text);
        output.WriteLine(fence);
    }

    /// <summary>The section for an HTML report, placed before the document's closing body tag (or appended), HTML-escaped.</summary>
    public static string InsertHtml(string html, Reproduction reproduction)
    {
        ArgumentNullException.ThrowIfNull(html);
        string section = "<section id=\"reproduction\"><h2>Reproduced from this host</h2><pre>"
            + WebUtility.HtmlEncode(ToText(reproduction)) + "</pre></section>\n";
        int at = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? html + section : html.Insert(at, section);
    }

    private static string ToText(Reproduction reproduction)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        Render(reproduction, writer);
        return writer.ToString();
    }

    private static string End(string end) => end switch
    {
        FaultEnds.None => "nothing failed",
        FaultEnds.ThisHost => "this host",
        FaultEnds.Network => "the network",
        FaultEnds.DnsServer => "the DNS server",
        FaultEnds.Name => "the name",
        FaultEnds.WebServer => "the web server",
        _ => "unknown",
    };

    private static string Safe(string text) => TerminalEscaper.Escape(text);
}
