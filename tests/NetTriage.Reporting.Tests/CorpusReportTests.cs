using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;
using NetTriage.Reporting.Markdown;
using NetTriage.Reporting.Terminal;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Every capture and every tcpdump output of tcpdump's regression corpus (../shared/corpus/tcpdump, many files
/// crafted to break dissectors) analysed and reported in every format: no renderer throws, and every report is
/// inert. Skipped when the corpus is absent.
/// </summary>
public sealed class CorpusReportTests
{
    private static int Headings(ReportDocument d)
    {
        static int Count(IEnumerable<Block> blocks) => blocks.OfType<Section>().Sum(s => 1 + Count(s.Body));
        return 1 + Count(d.Sections);
    }

    [SkippableFact]
    public void Every_corpus_input_reports_inertly_in_every_format()
    {
        var corpus = TestPaths.TcpdumpCorpus;
        Skip.If(corpus is null, TestPaths.CorpusAbsent);
        var files = Directory.EnumerateFiles(corpus!)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal) || f.EndsWith(".out", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        int reported = 0, withIncidents = 0;
        foreach (var file in files)
        {
            AnalysisReport report;
            try
            {
                var analyzer = new Analyzer();
                using (var source = CaptureOpener.Open(file)) analyzer.Read(source);
                report = analyzer.Finish();
            }
            catch (CaptureFormatException)
            {
                continue; // Not a readable capture: the CLI's robustness tests cover the error.
            }
            var document = ReportBuilder.Build(report);
            Inert.Html(HtmlRenderer.Render(document));
            Inert.Markdown(MarkdownRenderer.Render(document), Headings(document));
            Inert.Terminal(TextRenderer.Render(document), colour: false);
            reported++;
            if (report.Incidents.Count > 0) withIncidents++;
        }
        Assert.True(reported > files.Count / 2, $"only {reported} of {files.Count} corpus inputs were reported");
        Assert.True(withIncidents > 0, "no corpus input gave an incident");
    }
}
