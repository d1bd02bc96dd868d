using NetTriage.Analysis;
using NetTriage.Cli;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>`nettriage analyze` options: formats, -o with the format from the extension, the case file and flags, colour, errors.</summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-analyze-").FullName;
    private static readonly string Seed = Path.Combine(TestPaths.Samples, "seed-incident.txt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLineError((int Code, string Stdout, string Stderr) result, string mustContain)
    {
        Assert.Equal(ExitCodes.BadInput, result.Code);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("nettriage: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mustContain, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Text_is_the_default_and_plain_when_redirected()
    {
        var (code, stdout, stderr) = Run("analyze", Seed);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith("Incident report: network traffic analysis\n=====", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout);
    }

    [Fact]
    public void Colour_can_be_forced_and_refused()
    {
        Assert.Contains("\u001b[", Run("analyze", Seed, "--color", "always").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', Run("analyze", Seed, "--color", "never").Stdout);
    }

    [Fact]
    public void Markdown_and_html_go_to_standard_output()
    {
        Assert.StartsWith("# Incident report", Run("analyze", Seed, "--format", "md").Stdout, StringComparison.Ordinal);
        Assert.StartsWith("# Incident report", Run("analyze", Seed, "-f", "markdown").Stdout, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", Run("analyze", Seed, "--format", "html").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_is_the_model_unchanged()
    {
        var analyzer = new Analyzer();
        using (var source = Capture.CaptureOpener.Open(Seed)) analyzer.Read(source);
        string expected = AnalysisJson.Serialize(analyzer.Finish()) + "\n";
        Assert.Equal(expected, Run("analyze", Seed, "--format", "json", "--title", "ignored by JSON").Stdout);
    }

    [Theory]
    [InlineData("report.md", "# Incident report")]
    [InlineData("report.html", "<!DOCTYPE html>")]
    [InlineData("report.htm", "<!DOCTYPE html>")]
    [InlineData("report.txt", "Incident report: network traffic analysis\n")]
    [InlineData("report.json", "{\n  \"schema\": \"nettriage.analysis\"")]
    public void Output_file_format_follows_the_extension(string name, string start)
    {
        var path = Path.Combine(_dir, name);
        var (code, stdout, stderr) = Run("analyze", Seed, "-o", path);
        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal("", stderr);
        string written = File.ReadAllText(path);
        Assert.StartsWith(start, written, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', written);
        Assert.NotEqual(0xEF, File.ReadAllBytes(path)[0]); // no byte order mark
    }

    [Fact]
    public void Format_overrides_the_extension()
    {
        var path = Path.Combine(_dir, "report.md");
        Assert.Equal(0, Run("analyze", Seed, "-o", path, "--format", "html").Code);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_extension_needs_a_format()
    {
        AssertOneLineError(Run("analyze", Seed, "-o", Path.Combine(_dir, "report.pdf")), "report.pdf: cannot tell the report format from the extension");
        Assert.Equal(0, Run("analyze", Seed, "-o", Path.Combine(_dir, "report.pdf"), "--format", "text").Code);
    }

    [Fact]
    public void An_unwritable_output_is_one_line() =>
        AssertOneLineError(Run("analyze", Seed, "-o", Path.Combine(_dir, "absent", "report.md")), "report.md: cannot write");

    [Fact]
    public void Case_file_and_flags_fill_the_case()
    {
        var file = Path.Combine(_dir, "case.yaml");
        File.WriteAllText(file, "title: From the file\nanalyst: File Analyst\nsymptoms: [from file]\n");
        var (code, stdout, _) = Run("analyze", Seed, "--format", "md", "--case", file,
            "--analyst", "Flag Analyst", "--organisation", "Example Ltd", "--symptom", "first", "--symptom", "second",
            "--action", "replicated", "--awareness", "customers called", "--case-id", "IR-1");
        Assert.Equal(0, code);
        Assert.StartsWith("# From the file\n", stdout, StringComparison.Ordinal);
        Assert.Contains("- **Analyst:** Flag Analyst", stdout, StringComparison.Ordinal);
        Assert.Contains("- **Organisation:** Example Ltd", stdout, StringComparison.Ordinal);
        Assert.Contains("- **Case reference:** IR-1", stdout, StringComparison.Ordinal);
        Assert.Contains("- **How the team became aware:** customers called", stdout, StringComparison.Ordinal);
        Assert.Contains("**Symptoms reported:**\n\n- first\n- second\n", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("from file", stdout, StringComparison.Ordinal);
        Assert.Contains("- replicated\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Organization_is_accepted_too() =>
        Assert.Contains("- **Organisation:** Org", Run("analyze", Seed, "--format", "md", "--organization", "Org").Stdout, StringComparison.Ordinal);

    [Fact]
    public void A_missing_case_file_is_one_line() =>
        AssertOneLineError(Run("analyze", Seed, "--case", Path.Combine(_dir, "absent.yaml")), "case file " + Path.Combine(_dir, "absent.yaml") + ": no such file");

    [Fact]
    public void A_bad_case_file_is_one_line_with_the_line()
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, "title: ok\nwhatever: x\n");
        AssertOneLineError(Run("analyze", Seed, "--case", file), "bad.yaml: line 2: unknown field 'whatever'");
    }

    [Fact]
    public void The_case_file_is_read_before_the_capture()
    {
        var file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, "{");
        AssertOneLineError(Run("analyze", Path.Combine(_dir, "absent.pcap"), "--case", file), "bad.json: line");
    }

    [Fact]
    public void Unknown_format_is_refused() => Assert.Equal(ExitCodes.BadInput, Run("analyze", Seed, "--format", "pdf").Code);

    [Fact]
    public void No_progress_bar_when_standard_error_is_not_a_terminal()
    {
        var (code, _, stderr) = Run("analyze", Seed, "--format", "md");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
    }
}
