using System.Diagnostics;
using System.Globalization;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Runs one of the capture scripts of tests/scripts (they record real traffic in private network namespaces):
/// says why it cannot run on this machine (a skip), or how it failed (a failure the tests must report).
/// </summary>
internal static class CaptureScript
{
    /// <summary>The scripts' exit status for "this machine cannot run it" (the automake skip code).</summary>
    private const int SkipExitCode = 77;

    /// <summary>The scripts bound themselves (the longest, the intrusion captures, at 280 s); this is the backstop.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    public static (string? Skip, string? Failure, string Log) Run(string script, string directory)
    {
        string path = Path.Combine(TestPaths.RepositoryRoot, "tests", "scripts", script);
        if (!OperatingSystem.IsLinux()) return ("real captures need Linux network namespaces", null, "");
        if (!Environment.IsPrivilegedProcess) return ("real captures need root (network namespaces, iptables, tcpdump)", null, "");
        if (!File.Exists(path)) return ($"the capture script is absent: {path}", null, "");

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(directory);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ($"bash cannot be started: {e.Message}", null, "");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return (null, string.Create(CultureInfo.InvariantCulture,
                    $"{script} did not finish within {Timeout.TotalMinutes} minutes; logs in {Path.Combine(directory, "logs")}"), "");
            }
            process.WaitForExit();
            string log = stderr.Result;
            _ = stdout.Result;

            if (process.ExitCode == 0) return (null, null, log);
            string lastLine = LastLine(log);
            if (process.ExitCode == SkipExitCode) return (lastLine, null, log);
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"{script} exited with status {process.ExitCode}: {lastLine}\nlogs in {Path.Combine(directory, "logs")}\n{log}"), log);
        }
    }

    private static string LastLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }
}
