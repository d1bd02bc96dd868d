using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// The diagnose stage: groups findings about the same service into incidents, decides the layer, rules
/// things out (including traffic that should be there and is not), ranks causes and writes next steps.
/// </summary>
internal static class Diagnoser
{
    private const int MaxTimeline = 40;
    private const int MaxIncidentEvidence = 40;

    public static List<Incident> Diagnose(TrafficTracker t, List<DetectedFinding> findings)
    {
        var groups = findings
            .Where(f => f.Finding.Severity != Severities.Low)
            .GroupBy(f => (f.Server, Port: ServicePort(f)))
            .Select(g => new IncidentContext(t, g.ToList()))
            .OrderBy(c => IncidentContext.SeverityRank(c.Primary.Finding.Severity))
            .ThenBy(c => c.First.Nanoseconds)
            .ToList();
        var incidents = new List<Incident>();
        int n = 0;
        foreach (var c in groups)
        {
            incidents.Add(Build(c, $"INC-{++n}"));
        }
        return incidents;
    }

    /// <summary>DNS findings of any kind about a server belong together; others by their port.</summary>
    private static ushort ServicePort(DetectedFinding f) =>
        f.Dns.Count > 0 || f.Kind.StartsWith("dns-", StringComparison.Ordinal) ? (ushort)53 : f.Port;

    private static Incident Build(IncidentContext c, string id)
    {
        var causes = CauseRules.For(c);
        var evidence = c.Findings.SelectMany(FindingBuilder.Evidence)
            .DistinctBy(e => (e.Input, e.Frame))
            .OrderBy(e => e.Input).ThenBy(e => e.Frame)
            .ToList();
        return new Incident
        {
            Id = id,
            Kind = c.Kind,
            Severity = c.Primary.Finding.Severity,
            Title = Title(c),
            Summary = Summary(c, causes),
            Layer = Layer(c.Kind),
            Protocol = c.Protocol,
            Transport = c.Tcp ? "TCP" : FindingBuilder.TransportName(c.Primary.Transport),
            Service = c.ServiceName,
            Port = c.Port == 0 ? null : c.Port,
            ServiceDescription = c.ServiceUse,
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
            NextSteps = causes.Where(x => x.Score >= 0.3).SelectMany(x => x.NextSteps).Distinct().ToList(),
            Caveats = IncidentCaveats(c),
            Timeline = Timeline(c),
            Evidence = evidence.Take(MaxIncidentEvidence).ToList(),
        };
    }

    public static string Layer(string kind) => kind switch
    {
        FindingKinds.TcpConnectionRefused or FindingKinds.TcpNoResponse or FindingKinds.TcpBlocked => "transport",
        FindingKinds.HostUnreachable or FindingKinds.NetworkUnreachable or FindingKinds.TtlExceeded => "network",
        _ => "application",
    };

    private static string Title(IncidentContext c) => c.Kind switch
    {
        FindingKinds.DnsServerUnreachable => $"DNS failure: server {c.ServerText} unreachable on UDP port 53",
        FindingKinds.DnsBlocked => $"DNS failure: queries to {c.ServerText} blocked by a filter",
        FindingKinds.DnsNoResponse => $"DNS failure: no response from {c.ServerText}",
        FindingKinds.DnsServfail => $"DNS failure: {c.ServerText} answers SERVFAIL",
        FindingKinds.DnsRefused => $"DNS failure: {c.ServerText} refuses queries",
        FindingKinds.DnsNxdomain => $"DNS: {(c.Names.Count > 0 ? c.Names[0] : "names")} does not exist (NXDOMAIN from {c.ServerText})",
        FindingKinds.TcpConnectionRefused => $"Connection refused: {c.Protocol} on {c.ServerText} port {c.Port}",
        FindingKinds.TcpNoResponse => $"No response: {c.Protocol} on {c.ServerText} port {c.Port}",
        FindingKinds.TcpBlocked => $"Connections blocked: {c.Protocol} on {c.ServerText} port {c.Port}",
        FindingKinds.HostUnreachable => $"Host {c.ServerText} unreachable",
        FindingKinds.NetworkUnreachable => $"Network of {c.ServerText} unreachable",
        FindingKinds.TtlExceeded => $"Packets to {c.ServerText} expire in transit",
        _ => c.Primary.Finding.Title,
    };

