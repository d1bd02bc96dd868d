using System.Diagnostics;
using System.Globalization;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Runs the built nettriage.dll as a real process: standard input written and closed (at once or after a
/// pause, as a writer that dies would), extra environment, an optional command in front (to run as another
/// user), and the peak resident memory (VmHWM of /proc/PID/status) sampled while it runs.
/// </summary>
internal static class ChildProcess
{
    public sealed record Options
    {
        /// <summary>Bytes written to standard input before it is closed; null closes it at once.</summary>
        public byte[]? Stdin { get; init; }
        /// <summary>How long standard input stays open after the bytes are written.</summary>
        public TimeSpan StdinHold { get; init; }
        /// <summary>A command and its arguments that run dotnet (for example setpriv to change user).</summary>
        public IReadOnlyList<string> Prefix { get; init; } = [];
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
        public string? WorkingDirectory { get; init; }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr, long PeakResidentKiB)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static string NettriageDll => Path.Combine(AppContext.BaseDirectory, "nettriage.dll");

    public static Result Run(Options options, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(options);
        var command = options.Prefix.Count > 0 ? options.Prefix[0] : "dotnet";
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory is not null) psi.WorkingDirectory = options.WorkingDirectory;
        foreach (var p in options.Prefix.Skip(1)) psi.ArgumentList.Add(p);
        if (options.Prefix.Count > 0) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(NettriageDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in options.Environment) psi.Environment[key] = value;
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment.Remove("NETTRIAGE_DEBUG");

        using var process = Process.Start(psi)!;
        var outTask = process.StandardOutput.ReadToEndAsync();
        var errTask = process.StandardError.ReadToEndAsync();
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, PeakResidentKiB(process.Id));
                Thread.Sleep(20);
            }
        });
        try
        {
            if (options.Stdin is not null)
            {
                process.StandardInput.BaseStream.Write(options.Stdin);
                process.StandardInput.BaseStream.Flush();
            }
            if (options.StdinHold > TimeSpan.Zero) Thread.Sleep(options.StdinHold);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program stopped reading (it refused the input early): what it said is the result.
        }
        if (!process.WaitForExit(options.Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nettriage did not finish within {options.Timeout.TotalSeconds} s");
        }
        stop.Cancel();
        sampler.Wait();
        return new Result(process.ExitCode, outTask.Result, errTask.Result, peak);
    }

    /// <summary>The high-water mark of resident memory of a running process (Linux), or 0 when it cannot be read.</summary>
    private static long PeakResidentKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }
}
