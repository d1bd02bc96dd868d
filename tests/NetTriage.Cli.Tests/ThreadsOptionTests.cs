namespace NetTriage.Cli.Tests;

/// <summary>
/// `analyze --threads N` chooses how the analysis reads (one thread; reading and decoding beside tracking; the detectors on
/// threads of their own); the report is the same whatever N, on a generated capture with every kind of failure.
/// </summary>
public sealed class ThreadsOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-threads-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void One_to_six_threads_write_the_same_json()
    {
        string capture = Path.Combine(_dir, "mixed.pcap");
        Assert.Equal(0, CliRunner.Run("generate", "mixed", "--size", "3M", "--seed", "5", "-o", capture).ExitCode);
        var one = CliRunner.Run("analyze", capture, "--no-store", "--format", "json", "--threads", "1");
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("\"incidents\"", one.Stdout, StringComparison.Ordinal);
        Assert.True(one.Stdout.Length > 10_000, "a report with findings, not an empty one");
        foreach (var threads in new[] { "2", "3", "4", "6" })
        {
            var other = CliRunner.Run("analyze", capture, "--no-store", "--format", "json", "--threads", threads);
            Assert.Equal(0, other.ExitCode);
            Assert.Equal(one.Stdout, other.Stdout);
        }
    }

    [Fact]
    public void The_help_says_what_the_threads_do()
    {
        var help = CliRunner.Run("analyze", "--help");
        Assert.Contains("--threads", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("more than 6 is the same as 6", help.Stdout.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
