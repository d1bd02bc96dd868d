using NetTriage.Synthetic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using NetTriage.Capture.Writing;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>
/// `dotnet publish` builds nettriage ahead of time (native AOT, see the CLI project): the program analysts run is
/// not the one the other tests load. This publishes it once and holds its output, byte for byte, against the
/// same commands run in-process: reports in every format, `show`, the case file, a generated capture with
/// every kind of failure, and a broken input. Skips where clang (the native linker) is not installed.
/// </summary>
public sealed class NativeBuildTests(NativeBuildTests.Build build) : IClassFixture<NativeBuildTests.Build>
{
    /// <summary>The native program, published into a temporary directory for the test run.</summary>
    public sealed class Build : IDisposable
    {
        private readonly Lazy<(string? Program, string? Why)> _published;
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "nettriage-native-" + Guid.NewGuid().ToString("N"));

        public Build() => _published = new(Publish);

        public string Directory => _directory;

        public string Program
        {
            get
            {
                var (program, why) = _published.Value;
                Skip.If(program is null, why);
                return program!;
            }
        }

        private (string?, string?) Publish()
        {
            if (!OperatingSystem.IsLinux()) return (null, "the native build is tested on Linux");
            if (FindOnPath("clang") is null) return (null, "clang (the native AOT linker) is not installed: apt-get install clang zlib1g-dev");
            System.IO.Directory.CreateDirectory(_directory);
            string project = Path.Combine(TestPaths.RepositoryRoot, "src", "NetTriage.Cli", "NetTriage.Cli.csproj");
            // At the lowest priority: the other test assemblies run meanwhile, some of them against timeouts.
            var psi = new ProcessStartInfo("nice")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "-n", "19", "dotnet", "publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
                "-o", Path.Combine(_directory, "bin"), "--nologo", "-v", "quiet" })
            {
                psi.ArgumentList.Add(arg);
            }
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(600_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("dotnet publish (native AOT) did not finish within 10 minutes");
            }
            Assert.True(process.ExitCode == 0, $"dotnet publish failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
            string program = Path.Combine(_directory, "bin", "nettriage");
            Assert.True(File.Exists(program), "dotnet publish made no native nettriage");
            return (program, null);
        }

        private static string? FindOnPath(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private CliRunner.Result RunNative(params string[] args)
    {
        var psi = new ProcessStartInfo(build.Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.RepositoryRoot,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the native nettriage did not finish within 60 s");
        }
        return new CliRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private void AssertSameAsInProcess(params string[] args)
    {
        var native = RunNative(args);
        var managed = CliRunner.Run(args);
        Assert.Equal(managed.ExitCode, native.ExitCode);
        Assert.Equal(managed.Stderr, native.Stderr);
        Assert.Equal(managed.Stdout, native.Stdout);
    }

    private static string Sample(string name) => Path.Combine(TestPaths.Samples, name);

    /// <summary>A generated mixed capture beside the native build (which it builds first, or skips without).</summary>
    private string MixedCapture(string name, int packets, int seed, int hosts)
    {
        _ = build.Program;
        string capture = Path.Combine(build.Directory, name);
        using var file = File.Create(capture);
        SyntheticCapture.WritePackets(file, packets, seed, hostCount: hosts);
        return capture;
    }

    [SkippableTheory]
    [InlineData("json")]
    [InlineData("md")]
    [InlineData("html")]
    [InlineData("text")]
    public void Reports_the_seed_capture_as_the_managed_build_does(string format) =>
        AssertSameAsInProcess("analyze", "--format", format, Sample("seed-incident.pcap"));

    [SkippableFact]
    public void Reads_the_case_file_and_tcpdump_text() =>
        AssertSameAsInProcess("analyze", "--format", "md", "--case", Sample("seed-case.yaml"), Sample("seed-incident.txt"));

    [SkippableFact]
    public void Shows_packets_as_the_managed_build_does()
    {
        AssertSameAsInProcess("show", Sample("seed-incident.pcap"));
        AssertSameAsInProcess("show", "--json", Sample("seed-incident.pcap"));
    }

    [SkippableFact]
    public void Analyses_a_capture_with_every_kind_of_failure_as_the_managed_build_does()
    {
        string capture = MixedCapture("mixed.pcap", 40_000, seed: 5, hosts: 200);
        var native = RunNative("analyze", "--format", "json", capture);
        Assert.Equal(0, native.ExitCode);
        Assert.Contains("\"tcp-connection-refused\"", native.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"dns-server-unreachable\"", native.Stdout, StringComparison.Ordinal);
        AssertSameAsInProcess("analyze", "--format", "json", capture);
    }

    [SkippableFact]
    public void Writes_the_same_Zeek_logs_as_the_managed_build()
    {
        string capture = MixedCapture("logs-mixed.pcap", 20_000, seed: 7, hosts: 100);
        foreach (var format in new[] { "tsv", "json" })
        {
            string nativeDir = Path.Combine(build.Directory, "logs-native-" + format);
            string managedDir = Path.Combine(build.Directory, "logs-managed-" + format);
            var native = RunNative("logs", capture, "-d", nativeDir, "--format", format, "--local-nets", "10.0.0.0/8");
            Assert.True(native.ExitCode == 0, native.Stderr);
            Assert.Equal(0, CliRunner.Run("logs", capture, "-d", managedDir, "--format", format, "--local-nets", "10.0.0.0/8").ExitCode);
            foreach (var log in new[] { "conn.log", "dns.log", "notice.log", "weird.log", "tunnel.log" })
            {
                // The #open and #close lines hold the time of writing.
                static string[] Rows(string path) => File.ReadAllLines(path).Where(l => !l.StartsWith("#open", StringComparison.Ordinal) && !l.StartsWith("#close", StringComparison.Ordinal)).ToArray();
                Assert.Equal(Rows(Path.Combine(managedDir, log)), Rows(Path.Combine(nativeDir, log)));
            }
        }
    }

    /// <summary>
    /// The history store under native AOT: SQLite (its native library beside the program) and, when the tests have a
    /// server, PostgreSQL through Npgsql's slim data source; the trends the native build computes are the managed build's.
    /// </summary>
    [SkippableFact]
    public void Keeps_the_history_in_both_stores_as_the_managed_build_does()
    {
        _ = build.Program;
        var stores = new List<History.TestStore> { History.TestStore.Create("sqlite") };
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(History.TestStore.PostgresVariable))) stores.Add(History.TestStore.Create("postgresql"));
        foreach (var store in stores)
        {
            using (store)
            {
                var day = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
                string healthy = History.HistoryScenario.Write(store.Folder, day, healthy: true);
                string failing = History.HistoryScenario.Write(store.Folder, day.AddDays(1), healthy: false);
                var first = RunNative("analyze", "--store", store.Store, "--sensor", "lab", healthy);
                Assert.True(first.ExitCode == 0, first.Stderr);
                var native = RunNative("analyze", "--format", "json", "--store", store.Store, "--sensor", "lab", failing);
                Assert.True(native.ExitCode == 0, native.Stderr);
                Assert.Contains("\"status\": \"new\"", native.Stdout, StringComparison.Ordinal);
                // Analysed again in process: recorded already, the same trend.
                var managed = CliRunner.Run("analyze", "--format", "json", "--store", store.Store, "--sensor", "lab", failing);
                Assert.Equal(managed.Stdout, native.Stdout);
                Assert.Equal(CliRunner.Run("history", "--store", store.Store).Stdout, RunNative("history", "--store", store.Store).Stdout);
            }
        }
    }

    [SkippableFact]
    public void Refuses_a_broken_input_with_the_same_one_line_error()
    {
        _ = build.Program;
        // A pcap header followed by a record that claims 4 GB.
        string broken = Path.Combine(build.Directory, "broken.pcap");
        var bytes = File.ReadAllBytes(Sample("seed-incident.pcap"))[..40];
        bytes.AsSpan(32, 8).Fill(0xFF);
        File.WriteAllBytes(broken, bytes);
        var native = RunNative("analyze", broken);
        Assert.Equal(2, native.ExitCode);
        Assert.Single(native.StderrLines);
        AssertSameAsInProcess("analyze", broken);
    }

    [SkippableFact]
    public void Diagnoses_over_loopback_with_a_live_capture()
    {
        _ = build.Program;
        Skip.IfNot(Environment.UserName == "root", "a live capture needs root here");
        // A port nothing listens on: bound, then closed.
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        string capture = Path.Combine(build.Directory, "loopback.pcapng");
        var native = RunNative("diagnose", $"http://127.0.0.1:{port}/", "--format", "json", "--capture", capture);

        Assert.Equal(0, native.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(native.Stdout);
        var reproduction = json.RootElement.GetProperty("reproduction");
        Assert.True(reproduction.GetProperty("capture").GetProperty("captured").GetBoolean(), native.Stderr);
        Assert.True(reproduction.GetProperty("capture").GetProperty("packets").GetInt64() >= 2);
        var step = reproduction.GetProperty("steps")[0];
        Assert.Equal("connect", step.GetProperty("step").GetString());
        Assert.Equal("refused", step.GetProperty("result").GetString());
        // The capture the native program wrote reads back as the managed build reads it.
        var shown = CliRunner.Run("show", capture);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains($"IP 127.0.0.1.{port} > 127.0.0.1.", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("Flags [R.]", shown.Stdout, StringComparison.Ordinal);
    }
}
