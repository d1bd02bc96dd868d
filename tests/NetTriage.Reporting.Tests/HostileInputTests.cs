using NetTriage.Analysis;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;
using NetTriage.Reporting.Markdown;
using NetTriage.Reporting.Terminal;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Captures whose DNS names are attacks on the reader (markup, script, Markdown links, terminal escapes, bidi
/// overrides, fences, pipes, very long names), made with the project's packet writer and as tcpdump text, then
/// analysed and rendered in every format: the names reach the report, as inert text.
/// </summary>
public sealed class HostileInputTests
{
    private static AnalysisReport Pcap() => TestCaptures.Analyze(TestCaptures.HostileNamesPcap(), "hostile.pcap");

    private static AnalysisReport Text() => TestCaptures.Analyze(TestCaptures.HostileNamesText(), "hostile.txt");

    public static TheoryData<string> Inputs() => ["pcap", "text"];

    private static AnalysisReport Report(string input) => input == "pcap" ? Pcap() : Text();

    private static int Headings(ReportDocument d)
    {
        static int Count(IEnumerable<Block> blocks) => blocks.OfType<Section>().Sum(s => 1 + Count(s.Body));
        return 1 + Count(d.Sections);
    }

    [Fact]
    public void The_names_reach_the_model_as_an_incident()
    {
        var pcap = Pcap();
        Assert.Single(pcap.Incidents);
        Assert.Equal(TestCaptures.HostileNames.Length, pcap.Incidents[0].Attempts);
        Assert.Contains(pcap.Incidents[0].Evidence, e => e.Summary.Contains("<script>document.title='PWNED'</script>.example", StringComparison.Ordinal));
        var text = Text();
        Assert.Single(text.Incidents);
        Assert.Contains(text.Incidents[0].Evidence, e => e.Summary.Contains("\"><img/src=x/onerror=document.title='PWNED'>.example", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Html_shows_them_as_text(string input)
    {
        string html = HtmlRenderer.Render(ReportBuilder.Build(Report(input)));
        Inert.Html(html);
        Assert.Contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;.example", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Markdown_shows_them_as_text(string input)
    {
        var document = ReportBuilder.Build(Report(input));
        string markdown = MarkdownRenderer.Render(document);
        Inert.Markdown(markdown, Headings(document));
        Assert.Contains("<script>document.title='PWNED'</script>.example", markdown, StringComparison.Ordinal); // inside the evidence fence
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_terminal_shows_them_as_text(string input)
    {
        var document = ReportBuilder.Build(Report(input));
        Inert.Terminal(TextRenderer.Render(document), colour: false);
        var writer = new StringWriter { NewLine = "\n" };
        TextRenderer.Render(document, TextRenderer.ColourConsole(writer), 100);
        Inert.Terminal(writer.ToString(), colour: true);
    }

    [Fact]
    public void Escapes_from_a_binary_capture_stay_in_their_presentation_form()
    {
        string text = TextRenderer.Render(ReportBuilder.Build(Pcap()));
        Assert.Contains("\\027[31mred\\027[0m.example", text, StringComparison.Ordinal);
        Assert.Contains("evil\\226\\128\\174gnp.exe.example", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_keeps_them_escaped_as_json() =>
        Assert.DoesNotContain("<script>", ReportWriter.Write(ReportFormat.Json, Pcap()), StringComparison.Ordinal);
}
