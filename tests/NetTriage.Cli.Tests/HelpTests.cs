namespace NetTriage.Cli.Tests;

/// <summary>Every command's --help teaches: what it does, its usage, and examples to start from; the main help lists them all.</summary>
public sealed class HelpTests
{
    private static readonly string[] Names = ["analyze", "show", "diagnose", "logs", "generate"];

    public static TheoryData<string> Commands() => new(Names);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Each_command_explains_itself_with_examples(string command)
    {
        var result = CliRunner.Run(command, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"nettriage {command} ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_main_help_lists_every_command()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in Names) Assert.Contains($"  {command}", result.Stdout, StringComparison.Ordinal);
    }
}
