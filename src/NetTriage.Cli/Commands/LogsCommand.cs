using System.CommandLine;
using System.Net;
using NetTriage.Analysis;
using NetTriage.Analysis.Logs;
using NetTriage.Capture;
using NetTriage.Packets.Formatting;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage logs`: the Zeek-compatible logs of the inputs (conn, dns, notice, weird).</summary>
public static class LogsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("input")
        {
            Description = "Captures to read together: pcap, pcapng or tcpdump text, optionally gzip-compressed; '-' reads standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        inputs.RejectOptionLike();
        var outputDir = new Option<string>("--output-dir", "-d")
        {
            Description = "The folder to write conn.log, dns.log, notice.log, weird.log and tunnel.log into (created if missing; existing logs there are replaced).",
            Required = true,
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "tsv (Zeek's tab-separated logs with their #fields/#types header, the default) or json (Zeek's JSON lines: one object per row, unset fields left out).",
            DefaultValueFactory = _ => "tsv",
        };
        format.AcceptOnlyFromAmong("tsv", "json");
        var localNets = new Option<string[]>("--local-nets")
        {
            Description = "Networks that are local (CIDR, comma-separated or repeated), for conn.log's local_orig and local_resp, beside the private and special-purpose ranges that are always local (as in Zeek: Site::local_nets and its private address space).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ignoreChecksums = new Option<bool>("--ignore-checksums", "-C")
        {
            Description = "Take every packet whatever its checksums (Zeek's -C: for captures taken on a host whose network card computes them). By default, as Zeek does, a packet with a wrong IPv4 header checksum is dropped and one with a wrong TCP or UDP checksum is noted in its connection's history (C) and not counted.",
        };
        var noProgress = new Option<bool>("--no-progress")
        {
            Description = "Never show the progress bar (it shows on a terminal when reading takes more than a moment).",
        };
        var command = new Command("logs", """
            Write the traffic as Zeek writes it: conn.log (every TCP, UDP and ICMP connection with Zeek's conn_state,
            history, bytes and packets), dns.log (every DNS query and its answer), notice.log (every finding and incident
            of the analysis), weird.log (decoding anomalies) and tunnel.log (the tunnels followed: GRE, VXLAN, ...), in
            Zeek's TSV format or its JSON lines, ready for
            zeek-cut, RITA, Zui, Splunk or Elastic. A uid joins a connection's rows across the logs. Connections are
            written as they end, so memory holds only the live ones however long the capture.

            Examples:
              nettriage logs capture.pcap -d logs/
              nettriage logs capture.pcap -d logs/ --format json --local-nets 10.0.0.0/8,192.168.0.0/16
              nettriage logs offloaded.pcap -d logs/ --ignore-checksums
              zeek-cut id.orig_h id.resp_h conn_state < logs/conn.log
            """);
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { outputDir, format, localNets, ignoreChecksums, noProgress })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(
            parse.GetValue(inputs)!,
            parse.GetValue(outputDir)!,
            parse.GetValue(format) == "json" ? ZeekLogFormat.Json : ZeekLogFormat.Tsv,
            ParseNetworks(parse.GetValue(localNets) ?? []),
            parse.GetValue(ignoreChecksums),
            parse.GetValue(noProgress),
            stdout,
            stderr));
        return command;
    }

    private static List<IPNetwork> ParseNetworks(string[] values)
    {
        var networks = new List<IPNetwork>();
        foreach (var value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!IPNetwork.TryParse(value, out var network))
            {
                throw new UsageException($"--local-nets: '{value}' is not a network in CIDR form (for example 10.0.0.0/8 or 2001:db8::/32).");
            }
            networks.Add(network);
        }
        return networks;
    }

    public static int Run(IReadOnlyList<string> inputs, string directory, ZeekLogFormat format, IReadOnlyList<IPNetwork> localNets,
        bool ignoreChecksums, bool noProgress, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ZeekLogWriter logs;
        try
        {
            logs = new ZeekLogWriter(directory, format, localNets, ignoreChecksums);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--output-dir {directory}: cannot write the logs there ({ex.Message})");
        }
        using (logs)
        {
            var analyzer = new Analyzer(observer: logs);
            var warnings = new List<string>();
            inputs = DistinctInputs.Of(inputs, warnings);
            bool showProgress = !noProgress && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
            long consumed = AnalyzeCommand.ReadInputs(analyzer, inputs, warnings, showProgress);
            foreach (var warning in warnings) stderr.WriteLine(warning);
            if (analyzer.Packets == 0)
            {
                throw inputs.Count == 1
                    ? new CaptureFormatException(inputs[0], CaptureErrorReason.EmptyInput, "no packet to read: the capture holds no complete packet", offset: consumed)
                    : new CaptureFormatException(string.Join(", ", inputs), CaptureErrorReason.EmptyInput, $"no packet to read: none of the {inputs.Count} inputs holds a complete packet");
            }
            // The connections still live are written before the analysis ends, so the writer's tables are not held
            // through the detection's peak.
            logs.EndInput();
            var report = analyzer.Finish();
            logs.Finish(report);
            var counts = logs.Counts;
            stdout.WriteLine(TerminalEscaper.Escape(
                $"{directory}: conn.log {counts.Connections} connections, dns.log {counts.DnsTransactions} transactions, "
                + $"notice.log {counts.Notices} notices, weird.log {counts.Weirds} anomalies, tunnel.log {counts.Tunnels} tunnels"));
        }
        return ExitCodes.Success;
    }
}
