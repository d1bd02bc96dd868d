using System.CommandLine;
using NetTriage.Capture;
using NetTriage.Cli.Commands;
using NetTriage.Packets.Formatting;

namespace NetTriage.Cli;

/// <summary>
/// The command-line program is composition only: it parses arguments, calls library code, and maps
/// failures to one line on standard error and an exit code. No stack trace ever reaches the user
/// (set NETTRIAGE_DEBUG=1 to see one).
/// </summary>
public static partial class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "NetTriage reads network captures (pcap, pcapng, tcpdump text; gzip or standard input) and explains what failed.\n" +
            "Start with:  nettriage show capture.pcap");
        root.Subcommands.Add(AnalyzeCommand.Create(stdout, stderr));
        root.Subcommands.Add(ShowCommand.Create(stdout, stderr));
        root.Subcommands.Add(GenerateCommand.Create(stdout, stderr));
        root.Subcommands.Add(DiagnoseCommand.Create(stdout, stderr));
        root.Subcommands.Add(LogsCommand.Create(stdout, stderr));
        root.Subcommands.Add(HistoryCommand.Create(stdout, stderr));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"nettriage: {TerminalEscaper.Escape(Plain(error.Message))}");
            }
            stderr.WriteLine("Try 'nettriage --help'.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (CaptureFormatException ex)
        {
            // The input's name is the user's, but may come from anywhere (an archive, a script): escaped like the rest.
            stderr.WriteLine($"nettriage: {TerminalEscaper.Escape(ex.Message)}");
            return ExitCodes.BadInput;
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"nettriage: {TerminalEscaper.Escape(ex.Message)}");
            return ExitCodes.BadInput;
        }
        catch (IOException ex) when (IsBrokenPipe(ex))
        {
            // The reader of our output went away (for example `| head`): not an error.
            return ExitCodes.Success;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("NETTRIAGE_DEBUG") is null or "" or "0")
        {
            stderr.WriteLine($"nettriage: internal error ({ex.GetType().Name}): {TerminalEscaper.Escape(ex.Message)}. Please report it with the input that caused it.");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>
    /// The parser's conversion error in the user's words: "--count: 'abc' is not a whole number" rather than the .NET
    /// type it was converted to.
    /// </summary>
    internal static string Plain(string message)
    {
        var m = ConversionError().Match(message);
        if (!m.Success) return message;
        string type = m.Groups["type"].Value;
        string what = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) ? "a number"
            : "a valid value";
        return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {what}.";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'\.?$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ConversionError();

    private static bool IsBrokenPipe(IOException ex) =>
        ex.HResult == 32 || ex.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A usage problem found after parsing (a missing output file's folder, say).</summary>
public sealed class UsageException(string message) : Exception(message);
