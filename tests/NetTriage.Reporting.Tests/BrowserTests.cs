using System.Diagnostics;
using System.Text.RegularExpressions;
using NetTriage.Analysis;
using NetTriage.Reporting.Document;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Html;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// The HTML report in a real browser: Debian's Chromium, headless (installed by .ci/run). It loads the report from
/// a file, the test reads back the DOM as the browser built it, checks the key facts are on the page and that no
/// script from the capture ran (the payloads would change the title or add an element), and saves a screenshot
/// under the test output (browser/*.png). Skipped when Chromium is not installed.
/// </summary>
public sealed class BrowserTests
{
    private const string NoBrowser = "Chromium is not installed (apt-get install chromium; .ci/run installs it)";

    private static readonly string OutputDirectory = Path.Combine(AppContext.BaseDirectory, "browser");

    private static string? Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public void The_seed_report_shows_the_key_facts()
    {
        var chromium = Chromium();
        Skip.If(chromium is null, NoBrowser);
        var report = TestCaptures.Sample("seed-incident.pcap");
        var document = ReportBuilder.Build(report, CaseFile.Load(Path.Combine(NetTriage.Tests.Shared.TestPaths.Samples, "seed-case.yaml")));
        var dom = Load(chromium!, "seed-incident", HtmlRenderer.Render(document));

        Assert.Contains("<title>Customers cannot reach www.yummyrecipesforme.com</title>", dom, StringComparison.Ordinal);
        string text = VisibleText(dom);
        Assert.Contains("Server 203.0.113.2", text, StringComparison.Ordinal);
        Assert.Contains("port 53/UDP (domain)", text, StringComparison.Ordinal);
        Assert.Contains("Attempts 3, of which 3 failed", text, StringComparison.Ordinal);
        Assert.Contains("ICMP 203.0.113.2 udp port 53 unreachable", text, StringComparison.Ordinal);
        Assert.Contains("Most likely issue The DNS service on 203.0.113.2 is not running or not listening on port 53", text, StringComparison.Ordinal);
        Assert.Matches("<svg[^>]*role=\"img\"", dom);
        Assert.Equal(6 + 2, Regex.Matches(dom, "<circle ").Count);
    }

    [SkippableFact]
    public void Hostile_names_from_a_capture_run_nothing() => AssertInert("hostile-pcap", TestCaptures.Analyze(TestCaptures.HostileNamesPcap(), "hostile.pcap"));

    [SkippableFact]
    public void Hostile_names_from_tcpdump_text_run_nothing() => AssertInert("hostile-text", TestCaptures.Analyze(TestCaptures.HostileNamesText(), "hostile.txt"));

    [SkippableFact]
    public void Hostile_text_in_every_field_runs_nothing()
    {
        string h = HostileModel.All;
        AssertInert("hostile-model", HostileModel.Build(h), HostileModel.Context(h));
    }

    private static void AssertInert(string name, AnalysisReport report, ReportContext? context = null)
    {
        var chromium = Chromium();
        Skip.If(chromium is null, NoBrowser);
        var document = ReportBuilder.Build(report, context);
        var dom = Load(chromium!, name, HtmlRenderer.Render(document));

        // Had any payload become markup, the DOM would hold its element, or its script would have set the title.
        string head = dom[..dom.IndexOf("</head>", StringComparison.Ordinal)];
        var title = Assert.Single(Regex.Matches(head, "<title>([^<]*)</title>"));
        Assert.Equal(TerminalEscaper.Escape(document.Title), System.Net.WebUtility.HtmlDecode(title.Groups[1].Value));
        Assert.DoesNotMatch("<img[\\s/>]", dom);
        Assert.DoesNotMatch("<script[\\s>]", dom);
        // The browser serialises text '<' as "&lt;", so every '<' left is a real tag: none may carry an event handler.
        foreach (Match tag in Regex.Matches(dom, "<[a-zA-Z][^>]*>"))
        {
            Assert.DoesNotMatch("\\son[a-z]+\\s*=", tag.Value);
        }
        Assert.DoesNotMatch("<a href=\"(?!#)", dom);
        Assert.Contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;", dom, StringComparison.Ordinal);
    }

    /// <summary>Writes the page, lets Chromium load it, saves a screenshot, and returns the DOM as Chromium serialises it.</summary>
    private static string Load(string chromium, string name, string html)
    {
        Directory.CreateDirectory(OutputDirectory);
        string page = Path.Combine(OutputDirectory, name + ".html");
        File.WriteAllText(page, html);
        string url = new Uri(page).AbsoluteUri;
        string profile = Directory.CreateTempSubdirectory("nettriage-chromium-").FullName;
        try
        {
            string dom = Run(chromium, profile, "--dump-dom", url);
            Run(chromium, profile, "--screenshot=" + Path.Combine(OutputDirectory, name + ".png"), "--window-size=1200,2000", url);
            Assert.True(File.Exists(Path.Combine(OutputDirectory, name + ".png")), "Chromium wrote no screenshot");
            Assert.StartsWith("<!DOCTYPE html>\n<html", dom, StringComparison.Ordinal);
            return dom;
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
    }

    private static string Run(string chromium, string profile, params string[] args)
    {
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + profile })
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(90_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Chromium did not finish within 90 s");
        }
        Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>The page's text with tags dropped and whitespace collapsed ("Server 203.0.113.2").</summary>
    private static string VisibleText(string dom)
    {
        int body = dom.IndexOf("<body", StringComparison.Ordinal);
        string text = Regex.Replace(body >= 0 ? dom[body..] : dom, "<[^>]*>", " ");
        return Regex.Replace(System.Net.WebUtility.HtmlDecode(text), "\\s+", " ");
    }
}
