using NetTriage.Capture;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The seed incident (DESIGN.md): the analysts' tcpdump log and the same incident as real packets must both
/// yield, by themselves, the conclusion the analysts reached by hand.
/// </summary>
public sealed class SeedIncidentTests
{
    private static AnalysisReport Analyze(string sample)
    {
        var analyzer = new Analyzer();
        using var source = CaptureOpener.Open(Path.Combine(TestPaths.Samples, sample));
        analyzer.Read(source);
        return analyzer.Finish();
    }

    [Theory]
    [InlineData("seed-incident.txt")]
    [InlineData("seed-incident.pcap")]
    public void Seed_yields_one_dns_server_unreachable_incident(string sample)
    {
        var report = Analyze(sample);

        Assert.Equal("incident", report.Verdict);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsServerUnreachable, incident.Kind);
        Assert.Equal("DNS", incident.Protocol);
        Assert.Equal("UDP", incident.Transport);
        Assert.Equal(53, incident.Port);
        Assert.Equal("domain", incident.Service);
        Assert.Equal(Layer.Application, incident.Layer);
        Assert.Equal(["203.0.113.2"], incident.Servers);
        Assert.Equal(["192.51.100.15"], incident.Clients);
        Assert.Equal(3, incident.Attempts);
        Assert.Equal(3, incident.Failed);
        Assert.EndsWith("13:24:32.192571" + (sample.EndsWith(".pcap", StringComparison.Ordinal) ? "Z" : ""), incident.First.Text);
        Assert.EndsWith("13:28:50.022967" + (sample.EndsWith(".pcap", StringComparison.Ordinal) ? "Z" : ""), incident.Last.Text);
        Assert.Equal(257.830396, incident.DurationSeconds!.Value, 6);
    }

    [Theory]
    [InlineData("seed-incident.txt")]
    [InlineData("seed-incident.pcap")]
    public void Seed_rules_out_the_web_server_because_no_connection_was_attempted(string sample)
    {
        var incident = Analyze(sample).Incidents[0];

        var web = Assert.Single(incident.RuledOut, r => r.Item.StartsWith("The web server", StringComparison.Ordinal));
        Assert.Contains("No TCP connection was attempted", web.Reason.Text, StringComparison.Ordinal);
        Assert.Contains(incident.RuledOut, r => r.Item.StartsWith("203.0.113.2 being down", StringComparison.Ordinal));
        Assert.Contains("web server is not implicated", incident.Summary.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed-incident.txt")]
    [InlineData("seed-incident.pcap")]
    public void Seed_causes_are_ranked_from_the_protocol_facts(string sample)
    {
        var causes = Analyze(sample).Incidents[0].Causes;

        Assert.Equal("service-not-listening", causes[0].Id);
        Assert.Equal(Confidence.High, causes[0].Confidence);
        Assert.Contains(causes[0].For, f => f.Text.Contains("203.0.113.2 itself answered 3 times with ICMP port unreachable (type 3, code 3)", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Id == "firewall-reject");
        var dos = Assert.Single(causes, c => c.Id == "overload-or-dos");
        Assert.Equal(Confidence.Low, dos.Confidence);
        Assert.Contains(dos.Against, a => a.Text.Contains("no surge of traffic from many sources", StringComparison.Ordinal));
        Assert.True(causes.Zip(causes.Skip(1)).All(p => p.First.Score >= p.Second.Score), "causes are ranked by score");
        Assert.All(causes.Where(c => c.Score >= 0.3), c => Assert.NotEmpty(c.NextSteps));
    }

    [Fact]
    public void Seed_text_evidence_cites_the_log_lines()
    {
        var incident = Analyze("seed-incident.txt").Incidents[0];

        Assert.Equal([1L, 3L, 6L, 8L, 11L, 13L], incident.Evidence.Select(e => e.Line!.Value));
        Assert.Equal(["query", "icmp-error", "query", "icmp-error", "query", "icmp-error"], incident.Evidence.Select(e => e.Role));
        Assert.Contains("35084+ A? yummyrecipesforme.com.", incident.Evidence[0].Summary, StringComparison.Ordinal);
        Assert.Contains("udp port 53 unreachable", incident.Evidence[1].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_pcap_evidence_cites_the_frames()
    {
        var report = Analyze("seed-incident.pcap");
        var incident = report.Incidents[0];

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], incident.Evidence.Select(e => e.Frame));
        var sender = Assert.Single(report.Findings[0].IcmpSenders);
        Assert.Equal("203.0.113.2", sender.Address);
        Assert.Equal("target", sender.Role);
        Assert.Equal((3, 3), (sender.Type, sender.Code));
    }

    [Theory]
    [InlineData("seed-incident.txt")]
    [InlineData("seed-incident.pcap")]
    public void Seed_dns_statistics_count_icmp_answered_queries_as_failures(string sample)
    {
        var dns = Analyze(sample).Dns;

        Assert.Equal(3, dns.Queries);
        Assert.Equal(0, dns.Answered);
        Assert.Equal(3, dns.IcmpAnswered);
        Assert.Equal(0, dns.Unanswered);
        Assert.Equal(1.0, dns.FailureRate);
    }

    [Fact]
    public void Text_input_carries_its_caveat()
    {
        var report = Analyze("seed-incident.txt");
        Assert.Contains(report.Caveats, c => c.Kind == "text-input");
        Assert.True(report.Capture.FromText);
        Assert.Contains(report.Incidents[0].Caveats, c => c.Kind == "capture-ends-at-failure");
        Assert.Contains(report.Incidents[0].Caveats, c => c.Kind == "single-vantage-point");
    }

    [Fact]
    public void Json_is_versioned_and_round_trips()
    {
        var report = Analyze("seed-incident.pcap");
        var json = AnalysisJson.Serialize(report);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("nettriage.analysis", doc.RootElement.GetProperty("schema").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("dns-server-unreachable", doc.RootElement.GetProperty("incidents")[0].GetProperty("kind").GetString());
        var back = AnalysisJson.Deserialize(json)!;
        Assert.Equal(report.Incidents[0].Title, back.Incidents[0].Title);
        Assert.Equal(report.Incidents[0].Evidence.Count, back.Incidents[0].Evidence.Count);
    }
}
