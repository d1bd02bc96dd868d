using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis;
using NetTriage.Packets.Formatting;

namespace NetTriage.Reporting.Document;

/// <summary>
/// Writes the report document from the incident model and the case context. It only presents: every fact comes
/// from <see cref="AnalysisReport"/> (counts, times, causes, reasons, next steps) or from <see cref="ReportContext"/>;
/// what neither holds is said to be not provided. The order follows what a reader needs: the verdict, the case,
/// what was read, then each incident in two parts (the problem found in the traffic; the analysis), its timeline
/// and evidence, and last the traffic overview.
/// </summary>
public static class ReportBuilder
{
    public const string NotProvided = "not provided";

    /// <summary>Most clients, names or servers listed in one field before "and N more".</summary>
    public const int MaxListed = 10;

    /// <summary>Most points drawn on one timeline (the table lists every event).</summary>
    public const int MaxTimelinePoints = 200;

    /// <summary>
    /// The full report. Absolute times are printed in <paramref name="zone"/> (UTC without one), except those read
    /// from tcpdump text, which are printed as the text gave them (see <see cref="ZoneFor"/>).
    /// </summary>
    public static ReportDocument Build(AnalysisReport report, ReportContext? context = null, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        context ??= ReportContext.Empty;
        // What the case says of who fails weighs into each incident's end (once: the CLI may have done it for the JSON).
        report = FaultJudge.WithCase(report, context.Hints());
        zone = ZoneFor(report, zone);
        var sections = new List<Section>
        {
            Summary(report, zone),
            Case(context),
            Inputs(report, zone),
        };
        for (int i = 0; i < report.Incidents.Count; i++)
        {
            sections.Add(Incident(report, context, report.Incidents[i], i + 1, zone));
        }
        var grouped = report.Incidents.SelectMany(i => i.Findings).ToHashSet(StringComparer.Ordinal);
        var other = report.Findings.Where(f => !grouped.Contains(f.Id)).ToList();
        if (other.Count > 0)
        {
            sections.Add(new Section("other-findings", 2, [T("Other findings")],
            [
                new Paragraph([T("Failures the analysis found but did not group into an incident.")]),
                .. other.SelectMany(f => FindingBlocks(report, f, zone)),
            ]));
        }
        sections.Add(Overview(report));
        sections.Add(About(report));

        string title = context.Title ?? (report.Incidents.Count > 0
            ? "Incident report: network traffic analysis"
            : "Network traffic analysis: no incident found");
        var subtitle = new List<Span> { T("Prepared with NetTriage from ") };
        subtitle.AddRange(Joined(report.Inputs.Select(i => i.Name).ToList(), SpanKind.Code));
        if (context.CaseId is { } id)
        {
            subtitle.Add(T(" for case "));
            subtitle.Add(C(id));
        }
        subtitle.Add(T("."));
        return new ReportDocument(title, subtitle, sections);
    }

    /// <summary>
    /// The brief report (<c>analyze --brief</c>, and the end of the full text report on a terminal): the verdict and
    /// one short paragraph per incident (what failed, the most likely cause, the first step, and the history's word
    /// when there is one), for a reader who has a minute.
    /// </summary>
    public static ReportDocument BuildBrief(AnalysisReport report, ReportContext? context = null, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        context ??= ReportContext.Empty;
        // What the case says of who fails weighs into each incident's end (once: the CLI may have done it for the JSON).
        report = FaultJudge.WithCase(report, context.Hints());
        var summary = Summary(report, ZoneFor(report, zone), brief: true);
        string title = context.Title ?? (report.Incidents.Count > 0 ? "In brief: incident found" : "In brief: no incident found");
        var subtitle = new List<Span> { T("NetTriage, from ") };
        subtitle.AddRange(Joined(report.Inputs.Select(i => i.Name).ToList(), SpanKind.Code));
        subtitle.Add(T(". The full report has the evidence, the timeline and what is ruled out."));
        return new ReportDocument(title, subtitle, [summary]);
    }

    // ---- Summary ----------------------------------------------------------------------------------------

