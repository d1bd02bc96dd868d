using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Icmp;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// The diagnose stage: groups findings about the same service into incidents, decides the layer, rules
/// things out (including traffic that should be there and is not), ranks causes and writes next steps.
/// </summary>
internal static class Diagnoser
{
    private const int MaxTimeline = 40;
    private const int MaxIncidentEvidence = 40;

    public static List<Incident> Diagnose(TrafficView traffic, List<DetectedFinding> findings, IReadOnlyList<DetectedActivity> activities,
        IReadOnlyList<SharedCause>? shared = null)
    {
        shared ??= [];
        // A finding a shared cause explains is that cause's evidence, in its incident, and makes none of its own.
        var joined = shared.SelectMany(c => c.Members).ToHashSet();
        var groups = findings
            .Where(f => f.Finding.Severity != Severity.Low && !joined.Contains(f))
            .GroupBy(f => (f.Server, Port: ServicePort(f)))
            .Select(g => new IncidentContext(traffic, g.ToList(), activities))
            .Select(c => (Severity: IncidentSeverity(c), Step: c.Port == 53 && (c.DnsFailed > 0 || c.Primary.Row.Dns) ? DnsStep : ServiceStep, c.First,
                Build: (Func<string, Incident>)(id => Build(c, id))));
        var attacks = activities
            .Where(a => a.Severity != Severity.Low)
            .Select(a => (a.Severity, Step: ServiceStep, a.First, Build: (Func<string, Incident>)(id => ActivityIncident.Build(a, id))));
        var causes = shared
            .Select(c => (c.Severity, Step: SharedStep, c.First, Build: (Func<string, Incident>)(id => Build(c, id, traffic, activities))));
        var incidents = new List<Incident>();
        int n = 0;
        foreach (var c in causes.Concat(groups).Concat(attacks).OrderBy(c => c.Severity).ThenBy(c => c.Step).ThenBy(c => c.First.Nanoseconds).ToList())
        {
            incidents.Add(c.Build($"INC-{++n}"));
        }
        return incidents;
    }

    /// <summary>
    /// Of two incidents as severe, which an analyst reads first: a cause that several failures share (a gateway, a
    /// router), then name resolution, then one service or one activity. Each can explain what follows it (a dead
    /// resolver is every name unanswered, every connection never tried), never the reverse; then by time.
    /// </summary>
    private const int SharedStep = 0, DnsStep = 1, ServiceStep = 2;

    /// <summary>DNS findings of any kind about a server belong together; others by their port.</summary>
    private static ushort ServicePort(DetectedFinding f) =>
        f.DnsFailed > 0 || f.Row.Dns ? (ushort)53 : f.Port;

    /// <summary>
    /// The incident of a cause several findings share: its family wrote the title, summary and causes; the timeline
    /// and evidence are its findings', as one incident over all of them would have them.
    /// </summary>
    private static Incident Build(SharedCause shared, string id, TrafficView traffic, IReadOnlyList<DetectedActivity> activities)
    {
        var c = new IncidentContext(traffic, shared.Members, activities);
        var causes = shared.Causes.OrderByDescending(x => x.Score).ToList();
        return new Incident
        {
            Id = id,
            Kind = shared.Kind,
            Severity = shared.Severity,
            Title = shared.IncidentTitle,
            Summary = causes.Count > 0
                ? Phrase.Of($"{shared.Summary.Text} Most likely: {Uncapitalize(causes[0].Title.Text)} ({causes[0].Confidence.Name()} confidence).")
                : shared.Summary,
            Layer = shared.Layer,
            Protocol = shared.Protocol,
            Transport = shared.Transport,
            Servers = shared.Servers.Select(x => x.ToString()).ToList(),
            Clients = shared.Clients.Select(x => x.ToString()).ToList(),
            First = Describe.Time(shared.First),
            Last = Describe.Time(shared.Last),
            DurationSeconds = Describe.Seconds(shared.First, shared.Last),
            Attempts = shared.Attempts,
            Failed = shared.Failed,
            Findings = [shared.Finding.Id, .. shared.Members.Select(f => f.Finding.Id)],
            RuledOut = shared.RuledOut,
            Causes = causes,
            NextSteps = causes.Where(x => x.Score >= 0.3).SelectMany(x => x.NextSteps).Distinct().ToList(),
            Caveats = shared.Caveats,
            Timeline = Timeline(c),
            Evidence = [.. shared.Evidence, .. Evidence(c).Take(MaxIncidentEvidence - shared.Evidence.Count)],
        };
    }

