using System.Buffers.Binary;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>Bad input gives one line on standard error naming the file and where, exit code 2, and no stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] SeedPcap() => File.ReadAllBytes(Path.Combine(TestPaths.Samples, "seed-incident.pcap"));

    private static void AssertOneLineError(CliRunner.Result result, string mustContain)
    {
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var lines = result.StderrLines;
        Assert.Single(lines);
        Assert.StartsWith("nettriage: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mustContain, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void Missing_file()
    {
        var path = Path.Combine(_dir, "absent.pcap");
        AssertOneLineError(CliRunner.Run("show", path), "absent.pcap");
    }

    [Fact]
    public void Directory_instead_of_a_file()
    {
        AssertOneLineError(CliRunner.Run("show", _dir), Path.GetFileName(_dir));
    }

    [Fact]
    public void Unknown_binary_format_names_the_file_and_offset()
    {
        var path = Write("random.bin", [0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0x00, 0x10, 0x80, 0x81, 0x82, 0x83]);
        AssertOneLineError(CliRunner.Run("show", path), "random.bin");
    }

    [Fact]
    public void Text_that_is_not_tcpdump_output_is_an_unknown_format()
    {
        var path = Write("notes.txt", System.Text.Encoding.ASCII.GetBytes("Meeting notes\nThe site was down for an hour.\n"));
        AssertOneLineError(CliRunner.Run("show", path), "notes.txt: line 1: not a capture");
    }

    [Fact]
    public void Empty_file()
    {
        var path = Write("empty.pcap", []);
        AssertOneLineError(CliRunner.Run("show", path), "empty.pcap");
    }

    [Fact]
    public void Captured_length_over_256_KiB_is_an_error_at_that_record()
    {
        var bytes = SeedPcap();
        // Second record header: after the 24-byte file header and the first record (16 + incl_len).
        int second = 24 + 16 + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24 + 8));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(second + 8), 300_000);
        var path = Write("huge.pcap", bytes);

        var result = CliRunner.Run("show", path);

        AssertOneLineErrorAfterOutput(result, "huge.pcap", $"offset {second}");
        Assert.Single(result.StdoutLines);
    }

    [Fact]
    public void File_cut_mid_record_shows_every_packet_before_the_cut_and_warns_with_the_offset()
    {
        var bytes = SeedPcap();
        int cut = bytes.Length - 10;
        var path = Write("cut.pcap", bytes[..cut]);

        var result = CliRunner.Run("show", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(5, result.StdoutLines.Length);
        var warning = Assert.Single(result.StderrLines);
        Assert.Contains("cut.pcap", warning, StringComparison.Ordinal);
        Assert.Contains("offset", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_error_exits_2()
    {
        var result = CliRunner.Run("show");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.NotEmpty(result.Stderr);
    }

    [Fact]
    public void A_capture_cut_before_its_first_packet_is_an_error_not_a_verdict()
    {
        // The header and 6 bytes of the first record: "no incident found in 0 packets", exit 0, was the answer.
        var path = Write("header-only.pcap", SeedPcap()[..30]);

        var result = CliRunner.Run("analyze", path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(2, result.StderrLines.Length); // the cut (a warning), then the error
        Assert.Contains("offset 24", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Equal($"nettriage: {path}: offset 30: no packet to analyse: the capture holds no complete packet", result.StderrLines[1]);
    }

    [Fact]
    public void The_same_capture_given_twice_or_as_a_copy_is_read_once()
    {
        var copy = Write("copy.pcap", SeedPcap());
        var original = Path.Combine(TestPaths.Samples, "seed-incident.pcap");
        var once = CliRunner.Run("analyze", "--format", "json", original);
        var thrice = CliRunner.Run("analyze", "--format", "json", original, original, copy);

        Assert.Equal(0, thrice.ExitCode);
        Assert.Equal(2, thrice.StderrLines.Length);
        Assert.All(thrice.StderrLines, line => Assert.Contains("the same capture as " + original + " (same size and content): read once", line, StringComparison.Ordinal));
        using var a = System.Text.Json.JsonDocument.Parse(once.Stdout);
        using var b = System.Text.Json.JsonDocument.Parse(thrice.Stdout);
        Assert.Equal(a.RootElement.GetProperty("overview").GetProperty("packets").GetInt64(), b.RootElement.GetProperty("overview").GetProperty("packets").GetInt64());
        Assert.Equal(1, b.RootElement.GetProperty("inputs").GetArrayLength());
    }

    [Fact]
    public async Task Two_pipes_are_read_as_given_never_hashed_first()
    {
        // What `nettriage analyze <(zcat a.gz) <(zcat b.gz)` passes: pipes, which a hash would drain before the
        // analysis (it then waited forever for a writer). Pipes are never taken for copies of one another.
        var pipes = new[] { Path.Combine(_dir, "a.fifo"), Path.Combine(_dir, "b.fifo") };
        foreach (var pipe in pipes)
        {
            Assert.NotNull(CliRunner.RunTool("mkfifo", pipe));
            Assert.True(File.Exists(pipe));
        }
        var writers = pipes.Select(pipe => Task.Run(() => File.WriteAllBytes(pipe, SeedPcap()))).ToArray();

        var result = await Task.Run(() => CliRunner.Run("analyze", "--format", "json", pipes[0], pipes[1]))
            .WaitAsync(TimeSpan.FromSeconds(60)); // it hung when a hash drained the pipes
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StderrLines);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("inputs").GetArrayLength());
    }

    [Fact]
    public void Two_different_captures_of_one_size_are_both_read()
    {
        // Same length, one byte apart (a later time stamp): the hash tells them apart.
        var bytes = SeedPcap();
        var other = (byte[])bytes.Clone();
        other[24] ^= 1; // the first record's seconds
        var first = Write("first.pcap", bytes);
        var second = Write("second.pcap", other);

        var result = CliRunner.Run("analyze", "--format", "json", first, second);

        Assert.Empty(result.StderrLines);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("inputs").GetArrayLength());
    }

    private static void AssertOneLineErrorAfterOutput(CliRunner.Result result, string file, string where)
    {
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.Contains(where, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