    private static string Summary(IncidentContext c, List<Cause> causes)
    {
        var when = c.DurationSeconds is { } d && d > 0
            ? $"between {Describe.Clock(c.First)} and {Describe.Clock(c.Last)} ({Describe.Duration(d)})"
            : $"at {Describe.Clock(c.First)}";
        string of = c.Failed == c.Attempts ? $"all {c.Attempts}" : $"{c.Failed} of {c.Attempts}";
        string what = c.Primary.Finding.Title;
        string first = $"{Capitalize(what)} {when}.";
        if (c.Kind == FindingKinds.DnsServerUnreachable && c.FromTarget.Count > 0)
        {
            first = $"Name resolution failed: the DNS server {c.ServerText} answered {of} {(c.Attempts == 1 ? "query" : "queries")} from {c.ClientsText}"
                + (c.Names.Count > 0 ? $" for {c.Names[0]}" : "") + $" with ICMP 'udp port 53 unreachable' {when}.";
        }
        var parts = new List<string> { first };
        if (causes.Count > 0)
        {
            parts.Add($"Most likely: {Uncapitalize(causes[0].Title)} ({causes[0].Confidence} confidence).");
        }
        var webRuledOut = c.IsDns ? RuledOutRules.NoConnectionAfterFailure(c) : null;
        if (webRuledOut is not null)
        {
            parts.Add("No connection to any web server was attempted afterwards, so the web server is not implicated.");
        }
        return string.Join(" ", parts);
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Uncapitalize(string s) =>
        s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) && !s.StartsWith("DNS", StringComparison.Ordinal) ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    private static List<Caveat> IncidentCaveats(IncidentContext c)
    {
        var list = new List<Caveat>();
        var t = c.Tracker;
        if (t.Last is { } end && Describe.Seconds(c.Last, end) is { } after && after < 5)
        {
            list.Add(new Caveat("capture-ends-at-failure",
                after < 0.001
                    ? "The capture ends with the last failure: whether the service recovered, or answered later, is not in the evidence."
                    : $"The capture ends {Describe.Duration(after)} after the last failure: whether the service recovered, or answered later, is not in the evidence."));
        }
        if (c.Dns.Any(a => a.AtCaptureEnd) || c.Connections.Any(x => x.AtCaptureEnd))
        {
            list.Add(new Caveat("unanswered-at-capture-end", "Some attempts were sent just before the capture ended; their answers may simply not have been captured."));
        }
        if (c.Attempts < 3)
        {
            list.Add(new Caveat("few-attempts", $"Only {Describe.Count(c.Attempts, "attempt")}: a transient failure cannot be told from a lasting one."));
        }
        if (c.PacketsFromServer == 0 && c.Icmp.Count == 0)
        {
            list.Add(new Caveat("one-direction", $"No packet from {c.ServerText} is in the capture: if the capture filter or the capture point saw only one direction, answers may have been missed."));
        }
        list.Add(new Caveat("single-vantage-point",
            $"One vantage point ({c.ClientsText}): this shows what this host saw; whether other clients fail the same way needs their reports or a capture near {c.ServerText}."));
        return list;
    }

    private static List<TimelineEvent> Timeline(IncidentContext c)
    {
        var events = new List<(PacketTimestamp Time, long Frame, TimelineEvent Event)>();
        void Add(PacketRef r, string text) =>
            events.Add((r.Time, r.Frame, new TimelineEvent { Time = Describe.Time(r.Time), Event = text, Frames = [r.Frame] }));

        foreach (var a in c.Dns)
        {
            string q = $"{a.Client} asks {a.Server} for {a.QName} {TrafficTracker.TypeName(a.QType)} (id {a.Id}{(a.IsRetransmission ? ", a retransmission" : "")})";
            Add(a.Query, q);
            string? delay = a.Icmp is not null ? Delay(a.Query.Time, a.Icmp.Packet.Time)
                : a.Response is { } r ? Delay(a.Query.Time, r.Time) : null;
            if (a.Icmp is { } e)
            {
                Add(e.Packet, $"{e.Sender} answers with ICMP {Describe.Icmp(e.IsV6, e.Type, e.Code, e.TargetPort, "udp")}{delay}");
            }
            else if (a.Response is { } response && a.Rcode != 0)
            {
                Add(response, $"{a.Server} answers {Packets.Dns.DnsNames.RcodeName(a.Rcode)}{delay}");
            }
        }
        foreach (var x in c.Connections)
        {
            Add(x.First, $"{x.Client} opens a TCP connection to {x.Server} port {x.ServerPort}{(x.Syns > 1 ? $" (SYN sent {x.Syns} times)" : "")}");
            if (x.Icmp is { } e)
            {
                Add(e.Packet, $"{e.Sender} answers with ICMP {Describe.Icmp(e.IsV6, e.Type, e.Code, e.TargetPort, "tcp")}{Delay(x.First.Time, e.Packet.Time)}");
            }
            else if (x.OutcomePacket is { } o && x.Outcome == TcpOutcome.Refused)
            {
                Add(o, $"{x.Server} refuses it with a reset{Delay(x.First.Time, o.Time)}");
            }
            else if (x.Outcome == TcpOutcome.Unanswered)
            {
                events.Add((x.Last.Time, x.Last.Frame, new TimelineEvent
                {
                    Time = Describe.Time(x.Last.Time),
                    Event = $"last SYN to {x.Server} port {x.ServerPort}; no answer",
                    Frames = [x.Last.Frame],
                }));
            }
        }
        if (c.Dns.Count == 0 && c.Connections.Count == 0)
        {
            foreach (var e in c.Icmp)
            {
                Add(e.Packet, $"{e.Sender} reports ICMP {Describe.Icmp(e.IsV6, e.Type, e.Code)} for traffic from {e.Client} to {e.Target}");
            }
        }
        return events
            .OrderBy(e => e.Time.Nanoseconds).ThenBy(e => e.Frame)
            .Take(MaxTimeline)
            .Select(e => e.Event)
            .ToList();
    }

    private static string Delay(PacketTimestamp from, PacketTimestamp to) =>
        Describe.Seconds(from, to) is { } s && s >= 0 ? $", {Describe.Duration(s)} later" : "";
}
