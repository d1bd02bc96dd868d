using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Packets;
using NetTriage.Packets.Services;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>Everything the diagnosis rules look at for one incident: its findings and the facts around them.</summary>
internal sealed class IncidentContext
{
    /// <summary>The attacks and scans recognised in the capture (those that caused this incident's failures absorbed them).</summary>
    public IReadOnlyList<DetectedActivity> Activities { get; }

    /// <summary>Floods recognised toward this incident's server (on any port or protocol).</summary>
    public IEnumerable<DetectedActivity> FloodsTowardServer =>
        Activities.Where(a => a.Kind is FindingKind.SynFlood or FindingKind.UdpFlood or FindingKind.IcmpFlood && a.Targets.Contains(Server));

    public IncidentContext(TrafficView traffic, List<DetectedFinding> findings, IReadOnlyList<DetectedActivity>? activities = null)
    {
        Traffic = traffic;
        Findings = findings;
        Activities = activities ?? [];
        Primary = findings
            .OrderBy(f => f.Finding.Severity)
            .ThenByDescending(f => f.FailedCount)
            .First();
        Server = Primary.Server;
        Port = Primary.Port;
        Tcp = Primary.Transport == IpProtocol.Tcp;
        var times = findings.SelectMany(f => f.Times()).DefaultIfEmpty().ToList();
        First = times.MinBy(t => t.Nanoseconds);
        Last = times.MaxBy(t => t.Nanoseconds);
        Clients = findings.SelectMany(f => f.Clients()).Distinct().Order().ToList();
        Dns = findings.SelectMany(f => f.Dns).Distinct().OrderBy(a => a.Query.Time.Nanoseconds).ToList();
        Connections = findings.SelectMany(f => f.Tcp).Distinct().OrderBy(c => c.First.Time.Nanoseconds).ToList();
        Icmp = findings.SelectMany(f => f.Icmp).Distinct().OrderBy(e => e.Packet.Time.Nanoseconds).ToList();
        DnsFailed = findings.Sum(f => f.DnsFailed);
        ConnectionsFailed = findings.Sum(f => f.TcpFailed);
        // The ICMP errors by sender and meaning, kept in detail or not, most frequent first: what the rules say
        // of the senders must not depend on which errors were kept.
        Senders = DetectedFinding.Ordered(findings.SelectMany(f => f.Senders()));
        IcmpCount = findings.Sum(f => f.IcmpCount);
        FromTargetCount = Senders.Where(s => s.Key.FromTarget).Sum(s => s.Count);
        FromRoutersCount = Senders.Where(s => !s.Key.FromTarget).Sum(s => s.Count);
        Failed = DnsFailed + ConnectionsFailed + (DnsFailed + ConnectionsFailed == 0 ? IcmpCount : 0);
        AtCaptureEnd = findings.Any(f => f.AnyAtCaptureEnd);
        ResetCount = Connections.Count(x => x.Outcome == TcpOutcome.Refused) + findings.Sum(f => f.Group.UnkeptTcpReset);
        Retransmitted = findings.Any(f => f.Group.UnkeptRetransmissions)
            || Dns.Any(a => a.IsRetransmission) || Connections.Any(x => x.Syns > 1);
        Attempts = Math.Max(findings.Max(f => f.Finding.Attempts), Failed);
        Names = findings.SelectMany(f => f.Names(FailureGroup.NamesKept))
            .Distinct(StringComparer.OrdinalIgnoreCase).Select(Describe.Name).ToList();
        Resolution = findings.Select(f => f.Group.FirstResolution).FirstOrDefault(r => r is not null);
        var service = WellKnownServices.Of(Port, Tcp);
        ServiceName = service.Name;
        Protocol = IsDns ? "DNS" : service.Protocol ?? FindingBuilder.TransportName(Primary.Transport);
        ServiceUse = IsDns ? WellKnownServices.Of(53, false).Use : service.Use;
    }