    /// <summary>
    /// The steps of the causes worth checking (scored 0.3 or more), in rank order; then, for a severe outage, the
    /// attack check the analysts always ask for when no cause of the ranking raised it (a denial of service ruled out
    /// by the server's own counters, which see what one capture cannot), and the escalation to whoever runs the server.
    /// </summary>
    private static List<Phrase> NextSteps(IncidentContext c, List<Cause> causes)
    {
        var steps = causes.Where(x => x.Score >= 0.3).SelectMany(x => x.NextSteps).Distinct().ToList();
        if (c.Primary.Finding.Severity != Severity.High) return steps;
        if (causes.FirstOrDefault(x => x.Id == "overload-or-dos") is { Score: < 0.3 } && !c.FloodsTowardServer.Any())
        {
            steps.Add(Phrase.Of($"Rule out a denial of service: this capture shows no flood toward {c.ServerText} ({Describe.Count(c.SourcesTowardServer, "source")} sent to it); compare its load and {(c.IsDns ? "query" : "connection")} rates around {Describe.Clock(c.First)} with earlier days, since its own counters see traffic this capture cannot."));
        }
        steps.Add(Phrase.Of($"If {c.ServerText} is not yours to fix (a provider's or another team's), escalate to its operator with this report: {c.PortText} on {c.ServerText} failing from {Describe.Clock(c.First)}, and the evidence packets it cites."));
        return steps;
    }

    /// <summary>
    /// The first packets of the incident. Only the evidence shown is sorted and written out: the first packets of the
    /// incident are among the first of each finding (its first distinct frames suffice), and a frame shared by two
    /// findings is the first's.
    /// </summary>
    private static List<EvidencePacket> Evidence(IncidentContext c) =>
        c.Findings.SelectMany(f => FindingBuilder.FirstEvidence(f, MaxIncidentEvidence, distinct: true, out _))
            .DistinctBy(e => (e.Input, e.Frame))
            .OrderBy(e => e.Input).ThenBy(e => e.Frame)
            .Take(MaxIncidentEvidence)
            .Select(e => e.Write())
            .ToList();

    private static Incident Build(IncidentContext c, string id)
    {
        var causes = c.Primary.Row.Causes(c).OrderByDescending(x => x.Score).ToList();
        var evidence = Evidence(c);
        return new Incident
        {
            Id = id,
            Kind = c.Kind,
            Severity = IncidentSeverity(c),
            Title = c.Primary.Row.IncidentTitle(c),
            Summary = Summary(c, causes),
            Layer = c.Primary.Row.Layer,
            Protocol = c.Protocol,
            Transport = c.Tcp ? "TCP" : FindingBuilder.TransportName(c.Primary.Transport),
            Service = c.ServiceName,
            Port = c.Port == 0 ? null : c.Port,
            ServiceDescription = c.ServiceUse is { } use ? Phrase.Plain(use) : null,
            Servers = [c.ServerText],
            Clients = c.Clients.Select(x => x.ToString()).ToList(),
            First = Describe.Time(c.First),
            Last = Describe.Time(c.Last),
            DurationSeconds = c.DurationSeconds,
            Attempts = c.Attempts,
            Failed = c.Failed,
            Findings = c.Findings.Select(f => f.Finding.Id).ToList(),
            RuledOut = RuledOutRules.For(c),
            Causes = causes,
            NextSteps = NextSteps(c, causes),
            Caveats = IncidentCaveats(c),
            Timeline = Timeline(c),
            Evidence = evidence,
        };
    }

    /// <summary>
    /// The incident's severity: its main finding's, one step lower (high to medium) when all it rests on is a server's
    /// silence in a capture that misses a direction: what it proves is that the capture saw no answer.
    /// </summary>
    private static Severity IncidentSeverity(IncidentContext c) =>
        c.Primary.Finding.Severity == Severity.High && c.ConnectionsFailed + c.DnsFailed > 0 && Detection.ServiceFailures.ServiceFailureCauses.OneWaySilence(c)
            ? Severity.Medium
            : c.Primary.Finding.Severity;

