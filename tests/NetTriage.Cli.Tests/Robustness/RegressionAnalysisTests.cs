using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Reporting;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Every regression input (tests/NetTriage.Capture.Tests/Robustness/Regressions/*.bin) through the analysis and every
/// report format, and through the program: a result (exit 0) or one located error (exit 2), never an internal error.
/// </summary>
public sealed class RegressionAnalysisTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot, "tests", "NetTriage.Capture.Tests", "Robustness", "Regressions");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_regression_input_is_analysed_and_reported_in_every_format(string file)
    {
        var path = Path.Combine(Folder, file);
        AnalysisReport report;
        try
        {
            var analyzer = new Analyzer();
            using (var source = CaptureOpener.Open(path))
            {
                analyzer.Read(source);
            }
            report = analyzer.Finish();
        }
        catch (CaptureFormatException ex)
        {
            Assert.True(ex.Offset is not null || ex.Line is not null, ex.Message);
            return;
        }
        foreach (var format in Enum.GetValues<ReportFormat>())
        {
            Assert.NotEmpty(ReportWriter.Write(format, report));
        }
        foreach (var args in new[] { new[] { "analyze", path }, ["analyze", "--format", "html", path], ["show", "--anomalies", path] })
        {
            var result = CliRunner.Run(args);
            Assert.True(result.ExitCode is ExitCodes.Success or ExitCodes.BadInput, $"{string.Join(' ', args)}: exit {result.ExitCode}: {result.Stderr}");
            Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        }
    }
}
