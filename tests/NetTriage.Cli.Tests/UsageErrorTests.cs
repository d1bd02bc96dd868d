using System.CommandLine;
using NetTriage.Cli.Commands;

namespace NetTriage.Cli.Tests;

/// <summary>
/// Every option of every command, given a value it cannot take, is a usage error: a line naming it, "Try
/// 'nettriage --help'", exit 2, never an exception or a stack trace. Each run leaves a required argument or
/// option out, so the command is parsed and never invoked (diagnose would probe the network).
/// </summary>
public sealed class UsageErrorTests
{
    private static readonly Command[] Commands =
    [
        AnalyzeCommand.Create(TextWriter.Null, TextWriter.Null),
        ShowCommand.Create(TextWriter.Null, TextWriter.Null),
        GenerateCommand.Create(TextWriter.Null, TextWriter.Null),
        DiagnoseCommand.Create(TextWriter.Null, TextWriter.Null),
        LogsCommand.Create(TextWriter.Null, TextWriter.Null),
    ];

    /// <summary>A value no option here takes: not a number, not a size, not one of a list of choices.</summary>
    private const string BadValue = "abc-1.5x";

    public static TheoryData<string, string> ValueOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in Commands)
        {
            foreach (var option in command.Options)
            {
                // A flag takes no value (the bad value would become an input), and help or version are no option.
                if (option.ValueType == typeof(bool) || option.Name is "--help" or "--version") continue;
                data.Add(command.Name, option.Name);
            }
        }
        return data;
    }

    private static void AssertUsageError(CliRunner.Result result)
    {
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
        var lines = result.StderrLines;
        Assert.All(lines, line => Assert.StartsWith(line.StartsWith("Try", StringComparison.Ordinal) ? "Try 'nettriage --help'" : "nettriage: ", line, StringComparison.Ordinal));
        Assert.Equal("Try 'nettriage --help'.", lines[^1]);
    }

    [Theory]
    [MemberData(nameof(ValueOptions))]
    public void A_bad_value_for_any_option_is_a_usage_error(string command, string option)
    {
        AssertUsageError(CliRunner.Run(command, option, BadValue));
    }

    [Fact]
    public void Every_command_has_options_with_values_to_try()
    {
        // Guards the theory above against an empty list (a renamed type would silently test nothing).
        var data = ValueOptions();
        foreach (var command in Commands) Assert.Contains(data, row => (string)row[0] == command.Name);
    }

    [Theory]
    [InlineData("show", "-c", "abc", "--count: 'abc' is not a whole number.")]
    [InlineData("show", "--count", "0", "--count must be a positive number.")]
    [InlineData("diagnose", "--budget", "abc", "--budget: 'abc' is not a number.")]
    [InlineData("generate", "--hosts", "2.5", "--hosts: '2.5' is not a whole number.")]
    [InlineData("generate", "--size", "-3M", "--size must be a positive size")]
    [InlineData("analyze", "--threads", "0", "--threads must be a positive number.")]
    public void Numbers_are_checked_in_words(string command, string option, string value, string message)
    {
        var result = CliRunner.Run(command, option, value);
        AssertUsageError(result);
        Assert.Contains(result.StderrLines, line => line.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("analyze")]
    [InlineData("show")]
    public void An_unknown_option_is_an_error_not_a_file_name(string command)
    {
        var sample = Path.Combine(NetTriage.Tests.Shared.TestPaths.Samples, "seed-incident.pcap");
        var result = CliRunner.Run(command, "--no-such-option", sample);
        AssertUsageError(result);
        Assert.Contains("unknown option --no-such-option", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void Standard_input_and_dot_slash_names_are_still_inputs()
    {
        // '-' is standard input (empty here: an empty input, not an unknown option).
        var result = CliRunner.RunProcess([], "show", "-");
        Assert.DoesNotContain("unknown option", result.Stderr, StringComparison.Ordinal);
    }
}
