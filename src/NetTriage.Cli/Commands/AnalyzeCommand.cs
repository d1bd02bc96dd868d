using System.CommandLine;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Reporting.Terminal;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage analyze`: read the inputs, diagnose, and write the report.</summary>
public static class AnalyzeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("input")
        {
            Description = "Captures to analyse together: pcap, pcapng or tcpdump text, optionally gzip-compressed; '-' reads standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text (the default, for a terminal) or json (the incident model, schema nettriage.analysis version 1; see docs/analysis-json.md).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("analyze", """
            Diagnose what failed in the traffic: follows every DNS transaction, TCP connection and ICMP error back to
            what caused it, groups the failures into incidents, and gives for each the affected protocol and service,
            when it happened, what is ruled out and why, the likely causes ranked with the evidence for and against
            them, next steps, and the limits of the evidence. A capture without failures yields "no incident found"
            with the traffic overview that shows why.

            Examples:
              nettriage analyze samples/seed-incident.txt
              nettriage analyze --format json capture.pcapng > diagnosis.json
              tcpdump -n -r capture.pcap | nettriage analyze -
            """);
        command.Arguments.Add(inputs);
        command.Options.Add(format);
        command.SetAction(parse => Run(parse.GetValue(inputs)!, parse.GetValue(format)!, stdout, stderr));
        return command;
    }

    public static int Run(IReadOnlyList<string> inputs, string format, TextWriter stdout, TextWriter stderr)
    {
        var analyzer = new Analyzer();
        foreach (var input in inputs)
        {
            using var source = CaptureOpener.Open(input);
            analyzer.Read(source);
            foreach (var warning in source.Warnings)
            {
                stderr.WriteLine($"nettriage: {input}: warning: {warning}");
            }
        }
        var report = analyzer.Finish();
        if (format == "json")
        {
            stdout.WriteLine(AnalysisJson.Serialize(report));
        }
        else
        {
            PlainTextRenderer.Render(report, stdout);
        }
        stdout.Flush();
        return ExitCodes.Success;
    }
}
