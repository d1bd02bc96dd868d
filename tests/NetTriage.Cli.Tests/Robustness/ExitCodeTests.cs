using System.Text.Json;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Cli.Commands;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// The exit codes README documents: 0 analysed, 1 an incident found when --fail-on asks, 2 bad input or usage,
/// 70 an internal fault; errors on standard error, results on standard output.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Seed() => Write("seed.pcap", RobustCaptures.SeedPcap());

    private string Healthy() => Write("healthy.pcap", RobustCaptures.HealthyPcap());

    /// <summary>The seed incident's first query and its ICMP error: one failure, a medium-severity incident.</summary>
    private string MediumIncident()
    {
        var bytes = RobustCaptures.SeedPcap();
        var records = RobustCaptures.PcapRecords(bytes);
        return Write("medium.pcap", bytes[..records[2].Header]);
    }

    private static AnalysisReport Report(string path)
    {
        using var source = CaptureOpener.Open(path);
        var analyzer = new Analyzer();
        analyzer.Read(source);
        return analyzer.Finish();
    }

    [Fact]
    public void The_documented_codes_have_their_values()
    {
        Assert.Equal(0, ExitCodes.Success);
        Assert.Equal(1, ExitCodes.IncidentFound);
        Assert.Equal(2, ExitCodes.BadInput);
        Assert.Equal(70, ExitCodes.InternalError);
    }

    [Fact]
    public void An_incident_without_fail_on_exits_0_with_the_report_on_stdout_and_nothing_on_stderr()
    {
        var result = CliRunner.Run("analyze", Seed());
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("1 incident found", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Theory]
    [InlineData("incident")]
    [InlineData("high")]
    public void Fail_on_exits_1_when_the_seed_incident_is_found_and_still_writes_the_report(string failOn)
    {
        var result = CliRunner.Run("analyze", "--fail-on", failOn, Seed());
        Assert.Equal(ExitCodes.IncidentFound, result.ExitCode);
        Assert.Contains("INC-1", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Theory]
    [InlineData("incident")]
    [InlineData("high")]
    public void Fail_on_exits_0_when_nothing_failed(string failOn)
    {
        var result = CliRunner.Run("analyze", "--fail-on", failOn, Healthy());
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("no incident found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_on_high_ignores_an_incident_of_medium_severity_and_fail_on_incident_does_not()
    {
        var path = MediumIncident();
        var report = Report(path);
        Assert.Equal(Severity.Medium, Assert.Single(report.Incidents).Severity);

        Assert.Equal(ExitCodes.Success, CliRunner.Run("analyze", "--fail-on", "high", path).ExitCode);
        Assert.Equal(ExitCodes.IncidentFound, CliRunner.Run("analyze", "--fail-on", "incident", path).ExitCode);
        Assert.Equal(ExitCodes.IncidentFound, AnalyzeCommand.ExitCode(report, AnalyzeCommand.FailOnIncident));
        Assert.Equal(ExitCodes.Success, AnalyzeCommand.ExitCode(report, AnalyzeCommand.FailOnHigh));
        Assert.Equal(ExitCodes.Success, AnalyzeCommand.ExitCode(report, null));
    }

    [Fact]
    public void Fail_on_with_an_output_file_exits_1_after_writing_the_file()
    {
        var output = Path.Combine(_dir, "report.json");
        var result = CliRunner.Run("analyze", "--fail-on", "incident", "-o", output, Seed());
        Assert.Equal(ExitCodes.IncidentFound, result.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal("incident", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void Fail_on_with_an_unknown_value_is_a_usage_error()
    {
        var result = CliRunner.Run("analyze", "--fail-on", "medium", Seed());
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("'medium'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void Bad_input_under_fail_on_is_still_2()
    {
        var result = CliRunner.Run("analyze", "--fail-on", "incident", Path.Combine(_dir, "absent.pcap"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void The_exit_codes_reach_the_shell_from_a_real_process()
    {
        var seed = Seed();
        Assert.Equal(ExitCodes.Success, CliRunner.RunProcess(null, "analyze", seed).ExitCode);
        var fail = CliRunner.RunProcess(null, "analyze", "--fail-on", "high", "--format", "json", seed);
        Assert.Equal(ExitCodes.IncidentFound, fail.ExitCode);
        using (var doc = JsonDocument.Parse(fail.Stdout))
        {
            Assert.Equal("incident", doc.RootElement.GetProperty("verdict").GetString());
        }
        Assert.Equal(string.Empty, fail.Stderr);
        Assert.Equal(ExitCodes.BadInput, CliRunner.RunProcess(null, "analyze", "--no-such-option", seed).ExitCode);
    }

    [Fact]
    public void An_internal_fault_exits_70_with_one_line_and_no_stack_trace()
    {
        var stdout = new FailingWriter();
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Program.Run(["show", Seed()], stdout, stderr);
        Assert.Equal(ExitCodes.InternalError, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nettriage: internal error (InvalidOperationException)", line, StringComparison.Ordinal);
        Assert.Contains("Please report it", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Standard output that fails in a way no input can cause: a fault of the program's own.</summary>
    private sealed class FailingWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("planted fault");
        public override void Write(string? value) => throw new InvalidOperationException("planted fault");
        public override void Write(char[] buffer, int index, int count) => throw new InvalidOperationException("planted fault");
        public override void Write(ReadOnlySpan<char> buffer) => throw new InvalidOperationException("planted fault");
    }
}