    /// <summary>
    /// The zone a report prints its absolute times in: <paramref name="requested"/> (UTC without one), unless the
    /// times were read from tcpdump text. The text's dates (-tttt) are in whatever zone tcpdump ran in, which the
    /// text does not say; the reader takes them as UTC, so they are printed back as read, never shifted again.
    /// </summary>
    public static DisplayZone ZoneFor(AnalysisReport report, DisplayZone? requested)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Capture.FromText ? DisplayZone.Utc : requested ?? DisplayZone.Utc;
    }

    /// <summary>
    /// What the report says about its times, once, under "Inputs analysed": the zone when it is not plain UTC (plain
    /// UTC is named after every time), and that a date or a zone is unknown when the input does not give it.
    /// </summary>
    private static string? TimesNote(AnalysisReport report, DisplayZone zone)
    {
        var start = report.Capture.Start;
        return start?.Kind switch
        {
            "time-of-day" => "the time of day as the input gives it; the date and the time zone are unknown",
            "absolute" when report.Capture.FromText =>
                "as the tcpdump text gives them, taken as UTC; the text does not say its time zone",
            "absolute" when !zone.IsUtc || zone.Fallback is not null => zone.Describe((long)Math.Floor(start.Seconds)),
            _ => null,
        };
    }

    private static Section Summary(AnalysisReport report, DisplayZone zone, bool brief = false)
    {
        var body = new List<Block>();
        var window = CaptureWindow(report, zone);
        if (report.Incidents.Count > 0)
        {
            body.Add(new Paragraph(
            [
                Badge("INCIDENT", Tone.Bad),
                T(" "),
                B($"{Wording.Count(report.Incidents.Count, "incident")} found in {Wording.Count(report.Capture.Packets, "packet")}"),
                T(window is null ? "." : $" captured {window}."),
            ]));
            body.Add(new ItemList(false, report.Incidents.Select(i => new ListItem(
            [
                Badge(i.Severity.Name(), SeverityTone(i.Severity)),
                T(" "),
                B(i.Id + ": " + i.Title + "."),
                T(" "),
                .. Prose(i.Summary),
                .. AtFaultTail(i),
                .. (brief ? BriefTail(i) : []),
            ], [])).ToList()));
        }
        else
        {
            body.Add(new Paragraph(
            [
                Badge("NO INCIDENT", Tone.Good),
                T(" "),
                B($"No incident found in {Wording.Count(report.Capture.Packets, "packet")}"),
                T(window is null ? "." : $" captured {window}."),
            ]));
            var facts = new List<string>();
            if (report.Dns.Queries > 0)
            {
                facts.Add($"{Wording.Count(report.Dns.Queries, "DNS query", "DNS queries")}, {Wording.Number(report.Dns.Answered)} answered, failure rate {Wording.Percent(report.Dns.FailureRate)}");
            }
            if (report.Tcp.Attempts > 0)
            {
                facts.Add($"{Wording.Count(report.Tcp.Attempts, "TCP connection attempt")}, {Wording.Number(report.Tcp.Established)} established");
            }
            // Findings no incident groups (low severity: a refused dynamic update, one name that does not exist) are
            // failures all the same: the summary must not say there were none.
            if (report.Findings.Count > 0)
            {
                body.Add(new Paragraph([T($"No failure rose to an incident; {Wording.Count(report.Findings.Count, "finding")} of lower severity {(report.Findings.Count == 1 ? "is" : "are")} listed under Other findings. "
                    + (facts.Count > 0 ? "In all: " + string.Join("; ", facts) + ". " : "") + "The traffic overview below shows what was seen.")]));
            }
            else
            {
                body.Add(new Paragraph([T(facts.Count > 0
                    ? "No failure was found: " + string.Join("; ", facts) + ". The traffic overview below shows what was seen."
                    : "No failure was found. The traffic overview below shows what was seen.")]));
            }
            if (report.Overview.Activities is { Count: > 0 } activities)
            {
                body.Add(new Paragraph([T($"Activity that is not an outage ({string.Join(", ", activities.Select(a => a.Kind.Name()).Distinct())}) is listed under "), B("Traffic overview"), T(".")]));
            }
        }
        if (report.Caveats.Count > 0 && !brief)
        {
            body.Add(new Paragraph([T("Limits of the evidence are listed under "), B("Inputs analysed"), T(".")]));
        }
        return new Section("summary", 2, [T("Summary")], body);
    }

    /// <summary>" At fault: the DNS server 203.0.113.2 (high confidence)."</summary>
    private static List<Span> AtFaultTail(Incident incident) => incident.AtFault is not { } fault ? [] :
    [
        T(" "),
        B("At fault:"),
        T($" {FaultJudge.Describe(fault.End, fault.Address)} ({fault.Confidence.Name()} confidence)."),
    ];

    /// <summary>Which end the incident lies at, why, and what the case adds: the analysts' first question.</summary>
    private static Section AtFault(AtFault fault, string id)
    {
        var body = new List<Block>
        {
            new Paragraph(
            [
                B(Capitalize(FaultJudge.Describe(fault.End, fault.Address))),
                T(" "),
                Badge(fault.Confidence.Name() + " confidence", ConfidenceTone(fault.Confidence)),
                T(". "),
                .. Prose(fault.Reason),
            ]),
        };
        if (fault.FromCase.Count > 0)
        {
            body.Add(new Paragraph([B("From the case:"), T(" "), .. fault.FromCase.SelectMany((p, i) => i == 0 ? Prose(p) : [T(" "), .. Prose(p)])]));
        }
        return new Section(id + "-at-fault", 4, [T("Which end is at fault")], body);
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>What the brief adds to an incident's summary: its first next step and its place in the history.</summary>
    private static List<Span> BriefTail(Incident incident)
    {
        var tail = new List<Span>();
        if (incident.NextSteps.Count > 0)
        {
            tail.Add(T(" "));
            tail.Add(B("First step:"));
            tail.Add(T(" "));
            tail.AddRange(Prose(incident.NextSteps[0]));
        }
        if (incident.Trend is { } trend)
        {
            tail.Add(T(" "));
            tail.Add(B("History:"));
            tail.Add(T(trend.Status switch
            {
                "new" => " the service worked in earlier captures; this failure is new.",
                "recurring" => " the service failed before, worked since, and fails again.",
                "ongoing" => " the service was already failing in the last earlier capture.",
                _ => " no earlier capture saw the service.",
            }));
        }
        return tail;
    }

    // ---- Case -------------------------------------------------------------------------------------------

    private static Section Case(ReportContext c)
    {
        var fields = new List<Field>
        {
            new("Case reference", Value(c.CaseId)),
            new("Title", Value(c.Title)),
            new("Organisation", Value(c.Organisation)),
            new("Analyst", Value(c.Analyst)),
            new("How the team became aware", Value(c.Awareness)),
        };
        // An empty list is one more "not provided" field; a given list follows the fields, one item a line.
        if (c.Symptoms.Count == 0) fields.Add(new("Symptoms reported", [Missing()]));
        if (c.Actions.Count == 0) fields.Add(new("Actions already taken", [Missing()]));
        var body = new List<Block> { new FieldList(fields) };
        if (c.Symptoms.Count > 0) body.AddRange(LabelledList("Symptoms reported", c.Symptoms));
        if (c.Actions.Count > 0) body.AddRange(LabelledList("Actions already taken", c.Actions));
        if (c.IsEmpty)
        {
            body.Add(new Paragraph([T("No case details were given (--case FILE, or --title, --organisation, --analyst, --awareness, --symptom, --action, --case-id); the report does not guess them.")]));
        }
        return new Section("case", 2, [T("Case")], body);
    }

    private static IReadOnlyList<Span> Value(string? value) => value is null ? [Missing()] : [T(value)];

    /// <summary>A label, then the items as a list.</summary>
    private static IEnumerable<Block> LabelledList(string label, IReadOnlyList<string> items)
    {
        yield return new Paragraph([B(label + ":")]);
        yield return new ItemList(false, items.Select(i => new ListItem([T(i)], [])).ToList());
    }

    // ---- Inputs -----------------------------------------------------------------------------------------

    private static Section Inputs(AnalysisReport report, DisplayZone zone)
    {
        var rows = report.Inputs.Select(i => (IReadOnlyList<IReadOnlyList<Span>>)
        [
            [C(i.Name)],
            [T(FormatName(i.Format) + (i.Compressed ? ", gzip" : ""))],
            [T(Wording.Number(i.Packets))],
            [T(i.Format == "tcpdump-text" ? "n/a" : Wording.Number(i.Bytes))],
            [T(InputNotes(i, report.Inputs.Count > 1 ? zone : null))],
        ]).ToList();
        var body = new List<Block>
        {
            new Table([new("Input"), new("Format"), new("Packets", true), new("Bytes", true), new("Notes")], rows),
        };

        var capture = report.Capture;
        var fields = new List<Field>();
        fields.Add(new("Capture window", CaptureWindow(report, zone) is { } w ? [T(w)]
            : report.Inputs.Any(i => i.Start is { Kind: not "none" }) ? [T("none over all inputs: their clocks differ (each input's window is in its notes)")]
            : [T("unknown (no time stamps)")]));
        if (TimesNote(report, zone) is { } times) fields.Add(new("Times", [T(times)]));
        fields.Add(new("Packets analysed", [T(Wording.Number(capture.Packets))]));
        var quality = new List<string>
        {
            capture.TruncatedPackets == 0 ? "no packet cut short" : $"{Wording.Count(capture.TruncatedPackets, "packet")} cut short",
            capture.AnomalousPackets == 0 ? "no decoding anomaly" : $"{Wording.Count(capture.AnomalousPackets, "packet")} with decoding anomalies",
        };
        if (capture.Undecoded is { Count: > 0 } undecoded)
        {
            quality.Add($"{Wording.Count(undecoded.Sum(u => u.Count), "packet")} of protocols not decoded ("
                + string.Join(", ", undecoded.Take(MaxListed).Select(u => $"{u.Name} \u00d7{Wording.Number(u.Count)}"))
                + (undecoded.Count > MaxListed ? $" and {Wording.Number(undecoded.Count - MaxListed)} more" : "") + ")");
        }
        if (capture.FromText) quality.Add("read from tcpdump text");
        long unread = report.Inputs.Sum(i => i.UnparsedRecords);
        if (unread > 0) quality.Add($"{Wording.Count(unread, "text record")} unread");
        fields.Add(new("Capture quality", [T(string.Join("; ", quality))]));
        if (capture.Anomalies.Count > 0)
        {
            fields.Add(new("Anomalies", [T(string.Join(", ", capture.Anomalies.Take(MaxListed).Select(a => $"{a.Name} \u00d7{Wording.Number(a.Count)}"))
                + (capture.Anomalies.Count > MaxListed ? $" and {Wording.Number(capture.Anomalies.Count - MaxListed)} more" : ""))]));
        }
        body.Add(new FieldList(fields));
        if (report.Caveats.Count > 0)
        {
            body.Add(new Paragraph([B("Limits of the evidence")]));
            body.Add(new ItemList(false, report.Caveats.Select(c => new ListItem(Prose(c.Text), [])).ToList()));
        }
        return new Section("inputs", 2, [T("Inputs analysed")], body);
    }

    private static string FormatName(string format) => format switch
    {
        "tcpdump-text" => "tcpdump text",
        _ => format,
    };

    private static string InputNotes(InputSummary input, DisplayZone? windowIn)
    {
        var notes = new List<string>();
        // With several inputs each gets its own window: they need not overlap, nor share a clock.
        if (windowIn is not null && input.Start is { Kind: not "none" } start && input.End is { } end)
        {
            notes.Add(Wording.Window(start, end, start.Kind == end.Kind ? end.Seconds - start.Seconds : null, windowIn));
        }
        if (input.UnparsedRecords > 0) notes.Add($"{Wording.Count(input.UnparsedRecords, "record")} unread");
        notes.AddRange(input.Warnings.Take(3));
        if (input.Warnings.Count > 3) notes.Add($"{Wording.Number(input.Warnings.Count - 3)} more warnings");
        return notes.Count == 0 ? "" : string.Join("; ", notes);
    }

    private static string? CaptureWindow(AnalysisReport report, DisplayZone zone) =>
        report.Capture.Start is { } s && report.Capture.End is { } e ? Wording.Window(s, e, report.Capture.DurationSeconds, zone) : null;

    // ---- Incident ---------------------------------------------------------------------------------------

    private static Section Incident(AnalysisReport report, ReportContext context, Incident incident, int number, DisplayZone zone)
    {
        string id = $"incident-{number}";
        var findings = incident.Findings
            .Select(fid => report.Findings.FirstOrDefault(f => f.Id == fid))
            .OfType<Finding>()
            .ToList();
        var body = new List<Block>
        {
            new Paragraph(
            [
                Badge(incident.Severity.Name(), SeverityTone(incident.Severity)),
                T(" severity \u00b7 " + incident.Layer.Name() + " layer \u00b7 " + ServiceLine(incident.Protocol, incident.Transport, incident.Port, incident.Service)),
            ]),
            PartOne(report, incident, findings, id),
            PartTwo(report, context, incident, findings, id, zone),
            Timeline(report, incident, id, zone),
            Evidence(report, incident, findings, id, zone),
        };
        return new Section(id, 2, [T($"Incident {incident.Id}: {incident.Title}")], body);
    }

    private static Section PartOne(AnalysisReport report, Incident incident, List<Finding> findings, string id)
    {
        var fields = new List<Field>
        {
            new("Protocol affected", [T($"{Over(incident.Protocol, incident.Transport)} ({incident.Layer.Name()} layer)")]),
        };
        if (incident.Port is { } port)
        {
            var service = new List<Span> { T($"port {port}/{incident.Transport}" + (incident.Service is { } s ? $" ({s})" : "")) };
            if (incident.ServiceDescription is { } d)
            {
                service.Add(T(" \u2014 "));
                service.AddRange(Prose(d));
            }
            fields.Add(new("Service and port", service));
        }
        // An attack or a scan names its targets and its sources; an outage its servers and clients.
        var attack = findings.Select(f => f.Attack).FirstOrDefault(a => a is not null);
        if (attack is not null)
        {
            fields.Add(new(incident.Servers.Count == 1 ? "Target" : "Targets", Joined(incident.Servers, SpanKind.Code)));
            const int SourcesShown = 8;
            var shown = incident.Clients.Take(SourcesShown).ToList();
            // An ARP spoofer with no address of its own in the capture is known by its hardware address only.
            if (shown.Count == 0 && attack.Macs is { Count: > 1 } macs) shown.Add(macs[^1]);
            fields.Add(new(attack.Sources == 1 ? "Source" : "Sources", attack.Sources > shown.Count
                ? [.. Joined(shown, SpanKind.Code), T($" and {(attack.Capped ? "at least " : "")}{Wording.Number(attack.Sources - shown.Count)} more")]
                : Joined(shown, SpanKind.Code)));
            fields.AddRange(AttackFields(attack));
        }
        else
        {
            fields.Add(new(incident.Servers.Count == 1 ? "Server" : "Servers", Joined(incident.Servers, SpanKind.Code)));
            fields.Add(new(incident.Clients.Count == 1 ? "Client" : "Clients", Joined(incident.Clients, SpanKind.Code)));
            fields.Add(new("Attempts", [T($"{Wording.Number(incident.Attempts)}, of which {Wording.Number(incident.Failed)} failed")]));
        }
        if (findings.Select(f => f.Path).FirstOrDefault(p => p is not null) is { } path) fields.Add(PathField(path));
        if (findings.Select(f => f.Http).FirstOrDefault(h => h is not null) is { } http)
        {
            fields.Add(new("HTTP answers", [T($"{Wording.Number(http.Responses)} responses: {Wording.Number(http.ServerErrors)} server errors, {Wording.Number(http.ClientErrors)} client errors")]));
            fields.Add(new(http.Statuses.Count == 1 ? "Error status" : "Error statuses", Joined(http.Statuses, SpanKind.Code)));
            if (http.Paths.Count > 0) fields.Add(new(http.Paths.Count == 1 ? "Path" : "Paths", Joined(http.Paths, SpanKind.Code)));
        }
        if (findings.Select(f => f.Tls).FirstOrDefault(t => t is not null) is { } tls)
        {
            fields.Add(new("TLS handshakes", [T($"{Wording.Number(tls.Handshakes)}, of which {Wording.Number(tls.Failed)} failed ({Wording.Number(tls.Resets)} reset right after the ClientHello)")]));
            if (tls.Alerts.Count > 0) fields.Add(new(tls.Alerts.Count == 1 ? "Alert" : "Alerts", Joined(tls.Alerts, SpanKind.Code)));
            if (tls.ServerNames.Count > 0) fields.Add(new(tls.ServerNames.Count == 1 ? "Server name (SNI)" : "Server names (SNI)", Joined(tls.ServerNames, SpanKind.Code)));
        }
        if (findings.Select(f => f.Timing).FirstOrDefault(t => t is not null) is { } timing)
        {
            fields.Add(new("Where the time goes", [T($"network round trip {Seconds(timing.RoundTripMedian)} (90% under {Seconds(timing.RoundTripP90)}), server {Seconds(timing.ServerMedian)} (90% under {Seconds(timing.ServerP90)}), client {Seconds(timing.ClientWaitMedian)} (90% under {Seconds(timing.ClientWaitP90)}): medians over {Wording.Number(timing.Connections)} connections")]));
        }
        if (findings.Select(f => f.Spread).FirstOrDefault(p => p is not null) is { } spread)
        {
            fields.Add(new("Spread", [T($"{Wording.Number(spread.Failed)} of {Wording.Number(spread.Attempts)} attempts failed ({Wording.Number(spread.Refused)} refused, {Wording.Number(spread.Unanswered)} unanswered) over {Wording.Number(spread.Services)} services, from {Wording.Number(spread.Clients)} clients")]));
            fields.Add(new("Worst services", Joined(spread.Worst, SpanKind.Code)));
        }
        var names = findings.SelectMany(f => f.Names).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count > 0) fields.Add(new(NamesLabel(findings.All(f => IsZoneUpkeep(f.Kind)), names.Count), Joined(names, SpanKind.Code)));
        var carried = findings.SelectMany(f => f.Tunnels ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (carried.Count > 0) fields.Add(new("Carried", [T(string.Join("; ", carried))]));

        var shows = new List<Span>();
        foreach (var sender in findings.SelectMany(f => f.IcmpSenders))
        {
            if (shows.Count > 0) shows.Add(T("; "));
            shows.AddRange(SenderSpans(sender));
        }
        if (shows.Count > 0) fields.Add(new("What the evidence shows", shows));
        if (incident.Evidence.FirstOrDefault(e => e.Role == "icmp-error") is { } icmp)
        {
            fields.Add(new("The ICMP error as captured", [C(icmp.Summary), T(" (" + Reference(report, icmp) + ")")]));
        }
        if (incident.Causes.Count > 0)
        {
            var top = incident.Causes[0];
            fields.Add(new("Most likely issue", [.. Prose(top.Title), T(" "), Badge(top.Confidence.Name() + " confidence", ConfidenceTone(top.Confidence))]));
        }
        else
        {
            fields.Add(new("Most likely issue", [T("the evidence does not rank a cause")]));
        }
        return new Section(id + "-part-1", 3, [T("Part 1: the problem found in the traffic")], [new FieldList(fields)]);
    }

    /// <summary>The figures of an attack or a scan, each as the analysis counted it.</summary>
    private static string Seconds(double? seconds) => seconds is { } s
        ? s < 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s * 1000:0} ms") : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s:0.##} s")
        : "not measured";

    /// <summary>The element of the path the failures share, and the counts that accuse it.</summary>
    private static Field PathField(PathFacts p)
    {
        var spans = new List<Span>();
        switch (p.Element)
        {
            case "gateway":
                spans.Add(T("gateway "));
                if (p.Address is { } ip)
                {
                    spans.Add(C(ip));
                    spans.Add(T(" at "));
                }
                spans.Add(C(p.Mac ?? ""));
                spans.Add(T($": {Wording.Number(p.PacketsToGateway ?? 0)} IP packets framed to it, {Wording.Number(p.PacketsForwarded ?? 0)} forwarded back"));
                break;
            case "router":
                spans.Add(T("router "));
                spans.Add(C(p.Address ?? ""));
                spans.Add(T($": {Wording.Number(p.Errors ?? 0)} ICMP unreachable errors"));
                break;
            default:
                spans.Add(T($"the first hop (the capture has no link layer): {Wording.Number(p.PacketsToClient ?? 0)} packets reached the client"));
                break;
        }
        spans.Add(T($", for {Wording.Number(p.Servers)} servers"));
        return new("Shared element", spans);
    }

    private static IEnumerable<Field> AttackFields(AttackFacts a)
    {
        yield return new("Technique", [T(a.Technique)]);
        // What attack.packets counts, by technique: packets for most, but sessions, connections or conflicting answers
        // where those are what the detection counted.
        string counted = a.Technique switch
        {
            "login-sessions" or "ssh-auth" => "Sessions",
            "periodic-connections" => "Connections",
            "answer-race" or "wrong-server" => "Conflicting answers",
            "resolver-switch" => "Queries to the new resolver",
            _ => "Packets",
        };
        string peak = a.Technique == "ssh-auth" ? "refusals" : "";
        yield return new(counted, [T(Wording.Number(a.Packets) + (a.PeakPerSecond > 0 ? $", at most {Wording.Number(a.PeakPerSecond)}{(peak.Length > 0 ? " " + peak : "")} in one second" : "")
            + (a.BaselinePerSecond is { } b ? $" ({b.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} a second before the surge)" : "")
            + (a.ShareOfTraffic is { } share ? $"; {Wording.Percent(share)} of the capture" : ""))]);
        if (a.Ports > 0 || a.Open + a.Closed + a.Filtered > 0)
        {
            yield return new("Answers", [T($"{Wording.Number(a.Open)} open, {Wording.Number(a.Closed)} closed, {Wording.Number(a.Filtered)} never answered"
                + (a.Ports > 0 ? $" ({Wording.Count(a.Ports, "port")} probed)" : ""))]);
        }
        // A SYN-ACK reflection's list is the ports its reflectors answered from, not what a scan found open.
        if (a.OpenList.Count > 0) yield return new(a.Technique == "syn-ack" ? "Reflectors' ports" : "Found open", Joined(a.OpenList, SpanKind.Code));
        if (a.LoginFailures is { } logins)
        {
            yield return new(a.Technique == "login-sessions" ? "Login sessions" : "Failed logins", [T(Wording.Number(logins)
                + (a.Technique == "ssh-auth" ? $", counted from the server's refusals inside {Wording.Count(a.Packets, "session")}" : "")
                + (a.SameSizeShare is { } same ? $", {Wording.Percent(same)} of {(a.Technique == "ssh-auth" ? "the sessions" : "them")} of one size" : ""))]);
            if (a.Path is { } path) yield return new("Path tried", [C(path)]);
            yield return new("A login succeeded", [T(a.LoginSucceeded switch
            {
                true => "yes: a login was accepted after the failures",
                false => "no",
                _ => "cannot be read from encrypted sessions",
            })]);
        }
        if (a.Macs is { Count: > 1 } hardware)
        {
            yield return new("Hardware addresses", [C(hardware[0]), T(" (the owner), "), .. Joined(hardware.Skip(1).ToList(), SpanKind.Code), T(" (the claimant)")]);
        }
        if (a.Domain is { } domain)
        {
            yield return new("Domain", [C(domain), T(a.EncodedNames is { } names ? $": {Wording.Count(names, "distinct encoded name")}{(a.Capped ? " or more" : "")}" : "")]);
        }
        if (a.QueryTypes is { Count: > 0 } types) yield return new("Query types", [T(string.Join(", ", types))]);
        if (a.BytesOut is { } bytesOut && a.BytesIn is { } bytesIn)
        {
            yield return new("Data carried", [T($"{Wording.Bytes(bytesOut)} out, {Wording.Bytes(bytesIn)} back")]);
        }
        if (a.HalfOpen > 0) yield return new("Never completed", [T(Wording.Count(a.HalfOpen, "connection attempt"))]);
        if (a.SpoofedSources == true) yield return new("Sources forged", [T("yes: nearly one packet each, none completed a handshake")]);
        if (a.FailuresAbsorbed > 0) yield return new("Failures it caused", [T($"{Wording.Number(a.FailuresAbsorbed)}, counted here rather than as outages")]);
    }

    private static List<Span> SenderSpans(IcmpSender sender) =>
    [
        C(sender.Address),
        T(sender.Role == "target" ? " (the destination itself) sent " : " (a router on the path) sent "),
        T($"{Wording.Count(sender.Count, "ICMP error")}: {sender.Description} (type {sender.Type}, code {sender.Code})"),
    ];

    private static Section PartTwo(AnalysisReport report, ReportContext context, Incident incident, List<Finding> findings, string id, DisplayZone zone)
    {
        var parts = new List<Block>();
        if (incident.AtFault is { } fault) parts.Add(AtFault(fault, id));

        parts.Add(new Section(id + "-when", 4, [T("When it occurred")],
        [
            new Paragraph(
            [
                T($"{(incident.First.Kind == incident.Last.Kind ? "From" : "At")} {Wording.Window(incident.First, incident.Last, incident.DurationSeconds, zone)}: "
                    + $"{Wording.Count(incident.Attempts, "attempt")}, {Wording.Number(incident.Failed)} failed."),
                T(CaptureWindow(report, zone) is not { } w ? ""
                    : report.Capture.Start?.Text == incident.First.Text && report.Capture.End?.Text == incident.Last.Text
                        ? " The failures span the whole capture."
                        : $" The capture covers {w}."),
            ]),
        ]));

        if (incident.Trend is { } trend) parts.Add(Trend(trend, id));

        var awareness = new List<Block>();
        if (context.Awareness is { } aware) awareness.Add(new Paragraph([T(aware)]));
        if (context.Awareness is null || context.Symptoms.Count == 0)
        {
            var missing = new List<Field>();
            if (context.Awareness is null) missing.Add(new("Became aware", [Missing()]));
            if (context.Symptoms.Count == 0) missing.Add(new("Symptoms reported", [Missing()]));
            awareness.Add(new FieldList(missing));
        }
        if (context.Symptoms.Count > 0) awareness.AddRange(LabelledList("Symptoms reported", context.Symptoms));
        parts.Add(new Section(id + "-awareness", 4, [T("How the team became aware")], awareness));

        var investigation = new List<ListItem>();
        if (context.Actions.Count > 0)
        {
            investigation.AddRange(context.Actions.Select(a => new ListItem([T(a)], [])));
        }
        else
        {
            investigation.Add(new ListItem([T("Actions taken before this analysis: "), Missing()], []));
        }
        var read = new List<Span> { T("NetTriage read ") };
        for (int i = 0; i < report.Inputs.Count; i++)
        {
            var input = report.Inputs[i];
            if (i > 0) read.Add(T(i == report.Inputs.Count - 1 ? " and " : ", "));
            read.Add(C(input.Name));
            read.Add(T($" ({FormatName(input.Format)}, {Wording.Count(input.Packets, "packet")})"));
        }
        read.Add(T($", analysed {Wording.Count(report.Capture.Packets, "packet")}, matched each DNS query, TCP connection attempt and ICMP error "
            + "to the traffic it belongs to, and ranked the likely causes from the protocol facts below."));
        investigation.Add(new ListItem(read, []));
        parts.Add(new Section(id + "-investigation", 4, [T("What was done to investigate")], [new ItemList(false, investigation)]));

        var key = new List<Block>();
        foreach (var f in findings) key.AddRange(FindingBlocks(report, f, zone));
        if (key.Count == 0) key.Add(new Paragraph([T("The incident lists no finding.")]));
        parts.Add(new Section(id + "-findings", 4, [T("Key findings")], key));

        var causes = incident.Causes.Select(c =>
        {
            var children = new List<ListItem>();
            children.AddRange(c.For.Select(f => new ListItem([B("For: "), .. Prose(f)], [])));
            children.AddRange(c.Against.Select(a => new ListItem([B("Against: "), .. Prose(a)], [])));
            return new ListItem(
                [B(c.Title.Text), T(" "), Badge(c.Confidence.Name() + " confidence", ConfidenceTone(c.Confidence)), T($" (score {Wording.Score(c.Score)})")],
                children.Count > 0 ? [new ItemList(false, children)] : []);
        }).ToList();
        parts.Add(new Section(id + "-causes", 4, [T("Likely causes, most likely first")],
            causes.Count > 0 ? [new ItemList(true, causes)] : [new Paragraph([T("The evidence does not rank a cause.")])]));

        parts.Add(new Section(id + "-ruled-out", 4, [T("Ruled out")],
            incident.RuledOut.Count > 0
                ? [new ItemList(false, incident.RuledOut.Select(r => new ListItem([B(r.Item + ":"), T(" "), .. Prose(r.Reason)], [])).ToList())]
                : [new Paragraph([T("Nothing is ruled out by the evidence.")])]));

        parts.Add(new Section(id + "-next-steps", 4, [T("Next steps")],
            incident.NextSteps.Count > 0
                ? [new ItemList(true, incident.NextSteps.Select(s => new ListItem(Prose(s), [])).ToList())]
                : [new Paragraph([T("No next step is proposed.")])]));

        if (incident.Caveats.Count > 0)
        {
            parts.Add(new Section(id + "-caveats", 4, [T("Limits of the evidence")],
                [new ItemList(false, incident.Caveats.Select(c => new ListItem(Prose(c.Text), [])).ToList())]));
        }
        return new Section(id + "-part-2", 3, [T("Part 2: analysis")], parts);
    }

    private static IEnumerable<Block> FindingBlocks(AnalysisReport report, Finding f, DisplayZone zone)
    {
        yield return new Paragraph([B(f.Id), T(" "), Badge(f.Severity.Name(), SeverityTone(f.Severity)), T(" "), .. Prose(f.Title)]);
        var fields = new List<Field>
        {
            new("Service", [T(ServiceLine(f.Protocol, f.Transport, f.Port, f.Service))]),
            new("Server", [C(f.Server)]),
            new(f.Clients.Count == 1 ? "Client" : $"Clients ({Wording.Number(f.Clients.Count)})", Joined(f.Clients, SpanKind.Code)),
            new("Attempts", [T($"{Wording.Number(f.Attempts)}, of which {Wording.Number(f.Failed)} failed")]),
        };
        if (f.Names.Count > 0) fields.Add(new(NamesLabel(IsZoneUpkeep(f.Kind), f.Names.Count), Joined(f.Names, SpanKind.Code)));
        if (f.Tunnels is { Count: > 0 } tunnels) fields.Add(new("Carried", [T(string.Join("; ", tunnels))]));
        if (f.IcmpSenders.Count > 0)
        {
            var spans = new List<Span>();
            foreach (var s in f.IcmpSenders)
            {
                if (spans.Count > 0) spans.Add(T("; "));
                spans.AddRange(SenderSpans(s));
            }
            fields.Add(new("ICMP errors", spans));
        }
        fields.Add(new("When", [T(Wording.Window(f.First, f.Last, f.DurationSeconds, zone))]));
        var refs = f.Evidence.Select(e => Reference(report, e)).ToList();
        fields.Add(new("Evidence", [T(Wording.Count(f.EvidenceTotal, "packet") + (refs.Count > 0 ? ": " + Wording.Join(refs, 12) : "")
            + (f.EvidenceTotal > f.Evidence.Count ? $" (the first {Wording.Number(f.Evidence.Count)} are cited)" : ""))]));
        yield return new FieldList(fields);
    }

    private static Section Timeline(AnalysisReport report, Incident incident, string id, DisplayZone zone)
    {
        var body = new List<Block>();
        if (incident.Timeline.Count == 0)
        {
            body.Add(new Paragraph([T("The incident has no timed event.")]));
            return new Section(id + "-timeline", 3, [T("Timeline")], body);
        }
        var points = new List<TimelinePoint>();
        var rows = new List<IReadOnlyList<IReadOnlyList<Span>>>();
        int n = 0;
        foreach (var e in incident.Timeline)
        {
            n++;
            var evidence = e.Frames
                .Select(frame => incident.Evidence.FirstOrDefault(p => p.Input == e.Input && p.Frame == frame))
                .ToList();
            string role = evidence.FirstOrDefault(p => p is not null)?.Role ?? "";
            var refs = e.Frames.Select((frame, i) => evidence[i] is { } p ? Reference(report, p) : Reference(report, e.Input, frame)).ToList();
            string reference = Wording.Join(refs, 3);
            string time = Wording.TimeAfter(e.Time, incident.First, zone);
            if (points.Count < MaxTimelinePoints)
            {
                points.Add(new TimelinePoint(n, e.Time.Seconds, time, e.Event.Text, role, RoleTone(role), reference));
            }
            rows.Add([[T(Wording.Number(n))], [T(time)], Prose(e.Event), [T(reference)]]);
        }
        if (incident.First.Kind != "none")
        {
            // The chart's clock labels follow the zone's offset at the incident's start.
            double offset = incident.First.Kind == "absolute" ? zone.OffsetAt((long)Math.Floor(incident.First.Seconds)).TotalSeconds : 0;
            body.Add(new TimelineChart(incident.First.Kind, points, offset));
        }
        body.Add(new Table([new("#", true), new("Time"), new("Event"), new("Evidence")], rows));
        return new Section(id + "-timeline", 3, [T("Timeline")], body);
    }

    private static Section Evidence(AnalysisReport report, Incident incident, List<Finding> findings, string id, DisplayZone zone)
    {
        var body = new List<Block>();
        if (incident.Evidence.Count == 0)
        {
            body.Add(new Paragraph([T("No evidence packet is cited.")]));
            return new Section(id + "-evidence", 3, [T("Evidence")], body);
        }
        var absolute = incident.Evidence.FirstOrDefault(e => e.Time.Kind == "absolute");
        var intro = new List<Span>
        {
            T($"{Wording.Count(incident.Evidence.Count, "packet")} as tcpdump -n prints them: where each is in the input "
                + $"({(incident.Evidence.Any(e => e.Line is not null) ? "the line it starts on" : "its frame number")}), "
                + $"the time{(absolute is not null ? $" ({Wording.ZoneSuffix(absolute.Time, zone)})" : "")}, the packet."),
        };
        long total = findings.Sum(f => f.EvidenceTotal);
        if (total > incident.Evidence.Count)
        {
            intro.Add(T($" The findings cite {Wording.Number(total)} packets in all; "));
            intro.Add(C("nettriage show"));
            intro.Add(T(" lists every packet of the input."));
        }
        body.Add(new Paragraph(intro));
        var refs = incident.Evidence.Select(e => Reference(report, e)).ToList();
        int width = refs.Max(r => r.Length);
        var lines = incident.Evidence.Select((e, i) => refs[i].PadRight(width) + "  " + Wording.PacketTime(e.Time, zone) + "  " + e.Summary).ToList();
        body.Add(new CodeBlock(lines));
        return new Section(id + "-evidence", 3, [T("Evidence")], body);
    }

    /// <summary>"line 3" for text input, "frame 2" for a capture; the input's number too when there are several.</summary>
    private static string Reference(AnalysisReport report, EvidencePacket e) =>
        e.Line is { } line ? InInput(report, e.Input, $"line {line}") : Reference(report, e.Input, e.Frame);

    private static string Reference(AnalysisReport report, int input, long frame) => InInput(report, input, $"frame {frame}");

    private static string InInput(AnalysisReport report, int input, string place) =>
        report.Inputs.Count > 1 ? $"input {input + 1} {place}" : place;

    // ---- Traffic overview -------------------------------------------------------------------------------

    private static Section Overview(AnalysisReport report)
    {
        var o = report.Overview;
        var body = new List<Block>();
        var totals = new List<Field>
        {
            new("Packets", [T(Wording.Number(o.Packets))]),
        };
        if (o.Bytes > 0) totals.Add(new("Bytes", [T($"{Wording.Number(o.Bytes)} ({Wording.Bytes(o.Bytes)})")]));
        totals.Add(new("Hosts", [T(Wording.Number(o.Hosts))]));
        totals.Add(new("Flows", [T(Wording.Number(o.Flows))]));
        body.Add(new FieldList(totals));

        var protocols = new List<Block>();
        if (o.Protocols.Count > 0)
        {
            // Bytes are known only for binary captures: tcpdump text gives none, and the columns are left out.
            bool bytes = o.Bytes > 0;
            protocols.Add(new Table(
                bytes ? [new("Protocol"), new("Packets", true), new("Share", true), new("Bytes", true)] : [new("Protocol"), new("Packets", true), new("Share", true)],
                o.Protocols.Select(p => (IReadOnlyList<IReadOnlyList<Span>>)
                [
                    [T(p.Protocol)],
                    [T(Wording.Number(p.Packets))],
                    [T(o.Packets > 0 ? Wording.Percent(Math.Round((double)p.Packets / o.Packets, 3)) : "")],
                    .. (bytes ? (IReadOnlyList<IReadOnlyList<Span>>)[[T(Wording.Number(p.Bytes))]] : []),
                ]).ToList()));
        }
        else
        {
            protocols.Add(new Paragraph([T("No packet was classified.")]));
        }
        body.Add(new Section("overview-protocols", 3, [T("Protocols")], protocols));

        if (o.TopTalkers.Count > 0)
        {
            body.Add(new Section("overview-talkers", 3, [T("Top talkers")],
            [
                new Table(
                    o.Bytes > 0
                        ? [new("Host"), new("Packets sent", true), new("Packets received", true), new("Bytes sent", true), new("Bytes received", true)]
                        : [new("Host"), new("Packets sent", true), new("Packets received", true)],
                    o.TopTalkers.Select(t => (IReadOnlyList<IReadOnlyList<Span>>)
                    [
                        [C(t.Address)],
                        [T(Wording.Number(t.PacketsSent))],
                        [T(Wording.Number(t.PacketsReceived))],
                        .. (o.Bytes > 0 ? (IReadOnlyList<IReadOnlyList<Span>>)[[T(Wording.Number(t.BytesSent))], [T(Wording.Number(t.BytesReceived))]] : []),
                    ]).ToList()),
            ]));
        }
        if (o.Activities is { Count: > 0 } activities)
        {
            body.Add(new Section("overview-activity", 3, [T("Activity that is not an outage")],
            [
                new Paragraph([T("Diagnostic tools an operator runs on purpose, whose errors (time-exceeded messages, unanswered probes) are their point, "
                    + "and regular connections to internal hosts (beaconing: most often a scheduled job). Listed here, not as incidents.")]),
                new ItemList(false, activities.Select(a => new ListItem([B(a.Finding), T(" " + a.Text)], [])).ToList()),
            ]));
        }
        body.Add(Dns(report.Dns));
        body.Add(Tcp(report.Tcp));
        return new Section("overview", 2, [T("Traffic overview")], body);
    }

    /// <summary>What a finding's names are: the names its queries asked, or the zones its updates or notifications were for.</summary>
    private static string NamesLabel(bool zones, int count) => zones
        ? (count == 1 ? "Zone" : "Zones")
        : (count == 1 ? "Name queried" : "Names queried");

    private static bool IsZoneUpkeep(FindingKind kind) => kind is FindingKind.DnsUpdateFailed or FindingKind.DnsNotifyFailed;

    /// <summary>The requests that are not queries (a zone's updates and notifications), a field each, or null.</summary>
    private static FieldList? Operations(DnsStatistics d, bool afterQueries) => d.Operations is not { Count: > 0 } operations ? null : new FieldList(operations
        .Select(o => new Field($"{o.Opcode} requests", [T(Wording.Number(o.Sent)
            + (o.Answered.Count > 0 ? "; answered " + string.Join(", ", o.Answered.Select(a => $"{a.Name.ToUpperInvariant()}: {Wording.Number(a.Count)}")) : "")
            + (o.IcmpAnswered > 0 ? $"; answered by an ICMP error: {Wording.Number(o.IcmpAnswered)}" : "")
            + (o.Unanswered > 0 ? $"; unanswered: {Wording.Number(o.Unanswered)}" : "")
            + (afterQueries ? " (not counted among the queries above)" : ""))]))
        .ToList());

    private static Section Dns(DnsStatistics d)
    {
        if (d.Queries == 0)
        {
            var none = new List<Block> { new Paragraph([T("No DNS query in the capture.")]) };
            if (Operations(d, afterQueries: false) is { } requests) none.Add(requests);
            return new Section("overview-dns", 3, [T("DNS")], none);
        }
        long errors = d.ErrorResponses.Sum(e => e.Count);
        long failed = d.IcmpAnswered + d.Unanswered + errors;
        var answered = $"{Wording.Number(d.Answered)} (no error: {Wording.Number(d.AnsweredNoError)}"
            + string.Concat(d.ErrorResponses.Select(e => $"; {e.Name}: {Wording.Number(e.Count)}")) + ")";
        var fields = new List<Field>
        {
            new("Queries", [T(Wording.Number(d.Queries) + (d.Retransmissions > 0 ? $", of which {Wording.Count(d.Retransmissions, "retransmission")}" : ""))]),
            new("Answered by a DNS response", [T(answered)]),
            new("Answered by an ICMP error", [T(Wording.Number(d.IcmpAnswered))]),
            new("Unanswered", [T(Wording.Number(d.Unanswered) + (d.UnansweredAtCaptureEnd > 0 ? $", of which {Wording.Number(d.UnansweredAtCaptureEnd)} sent just before the capture ended" : ""))]),
            new("Failure rate", [B(Wording.Percent(d.FailureRate)), T($" ({Wording.Number(failed)} of {Wording.Count(d.Queries, "query", "queries")} failed)")]),
        };
        if (d.MedianResponseMilliseconds is { } ms) fields.Add(new("Median response time", [T(Wording.Duration(ms / 1000))]));
        if (d.UnmatchedResponses > 0) fields.Add(new("Responses to no query seen", [T(Wording.Number(d.UnmatchedResponses))]));
        if (Operations(d, afterQueries: true) is { } operations) fields.AddRange(operations.Fields);
        var body = new List<Block>
        {
            new FieldList(fields),
            new Paragraph([T("A query answered by an ICMP error, or not answered at all, counts as a failure here, never as \u201cno error\u201d.")]),
        };
        if (d.Servers.Count > 0)
        {
            body.Add(new Table(
                [new("Server"), new("Queries", true), new("Answered", true), new("Errors", true), new("ICMP-answered", true), new("Unanswered", true), new("Clients", true)],
                d.Servers.Select(s => (IReadOnlyList<IReadOnlyList<Span>>)
                [
                    [C(s.Server)],
                    [T(Wording.Number(s.Queries))],
                    [T(Wording.Number(s.Answered))],
                    [T(Wording.Number(s.Errors))],
                    [T(Wording.Number(s.IcmpAnswered))],
                    [T(Wording.Number(s.Unanswered))],
                    [T(Wording.Number(s.Clients))],
                ]).ToList()));
        }
        return new Section("overview-dns", 3, [T("DNS")], body);
    }

    private static Section Tcp(TcpStatistics t)
    {
        if (t.Attempts == 0 && t.MidStream == 0)
        {
            return new Section("overview-tcp", 3, [T("TCP")], [new Paragraph([T("No TCP connection in the capture.")])]);
        }
        var fields = new List<Field>
        {
            new("Connection attempts", [T(Wording.Number(t.Attempts))]),
            new("Established", [T(Wording.Number(t.Established) + $" (closed with FIN: {Wording.Number(t.Closed)}; reset after establishment: {Wording.Number(t.ResetAfterEstablished)})")]),
            new("Refused (reset)", [T(Wording.Number(t.Refused))]),
            new("Unanswered", [T(Wording.Number(t.Unanswered))]),
            new("Rejected by an ICMP error", [T(Wording.Number(t.IcmpRejected))]),
            new("Seen only mid-stream", [T(Wording.Number(t.MidStream))]),
        };
        var body = new List<Block> { new FieldList(fields) };
        if (t.Services.Count > 0)
        {
            body.Add(new Table(
                [new("Server"), new("Port", true), new("Attempts", true), new("Established", true), new("Refused", true), new("Unanswered", true), new("ICMP-rejected", true)],
                t.Services.Select(s => (IReadOnlyList<IReadOnlyList<Span>>)
                [
                    [C(s.Server)],
                    [T(s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                    [T(Wording.Number(s.Attempts))],
                    [T(Wording.Number(s.Established))],
                    [T(Wording.Number(s.Refused))],
                    [T(Wording.Number(s.Unanswered))],
                    [T(Wording.Number(s.IcmpRejected))],
                ]).ToList()));
        }
        return new Section("overview-tcp", 3, [T("TCP")], body);
    }

    private static Section About(AnalysisReport report) => new("about", 2, [T("About this report")],
    [
        new Paragraph(
        [
            T($"Written by NetTriage from its analysis model ({report.Schema} version {report.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)}; "),
            C("nettriage analyze --format json"),
            T(" prints it). Every count above comes from the packets read; line and frame numbers point into the inputs, so each statement can be checked against them. "
                + "Names and packet text from the capture are shown escaped, never interpreted."),
        ]),
    ]);

    // ---- Spans ------------------------------------------------------------------------------------------

    /// <summary>"Previous trends": the service in the history of earlier captures (the history store), and what changed.</summary>
    private static Section Trend(Trend trend, string id)
    {
        var fields = new List<Field>
        {
            new("Status", [B(trend.Status switch
            {
                "new" => "new: the service worked before and never failed",
                "recurring" => "recurring: it failed before, worked since, and fails again",
                "ongoing" => "ongoing: it was already failing at its last observation",
                _ => "unknown: never seen before",
            })]),
        };
        if (trend.LastWorking is { } working) fields.Add(new("Last seen working", [T(working.Time.Text + " in "), .. Prose(Phrase.Of([Phrase.Name(working.Capture)]))]));
        if (trend.FailingSince is { } since) fields.Add(new("Failing since", [T(since.Time.Text + " in "), .. Prose(Phrase.Of([Phrase.Name(since.Capture)]))]));
        if (trend.FirstFailed is { } first) fields.Add(new("First failed", [T(first.Time.Text + " in "), .. Prose(Phrase.Of([Phrase.Name(first.Capture)]))]));
        if (trend.EarlierFailureRate is { } rate)
        {
            fields.Add(new("Earlier failure rate", [T($"{Wording.Percent(rate)} of {Wording.Count(trend.EarlierAttempts, "attempt")} in {Wording.Count(trend.EarlierCaptures, "earlier capture")}")]));
        }
        var body = new List<Block> { new Paragraph(Prose(trend.Text)), new FieldList(fields) };
        if (trend.Changes.Count > 0) body.AddRange([new Paragraph([B("What changed")]), new ItemList(false, trend.Changes.Select(c => new ListItem(Prose(c), [])).ToList())]);
        return new Section(id + "-trend", 4, [T("Previous trends")], body);
    }

    private static Span T(string text) => new(text);

    private static Span B(string text) => new(text, SpanKind.Strong);

    private static Span C(string text) => new(text, SpanKind.Code);

    private static Span Missing() => new(NotProvided, SpanKind.Missing, Tone.Muted);

    private static Span Badge(string text, Tone tone) => new(text, SpanKind.Badge, tone);

    /// <summary>"a, b and c" with each item as a span of <paramref name="kind"/>, at most <see cref="MaxListed"/>.</summary>
    private static List<Span> Joined(IReadOnlyList<string> items, SpanKind kind)
    {
        var spans = new List<Span>();
        int shown = Math.Min(items.Count, MaxListed);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) spans.Add(T(i == shown - 1 && shown == items.Count ? " and " : ", "));
            spans.Add(new Span(items[i], kind));
        }
        if (items.Count > shown) spans.Add(T($" and {Wording.Number(items.Count - shown)} more"));
        if (items.Count == 0) spans.Add(T("none"));
        return spans;
    }

    /// <summary>
    /// Model prose with its `backquoted` commands as code spans (the model's own convention, e.g. in next steps).
    /// An unpaired backquote stays text. The pieces are still plain text: renderers escape them.
    /// </summary>
    /// <summary>
    /// The spans of a phrase the analysis built: commands, names and addresses as literal code, the rest as text.
    /// Nothing inside a piece is parsed, so a backtick or an asterisk from the capture stays what it is.
    /// </summary>
    internal static List<Span> Prose(Phrase phrase)
    {
        var spans = new List<Span>(phrase.Pieces.Count);
        foreach (var piece in phrase.Pieces)
        {
            spans.Add(piece.Kind switch
            {
                PieceKind.Command or PieceKind.Name or PieceKind.Address => C(piece.Text),
                _ => T(piece.Text),
            });
        }
        return spans;
    }

    /// <summary>"HTTP over TCP"; the transport alone when no application protocol is known ("TCP", not "TCP over TCP").</summary>
    private static string Over(string protocol, string transport) => protocol == transport ? transport : $"{protocol} over {transport}";

    private static string ServiceLine(string protocol, string transport, int? port, string? service) =>
        Over(protocol, transport) + (port is { } p ? $", port {p}" + (service is { } s ? $" ({s})" : "") : "");

    private static Tone SeverityTone(Severity severity) => severity switch
    {
        Severity.High => Tone.Bad,
        Severity.Medium => Tone.Warning,
        Severity.Low => Tone.Info,
        _ => Tone.None,
    };

    private static Tone ConfidenceTone(Confidence confidence) => confidence switch
    {
        Confidence.High => Tone.Bad,
        Confidence.Medium => Tone.Warning,
        _ => Tone.Muted,
    };

    private static Tone RoleTone(string role) =>
        role.StartsWith("query", StringComparison.Ordinal) || role.StartsWith("syn", StringComparison.Ordinal) ? Tone.Info
        : role.Length > 0 ? Tone.Bad
        : Tone.Muted;
}
