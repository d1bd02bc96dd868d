using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>
/// On the console a report goes through a buffered stream of its own (AnalyzeCommand.ConsoleOutput), not the writer
/// the tests hand in: a child process's standard output must carry the same bytes as that writer, in every format.
/// </summary>
public class ConsoleOutputTests
{
    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    [InlineData("md")]
    [InlineData("html")]
    public void Standard_output_carries_the_report_a_writer_gets(string format)
    {
        var sample = Path.Combine(TestPaths.Samples, "seed-incident.pcap");
        string[] args = ["analyze", "--no-store", "--utc", "--format", format, sample];

        var written = CliRunner.Run(args);
        var child = CliRunner.RunProcess(null, args);

        Assert.Equal(written.ExitCode, child.ExitCode);
        Assert.Equal("", child.Stderr);
        Assert.True(written.Stdout.Length > 1000, "the report is written");
        Assert.Equal(written.Stdout, child.Stdout);
    }

    [Fact]
    public void A_json_report_on_standard_output_ends_with_one_line_feed()
    {
        var sample = Path.Combine(TestPaths.Samples, "seed-incident.pcap");
        var child = CliRunner.RunProcess(null, "analyze", "--no-store", "--format", "json", sample);

        Assert.Equal(0, child.ExitCode);
        Assert.StartsWith("{", child.Stdout);
        Assert.EndsWith("}\n", child.Stdout);
    }
}
