using System.Text.Json;
using NetTriage.Tests.Shared;
using Xunit.Abstractions;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Every capture of tcpdump's regression corpus (many crafted to crash dissectors) and every expected
/// output (tcpdump text), through `show` and `analyze`: each finishes within a bound with a result, a result
/// with anomalies counted, or a one-line error naming the file and byte offset (exit 2). Never an unhandled
/// exception, a stack trace, an internal error, or a hang.
/// </summary>
public sealed class CorpusRobustnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private enum Outcome { Result, ResultWithAnomalies, Error }

    [SkippableFact]
    public void Every_corpus_file_gets_a_result_or_a_one_line_error()
    {
        var corpus = TestPaths.TcpdumpCorpus;
        Skip.If(corpus is null, TestPaths.CorpusAbsent);

        var files = Directory.EnumerateFiles(corpus!)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal) || f.EndsWith(".out", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var counts = new Dictionary<(string Command, Outcome Outcome), int>();
        var failures = new List<string>();
        foreach (var file in files)
        {
            foreach (var command in new[] { "show", "analyze" })
            {
                string[] args = command == "show" ? ["show", "--anomalies", file] : ["analyze", "--format", "json", file];
                var run = Task.Run(() => CliRunner.Run(args));
                if (!run.Wait(Bound))
                {
                    failures.Add($"{command} {Path.GetFileName(file)}: did not finish within {Bound.TotalSeconds} s");
                    continue;
                }
                var result = run.Result;
                var outcome = Classify(command, file, result, out string? problem);
                if (problem is not null)
                {
                    failures.Add($"{command} {Path.GetFileName(file)}: {problem}");
                    continue;
                }
                counts[(command, outcome)] = counts.GetValueOrDefault((command, outcome)) + 1;
            }
        }
        foreach (var ((command, outcome), n) in counts.OrderBy(kv => kv.Key.Command).ThenBy(kv => kv.Key.Outcome))
        {
            output.WriteLine($"{command}: {outcome}: {n}");
        }
        output.WriteLine($"files: {files.Count}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.True(files.Count >= 1600, $"only {files.Count} corpus files found");
    }

    private static Outcome Classify(string command, string file, CliRunner.Result result, out string? problem)
    {
        problem = null;
        if (result.Stderr.Contains("   at ", StringComparison.Ordinal) || result.Stderr.Contains("Exception", StringComparison.Ordinal))
        {
            problem = "stack trace or exception text on standard error: " + First(result.Stderr);
            return default;
        }
        switch (result.ExitCode)
        {
            case ExitCodes.Success:
                if (command == "analyze")
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(result.Stdout);
                        var capture = doc.RootElement.GetProperty("capture");
                        bool anomalies = capture.GetProperty("anomalousPackets").GetInt64() > 0 || result.Stderr.Length > 0;
                        return anomalies ? Outcome.ResultWithAnomalies : Outcome.Result;
                    }
                    catch (JsonException ex)
                    {
                        problem = "exit 0 but the JSON does not parse: " + ex.Message;
                        return default;
                    }
                }
                return result.Stdout.Contains(" [", StringComparison.Ordinal) || result.Stderr.Length > 0 ? Outcome.ResultWithAnomalies : Outcome.Result;
            case ExitCodes.BadInput:
                var lines = result.StderrLines;
                string name = Path.GetFileName(file);
                if (lines.Length != 1 || !lines[0].Contains(name, StringComparison.Ordinal)
                    || !(lines[0].Contains("offset", StringComparison.Ordinal) || lines[0].Contains("line", StringComparison.Ordinal)
                        || lines[0].EndsWith("input is empty", StringComparison.Ordinal)))
                {
                    problem = "exit 2 without exactly one line naming the file and where: " + First(result.Stderr);
                    return default;
                }
                return Outcome.Error;
            default:
                problem = $"exit code {result.ExitCode}: " + First(result.Stderr);
                return default;
        }
    }

    private static string First(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line.Length > 300 ? line[..300] : line;
    }
}
