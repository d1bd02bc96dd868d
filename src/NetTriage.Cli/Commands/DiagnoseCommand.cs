using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using NetTriage.Analysis;
using NetTriage.History;
using NetTriage.Live;
using NetTriage.Live.Text;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage diagnose`: reproduce a failure from this host while capturing, and say which end is at fault.</summary>
public static class DiagnoseCommand
{
    private const double MinBudgetSeconds = 1;
    private const double MaxBudgetSeconds = 600;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string>("target")
        {
            Description = "The URL (http:// or https://) or host name to reach; a bare name is probed as https on port 443, as a browser opens it.",
        };
        target.RejectOptionLike();
        var resolver = new Option<string[]>("--resolver", "-r")
        {
            Description = "A DNS resolver to ask (repeat for several, asked in order). Default: the nameservers of /etc/resolv.conf.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var iface = new Option<string?>("--interface", "-i")
        {
            Description = "The interface to capture on. Default: the one that routes to the first resolver (or to the target's address).",
        };
        var budget = new Option<double>("--budget")
        {
            Description = "Seconds the whole run may take, probes and capture; each step's own timeout is cut to what remains.",
            DefaultValueFactory = _ => 20,
        };
        budget.Check(v => double.IsNaN(v) || v < MinBudgetSeconds || v > MaxBudgetSeconds
            ? $"--budget must be between {MinBudgetSeconds} and {MaxBudgetSeconds} seconds."
            : null);
        var capture = new Option<string?>("--capture")
        {
            Description = "The pcapng file for the live capture. Default: beside the report, named after it (or after the host) and the time.",
        };
        var noCapture = new Option<bool>("--no-capture")
        {
            Description = "Do not capture; run the probes only (the report says what that costs in certainty).",
        };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "Report format: text (the default), md, html, or json (the analysis model with its 'reproduction' member; docs/diagnose.md). Without it, -o's extension decides.",
        };
        format.AcceptOnlyFromAmong("text", "md", "markdown", "html", "json");
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the report to this file instead of standard output.",
        };

        var command = new Command("diagnose", """
            Reproduce a failure from this host and say which end is at fault. While a live capture runs (filtered to
            the traffic it causes, saved as pcapng beside the report), it probes like a browser, step by step: resolve
            the name through each resolver over UDP (and TCP when UDP fails or is truncated), connect to the resolved
            addresses, complete the TLS handshake for https, send an HTTP request. It then analyses the capture as
            `analyze` does and joins both: the step that failed, the end at fault (this host, the network, the DNS
            server, the name, the web server), and the evidence. Capturing needs root or CAP_NET_RAW and libpcap;
            without them the probes still run.

            Examples:
              nettriage diagnose https://www.example.com/
              nettriage diagnose www.example.com --resolver 192.0.2.53 --resolver 198.51.100.53
              nettriage diagnose http://intranet.example/ --format json -o diagnosis.json
            """);
        command.Arguments.Add(target);
        var (store, noStore, sensor) = HistoryOptions.Create();
        var utc = new Option<bool>("--utc")
        {
            Description = "Print the report's times in UTC. Without it they are in the local time zone (TZ), as in `analyze`; the JSON's times are always UTC.",
        };
        foreach (var option in new Option[] { resolver, iface, budget, capture, noCapture, format, output, store, noStore, sensor, utc })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancel) =>
        {
            var request = new DiagnoseRequest
            {
                Target = parse.GetValue(target)!,
                Resolvers = parse.GetValue(resolver) ?? [],
                Interface = parse.GetValue(iface),
                BudgetSeconds = parse.GetValue(budget),
                Capture = parse.GetValue(capture),
                NoCapture = parse.GetValue(noCapture),
                Format = parse.GetValue(format),
                Output = parse.GetValue(output),
                Store = parse.GetValue(store),
                NoStore = parse.GetValue(noStore),
                Sensor = parse.GetValue(sensor),
                Zone = parse.GetValue(utc) ? DisplayZone.Utc : null,
            };
            return await RunAsync(request, stdout, stderr, cancel).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The command's arguments after parsing.</summary>
    public sealed record DiagnoseRequest
    {
        public required string Target { get; init; }
        public IReadOnlyList<string> Resolvers { get; init; } = [];
        public string? Interface { get; init; }
        public double BudgetSeconds { get; init; } = 20;
        public string? Capture { get; init; }
        public bool NoCapture { get; init; }
        public string? Format { get; init; }
        public string? Output { get; init; }
        /// <summary>The history store, as <c>analyze --store</c>; <see cref="NoStore"/> records nothing.</summary>
        public string? Store { get; init; }
        public bool NoStore { get; init; }
        public string? Sensor { get; init; }
        /// <summary>The zone of the report's times: null for the local one, or <see cref="DisplayZone.Utc"/> (--utc).</summary>
        public DisplayZone? Zone { get; init; }
    }

    public static async Task<int> RunAsync(DiagnoseRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!LiveTarget.TryParse(request.Target, out var target, out var problem))
        {
            throw new UsageException($"{TerminalEscaper.Escape(request.Target)}: {problem}");
        }
        var resolvers = new List<IPAddress>();
        foreach (var text in request.Resolvers)
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                throw new UsageException($"--resolver {TerminalEscaper.Escape(text)}: not an IP address");
            }
            resolvers.Add(address);
        }
        string? outputPath = request.Output is "-" ? null : request.Output;
        var format = ReportFormats.Parse(request.Format)
            ?? (outputPath is null ? ReportFormat.Text : ReportFormats.FromFileName(outputPath) ?? ReportFormat.Text);
        if (outputPath is not null && Path.GetDirectoryName(Path.GetFullPath(outputPath)) is { } dir && !Directory.Exists(dir))
        {
            throw new UsageException($"{TerminalEscaper.Escape(outputPath)}: the folder does not exist");
        }

        var location = HistoryOptions.Location(request.Store, request.NoStore);
        string sensorName = HistoryOptions.Sensor(request.Sensor);
        string? capturePath = request.NoCapture ? null : request.Capture ?? DefaultCapturePath(outputPath, target.Host, DateTime.UtcNow);
        var options = new LiveOptions
        {
            Target = target,
            Resolvers = resolvers,
            Interface = request.Interface,
            CapturePath = capturePath,
            Capture = !request.NoCapture,
            Budget = TimeSpan.FromSeconds(request.BudgetSeconds),
        };

        AnalysisReport report;
        try
        {
            report = await LiveDiagnoser.RunAsync(options, cancel).ConfigureAwait(false);
        }
        catch (LiveDiagnosisException e)
        {
            throw new UsageException(e.Message);
        }
        var reproduction = report.Reproduction!;
        if (!reproduction.Capture.Captured && !request.NoCapture)
        {
            stderr.WriteLine($"nettriage: warning: no packets captured: {TerminalEscaper.Escape(reproduction.Capture.Problem ?? "unknown reason")}");
        }
        // The capture taken is recorded in the history like any other; its incidents get their trends.
        var history = HistoryRecorder.Keep(report, location, sensorName, DateTimeOffset.UtcNow);
        report = history.Report;
        int exitCode = ExitCodes.Success;
        if (history.Problem is { } notRecorded)
        {
            stderr.WriteLine("nettriage: " + TerminalEscaper.Escape(notRecorded));
            exitCode = ExitCodes.NotRecorded;
        }

        if (outputPath is null)
        {
            Write(format, report, request.Zone ?? DisplayZone.Local(), stdout);
            stdout.Flush();
            return exitCode;
        }
        try
        {
            using var stream = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            Write(format, report, request.Zone ?? DisplayZone.Local(), writer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{TerminalEscaper.Escape(outputPath)}: cannot write: {ex.Message}");
        }
        return exitCode;
    }

    /// <summary>
    /// The capture file's default name: beside the report and named after it, else after the host in the current
    /// folder, with the UTC time ("report-20250102T030405Z.pcapng").
    /// </summary>
    public static string DefaultCapturePath(string? reportPath, string host, DateTime utc)
    {
        string stamp = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        if (reportPath is not null)
        {
            string full = Path.GetFullPath(reportPath);
            return Path.Combine(Path.GetDirectoryName(full) ?? ".", $"{Path.GetFileNameWithoutExtension(full)}-{stamp}.pcapng");
        }
        string safeHost = new(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
        return $"{safeHost}-{stamp}.pcapng";
    }

    private static void Write(ReportFormat format, AnalysisReport report, DisplayZone zone, TextWriter output)
    {
        var reproduction = report.Reproduction!;
        switch (format)
        {
            case ReportFormat.Json:
                output.WriteLine(AnalysisJson.Serialize(report));
                break;
            case ReportFormat.Markdown:
                ReportWriter.Write(format, report, null, output, zone: zone);
                output.WriteLine();
                ReproductionTextRenderer.RenderMarkdown(reproduction, output);
                break;
            case ReportFormat.Html:
                output.Write(ReproductionTextRenderer.InsertHtml(ReportWriter.Write(format, report, zone: zone), reproduction));
                break;
            default:
                ReportWriter.Write(format, report, null, output, zone: zone);
                output.WriteLine();
                ReproductionTextRenderer.Render(reproduction, output);
                break;
        }
    }
}