    private static string Summary(IncidentContext c, List<Cause> causes)
    {
        var when = c.DurationSeconds is { } d && d > 0
            ? $"between {Describe.Clock(c.First)} and {Describe.Clock(c.Last)} ({Describe.Duration(d)})"
            : $"at {Describe.Clock(c.First)}";
        string first = c.Primary.Row.SummaryLead?.Invoke(c, when) ?? $"{Describe.Capitalize(c.Primary.Finding.Title.Text)} {when}.";
        var parts = new List<string> { first };
        // Findings of another kind in the incident speak for themselves: the lead counts only its own kind.
        foreach (var other in c.Findings.Where(f => f.Kind != c.Kind).Select(f => f.Finding).DistinctBy(f => f.Kind))
        {
            parts.Add($"Also: {Uncapitalize(other.Title.Text)}.");
        }
        if (causes.Count > 0)
        {
            parts.Add($"Most likely: {Uncapitalize(causes[0].Title.Text)} ({causes[0].Confidence.Name()} confidence).");
        }
        var webRuledOut = c.IsDns ? RuledOutRules.NoConnectionAfterFailure(c) : null;
        if (webRuledOut is not null)
        {
            parts.Add("No connection to any web server was attempted afterwards, so the web server is not implicated.");
        }
        return string.Join(" ", parts);
    }

