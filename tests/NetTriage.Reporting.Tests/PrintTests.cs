using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;
using NetTriage.Synthetic;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// The HTML report on paper: Debian's Chromium prints it to PDF (headless, A4 from the report's own @page rule,
/// without the browser's header and footer), and poppler's pdftotext reads the pages back, as text laid out line by
/// line and as word boxes. Checked on the seed sample's report and on a busy one (many incidents, long tables):
/// no text outside the printable area and no shrinking to fit, no date or time of day split over two lines, no word
/// "hover", and each timeline chart on the page where its table starts. The PDFs are kept under the test output
/// (print/*.pdf). Skipped when Chromium or pdftotext is not installed.
/// </summary>
public sealed partial class PrintTests
{
    private const string NoBrowser = "Chromium is not installed (apt-get install chromium; .ci/run installs it)";
    private const string NoPdfText = "pdftotext is not installed (apt-get install poppler-utils; .ci/run installs it)";

    /// <summary>A4 and the report's page margins (@page { size: A4; margin: 15mm 14mm }), in PDF points.</summary>
    private const double MarginX = 14 / 25.4 * 72;
    private const double MarginY = 15 / 25.4 * 72;

    /// <summary>How far a word box may reach past the printable area: glyph boxes overhang their advance a little.</summary>
    private const double Slack = 1.0;

    private static readonly string OutputDirectory = Path.Combine(AppContext.BaseDirectory, "print");

    private static string? Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    private static string? PdfToText() =>
        new[] { "/usr/bin/pdftotext", "/usr/local/bin/pdftotext" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public void The_seed_report_prints_cleanly()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");
        var context = CaseFile.Load(Path.Combine(NetTriage.Tests.Shared.TestPaths.Samples, "seed-case.yaml"));
        AssertPrintsCleanly("seed-incident", HtmlRenderer.Render(ReportBuilder.Build(report, context)), minimumCharts: 1);
    }

