using NetTriage.Reporting.Document;
using NetTriage.Reporting.Markdown;

namespace NetTriage.Reporting.Tests;

public sealed class MarkdownRendererTests
{
    private static int Headings(ReportDocument d)
    {
        static int Count(IEnumerable<Block> blocks) => blocks.OfType<Section>().Sum(s => 1 + Count(s.Body));
        return 1 + Count(d.Sections);
    }

    [Theory]
    [MemberData(nameof(HtmlRendererTests.PayloadIndexes), MemberType = typeof(HtmlRendererTests))]
    public void Every_payload_in_every_field_stays_text(int index)
    {
        string h = HostileModel.Payloads[index];
        var document = ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h));
        Inert.Markdown(MarkdownRenderer.Render(document), Headings(document));
    }

    [Fact]
    public void All_payloads_at_once_stay_text()
    {
        string h = HostileModel.All;
        var document = ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h));
        string markdown = MarkdownRenderer.Render(document);
        Inert.Markdown(markdown, Headings(document));
        Assert.Contains("\\<script\\>document.title='PWNED'\\</script\\>", markdown, StringComparison.Ordinal);
        Assert.Contains("\\[click\\](javascript:alert(1))", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Evidence_gets_a_fence_longer_than_its_backtick_runs()
    {
        var document = ReportBuilder.Build(HostileModel.Build("a ```` b"));
        string markdown = MarkdownRenderer.Render(document);
        Assert.Contains("\n`````text\n", markdown, StringComparison.Ordinal);
        Assert.Contains("\n`````\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_cells_keep_their_column_when_text_holds_pipes()
    {
        string markdown = MarkdownRenderer.Render(ReportBuilder.Build(HostileModel.Build("| a | b |")));
        var talker = markdown.Split('\n').Single(l => l.StartsWith("| `192.0.2.1", StringComparison.Ordinal));
        // Five columns: six unescaped pipes.
        Assert.Equal(6, talker.Where((c, i) => c == '|' && (i == 0 || talker[i - 1] != '\\')).Count());
    }

    [Fact]
    public void The_seed_report_reads_as_plain_text()
    {
        string markdown = MarkdownRenderer.Render(ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt")));
        Assert.Contains("- **Server:** `203.0.113.2`", markdown, StringComparison.Ordinal);
        Assert.Contains("- **Attempts:** 3, of which 3 failed", markdown, StringComparison.Ordinal);
        Assert.Contains("1. **The DNS service on 203.0.113.2 is not running or not listening on port 53** **HIGH CONFIDENCE** (score 0.80)", markdown, StringComparison.Ordinal);
        Assert.Contains("   - **For:** 203.0.113.2 itself answered 3 times with ICMP port unreachable", markdown, StringComparison.Ordinal);
        Assert.Contains("```text\nline 1   13:24:32.192571  IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (24)\n", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", markdown, StringComparison.Ordinal);
    }
}
