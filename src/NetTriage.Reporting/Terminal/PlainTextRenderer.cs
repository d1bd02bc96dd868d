using System.Globalization;
using NetTriage.Analysis;
using NetTriage.Packets.Formatting;

namespace NetTriage.Reporting.Terminal;

/// <summary>
/// The diagnosis as plain text for a terminal or a log. It presents the model and decides nothing; every
/// string from the capture goes through <see cref="TerminalEscaper"/> so nothing in a capture can drive the terminal.
/// </summary>
public static class PlainTextRenderer
{
    public static void Render(AnalysisReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var w = new Writer(output);
        w.Line($"NetTriage analysis: {(report.Incidents.Count == 0 ? "no incident found" : Count(report.Incidents.Count, "incident") + " found")}");
        foreach (var input in report.Inputs)
        {
            w.Line($"  input: {Safe(input.Name)} ({input.Format}{(input.Compressed ? ", gzip" : "")}), {Count(input.Packets, "packet")}"
                + (input.UnparsedRecords > 0 ? $", {input.UnparsedRecords} unread" : ""));
        }
        if (report.Capture.Start is { } start && report.Capture.End is { } end)
        {
            w.Line($"  capture: {start.Text} to {end.Text}" + (report.Capture.DurationSeconds is { } d ? $" ({d:0.###} s)" : ""));
        }
        w.Line();

        foreach (var incident in report.Incidents)
        {
            w.Line($"{incident.Id} [{incident.Severity}] {Safe(incident.Title)}");
            w.Line($"  {Safe(incident.Summary)}");
            w.Line($"  protocol: {incident.Protocol} over {incident.Transport}{(incident.Port is { } p ? $", port {p}" : "")}"
                + (incident.Service is { } s ? $" ({s})" : "") + $"; layer: {incident.Layer}");
            w.Line($"  server: {string.Join(", ", incident.Servers)}; clients: {string.Join(", ", incident.Clients)}");
            w.Line($"  when: {incident.First.Text} to {incident.Last.Text}; attempts: {incident.Attempts}, failed: {incident.Failed}");
            if (incident.RuledOut.Count > 0)
            {
                w.Line("  ruled out:");
                foreach (var r in incident.RuledOut) w.Line($"    - {Safe(r.Item)}: {Safe(r.Reason)}");
            }
            w.Line("  likely causes:");
            int rank = 0;
            foreach (var cause in incident.Causes)
            {
                w.Line($"    {++rank}. {Safe(cause.Title)} [{cause.Confidence}, {cause.Score.ToString("0.00", CultureInfo.InvariantCulture)}]");
                foreach (var f in cause.For) w.Line($"       + {Safe(f)}");
                foreach (var a in cause.Against) w.Line($"       - {Safe(a)}");
            }
            if (incident.NextSteps.Count > 0)
            {
                w.Line("  next steps:");
                foreach (var step in incident.NextSteps) w.Line($"    - {Safe(step)}");
            }
            if (incident.Caveats.Count > 0)
            {
                w.Line("  caveats:");
                foreach (var c in incident.Caveats) w.Line($"    - {Safe(c.Text)}");
            }
            w.Line("  evidence:");
            foreach (var e in incident.Evidence)
            {
                w.Line($"    {(e.Line is { } l ? $"line {l}" : $"frame {e.Frame}"),-10} {e.Time.Text} {Safe(e.Summary)}");
            }
            w.Line();
        }

        var dns = report.Dns;
        if (dns.Queries > 0)
        {
            var errors = string.Join(", ", dns.ErrorResponses.Select(e => $"{e.Name} {e.Count}"));
            w.Line($"DNS: {dns.Queries} queries; answered {dns.Answered} (no error {dns.AnsweredNoError}{(errors.Length > 0 ? ", " + errors : "")}); " +
                $"answered by ICMP {dns.IcmpAnswered}; unanswered {dns.Unanswered}; failure rate {dns.FailureRate:P0}");
        }
        var tcp = report.Tcp;
        if (tcp.Attempts > 0 || tcp.MidStream > 0)
        {
            w.Line($"TCP: {tcp.Attempts} connection attempts; established {tcp.Established}; refused {tcp.Refused}; unanswered {tcp.Unanswered}; rejected by ICMP {tcp.IcmpRejected}; mid-stream {tcp.MidStream}");
        }
        w.Line($"Traffic: {Count(report.Overview.Packets, "packet")}, {report.Overview.Hosts} hosts, {report.Overview.Flows} flows; " +
            string.Join(", ", report.Overview.Protocols.Select(p => $"{p.Protocol} {p.Packets}")));
        foreach (var c in report.Caveats) w.Line($"Note: {Safe(c.Text)}");
    }

    private static string Safe(string text) => TerminalEscaper.Escape(text);

    private static string Count(long n, string word) => n.ToString(CultureInfo.InvariantCulture) + " " + word + (n == 1 ? "" : "s");

    private sealed class Writer(TextWriter output)
    {
        public void Line(string text = "") => output.WriteLine(text);
    }
}
