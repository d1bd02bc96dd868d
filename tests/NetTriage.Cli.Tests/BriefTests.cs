using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>`analyze --brief`: the verdict and one short paragraph per incident, for a reader who has a minute.</summary>
public sealed class BriefTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.Samples, name);

    [Theory]
    [InlineData("seed-incident.txt")]
    [InlineData("seed-incident.pcap")]
    public void The_seed_incident_in_brief_fits_in_25_lines_with_the_verdict_cause_and_first_step(string sample)
    {
        var result = CliRunner.Run("analyze", "--brief", Sample(sample));
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.InRange(lines.Length, 5, 25);
        Assert.Contains("[INCIDENT] 1 incident found in 6 packets", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("INC-1: DNS failure: server 203.0.113.2 unreachable on UDP port 53.", result.Stdout, StringComparison.Ordinal);
        // The text wraps at 100 columns: the sentences are read with their lines joined.
        string joined = result.Stdout.Replace("\n  ", " ", StringComparison.Ordinal);
        Assert.Contains("Most likely: the DNS service on 203.0.113.2 is not running", joined, StringComparison.Ordinal);
        Assert.Contains("At fault: the DNS server 203.0.113.2 (high confidence).", joined, StringComparison.Ordinal);
        Assert.Contains("First step: On 203.0.113.2, see what listens on port 53 and which service stopped", joined, StringComparison.Ordinal);
        // None of the full report's parts.
        Assert.DoesNotContain("Timeline", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Traffic overview", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("md", "# In brief: incident found")]
    [InlineData("html", "<h1")]
    public void Markdown_and_html_have_the_brief_form_too(string format, string expected)
    {
        var result = CliRunner.Run("analyze", "--brief", "--format", format, Sample("seed-incident.pcap"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("INC-1", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Timeline", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_brief_json_is_a_usage_error()
    {
        var result = CliRunner.Run("analyze", "--brief", "--format", "json", Sample("seed-incident.pcap"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("nettriage: --brief: the JSON is the whole analysis model and has no brief form; use text, md or html", Assert.Single(result.StderrLines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_capture_without_incident_is_one_verdict_line_and_its_figures()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nettriage-brief-{Guid.NewGuid():N}.pcap");
        try
        {
            History.HistoryScenario.Write(Path.GetDirectoryName(path)!, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), healthy: true, name: Path.GetFileName(path));
            var result = CliRunner.Run("analyze", "--brief", path);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("[NO INCIDENT] No incident found in 18 packets", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("9 DNS queries, 9 answered, failure rate 0%", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
