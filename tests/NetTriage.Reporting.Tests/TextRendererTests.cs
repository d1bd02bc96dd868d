using NetTriage.Reporting.Document;
using NetTriage.Reporting.Terminal;

namespace NetTriage.Reporting.Tests;

public sealed class TextRendererTests
{
    [Theory]
    [MemberData(nameof(HtmlRendererTests.PayloadIndexes), MemberType = typeof(HtmlRendererTests))]
    public void Plain_text_shows_every_payload_inert(int index)
    {
        string h = HostileModel.Payloads[index];
        Inert.Terminal(TextRenderer.Render(ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h))), colour: false);
    }

    [Theory]
    [MemberData(nameof(HtmlRendererTests.PayloadIndexes), MemberType = typeof(HtmlRendererTests))]
    public void Coloured_text_shows_every_payload_inert(int index)
    {
        string h = HostileModel.Payloads[index];
        Inert.Terminal(Coloured(ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h))), colour: true);
    }

    [Fact]
    public void Control_characters_are_visible_and_markup_is_not_parsed()
    {
        string h = HostileModel.All;
        var document = ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h));
        foreach (var text in new[] { TextRenderer.Render(document), Coloured(document) })
        {
            Assert.Contains("\\x1B[31mRED\\x1B[0m\\x1B]0;title\\x07\\x0D\\x0A# injected heading", text, StringComparison.Ordinal);
            Assert.Contains("evil\\u202Egnp.exe \\u2066isolate\\u2069 zero\\u200Bwidth", text, StringComparison.Ordinal);
            Assert.Contains("[red]spectre[/]", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plain_lines_fit_the_width_except_evidence()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"));
        foreach (int width in new[] { 60, 100, 140 })
        {
            var lines = TextRenderer.Render(document, width).Split('\n');
            Assert.All(lines.Where(l => !l.StartsWith("    frame ", StringComparison.Ordinal)), l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
            Assert.Contains(lines, l => l.StartsWith("    frame 2  2023-03-14 13:24:36.098564  IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 75", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Very_long_words_are_cut_to_the_width()
    {
        var document = ReportBuilder.Build(HostileModel.Build(new string('n', 300)));
        var lines = TextRenderer.Render(document, 80).Split('\n');
        Assert.All(lines.Where(l => !l.StartsWith("    frame ", StringComparison.Ordinal)), l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
    }

    [Fact]
    public void Colour_marks_severity_and_headings()
    {
        string text = Coloured(ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap")));
        Assert.Contains("\u001b[1;91m[HIGH]\u001b[0m", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[1;96mSummary\u001b[0m", text, StringComparison.Ordinal);
        Assert.Equal(TextRenderer.Render(ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"))), StripColour(text));
    }

    private static string Coloured(ReportDocument document)
    {
        var writer = new StringWriter { NewLine = "\n" };
        TextRenderer.Render(document, TextRenderer.ColourConsole(writer), TextRenderer.DefaultWidth);
        return writer.ToString();
    }

    private static string StripColour(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\x1b\[[0-9;]*m", "");
}