    private static string Uncapitalize(string s) =>
        s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) && !s.StartsWith("DNS", StringComparison.Ordinal) ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    private static List<Caveat> IncidentCaveats(IncidentContext c)
    {
        var list = new List<Caveat>();
        if (c.Traffic.End is { } end && Describe.Seconds(c.Last, end) is { } after && after < 5)
        {
            list.Add(new Caveat("capture-ends-at-failure",
                after < 0.001
                    ? "The capture ends with the last failure: whether the service recovered, or answered later, is not in the evidence."
                    : $"The capture ends {Describe.Duration(after)} after the last failure: whether the service recovered, or answered later, is not in the evidence."));
        }
        if (c.AtCaptureEnd)
        {
            list.Add(new Caveat("unanswered-at-capture-end", "Some attempts were sent just before the capture ended; their answers may simply not have been captured."));
        }
        if (c.Attempts < 3)
        {
            list.Add(new Caveat("few-attempts", $"Only {Describe.Count(c.Attempts, "attempt")}: a transient failure cannot be told from a lasting one."));
        }
        if (c.PacketsFromServer == 0 && c.IcmpCount == 0)
        {
            list.Add(new Caveat("one-direction", c.Traffic.AnsweredUnseen > 0
                ? $"No packet from {c.ServerText} is in the capture, and the capture misses a direction (other connections were answered out of its sight): these answers may have been sent and missed. The severity is one step lower for it."
                : $"No packet from {c.ServerText} is in the capture: if the capture filter or the capture point saw only one direction, answers may have been missed."));
        }
        list.Add(new Caveat("single-vantage-point",
            $"One vantage point ({c.ClientsText}): this shows what this host saw; whether other clients fail the same way needs their reports or a capture near {c.ServerText}."));
        return list;
    }

    /// <summary>A timeline event before its text is made (an incident may rest on thousands of attempts; a few dozen are shown).</summary>
    private enum Step : byte
    {
        Query,
        QueryIcmp,
        QueryRcode,
        Syn,
        SynIcmp,
        SynRefused,
        SynUnanswered,
        Icmp,
    }

    /// <summary>Every event of the incident's timeline in the order listed (attempts, then what answered them).</summary>
    private static IEnumerable<(PacketRef Packet, Step Step, object Record)> TimelineSources(IncidentContext c)
    {
        foreach (var a in c.Dns)
        {
            yield return (a.Query, Step.Query, a);
            if (a.Icmp is { } e)
            {
                yield return (e.Packet, Step.QueryIcmp, a);
            }
            else if (a.Response is { } response && a.Rcode != 0)
            {
                yield return (response, Step.QueryRcode, a);
            }
        }
        foreach (var x in c.Connections)
        {
            yield return (x.First, Step.Syn, x);
            if (x.Icmp is { } e)
            {
                yield return (e.Packet, Step.SynIcmp, x);
            }
            else if (x.OutcomePacket is { } o && x.Outcome == TcpOutcome.Refused)
            {
                yield return (o, Step.SynRefused, x);
            }
            else if (x.Outcome == TcpOutcome.Unanswered)
            {
                yield return (x.Last, Step.SynUnanswered, x);
            }
        }
        if (c.DnsFailed == 0 && c.ConnectionsFailed == 0)
        {
            foreach (var e in c.Icmp)
            {
                yield return (e.Packet, Step.Icmp, e);
            }
        }
    }

    private static List<TimelineEvent> Timeline(IncidentContext c)
    {
        // The first events in time (then frame; then the order listed), kept as they come: only those are written.
        var first = new List<(PacketTimestamp Time, int Input, long Frame, Step Step, object Record, int Order)>();
        int order = 0;
        foreach (var e in TimelineSources(c))
        {
            var item = (e.Packet.Time, e.Packet.Input, e.Packet.Frame, e.Step, e.Record, Order: order++);
            int at = first.Count;
            while (at > 0 && Earlier(item, first[at - 1])) at--;
            if (at == MaxTimeline) continue;
            first.Insert(at, item);
            if (first.Count > MaxTimeline) first.RemoveAt(first.Count - 1);
        }
        return first.ConvertAll(e => new TimelineEvent { Time = Describe.Time(e.Time), Event = EventText(e.Step, e.Record), Input = e.Input, Frames = [e.Frame] });
    }

    private static bool Earlier((PacketTimestamp Time, int Input, long Frame, Step Step, object Record, int Order) a,
        (PacketTimestamp Time, int Input, long Frame, Step Step, object Record, int Order) b) =>
        a.Time.Nanoseconds != b.Time.Nanoseconds ? a.Time.Nanoseconds < b.Time.Nanoseconds
        : a.Input != b.Input ? a.Input < b.Input
        : a.Frame != b.Frame ? a.Frame < b.Frame
        : a.Order < b.Order;

    private static string EventText(Step step, object record)
    {
        switch (step)
        {
            case Step.Query:
            {
                var a = (DnsAttempt)record;
                string id = $"(id {a.Id}{(a.IsRetransmission ? ", a retransmission" : "")})";
                return a.Opcode switch
                {
                    Packets.Dns.DnsOpcode.Update => $"{a.Client} sends {a.Server} a dynamic update of zone {a.QName} {id}",
                    Packets.Dns.DnsOpcode.Notify => $"{a.Client} notifies {a.Server} of a change to zone {a.QName} {id}",
                    Packets.Dns.DnsOpcode.Query => $"{a.Client} asks {a.Server} for {a.QName} {TcpdumpLineFormatter.TypeText(a.QType)} {id}",
                    _ => $"{a.Client} sends {a.Server} a request of opcode {a.Opcode} {id}",
                };
            }
            case Step.QueryIcmp:
            {
                var a = (DnsAttempt)record;
                var e = a.Icmp!;
                return $"{e.Sender} answers with ICMP {IcmpMessages.Describe(e.IsV6, e.Type, e.Code, e.TargetPort, "udp")}{Delay(a.Query.Time, e.Packet.Time)}";
            }
            case Step.QueryRcode:
            {
                var a = (DnsAttempt)record;
                return $"{a.Server} answers {Packets.Dns.DnsNames.RcodeName(a.Rcode)}{Delay(a.Query.Time, a.Response!.Value.Time)}";
            }
            case Step.Syn:
            {
                var x = (TcpConnection)record;
                return $"{x.Client} opens a TCP connection to {x.Server} port {x.ServerPort}{(x.Syns > 1 ? $" (SYN sent {x.Syns} times)" : "")}";
            }
            case Step.SynIcmp:
            {
                var x = (TcpConnection)record;
                var e = x.Icmp!;
                return $"{e.Sender} answers with ICMP {IcmpMessages.Describe(e.IsV6, e.Type, e.Code, e.TargetPort, "tcp")}{Delay(x.First.Time, e.Packet.Time)}";
            }
            case Step.SynRefused:
            {
                var x = (TcpConnection)record;
                return $"{x.Server} refuses it with a reset{Delay(x.First.Time, x.OutcomePacket!.Value.Time)}";
            }
            case Step.SynUnanswered:
            {
                var x = (TcpConnection)record;
                return $"last SYN to {x.Server} port {x.ServerPort}; no answer";
            }
            default:
            {
                var e = (IcmpErrorRecord)record;
                return $"{e.Sender} reports ICMP {IcmpMessages.Describe(e.IsV6, e.Type, e.Code)} for traffic from {e.Client} to {e.Target}";
            }
        }
    }

    private static string Delay(PacketTimestamp from, PacketTimestamp to) =>
        Describe.Seconds(from, to) is { } s && s >= 0 ? $", {Describe.Duration(s)} later" : "";
}
