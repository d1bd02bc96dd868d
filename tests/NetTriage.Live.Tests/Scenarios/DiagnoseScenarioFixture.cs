using System.Diagnostics;
using System.Globalization;
using NetTriage.Analysis;
using NetTriage.Tests.Shared;

namespace NetTriage.Live.Tests.Scenarios;

/// <summary>One line of the manifest that tests/scripts/diagnose-scenarios.sh writes.</summary>
public sealed record DiagnoseRun(string Scenario, int ExitCode, int Seconds);

/// <summary>
/// Runs tests/scripts/diagnose-scenarios.sh once per test run: network namespaces with dnsmasq and nginx, one
/// thing broken per scenario, and `nettriage diagnose` run inside the client namespace against each. Where the
/// script cannot run (not Linux, not root, no network namespaces, a tool missing), <see cref="SkipReason"/> says
/// why and the tests skip; where it runs and fails, <see cref="Failure"/> makes them fail.
/// </summary>
public sealed class DiagnoseScenarioFixture : IDisposable
{
    /// <summary>The script's exit status for "this machine cannot run it".</summary>
    private const int ScriptSkipExitCode = 77;

    /// <summary>The script bounds itself below seven minutes; this is the backstop.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(8);

    private readonly Dictionary<string, DiagnoseRun> _runs = new(StringComparer.Ordinal);

    public DiagnoseScenarioFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("nettriage-diagnose-").FullName;
        SkipReason = EnvironmentProblem();
        if (SkipReason is not null) return;
        string certificates = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "certificates")).FullName;
        TestCertificates.WritePem("www.example.test", certificates);
        RunScript(certificates);
        if (Failure is null && SkipReason is null)
        {
            Failure = LoadManifest();
        }
    }

    public string Directory { get; }
    public string? SkipReason { get; private set; }
    public string? Failure { get; private set; }
    /// <summary>The script's standard error: one line per scenario with nettriage's exit status and time.</summary>
    public string ScriptLog { get; private set; } = "";
    public IReadOnlyCollection<DiagnoseRun> Runs => _runs.Values;

    /// <summary>Fails the calling test when the script failed; skips it when the machine cannot run the script.</summary>
    public void Require()
    {
        Assert.True(Failure is null, Failure);
        Skip.If(SkipReason is not null, SkipReason);
    }

    public DiagnoseRun Run(string scenario)
    {
        Assert.True(_runs.TryGetValue(scenario, out var run), $"the manifest in {Directory} has no scenario '{scenario}'");
        return run;
    }

    /// <summary>The report nettriage wrote for <paramref name="scenario"/>, with its reproduction.</summary>
    public AnalysisReport Report(string scenario)
    {
        Require();
        var run = Run(scenario);
        string json = File.ReadAllText(Path.Combine(Directory, scenario + ".json"));
        Assert.True(run.ExitCode == 0, $"nettriage exited {run.ExitCode} for {scenario}: {Stderr(scenario)}");
        var report = AnalysisJson.Deserialize(json);
        Assert.NotNull(report);
        Assert.NotNull(report.Reproduction);
        return report;
    }

    public string Stderr(string scenario) => File.ReadAllText(Path.Combine(Directory, scenario + ".err"));

    public void Dispose()
    {
        if (Failure is not null) return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? EnvironmentProblem()
    {
        if (!OperatingSystem.IsLinux()) return "live diagnosis scenarios need Linux network namespaces";
        if (!Environment.IsPrivilegedProcess) return "live diagnosis scenarios need root (network namespaces, iptables)";
        if (!File.Exists(ScriptPath)) return $"the scenario script is absent: {ScriptPath}";
        if (!File.Exists(NettriageDll)) return $"nettriage.dll is not beside the tests: {NettriageDll}";
        return null;
    }

    private static string ScriptPath => Path.Combine(TestPaths.RepositoryRoot, "tests", "scripts", "diagnose-scenarios.sh");

    private static string NettriageDll => Path.Combine(AppContext.BaseDirectory, "nettriage.dll");

    private void RunScript(string certificates)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ScriptPath);
        start.ArgumentList.Add(Directory);
        start.ArgumentList.Add(NettriageDll);
        start.ArgumentList.Add(certificates);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            SkipReason = $"bash cannot be started: {e.Message}";
            return;
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ScriptTimeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Failure = $"diagnose-scenarios.sh did not finish within {ScriptTimeout.TotalMinutes} minutes; outputs in {Directory}";
                return;
            }
            process.WaitForExit();
            ScriptLog = stderr.Result;
            _ = stdout.Result;
            if (process.ExitCode == 0) return;
            string[] lines = ScriptLog.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string last = lines.Length == 0 ? "(no message)" : lines[^1];
            if (process.ExitCode == ScriptSkipExitCode)
            {
                SkipReason = last;
                return;
            }
            Failure = string.Create(CultureInfo.InvariantCulture,
                $"diagnose-scenarios.sh exited with status {process.ExitCode}: {last}\noutputs in {Directory}\n{ScriptLog}");
        }
    }

    private string? LoadManifest()
    {
        string path = Path.Combine(Directory, "manifest.tsv");
        if (!File.Exists(path)) return $"{path} does not exist";
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != "scenario\texit\tseconds") return $"{path} has no header";
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            if (f.Length != 3
                || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int exit)
                || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            {
                return $"{path}: cannot read '{line}'";
            }
            _runs[f[0]] = new DiagnoseRun(f[0], exit, seconds);
        }
        return null;
    }
}

/// <summary>Test classes in this collection share one run of the scenario script.</summary>
[CollectionDefinition(Name)]
public sealed class DiagnoseScenarioCollection : ICollectionFixture<DiagnoseScenarioFixture>
{
    public const string Name = "Live diagnosis scenarios";
}
