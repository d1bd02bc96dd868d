using NetTriage.Analysis.Diagnosis;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.History;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Terminal;
using Spectre.Console;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage analyze`: read the inputs, diagnose, and write the report.</summary>
public static class AnalyzeCommand
{
    /// <summary>How long reading may take before the progress bar appears.</summary>
    private static readonly TimeSpan ProgressDelay = TimeSpan.FromMilliseconds(700);

    /// <summary>What the command was asked to do, after parsing.</summary>
    public sealed record AnalyzeOptions
    {
        /// <summary>"text", "md", "markdown", "html", "json", or null to follow <see cref="Output"/>'s extension.</summary>
        public string? Format { get; init; }
        /// <summary>The file to write, or null (or "-") for standard output.</summary>
        public string? Output { get; init; }
        public string? CaseFile { get; init; }
        /// <summary>Case fields from the command line; they override the case file's.</summary>
        public ReportContext Context { get; init; } = ReportContext.Empty;
        /// <summary>"auto", "always" or "never".</summary>
        public string Color { get; init; } = "auto";
        public bool NoProgress { get; init; }
        /// <summary>"incident" (any incident) or "high" (an incident of high severity) makes the exit code 1; null never.</summary>
        public string? FailOn { get; init; }
        /// <summary>The history store (--store), or null for NETTRIAGE_STORE or the default file.</summary>
        public string? Store { get; init; }
        /// <summary>--no-store: record nothing, read no history.</summary>
        public bool NoStore { get; init; }
        /// <summary>--sensor: the name the history records the capture under (default: this host's name).</summary>
        public string? Sensor { get; init; }
        /// <summary>--brief: the verdict and one short paragraph per incident, instead of the full report.</summary>
        public bool Brief { get; init; }
        /// <summary>
        /// The zone the text, Markdown and HTML reports print absolute times in: null for the local one (TZ), or
        /// <see cref="DisplayZone.Utc"/> (--utc). The JSON's times are UTC either way.
        /// </summary>
        public DisplayZone? Zone { get; init; }
        /// <summary>--threads: 1 reads, decodes and tracks on one thread; 2 read and decode beside tracking; 3 or more add threads for the detectors; 0 chooses.</summary>
        public int Threads { get; init; }
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("input")
        {
            Description = "Captures to analyse together: pcap, pcapng or tcpdump text, optionally gzip-compressed; '-' reads standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        inputs.RejectOptionLike();
        var format = new Option<string?>("--format", "-f")
        {
            Description = "Report format: text (the default; coloured on a terminal), md (Markdown), html (one self-contained file) or json "
                + "(the incident model, schema nettriage.analysis version 1; see docs/analysis-json.md). Without it, -o's extension decides.",
        };
        format.AcceptOnlyFromAmong("text", "md", "markdown", "html", "json");
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the report to this file (.md, .html/.htm, .json, .txt give the format) instead of standard output.",
        };
        var caseFile = new Option<string?>("--case")
        {
            Description = "Case context as JSON or YAML: title, organisation, awareness, symptoms, analyst, actions, case_id (docs/report.md). "
                + "What is not given is shown as 'not provided'.",
        };
        var title = new Option<string?>("--title") { Description = "Report title (overrides the case file's)." };
        var organisation = new Option<string?>("--organisation", "--organization") { Description = "Organisation the report is for." };
        var analyst = new Option<string?>("--analyst") { Description = "Who analysed the incident." };
        var awareness = new Option<string?>("--awareness") { Description = "How the team became aware of the problem." };
        var symptom = new Option<string[]>("--symptom")
        {
            Description = "A symptom people reported (repeat for several; replaces the case file's list).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var action = new Option<string[]>("--action")
        {
            Description = "An action already taken to investigate (repeat for several; replaces the case file's list).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var caseId = new Option<string?>("--case-id") { Description = "Case or ticket reference." };
        var color = new Option<string>("--color", "--colour")
        {
            Description = "Colour the text report: auto (on a terminal, unless NO_COLOR is set), always, or never.",
            DefaultValueFactory = _ => "auto",
        };
        color.AcceptOnlyFromAmong("auto", "always", "never");
        var noProgress = new Option<bool>("--no-progress")
        {
            Description = "Never show the progress bar (it shows on a terminal when reading takes more than a moment).",
        };

        var failOn = new Option<string?>("--fail-on")
        {
            Description = "Exit with code 1 when the analysis finds an incident (incident) or an incident of high severity (high); "
                + "the report is written either way. Without it, a successful analysis exits 0 whatever it found.",
        };
        failOn.AcceptOnlyFromAmong(FailOnIncident, FailOnHigh);
        var (store, noStore, sensor) = HistoryOptions.Create();
        var brief = new Option<bool>("--brief")
        {
            Description = "Only the verdict and one short paragraph per incident (what failed, the likely cause, the first step), "
                + "for a reader who has a minute; text, md or html. On a terminal the full text report ends with this summary.",
        };

        var utc = new Option<bool>("--utc")
        {
            Description = "Print the report's times in UTC. Without it they are in the local time zone (the TZ environment variable, "
                + "else the system's), as tcpdump prints them; the report names the zone. The JSON's times are always UTC.",
        };

        var threads = new Option<int>("--threads")
        {
            Description = "Threads to analyse with: 1 reads, decodes and tracks on one; 2 reads and decodes on a second while the "
                + "first tracks, and shares the attack and activity detectors between them; 3 or more give the detectors threads of "
                + "their own (up to 4 of them: more than 6 is the same as 6). The report is the same whatever the number. "
                + "Default: one a processor, up to 3.",
        };
        threads.Check(n => n is <= 0 ? "--threads must be a positive number." : null);

        var command = new Command("analyze", """
            Diagnose what failed in the traffic and write the incident report: follows every DNS transaction, TCP
            connection and ICMP error back to what caused it, groups the failures into incidents, and gives for each
            the affected protocol and service, when it happened, what is ruled out and why, the likely causes ranked
            with the evidence for and against them, next steps, the timeline and the evidence packets, then an
            overview of the traffic. A capture without failures yields "no incident found" with the overview.

            Examples:
              nettriage analyze samples/seed-incident.txt
              nettriage analyze --brief samples/seed-incident.txt        (the verdict in a few lines)
              nettriage analyze samples/seed-incident.pcap --case samples/seed-case.yaml -o report.html
              nettriage analyze capture.pcapng --analyst "J. Doe" --symptom "site unreachable" -o report.md
              nettriage analyze --format json capture.pcapng > diagnosis.json
              tcpdump -n -r capture.pcap | nettriage analyze -
              nettriage analyze --sensor dmz-tap capture.pcap     (recorded in the history as seen by dmz-tap)

            Every analysis is recorded in the history store (a SQLite file under ~/.local/share/nettriage/ unless
            --store or NETTRIAGE_STORE says otherwise; --no-store records nothing), and each incident is placed in
            the history of earlier captures: was the service working before, since when does it fail? See
            `nettriage history` and docs/history.md.
            """);
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { format, output, caseFile, title, organisation, analyst, awareness, symptom, action, caseId, color, noProgress, failOn, store, noStore, sensor, brief, utc, threads })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var options = new AnalyzeOptions
            {
                Format = parse.GetValue(format),
                Output = parse.GetValue(output),
                CaseFile = parse.GetValue(caseFile),
                Context = ReportContext.FromValues(parse.GetValue(title), parse.GetValue(organisation), parse.GetValue(awareness),
                    parse.GetValue(symptom), parse.GetValue(analyst), parse.GetValue(action), parse.GetValue(caseId)),
                Color = parse.GetValue(color)!,
                NoProgress = parse.GetValue(noProgress),
                FailOn = parse.GetValue(failOn),
                Store = parse.GetValue(store),
                NoStore = parse.GetValue(noStore),
                Sensor = parse.GetValue(sensor),
                Brief = parse.GetValue(brief),
                Zone = parse.GetValue(utc) ? DisplayZone.Utc : null,
                Threads = parse.GetResult(threads) is null ? 0 : parse.GetValue(threads),
            };
            return Run(parse.GetValue(inputs)!, options, stdout, stderr);
        });
        return command;
    }

    /// <summary>`--fail-on incident`: any incident makes the exit code <see cref="ExitCodes.IncidentFound"/>.</summary>
    public const string FailOnIncident = "incident";
    /// <summary>`--fail-on high`: an incident of high severity makes the exit code <see cref="ExitCodes.IncidentFound"/>.</summary>
    public const string FailOnHigh = "high";

    /// <summary>The text/JSON entry point kept for callers that only choose a format.</summary>
    public static int Run(IReadOnlyList<string> inputs, string format, TextWriter stdout, TextWriter stderr) =>
        Run(inputs, new AnalyzeOptions { Format = format }, stdout, stderr);

    public static int Run(IReadOnlyList<string> inputs, AnalyzeOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        string? outputPath = options.Output is "-" ? null : options.Output;
        var format = ChooseFormat(options.Format, outputPath);
        if (options.Brief && format == ReportFormat.Json)
        {
            throw new UsageException("--brief: the JSON is the whole analysis model and has no brief form; use text, md or html");
        }

        // The case context is read before the inputs, so a bad case file fails fast.
        var context = ReportContext.Empty;
        if (options.CaseFile is { } path)
        {
            try
            {
                context = CaseFile.Load(path);
            }
            catch (CaseFileException ex)
            {
                throw new UsageException("case file " + ex.Message);
            }
        }
        context = context.Merge(options.Context);
        // The history's options too, before the inputs are read: a URL that cannot be read fails in a moment.
        var location = HistoryOptions.Location(options.Store, options.NoStore);
        string sensor = HistoryOptions.Sensor(options.Sensor);

        var report = Analyze(inputs, options, stderr);
        // The tracker's tables are garbage once the report is made: collected now, their memory holds the rendering
        // instead of adding to it (with the collections in Analyzer.Finish and the streamed report, this took the peak
        // of 2 GB of browsing traffic from 162 to 128 MB; README, Performance).
        Analyzer.ReleaseTracking();
        var zone = options.Zone ?? DisplayZone.Local();
        var history = HistoryRecorder.Keep(report, location, sensor, DateTimeOffset.UtcNow);
        // What the case says of who fails is weighed last, into every format (the JSON too).
        report = FaultJudge.WithCase(history.Report, context.Hints());

        int exitCode = ExitCode(report, options.FailOn);
        if (history.Problem is { } problem)
        {
            stderr.WriteLine("nettriage: " + TerminalEscaper.Escape(problem));
            if (exitCode == ExitCodes.Success) exitCode = ExitCodes.NotRecorded;
        }
        if (outputPath is not null)
        {
            WriteFile(outputPath, format, report, context, options.Brief, zone);
            return exitCode;
        }
        if (format == ReportFormat.Json)
        {
            if (ConsoleOutput(stdout) is { } console)
            {
                using (console)
                {
                    AnalysisJson.Write(report, console);
                    console.WriteByte((byte)'\n');
                }
            }
            else
            {
                stdout.WriteLine(AnalysisJson.Serialize(report));
            }
        }
        else if (format == ReportFormat.Text && UseColour(options.Color, stdout))
        {
            var console = TextRenderer.ColourConsole(stdout, options.Color == "always" ? ColorSystemSupport.Standard : ColorSystemSupport.Detect);
            if (!options.Brief) TextRenderer.Render(ReportBuilder.Build(report, context, zone), console, TerminalWidth());
            // On a terminal the full report ends with the brief one, so that what stays on screen is the verdict.
            if (options.Brief || OnTerminal(stdout)) TextRenderer.Render(ReportBuilder.BuildBrief(report, context, zone), console, TerminalWidth());
        }
        else
        {
            bool terminal = OnTerminal(stdout);
            void Render(TextWriter buffer)
            {
                if (options.Brief) ReportWriter.WriteBrief(format, report, context, buffer, zone: zone);
                else ReportWriter.Write(format, report, context, buffer, zone: zone);
                if (!options.Brief && format == ReportFormat.Text && terminal)
                {
                    buffer.WriteLine();
                    ReportWriter.WriteBrief(format, report, context, buffer, TerminalWidth(), zone);
                }
            }
            if (ConsoleOutput(stdout) is { } console)
            {
                var encoding = Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? new UTF8Encoding(false) : Console.OutputEncoding;
                using var writer = new StreamWriter(console, encoding, 1 << 16) { NewLine = "\n" };
                Render(writer);
            }
            else
            {
                Render(stdout);
            }
        }
        stdout.Flush();
        return exitCode;
    }

    /// <summary>
    /// Reads every input and returns the report. Its own method so that nothing holds the analyzer, and with it every
    /// table of the tracker and the sensors, once the report is made.
    /// </summary>
    private static AnalysisReport Analyze(IReadOnlyList<string> inputs, AnalyzeOptions options, TextWriter stderr)
    {
        var analyzer = new Analyzer(new AnalysisOptions { Threads = options.Threads });
        var warnings = new List<string>();
        inputs = DistinctInputs.Of(inputs, warnings);
        bool showProgress = !options.NoProgress && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        long consumed = ReadInputs(analyzer, inputs, warnings, showProgress);
        foreach (var warning in warnings) stderr.WriteLine(warning);
        if (analyzer.Packets == 0)
        {
            // "No incident found in 0 packets" would pass for a verdict, and --fail-on could not catch it.
            throw inputs.Count == 1
                ? new CaptureFormatException(inputs[0], CaptureErrorReason.EmptyInput, "no packet to analyse: the capture holds no complete packet", offset: consumed)
                : new CaptureFormatException(string.Join(", ", inputs), CaptureErrorReason.EmptyInput, $"no packet to analyse: none of the {inputs.Count} inputs holds a complete packet");
        }
        return analyzer.Finish();
    }

    /// <summary>The exit code of a finished analysis: <see cref="ExitCodes.IncidentFound"/> when <paramref name="failOn"/> names what was found.</summary>
    public static int ExitCode(AnalysisReport report, string? failOn)
    {
        ArgumentNullException.ThrowIfNull(report);
        bool fail = failOn switch
        {
            FailOnIncident => report.Incidents.Count > 0,
            FailOnHigh => report.Incidents.Any(i => i.Severity == Severity.High),
            null => false,
            _ => throw new UsageException($"--fail-on: unknown value '{TerminalEscaper.Escape(failOn)}'; use incident or high"),
        };
        return fail ? ExitCodes.IncidentFound : ExitCodes.Success;
    }

    private static ReportFormat ChooseFormat(string? name, string? outputPath)
    {
        if (ReportFormats.Parse(name) is { } chosen) return chosen;
        if (outputPath is null) return ReportFormat.Text;
        return ReportFormats.FromFileName(outputPath)
            ?? throw new UsageException($"{TerminalEscaper.Escape(outputPath)}: cannot tell the report format from the extension; use .md, .html, .json or .txt, or --format");
    }

    private static void WriteFile(string path, ReportFormat format, AnalysisReport report, ReportContext context, bool brief, DisplayZone zone)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            if (format == ReportFormat.Json)
            {
                AnalysisJson.Write(report, stream);
                stream.WriteByte((byte)'\n');
            }
            else if (brief) ReportWriter.WriteBrief(format, report, context, writer, zone: zone);
            else ReportWriter.Write(format, report, context, writer, zone: zone);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{TerminalEscaper.Escape(path)}: cannot write: {ex.Message}");
        }
    }

    /// <summary>
    /// Standard output as a stream of its own when <paramref name="stdout"/> is the console, null for any other writer (a
    /// test's). The console's writer flushes every line, a system call each (20,000 of them for the report of a busy
    /// capture), and rendering into a string first held the whole report twice (4 MB of characters and their copy for
    /// 2 MB of text, 22 MB for 11 MB of JSON): a report goes through a 64 KiB buffer instead.
    /// </summary>
    private static Stream? ConsoleOutput(TextWriter stdout)
    {
        if (!ReferenceEquals(stdout, Console.Out)) return null;
        stdout.Flush();
        return Console.OpenStandardOutput();
    }

    /// <summary>Standard output is the console and a terminal (not a pipe or a file).</summary>
    private static bool OnTerminal(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Colour only for a terminal that wants it: never into a pipe or a file, never with NO_COLOR (no-color.org) or TERM=dumb.</summary>
    private static bool UseColour(string mode, TextWriter stdout) => mode switch
    {
        "always" => true,
        "never" => false,
        _ => ReferenceEquals(stdout, Console.Out)
            && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") != "dumb",
    };

    private static int TerminalWidth()
    {
        try
        {
            int width = Console.IsOutputRedirected ? TextRenderer.DefaultWidth : Console.WindowWidth;
            return width <= 0 ? TextRenderer.DefaultWidth : Math.Clamp(width - 1, 60, 160);
        }
        catch (IOException)
        {
            return TextRenderer.DefaultWidth;
        }
    }

    // ---- Reading, with a progress bar on a terminal for inputs that take more than a moment ----

    /// <summary>What the reader has done so far, published for the progress display on another thread.</summary>
    private sealed class ReadState
    {
        public int Input = -1;
        public string Name = "";
        public long Packets;
        public long Bytes;
        public long Total = -1;
        /// <summary><see cref="Stopwatch.GetTimestamp"/> when the current input was opened.</summary>
        public long Started;
    }

    /// <summary>Reads every input into the analyzer; returns the bytes read of the last one.</summary>
    internal static long ReadInputs(Analyzer analyzer, IReadOnlyList<string> inputs, List<string> warnings, bool showProgress)
    {
        var state = new ReadState();
        if (!showProgress)
        {
            return Read(analyzer, inputs, warnings, state);
        }
        var work = Task.Run(() => Read(analyzer, inputs, warnings, state));
        if (!Finished(work, ProgressDelay))
        {
            ShowProgress(work, state);
        }
        return work.GetAwaiter().GetResult();
    }

    private static long Read(Analyzer analyzer, IReadOnlyList<string> inputs, List<string> warnings, ReadState state)
    {
        long consumed = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            using var source = CaptureOpener.Open(inputs[i]);
            lock (state)
            {
                state.Name = inputs[i];
                state.Packets = 0;
                state.Bytes = 0;
                state.Total = source.TotalBytes ?? -1;
                state.Started = Stopwatch.GetTimestamp();
                state.Input = i;
            }
            analyzer.Read(source, packets =>
            {
                long bytes = source.BytesConsumed;
                lock (state)
                {
                    state.Packets = packets;
                    state.Bytes = bytes;
                }
            });
            foreach (var warning in source.Warnings)
            {
                warnings.Add($"nettriage: {TerminalEscaper.Escape(inputs[i])}: warning: {warning}");
            }
            consumed = source.BytesConsumed;
        }
        return consumed;
    }

    /// <summary>A Spectre.Console progress bar on standard error, one task per input: bytes, bytes/s, packets, packets/s.</summary>
    private static void ShowProgress(Task work, ReadState state)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int current = -1;
                while (true)
                {
                    int input;
                    string name;
                    long packets, bytes, total, started;
                    lock (state)
                    {
                        (input, name, packets, bytes, total, started) = (state.Input, state.Name, state.Packets, state.Bytes, state.Total, state.Started);
                    }
                    if (input >= 0 && input != current)
                    {
                        if (task is not null)
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }
                        task = ctx.AddTask(Markup.Escape(TerminalEscaper.Escape(name)), maxValue: total > 0 ? total : 1);
                        task.IsIndeterminate = total <= 0;
                        current = input;
                    }
                    if (task is not null)
                    {
                        task.Value = total > 0 ? Math.Min(bytes, total) : 0;
                        double rate = packets / Math.Max(Stopwatch.GetElapsedTime(started).TotalSeconds, 0.001);
                        task.Description = Markup.Escape(TerminalEscaper.Escape(Shorten(name)))
                            + string.Create(CultureInfo.InvariantCulture, $"  {packets:#,0} packets ({rate:#,0}/s)");
                    }
                    if (Finished(work, TimeSpan.FromMilliseconds(150))) break;
                }
                if (task is not null) task.Value = task.MaxValue;
            });
    }

    /// <summary>Waits for the reader without throwing its exception here (GetResult rethrows it as it was).</summary>
    private static bool Finished(Task work, TimeSpan timeout) =>
        work.IsCompleted || ((IAsyncResult)work).AsyncWaitHandle.WaitOne(timeout);

    private static string Shorten(string name) => name.Length <= 40 ? name : "\u2026" + name[^39..];
}
