using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;

namespace NetTriage.Reporting.Tests;

public sealed class HtmlRendererTests
{
    public static TheoryData<int> PayloadIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < HostileModel.Payloads.Length; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(PayloadIndexes))]
    public void Every_payload_in_every_field_stays_text(int index)
    {
        string h = HostileModel.Payloads[index];
        string html = HtmlRenderer.Render(ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h)));
        Inert.Html(html);
    }

    [Fact]
    public void All_payloads_at_once_stay_text()
    {
        string h = HostileModel.All;
        string html = HtmlRenderer.Render(ReportBuilder.Build(HostileModel.Build(h), HostileModel.Context(h)));
        Inert.Html(html);
        Assert.Contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;PWNED&#39;&quot;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("\\x1B[31mRED", html, StringComparison.Ordinal);
        Assert.Contains("evil\\u202Egnp.exe", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_seed_report_is_self_contained_with_a_strict_policy()
    {
        string html = HtmlRenderer.Render(ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap")));
        Inert.Html(html);
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\"", html, StringComparison.Ordinal);
        Assert.Equal(6, CountOf(html, "<circle class=\"dot-") - 2);
    }

    [Fact]
    public void Sections_become_sections_with_the_builder_ids_and_a_table_of_contents()
    {
        string html = HtmlRenderer.Render(ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap")));
        Assert.Contains("<section id=\"incident-1\" class=\"incident\">", html, StringComparison.Ordinal);
        Assert.Contains("<li><a href=\"#incident-1\">Incident INC-1: DNS failure: server 203.0.113.2 unreachable on UDP port 53</a></li>", html, StringComparison.Ordinal);
        Assert.Contains("<h4>Likely causes, most likely first</h4>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">6</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_provided_is_marked()
    {
        string html = HtmlRenderer.Render(ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt")));
        Assert.Contains("<dt>Analyst</dt><dd><em class=\"missing\">not provided</em></dd>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_style_hash_matches_the_style_sheet() =>
        Assert.Contains(ReportStyle.HashSource, ReportStyle.ContentSecurityPolicy, StringComparison.Ordinal);

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
