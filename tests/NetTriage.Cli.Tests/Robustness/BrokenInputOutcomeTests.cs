using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Each kind of broken input gives the outcome README documents, checked on the real program as a child process:
/// the exit code reaches the shell, results go to standard output and the one-line error or warning to standard
/// error. A cut input gives every packet before the cut and a warning naming the offset (exit 0); an input that
/// cannot be read at all gives one line naming it and why (exit 2).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BrokenInputOutcomeTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir;

    public BrokenInputOutcomeTests(ITestOutputHelper output)
    {
        _output = output;
        _dir = Directory.CreateTempSubdirectory("nettriage-broken-").FullName;
        // Other users may enter the folder (the permission test runs the program as another user).
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ChildProcess.Result Run(params string[] args) => ChildProcess.Run(new ChildProcess.Options(), args);

    private static ChildProcess.Result RunWithStdin(byte[] stdin, TimeSpan hold, params string[] args) =>
        ChildProcess.Run(new ChildProcess.Options { Stdin = stdin, StdinHold = hold }, args);

    /// <summary>Exit 2, nothing on standard output, one line on standard error that names the input and says why.</summary>
    private static void AssertError(ChildProcess.Result result, string input, string why)
    {
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nettriage: " + input + ": ", line, StringComparison.Ordinal);
        Assert.Contains(why, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    /// <summary>Exit 0, the analysis of <paramref name="packets"/> packets on standard output, and one warning naming the input and an offset.</summary>
    private static JsonDocument AssertCutAnalysis(ChildProcess.Result result, string input, long packets)
    {
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var warning = Assert.Single(result.StderrLines);
        Assert.StartsWith("nettriage: " + input + ": warning: offset ", warning, StringComparison.Ordinal);
        var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(packets, doc.RootElement.GetProperty("capture").GetProperty("packets").GetInt64());
        Assert.Contains(doc.RootElement.GetProperty("caveats").EnumerateArray(), c => c.GetProperty("kind").GetString() == "input-warning");
        return doc;
    }

    [Fact]
    public void A_pcap_cut_mid_record_gives_every_packet_before_the_cut_and_a_warning()
    {
        var bytes = RobustCaptures.SeedPcap();
        var last = RobustCaptures.PcapRecords(bytes)[^1];
        var path = Write("cut.pcap", bytes[..(last.Data + 10)]);

        using var doc = AssertCutAnalysis(Run("analyze", "--format", "json", path), path, 5);
        Assert.Contains($"offset {last.Header}: capture ends mid-record", Run("show", path).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pcap_cut_inside_a_record_header_gives_the_packets_before_it_and_a_warning()
    {
        var bytes = RobustCaptures.SeedPcap();
        var last = RobustCaptures.PcapRecords(bytes)[^1];
        var path = Write("cut-header.pcap", bytes[..(last.Header + 7)]);

        var show = Run("show", path);
        Assert.Equal(ExitCodes.Success, show.ExitCode);
        Assert.Equal(5, show.StdoutLines.Length);
        Assert.Contains($"offset {last.Header}", Assert.Single(show.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pcapng_cut_mid_block_gives_every_packet_before_the_cut_and_a_warning(bool bigEndian)
    {
        var (bytes, blocks) = RobustCaptures.Pcapng(RobustCaptures.SeedPcap(), bigEndian);
        var last = blocks[^1];
        var path = Write("cut.pcapng", bytes[..(last.Offset + last.Length - 5)]);

        using var doc = AssertCutAnalysis(Run("analyze", "--format", "json", path), path, 5);
        var show = Run("show", path);
        Assert.Equal(5, show.StdoutLines.Length);
        Assert.Contains($"offset {last.Offset}", Assert.Single(show.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pcapng_cut_inside_its_section_header_is_an_error_at_offset_0()
    {
        var (bytes, _) = RobustCaptures.Pcapng(RobustCaptures.SeedPcap(), bigEndian: false);
        var path = Write("header-cut.pcapng", bytes[..20]);
        AssertError(Run("show", path), path, "offset 0");
    }

    [Fact]
    public void A_gzip_file_cut_mid_stream_gives_the_packets_decompressed_before_the_cut_and_a_warning()
    {
        var pcap = RobustCaptures.MixedPcap(200, seed: 3);
        var gzip = RobustCaptures.Gzip(pcap);
        var path = Write("cut.pcap.gz", gzip[..(gzip.Length * 2 / 3)]);

        var result = Run("analyze", "--format", "json", path);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.All(result.StderrLines, w => Assert.StartsWith("nettriage: " + path + ": warning: offset ", w, StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, w => w.Contains($"the compressed input ends without its gzip trailer after {gzip.Length * 2 / 3} bytes", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(result.Stdout);
        long packets = doc.RootElement.GetProperty("capture").GetProperty("packets").GetInt64();
        Assert.InRange(packets, 1, 199);
        Assert.True(doc.RootElement.GetProperty("inputs")[0].GetProperty("compressed").GetBoolean());

        // The packets are those of the whole capture, in order, up to the cut.
        var whole = Run("show", Write("whole.pcap", pcap)).StdoutLines;
        var cut = Run("show", path).StdoutLines;
        Assert.Equal(packets, cut.Length);
        Assert.Equal(whole[..cut.Length], cut);
    }

    [Fact]
    public void A_gzip_file_cut_between_two_records_still_says_it_was_cut()
    {
        // Cut inside the trailer: every record is there, only the end of the gzip stream is missing.
        var gzip = RobustCaptures.Gzip(RobustCaptures.SeedPcap());
        var path = Write("trailer-cut.pcap.gz", gzip[..^3]);
        var result = Run("show", path);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(6, result.StdoutLines.Length);
        Assert.Equal($"nettriage: {path}: warning: offset 690: the compressed input ends without its gzip trailer after {gzip.Length - 3} bytes: it was probably cut here",
            Assert.Single(result.StderrLines));
    }

    [Fact]
    public void A_gzip_file_cut_inside_its_header_is_an_empty_compressed_input()
    {
        var gzip = RobustCaptures.Gzip(RobustCaptures.SeedPcap());
        var path = Write("header-cut.gz", gzip[..6]);
        AssertError(Run("show", path), path, "compressed input is empty");
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var path = Write("empty.pcap", []);
        AssertError(Run("analyze", path), path, "input is empty");
    }

    [Fact]
    public void A_binary_file_that_is_not_a_capture_is_an_error_quoting_its_first_bytes()
    {
        var path = Write("image.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R']);
        AssertError(Run("analyze", path), path, @"offset 0: not a pcap, pcapng or tcpdump text input; it begins \x89PNG\x0d\x0a\x1a\x0a");
    }

    [Fact]
    public void A_text_file_that_is_not_tcpdump_output_is_an_error_at_its_first_line()
    {
        var path = Write("notes.txt", Encoding.UTF8.GetBytes("Dear team,\nthe site was down again this morning.\n"));
        AssertError(Run("analyze", path), path, "line 1: not a capture");
    }

    [Fact]
    public void A_directory_is_an_error()
    {
        AssertError(Run("analyze", _dir), _dir, "cannot open: is a directory");
    }

    [Fact]
    public void A_missing_file_is_an_error()
    {
        var path = Path.Combine(_dir, "absent.pcap");
        AssertError(Run("analyze", path), path, "cannot open: no such file");
    }

    [Theory]
    [InlineData("show")]
    [InlineData("analyze")]
    public void A_hostile_file_name_is_escaped_in_the_error(string command)
    {
        // A name from an archive or a script: a terminal title escape, a colour, a right-to-left override.
        var path = Path.Combine(_dir, "\u001b]0;owned\u0007\u001b[31mred\u202Egnp.pcap");
        var result = Run(command, path);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.DoesNotContain(line, c => char.IsControl(c) || c == '\u202E');
        Assert.Contains("cannot open: no such file", line, StringComparison.Ordinal);
        Assert.Contains("red", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_file_without_read_permission_is_an_error()
    {
        var path = Write("secret.pcap", RobustCaptures.SeedPcap());
        var prefix = UnprivilegedPrefix();
        Skip.If(prefix is null, "running as root and setpriv is not installed: no way to run the program without the right to read");
        var options = new ChildProcess.Options { Prefix = prefix!, WorkingDirectory = _dir };

        // The other user can read the file while its mode allows...
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var readable = ChildProcess.Run(options, "show", path);
        Skip.If(readable.ExitCode != ExitCodes.Success && !readable.Stderr.StartsWith("nettriage: ", StringComparison.Ordinal),
            "the other user cannot run the program from this folder: " + readable.Stderr.Split('\n')[0]);
        Assert.True(readable.ExitCode == ExitCodes.Success, readable.Stderr);
        Assert.Equal(6, readable.StdoutLines.Length);

        // ...and not once it forbids.
        File.SetUnixFileMode(path, UnixFileMode.UserWrite);
        AssertError(ChildProcess.Run(options, "show", path), path, "cannot open: permission denied");
        AssertError(ChildProcess.Run(options, "analyze", path), path, "cannot open: permission denied");
    }

    /// <summary>
    /// What runs the program without the right to read a file of mode 0200: nothing for an ordinary user; for root
    /// (which reads any file) setpriv switching to nobody; null when that is not possible.
    /// </summary>
    private IReadOnlyList<string>? UnprivilegedPrefix()
    {
        if (Environment.UserName != "root") return [];
        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        if (setpriv is null) return null;
        _output.WriteLine("running as root: the program runs as nobody through setpriv");
        return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"];
    }

    [Theory]
    [InlineData(0)]
    [InlineData(400)]
    public void Standard_input_closed_early_gives_the_packets_before_the_cut_and_a_warning(int holdMilliseconds)
    {
        var bytes = RobustCaptures.SeedPcap();
        var records = RobustCaptures.PcapRecords(bytes);
        var partial = bytes[..(records[1].Data + 20)];
        var hold = TimeSpan.FromMilliseconds(holdMilliseconds);

        var show = RunWithStdin(partial, hold, "show", "-");
        Assert.Equal(ExitCodes.Success, show.ExitCode);
        Assert.Single(show.StdoutLines);
        Assert.Equal($"nettriage: -: warning: offset {records[1].Header}: capture ends mid-record: {16 + 20} of {16 + records[1].Length} bytes",
            Assert.Single(show.StderrLines));

        using var doc = AssertCutAnalysis(RunWithStdin(partial, hold, "analyze", "--format", "json", "-"), "-", 1);
    }

    [Fact]
    public void Tcpdump_text_on_standard_input_closed_mid_line_keeps_the_lines_before()
    {
        var text = RobustCaptures.SeedText();
        int cut = Array.LastIndexOf(text, (byte)'\n', text.Length - 2) + 10;
        var result = RunWithStdin(text[..cut], TimeSpan.Zero, "analyze", "--format", "json", "-");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.InRange(doc.RootElement.GetProperty("capture").GetProperty("packets").GetInt64(), 5, 6);
    }

    [Fact]
    public void Empty_standard_input_is_an_error()
    {
        AssertError(RunWithStdin([], TimeSpan.Zero, "show", "-"), "-", "input is empty");
        AssertError(RunWithStdin([], TimeSpan.Zero, "analyze", "-"), "-", "input is empty");
    }
}
