using System.Diagnostics;

namespace NetTriage.Cli.Tests;

/// <summary>Runs the program in-process (Program.Run) or as a real process (for standard input and pipes).</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Program.Run(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built nettriage.dll in a child process, feeding <paramref name="stdin"/> to it.</summary>
    public static Result RunProcess(byte[]? stdin, params string[] args) => RunProcessWith(null, stdin, args);

    /// <summary>As <see cref="RunProcess"/>, with these environment variables set for the child (TZ, say).</summary>
    public static Result RunProcessWith(IReadOnlyDictionary<string, string>? environment, byte[]? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nettriage.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var outTask = process.StandardOutput.ReadToEndAsync();
        var errTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("nettriage did not finish within 60 s");
        }
        return new Result(process.ExitCode, outTask.Result, errTask.Result);
    }

    /// <summary>Runs an external tool (tcpdump) and returns its output, or null when it is not installed.</summary>
    public static string? RunTool(string tool, params string[] args) => RunToolWith(null, tool, args);

    /// <summary>As <see cref="RunTool"/>, with these environment variables set for the tool (TZ, say).</summary>
    public static string? RunToolWith(IReadOnlyDictionary<string, string>? environment, string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        try
        {
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit(60_000);
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
