using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NetTriage.Analysis;
using NetTriage.History;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Document;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage history`: the analyses the store holds, or one service's record over time.</summary>
public static class HistoryCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var (store, _, sensor) = HistoryOptions.Create();
        sensor.Description = "Only the analyses of this sensor.";
        var service = new Option<string?>("--service")
        {
            Description = "One service's record over time: IP:PORT ([IPv6]:PORT for IPv6), with /tcp or /udp when both are recorded (the default is whichever the store holds).",
        };
        var since = new Option<string?>("--since") { Description = "Only captures from this UTC time on: 2026-12-01 or 2026-12-01T13:00." };
        var until = new Option<string?>("--until") { Description = "Only captures before this UTC time." };
        var period = new Option<string>("--period")
        {
            Description = "With --service: the length of a row, minute, hour or day (default hour).",
            DefaultValueFactory = _ => "hour",
        };
        period.AcceptOnlyFromAmong("minute", "hour", "day");
        var format = new Option<string>("--format", "-f")
        {
            Description = "text (the default), json, or html (with --service, a chart of attempts and failures per period).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "html");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };

        var command = new Command("history", """
            What the history store holds: every analysis recorded by `nettriage analyze` and `nettriage diagnose`, one
            line each, newest capture first (capture window, sensor, inputs, verdict, incidents); or, with --service,
            one service's record over time: attempts, successes, failures and response times per period, and the
            capture each comes from. Captures without dates (tcpdump's default text) are placed at the time they were
            analysed.

            Examples:
              nettriage history
              nettriage history --sensor dmz-tap --since 2026-12-01
              nettriage history --service 203.0.113.2:53/udp
              nettriage history --service 198.51.100.7:443 --period day --format html -o web.html
              nettriage history --store postgresql://nettriage@db.example:5432/nettriage
            """);
        foreach (var option in new Option[] { store, sensor, service, since, until, period, format, output }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var location = HistoryOptions.Location(parse.GetValue(store), noStore: false)
                ?? throw new UsageException("history: recording is off (NETTRIAGE_STORE=off): name a store with --store");
            return Run(location, parse.GetValue(sensor), parse.GetValue(service), Time(parse.GetValue(since), "--since"), Time(parse.GetValue(until), "--until"),
                parse.GetValue(period)!, parse.GetValue(format)!, parse.GetValue(output), stdout, stderr);
        });
        return command;
    }

    private static int Run(StoreLocation location, string? sensor, string? service, double? since, double? until, string period, string format,
        string? outputPath, TextWriter stdout, TextWriter stderr)
    {
        var target = ParseService(service);
        HistoryStore? store;
        try
        {
            store = HistoryStore.Open(location, create: false);
        }
        catch (HistoryException ex)
        {
            stderr.WriteLine("nettriage: " + TerminalEscaper.Escape(ex.Message));
            return ExitCodes.BadInput;
        }
        var text = new StringWriter { NewLine = "\n" };
        using (store)
        {
            try
            {
                if (target is null) Analyses(store, location, sensor, since, until, format, text);
                else Service(store, location, target.Value, since, until, period, format, text);
            }
            catch (HistoryException ex)
            {
                stderr.WriteLine("nettriage: " + TerminalEscaper.Escape(ex.Message));
                return ExitCodes.BadInput;
            }
        }
        if (outputPath is null or "-")
        {
            stdout.Write(text.ToString());
            stdout.Flush();
        }
        else
        {
            try
            {
                File.WriteAllText(outputPath, text.ToString(), new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{TerminalEscaper.Escape(outputPath)}: cannot write: {ex.Message}");
            }
        }
        return ExitCodes.Success;
    }

    // ---- the list of analyses ------------------------------------------------------------------

    private static void Analyses(HistoryStore? store, StoreLocation location, string? sensor, double? since, double? until, string format, TextWriter w)
    {
        var analyses = store?.Analyses(sensor, since, until) ?? [];
        var rows = analyses.Select(a => (Analysis: a, Incidents: a.Incidents > 0 ? store!.IncidentsOf(a.Sensor, a.Id) : [])).ToList();
        if (format == "json")
        {
            Json(w, json =>
            {
                json.WriteString("store", location.Display);
                json.WriteStartArray("analyses");
                foreach (var (a, incidents) in rows)
                {
                    json.WriteStartObject();
                    json.WriteString("id", a.Id);
                    json.WriteString("sensor", a.Sensor);
                    json.WriteString("capture", Window(a));
                    json.WriteString("timeKind", a.TimeKind);
                    json.WriteString("recordedAt", Iso(a.RecordedAt));
                    json.WriteString("inputs", a.Inputs);
                    json.WriteNumber("packets", a.Packets);
                    json.WriteString("verdict", a.Verdict);
                    json.WriteStartArray("incidents");
                    foreach (var i in incidents)
                    {
                        json.WriteStartObject();
                        json.WriteString("id", i.Id);
                        json.WriteString("kind", i.Kind);
                        json.WriteString("severity", i.Severity);
                        json.WriteString("title", i.Title);
                        json.WriteString("servers", i.Servers);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
            return;
        }
        if (format == "html")
        {
            Html(w, "NetTriage history", body =>
            {
                body.Append("<table><thead><tr><th>Capture (UTC)</th><th>Sensor</th><th>Inputs</th><th>Verdict</th><th>Incidents</th></tr></thead><tbody>");
                foreach (var (a, incidents) in rows)
                {
                    body.Append("<tr><td>").Append(H(Window(a))).Append("</td><td>").Append(H(a.Sensor)).Append("</td><td>").Append(H(a.Inputs))
                        .Append("</td><td>").Append(H(a.Verdict)).Append("</td><td>")
                        .Append(string.Join("<br>", incidents.Select(i => H($"[{i.Severity.ToUpperInvariant()}] {i.Title}")))).Append("</td></tr>");
                }
                body.Append("</tbody></table>");
            });
            return;
        }
        w.WriteLine($"History store: {E(location.Display)} ({Wording.Count(rows.Count, "analysis", "analyses")}{(sensor is null ? "" : $" of sensor {E(sensor)}")})");
        if (rows.Count == 0)
        {
            w.WriteLine("No analysis recorded" + (since is null && until is null && sensor is null ? " yet: every `nettriage analyze` records one." : " matches the filters."));
            return;
        }
        w.WriteLine();
        foreach (var (a, incidents) in rows)
        {
            string verdict = a.Incidents > 0 ? Wording.Count(a.Incidents, "incident") : "no incident";
            w.WriteLine($"{Window(a),-41}  {E(a.Sensor),-12}  {verdict,-11}  {E(a.Inputs)}");
            foreach (var i in incidents.Take(3)) w.WriteLine($"{"",43}  [{i.Severity.ToUpperInvariant()}] {E(i.Title)}");
            if (incidents.Count > 3) w.WriteLine($"{"",43}  ... and {incidents.Count - 3} more");
        }
    }

    // ---- one service over time -----------------------------------------------------------------

    private sealed record Period(double Start, long Attempts, long Successes, long Failures, long Pending, double? P50, int Clients, string Captures);

    private static void Service(HistoryStore? store, StoreLocation location, (string Server, int Port, string? Transport) target, double? since, double? until,
        string period, string format, TextWriter w)
    {
        var all = store is null ? [] : TransportOf(store, target);
        var minutes = all.Where(m => (since is null || m.Place >= since) && (until is null || m.Place < until)).ToList();
        string transport = minutes.Count > 0 ? minutes[0].Minute.Transport : target.Transport ?? "";
        string name = $"{target.Server} {transport} port {target.Port.ToString(CultureInfo.InvariantCulture)}".Replace("  ", " ", StringComparison.Ordinal);
        double length = period switch { "minute" => 60, "day" => 86_400, _ => 3_600 };
        var periods = minutes.GroupBy(m => Math.Floor(m.Place / length) * length).OrderBy(g => g.Key).Select(g => new Period(
            g.Key,
            g.Sum(m => m.Minute.Attempts),
            g.Sum(m => m.Minute.Successes),
            g.Sum(m => m.Minute.Failures),
            g.Sum(m => m.Minute.Pending),
            // The median of the minutes' medians: a period's exact median would need every time, which the store does not keep.
            Median(g.Select(m => m.Minute.P50Milliseconds).OfType<double>().ToList()),
            g.Max(m => m.Minute.Clients),
            string.Join(", ", g.Select(m => m.Inputs).Distinct(StringComparer.Ordinal)))).ToList();

        if (format == "json")
        {
            Json(w, json =>
            {
                json.WriteString("store", location.Display);
                json.WriteString("service", name);
                json.WriteString("period", period);
                json.WriteStartArray("periods");
                foreach (var p in periods)
                {
                    json.WriteStartObject();
                    json.WriteString("start", Iso(p.Start));
                    json.WriteNumber("attempts", p.Attempts);
                    json.WriteNumber("successes", p.Successes);
                    json.WriteNumber("failures", p.Failures);
                    json.WriteNumber("pending", p.Pending);
                    if (p.P50 is { } ms) json.WriteNumber("medianMilliseconds", ms);
                    json.WriteNumber("clients", p.Clients);
                    json.WriteString("captures", p.Captures);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
            return;
        }
        if (format == "html")
        {
            Html(w, "NetTriage history: " + name, body =>
            {
                body.Append(Chart(periods, period));
                body.Append("<table><thead><tr><th>Period (UTC)</th><th>Attempts</th><th>Succeeded</th><th>Failed</th><th>Failure rate</th><th>Median response</th><th>Clients</th><th>Captures</th></tr></thead><tbody>");
                foreach (var p in periods)
                {
                    body.Append("<tr><td>").Append(H(Short(p.Start))).Append("</td><td>").Append(p.Attempts).Append("</td><td>").Append(p.Successes)
                        .Append("</td><td>").Append(p.Failures).Append("</td><td>").Append(H(Rate(p))).Append("</td><td>").Append(H(Ms(p.P50)))
                        .Append("</td><td>").Append(p.Clients).Append("</td><td>").Append(H(p.Captures)).Append("</td></tr>");
                }
                body.Append("</tbody></table>");
            });
            return;
        }
        w.WriteLine($"History of {E(name)} in {E(location.Display)}, per {period} (UTC)");
        if (periods.Count == 0)
        {
            w.WriteLine("The store holds no record of this service" + (since is null && until is null ? "." : " in that time."));
            return;
        }
        w.WriteLine();
        w.WriteLine($"{"period",-20}  {"attempts",9}  {"succeeded",9}  {"failed",9}  {"rate",7}  {"median",10}  {"clients",7}  captures");
        foreach (var p in periods)
        {
            w.WriteLine($"{Short(p.Start),-20}  {p.Attempts,9:#,0}  {p.Successes,9:#,0}  {p.Failures,9:#,0}  {Rate(p),7}  {Ms(p.P50),10}  {p.Clients,7}  {E(p.Captures)}");
        }
    }

    /// <summary>The minutes of the service, on the transport asked for, else on the one the store holds (UDP first for port 53).</summary>
    private static IReadOnlyList<StoredMinute> TransportOf(HistoryStore store, (string Server, int Port, string? Transport) target)
    {
        if (target.Transport is { } t) return store.ServiceMinutes(target.Server, target.Port, t);
        var tcp = store.ServiceMinutes(target.Server, target.Port, "TCP");
        var udp = store.ServiceMinutes(target.Server, target.Port, "UDP");
        return udp.Count > 0 && (tcp.Count == 0 || target.Port == 53) ? udp : tcp;
    }

    /// <summary>Attempts (grey) and failures (red) per period as bars, oldest on the left: the shape of an outage at a glance.</summary>
    private static string Chart(List<Period> periods, string period)
    {
        if (periods.Count == 0) return "<p>No record of this service.</p>";
        const int height = 160, left = 56, top = 10, plot = 640;
        int step = Math.Clamp(plot / periods.Count, 3, 48);
        int barWidth = Math.Max(2, step * 3 / 4);
        long max = Math.Max(1, periods.Max(p => p.Attempts));
        int width = Math.Max(left + periods.Count * step + 20, 760);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"attempts and failures per {period}\" width=\"{width}\" height=\"{height + 52}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + 10}\" text-anchor=\"end\">{max:#,0}</text><text x=\"{left - 6}\" y=\"{top + height}\" text-anchor=\"end\">0</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + height}\" x2=\"{left + periods.Count * step}\" y2=\"{top + height}\" stroke=\"#888\"/>");
        for (int i = 0; i < periods.Count; i++)
        {
            var p = periods[i];
            int x = left + i * step;
            double a = (double)p.Attempts / max * height, f = (double)p.Failures / max * height;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{top + height - a:0.#}\" width=\"{barWidth}\" height=\"{a:0.#}\" fill=\"#b8c2cc\"><title>{H(Short(p.Start))}: {p.Attempts:#,0} attempts, {p.Failures:#,0} failed</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{top + height - f:0.#}\" width=\"{barWidth}\" height=\"{f:0.#}\" fill=\"#c0392b\"><title>{H(Short(p.Start))}: {p.Failures:#,0} failed</title></rect>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{top + height + 16}\">{H(Short(periods[0].Start))}</text>");
        // The last period's label only where it cannot run into the first's (each is about 100 pixels wide).
        if (periods.Count > 1 && (periods.Count - 1) * step + barWidth >= 220)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (periods.Count - 1) * step + barWidth}\" y=\"{top + height + 16}\" text-anchor=\"end\">{H(Short(periods[^1].Start))}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{top + height + 36}\">Grey: attempts; red: failed; one bar per {period} with traffic, {H(Short(periods[0].Start))} to {H(Short(periods[^1].Start))} (UTC).</text>");
        return svg.Append("</svg>").ToString();
    }

    private static string Short(double seconds) => Iso(seconds)[..16].Replace('T', ' ');

    // ---- helpers -------------------------------------------------------------------------------

    /// <summary>IP:PORT, [IPv6]:PORT, optionally /tcp or /udp.</summary>
    internal static (string Server, int Port, string? Transport)? ParseService(string? value)
    {
        if (value is null) return null;
        string text = value.Trim();
        string? transport = null;
        int slash = text.LastIndexOf('/');
        if (slash >= 0)
        {
            transport = text[(slash + 1)..].ToUpperInvariant() switch
            {
                "TCP" => "TCP",
                "UDP" => "UDP",
                _ => throw new UsageException("--service: the transport after '/' must be tcp or udp"),
            };
            text = text[..slash];
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535
            || !IPAddress.TryParse(text[..colon].Trim('[', ']'), out var address))
        {
            throw new UsageException("--service: write the service as IP:PORT, [IPv6]:PORT, optionally with /tcp or /udp (203.0.113.2:53/udp)");
        }
        return (NetTriage.Packets.IpAddr.Parse(address.ToString()).ToString(), port, transport);
    }

    private static double? Time(string? value, string option)
    {
        if (value is null) return null;
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];
        if (DateTime.TryParseExact(value.Trim().TrimEnd('Z'), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeSeconds();
        }
        throw new UsageException($"{option}: write the time as 2026-12-01 or 2026-12-01T13:00 (UTC)");
    }

    private static string Window(StoredAnalysis a)
    {
        if (a.TimeKind == "absolute" && a.CaptureStart is { } start)
        {
            string from = Iso(start)[..19].Replace('T', ' ');
            string to = a.CaptureEnd is { } end ? Iso(end)[..19].Replace('T', ' ') : "";
            return to.Length == 0 || to == from ? from : to[..10] == from[..10] ? $"{from} to {to[11..]}" : $"{from} to {to}";
        }
        return $"analysed {Iso(a.RecordedAt)[..16].Replace('T', ' ')} (no date)";
    }

    private static string Iso(double seconds) => Trends.Iso(seconds);

    private static string Rate(Period p) =>
        p.Successes + p.Failures == 0 ? "-" : (100.0 * p.Failures / (p.Successes + p.Failures)).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) + " ms" : "-";

    private static double? Median(List<double> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values[values.Count / 2];
    }


    /// <summary>Text from the store (input names, sensors, titles from captures) escaped for the terminal.</summary>
    private static string E(string s) => TerminalEscaper.Escape(s);

    private static string H(string s) => WebUtility.HtmlEncode(s);

    private static void Json(TextWriter w, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("schema", "nettriage.history");
            json.WriteNumber("version", 1);
            body(json);
            json.WriteEndObject();
        }
        w.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void Html(TextWriter w, string title, Action<StringBuilder> body)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        html.Append("<title>").Append(H(title)).Append("</title><style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}td:first-child{white-space:nowrap}</style></head><body>");
        html.Append("<h1>").Append(H(title)).Append("</h1>");
        body(html);
        html.Append("</body></html>");
        w.WriteLine(html.ToString());
    }
}