    public TrafficView Traffic { get; }
    public List<DetectedFinding> Findings { get; }
    public DetectedFinding Primary { get; }
    public FindingKind Kind => Primary.Kind;
    public IpAddr Server { get; }
    public ushort Port { get; }
    public bool Tcp { get; }
    public PacketTimestamp First { get; }
    public PacketTimestamp Last { get; }
    public List<IpAddr> Clients { get; }
    public List<DnsAttempt> Dns { get; }
    public List<TcpConnection> Connections { get; }
    public List<IcmpErrorRecord> Icmp { get; }
    public long Failed { get; }
    /// <summary>
    /// Failures of the incident's own kind (its main finding's), over every finding of that kind it holds. A sentence
    /// naming one kind ("answered NXDOMAIN 184 times") counts these; an incident that also holds 34 SERVFAIL answers
    /// must not lend them its words.
    /// </summary>
    public long FailedOfKind => Findings.Where(f => f.Kind == Kind).Sum(f => f.FailedCount);
    /// <summary>
    /// The attempts the findings of the incident's own kind saw (queries for a DNS kind): the count a sentence about
    /// that kind takes "all N" or "M of N" from. The incident's <see cref="Attempts"/> also holds other kinds' (the
    /// TCP connection attempts of a DNS incident).
    /// </summary>
    public long AttemptsOfKind => Math.Max(FailedOfKind, Findings.Where(f => f.Kind == Kind).Max(f => f.Finding.Attempts));
    /// <summary>Failed DNS queries, kept in detail or not.</summary>
    public long DnsFailed { get; }
    /// <summary>The ICMP errors by sender and meaning, most frequent first.</summary>
    public List<(IcmpSenderKey Key, long Count)> Senders { get; }
    /// <summary>Senders of ICMP errors that are the target itself, and routers on the way (most frequent first).</summary>
    public List<IcmpSenderKey> TargetSenders => Senders.Where(s => s.Key.FromTarget).Select(s => s.Key).ToList();
    public List<IcmpSenderKey> RouterSenders => Senders.Where(s => !s.Key.FromTarget).Select(s => s.Key).ToList();
    /// <summary>The addresses that sent ICMP errors, most frequent first.</summary>
    public List<IpAddr> SenderAddresses => Senders.Select(s => s.Key.Sender).Distinct().ToList();
    /// <summary>A client of a failed connection that had resolved the server's address shortly before, and the answer.</summary>
    public (IpAddr Client, Resolution Answer)? Resolution { get; }
    /// <summary>Failed TCP attempts, kept in detail or not.</summary>
    public long ConnectionsFailed { get; }
    /// <summary>ICMP errors, kept in detail or not; and of those, sent by the target and by routers.</summary>
    public long IcmpCount { get; }
    public long FromTargetCount { get; }
    public long FromRoutersCount { get; }
    /// <summary>Failed TCP attempts the server answered with a reset, kept in detail or not.</summary>
    public long ResetCount { get; }
    /// <summary>Some failure was cut off by the end of the capture.</summary>
    public bool AtCaptureEnd { get; }
    /// <summary>Some query or SYN was sent again.</summary>
    public bool Retransmitted { get; }
    public long Attempts { get; }
    public List<string> Names { get; }
    public string? ServiceName { get; }
    public string Protocol { get; }
    public string? ServiceUse { get; }

    public bool IsDns => Primary.Row.Dns || DnsFailed > 0;
    public string ServerText => Server.ToString();
    public string ClientsText => Clients.Count switch
    {
        0 => "no client",
        1 => Clients[0].ToString(),
        <= 3 => string.Join(", ", Clients),
        _ => $"{Clients.Count} clients",
    };

    public string PortText => Port == 0 ? "" : $"{(Tcp ? "TCP" : "UDP")} port {Port}";

    public double? DurationSeconds => Describe.Seconds(First, Last);


    /// <summary>Distinct sources that sent the server DNS queries or TCP attempts on the port, over the capture.</summary>
    public long SourcesTowardServer =>
        IsDns && Traffic.DnsQueriesTo(Server) is not null ? Traffic.DnsClientsOf(Server) : Traffic.TcpClientsOf(Server, Port);

    /// <summary>Packets the server itself sent during the capture (answers of any kind).</summary>
    public long PacketsFromServer => Traffic.PacketsSentBy(Server);

}
