using NetTriage.Analysis;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Terminal;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// The seed incident's report in every format, compared with approved files in Approved/. A change in wording,
/// layout or escaping shows as a diff to review; see <see cref="Snapshot"/> for how to accept one.
/// </summary>
public sealed class SnapshotTests
{
    private static ReportContext SeedCase() =>
        CaseFile.Load(Path.Combine(TestPaths.Samples, "seed-case.yaml"));

    private static AnalysisReport SeedText() => TestCaptures.Sample("seed-incident.txt");

    [Fact]
    public void Seed_incident_markdown() =>
        Snapshot.Verify("seed-incident.md", ReportWriter.Write(ReportFormat.Markdown, SeedText(), SeedCase()));

    [Fact]
    public void Seed_incident_html() =>
        Snapshot.Verify("seed-incident.html", ReportWriter.Write(ReportFormat.Html, SeedText(), SeedCase()));

    [Fact]
    public void Seed_incident_plain_text() =>
        Snapshot.Verify("seed-incident.txt", ReportWriter.Write(ReportFormat.Text, SeedText(), SeedCase()));

    [Fact]
    public void Seed_incident_json() =>
        Snapshot.Verify("seed-incident.json", ReportWriter.Write(ReportFormat.Json, SeedText(), SeedCase()));

    [Fact]
    public void Seed_pcap_without_case_markdown() =>
        Snapshot.Verify("seed-incident-pcap.md", ReportWriter.Write(ReportFormat.Markdown, TestCaptures.Sample("seed-incident.pcap")));

    [Fact]
    public void Healthy_capture_markdown() =>
        Snapshot.Verify("healthy.md", ReportWriter.Write(ReportFormat.Markdown, TestCaptures.Analyze(TestCaptures.HealthyPcap(), "healthy.pcap")));

    [Fact]
    public void Coloured_terminal_text()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var console = TextRenderer.ColourConsole(writer);
        TextRenderer.Render(ReportBuilder.Build(SeedText(), SeedCase()), console, 100);
        Snapshot.Verify("seed-incident.ansi.txt", writer.ToString());
    }
}