    [SkippableFact]
    public void A_busy_report_prints_cleanly()
    {
        using var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, 8_000, seed: 1, hostCount: 4000);
        var report = TestCaptures.Analyze(stream.ToArray(), "busy.pcap");
        AssertPrintsCleanly("busy", HtmlRenderer.Render(ReportBuilder.Build(report)), minimumCharts: 10);
    }

    [Fact]
    public void Dates_and_times_are_marked_and_the_rest_stays_escaped()
    {
        Assert.Equal(
            "&lt;b&gt;from <span class=\"time\">2023-03-14 13:24:32.192571 UTC</span> to <span class=\"time\">13:28:50.022967 UTC</span>.&lt;/b&gt;",
            HtmlRenderer.Text("<b>from 2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC.</b>"));
        Assert.Equal("frame 1  <span class=\"time\">13:24:32.192571</span>  IP 192.51.100.15.52444 &gt; 203.0.113.2.53",
            HtmlRenderer.Text("frame 1  13:24:32.192571  IP 192.51.100.15.52444 > 203.0.113.2.53"));
        // Not a date or a time: part of a longer token (a case id, an address, a MAC address, a version).
        foreach (string other in new[] { "IR-2023-0314-01", "00:11:22:33:44:55", "fe80::12:34:56", "v2023-03-14.1", "12:34" })
        {
            Assert.Equal(HtmlEscaper.Escape(other), HtmlRenderer.Text(other));
        }
    }

    private static void AssertPrintsCleanly(string name, string html, int minimumCharts)
    {
        var chromium = Chromium();
        Skip.If(chromium is null, NoBrowser);
        var pdftotext = PdfToText();
        Skip.If(pdftotext is null, NoPdfText);

        string pdf = Print(chromium!, name, html);
        var pages = Run(pdftotext!, "-layout", "-enc", "UTF-8", pdf, "-").Split('\f');
        var boxes = WordBoxes(Run(pdftotext!, "-bbox-layout", "-enc", "UTF-8", pdf, "-"));
        Assert.True(boxes.Count > 1, $"{name}: the PDF has {boxes.Count} page(s)");
        string text = string.Join("\n", pages).Normalize(NormalizationForm.FormKC);

        // Nothing of the page's own text is lost on paper (a sanity check of the extraction).
        Assert.Contains("Written by NetTriage", text, StringComparison.Ordinal);

        // Every check runs, and the failure lists all that failed.
        var problems = new List<string>();

        // 1. Every word inside the printable area, and the page not shrunk to fit: Chromium scales a page down when
        //    something is wider than the paper, so the title must be as wide as in a print of the header alone.
        foreach (var page in boxes)
        {
            var outside = page.Words.Where(w => w.XMin < MarginX - Slack || w.XMax > page.Width - MarginX + Slack).ToList();
            if (outside.Count > 0)
            {
                problems.Add($"{outside.Count} word(s) on page {page.Number} run outside the printable width ({MarginX:0.0} to " +
                    $"{page.Width - MarginX:0.0} pt), e.g. " + string.Join(", ", outside.Take(3).Select(w => $"'{w.Text}' ({w.XMin:0.0} to {w.XMax:0.0} pt)")));
            }
        }
        int main = html.IndexOf("<main>", StringComparison.Ordinal);
        int mainEnd = html.IndexOf("</main>", StringComparison.Ordinal);
        string headerOnly = html[..main] + html[mainEnd..];
        var reference = WordBoxes(Run(pdftotext!, "-bbox-layout", "-enc", "UTF-8", Print(chromium!, name + "-header", headerOnly), "-"));
        var title = boxes[0].Words[0];
        var referenceTitle = reference[0].Words[0];
        Assert.Equal(referenceTitle.Text, title.Text);
        double scale = (title.XMax - title.XMin) / (referenceTitle.XMax - referenceTitle.XMin);
        if (Math.Abs(scale - 1) >= 0.005)
        {
            problems.Add($"the pages are printed at {scale:P1}: something is wider than the paper and Chromium shrank the page to fit");
        }

        // 2. No date or time of day split over two lines: each one in the report's main text is whole on one line of
        //    the PDF as often as the HTML has it.
        var expected = Tokens(VisibleMainText(html));
        Assert.NotEmpty(expected);
        var printed = Tokens(text);
        var split = expected.Where(e => printed.GetValueOrDefault(e.Key) < e.Value)
            .Select(e => $"{e.Key} ({e.Value} in the HTML, {printed.GetValueOrDefault(e.Key)} whole in the PDF)")
            .ToList();
        if (split.Count > 0)
        {
            var pieces = printed.Keys.Where(k => !expected.ContainsKey(k))
                .Concat(pages.SelectMany(p => p.Split('\n')).Select(l => PartialDateAtEnd().Match(l.TrimEnd()).Value).Where(v => v.Length > 0))
                .Distinct().Take(5);
            problems.Add($"{split.Count} date(s) or time(s) split over two lines, e.g. {string.Join("; ", split.Take(4))}; " +
                $"pieces on paper: {string.Join(", ", pieces)}");
        }

        // 3. No word cut in the middle (a table squeezed too narrow, "Eviden" and "ce"): each word and number of the
        //    main text is whole on paper at least as often as in the HTML. Breaking after a hyphen or a dot is fine.
        var words = Words(VisibleMainText(html));
        var printedWords = Words(text);
        var cut = words.Where(e => printedWords.GetValueOrDefault(e.Key) < e.Value)
            .Select(e => $"'{e.Key}' ({e.Value} in the HTML, {printedWords.GetValueOrDefault(e.Key)} whole in the PDF)")
            .ToList();
        if (cut.Count > 0) problems.Add($"{cut.Count} word(s) cut over two lines, e.g. {string.Join("; ", cut.Take(6))}");

        // 4. No hint about hovering on paper.
        var hover = Regex.Match(text, ".{0,60}hover.{0,20}", RegexOptions.IgnoreCase);
        if (hover.Success) problems.Add($"the printed text speaks of hovering: '{hover.Value.Trim()}'");

        // 5. Each timeline chart on the page where its table starts (the chart is a sixth of a page: it always fits).
        int charts = Regex.Matches(html, "<figure class=\"timeline\">").Count;
        Assert.True(charts >= minimumCharts, $"{name}: {charts} timeline chart(s), expected at least {minimumCharts}");
        var caption = new Regex(@"^\s*Timeline: [0-9,]+ events? from ");
        var tableHeader = new Regex(@"^\s*#\s+Time\s+Event\s");
        var lines = pages.SelectMany((p, i) => p.Split('\n').Select(l => (Page: i + 1, Line: l))).ToList();
        int found = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (!caption.IsMatch(lines[i].Line)) continue;
            found++;
            int header = lines.FindIndex(i + 1, l => tableHeader.IsMatch(l.Line));
            if (header < 0) problems.Add($"no timeline table after '{lines[i].Line.Trim()}'");
            else if (lines[header].Page != lines[i].Page)
            {
                problems.Add($"the chart '{lines[i].Line.Trim()}…' is on page {lines[i].Page}, its table starts on page {lines[header].Page}");
            }
        }
        Assert.Equal(charts, found);

        Assert.True(problems.Count == 0, $"{name}, printed to {pdf} ({boxes.Count} pages):\n  " + string.Join("\n  ", problems));
    }

    /// <summary>Each date (2023-03-14) and time of day (13:24:32, 13:24:32.192571) with how often it occurs; not part of a longer token.</summary>
    private static Dictionary<string, int> Tokens(string text) =>
        TimeToken().Matches(text).GroupBy(m => m.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    [GeneratedRegex(@"(?<![0-9A-Za-z:.+-])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)(?![0-9A-Za-z:]|[.-][0-9])")]
    private static partial Regex TimeToken();

    /// <summary>Each run of ASCII letters and digits with how often it occurs, in any case (headings print in capitals).</summary>
    private static Dictionary<string, int> Words(string text) =>
        WordToken().Matches(text).GroupBy(m => m.Value.ToLowerInvariant(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    [GeneratedRegex("[0-9A-Za-z]+")]
    private static partial Regex WordToken();

    /// <summary>The first part of a date at the end of a line: "2024-", "2024-05-".</summary>
    [GeneratedRegex(@"(?<![0-9A-Za-z:.+-])[0-9]{4}-(?:[0-9]{2}-)?$")]
    private static partial Regex PartialDateAtEnd();

    /// <summary>
    /// The text of the report's &lt;main&gt; as a browser shows it, but for the charts: inline elements joined to their
    /// neighbours, block boundaries as spaces, what the print style hides (.screen-only) left out. A chart (SVG) is
    /// left out whole: its labels sit where the picture puts them and never wrap, and its tooltips are not printed.
    /// </summary>
    private static string VisibleMainText(string html)
    {
        int main = html.IndexOf("<main>", StringComparison.Ordinal);
        int mainEnd = html.IndexOf("</main>", StringComparison.Ordinal);
        string body = html[main..mainEnd];
        body = Regex.Replace(body, "<svg.*?</svg>", " ", RegexOptions.Singleline);
        body = Regex.Replace(body, "<span class=\"screen-only\">[^<]*</span>", "");
        body = Regex.Replace(body, "</?(?:span|code|strong|em|a)\\b[^>]*>", "");
        body = Regex.Replace(body, "<[^>]*>", " ");
        return System.Net.WebUtility.HtmlDecode(body);
    }

    private sealed record Word(string Text, double XMin, double XMax);

    private sealed record Page(int Number, double Width, List<Word> Words);

    /// <summary>The pages of <c>pdftotext -bbox-layout</c> (XHTML: page, flow, block, line, word with xMin/xMax in points).</summary>
    private static List<Page> WordBoxes(string xhtml)
    {
        var pages = new List<Page>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(xhtml), settings);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element) continue;
            if (reader.LocalName == "page")
            {
                pages.Add(new Page(pages.Count + 1, Number(reader.GetAttribute("width")), []));
            }
            else if (reader.LocalName == "word")
            {
                double xMin = Number(reader.GetAttribute("xMin"));
                double xMax = Number(reader.GetAttribute("xMax"));
                pages[^1].Words.Add(new Word(reader.ReadElementContentAsString(), xMin, xMax));
            }
        }
        return pages;

        static double Number(string? s) => double.Parse(s!, CultureInfo.InvariantCulture);
    }

    /// <summary>Writes the page and prints it to PDF with Chromium as a reader would (A4 from the page's own rule, no browser header or footer).</summary>
    private static string Print(string chromium, string name, string html)
    {
        Directory.CreateDirectory(OutputDirectory);
        string page = Path.Combine(OutputDirectory, name + ".html");
        string pdf = Path.Combine(OutputDirectory, name + ".pdf");
        File.WriteAllText(page, html);
        File.Delete(pdf);
        string profile = Directory.CreateTempSubdirectory("nettriage-chromium-").FullName;
        try
        {
            Run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, "--no-pdf-header-footer",
                "--print-to-pdf=" + pdf, new Uri(page).AbsoluteUri);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold a lock file for a moment; the temporary folder is left behind.
            }
        }
        Assert.True(File.Exists(pdf) && new FileInfo(pdf).Length > 0, $"Chromium wrote no PDF for {name}");
        return pdf;
    }

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within 120 s");
        }
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(program)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
