using System.Globalization;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Icmp;
using NetTriage.Packets.Services;

namespace NetTriage.Analysis.Detection;

/// <summary>Makes the public <see cref="Finding"/> of a detected group: counts, window, senders, evidence.</summary>
internal static class FindingBuilder
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The finding of an activity (an attack, a scan): its family wrote the words and the figures.</summary>
    public static Finding Build(DetectedActivity a, string id)
    {
        if (a.Facts is { } facts) a.Facts = facts with { FailuresAbsorbed = a.AbsorbedTotal };
        var service = a.Port is { } port ? WellKnownServices.Of(port, a.Transport == "TCP") : default;
        return new Finding
        {
            Id = id,
            Kind = a.Kind,
            Severity = a.Severity,
            Title = a.FindingTitle(a),
            Protocol = a.Protocol,
            Transport = a.Transport,
            Service = service.Name,
            Port = a.Port,
            Server = a.Targets.Count > 0 ? a.Targets[0].ToString() : "",
            Clients = a.Actors.Select(x => x.ToString()).ToList(),
            First = Describe.Time(a.First),
            Last = Describe.Time(a.Last),
            DurationSeconds = Describe.Seconds(a.First, a.Last),
            Attempts = a.Attempts,
            Failed = a.Failed,
            Evidence = a.Evidence,
            EvidenceTotal = Math.Max(a.EvidenceTotal, a.Evidence.Count),
            Attack = a.Facts,
            Http = a.Http,
            Tls = a.Tls,
            Timing = a.Timing,
            Stall = a.Stall,
        };
    }

    /// <summary>The finding of a cause several findings share: its family wrote the words and the figures.</summary>
    public static Finding Build(SharedCause c, string id) => new()
    {
        Id = id,
        Kind = c.Kind,
        Severity = c.Severity,
        Title = c.FindingTitle,
        Protocol = c.Protocol,
        Transport = c.Transport,
        Server = c.Servers.Count > 0 ? c.Servers[0].ToString() : "",
        Clients = c.Clients.Select(x => x.ToString()).ToList(),
        First = Describe.Time(c.First),
        Last = Describe.Time(c.Last),
        DurationSeconds = Describe.Seconds(c.First, c.Last),
        Attempts = c.Attempts,
        Failed = c.Failed,
        Evidence = c.Evidence,
        EvidenceTotal = Math.Max(c.EvidenceTotal, c.Evidence.Count),
        Path = c.Path,
        Spread = c.Spread,
    };

    public static Finding Build(DetectedFinding g, string id, TrafficView traffic)
    {
        var first = g.FirstTime;
        var last = g.LastTime;
        bool tcp = g.Transport == IpProtocol.Tcp;
        var service = WellKnownServices.Of(g.Port, tcp);
        long attempts = Attempts(g, traffic);
        long failed = g.FailedCount;
        var evidence = FirstEvidence(g, traffic.Options.MaxEvidencePerFinding, distinct: false, out int evidenceTotal);
        var names = g.Names(FailureGroup.NamesKept).ConvertAll(Describe.Name);
        var figures = new FindingFigures(g, attempts, failed, names);
        return new Finding
        {
            Id = id,
            Kind = g.Kind,
            Severity = g.Row.Severity(figures),
            Title = g.Row.FindingTitle(figures),
            Protocol = service.Protocol ?? TransportName(g.Transport),
            Transport = TransportName(g.Transport),
            Service = service.Name,
            Port = g.Port == 0 ? null : g.Port,
            Server = g.Server.ToString(),
            Clients = g.Clients().Select(c => c.ToString()).ToList(),
            First = Describe.Time(first),
            Last = Describe.Time(last),
            DurationSeconds = Describe.Seconds(first, last),
            Attempts = attempts,
            Failed = failed,
            Names = names,
            IcmpSenders = Senders(g),
            Tunnels = Tunnels(g),
            Evidence = evidence.ConvertAll(e => e.Write()),
            EvidenceTotal = evidenceTotal + g.UnkeptEvidence,
        };
    }

    public static string TransportName(byte protocol) => protocol switch
    {
        IpProtocol.Udp => "UDP",
        IpProtocol.Tcp => "TCP",
        IpProtocol.Icmp => "ICMP",
        IpProtocol.Icmpv6 => "ICMPv6",
        _ => "IP protocol " + protocol.ToString(Invariant),
    };

    /// <summary>Attempts toward the finding's service over the whole capture.</summary>
    public static long Attempts(DetectedFinding g, TrafficView traffic)
    {
        if (g.Row.Attempts is { } ownCount) return Math.Max(ownCount(g, traffic) ?? 0, g.FailedCount);
        if (g.DnsFailed > 0 && traffic.DnsQueriesTo(g.Server) is { } queries) return Math.Max(queries, g.DnsFailed);
        if (g.TcpFailed > 0 && traffic.TcpAttemptsTo(g.Server, g.Port) is { } tcp) return Math.Max(tcp, g.TcpFailed);
        return g.FailedCount;
    }

    /// <summary>
    /// The usual severity: high when most attempts failed (at least two), else medium. A kind whose failures mean
    /// less (a name that does not exist, packets that expired) says so in its catalog row.
    /// </summary>
    public static Severity MostFailedSeverity(FindingFigures x) =>
        x.Attempts > 0 && x.Failed * 2 >= x.Attempts && x.Failed >= 2 ? Severity.High : Severity.Medium;

    private static List<IcmpSender> Senders(DetectedFinding g) =>
        DetectedFinding.Ordered(g.Senders())
            .ConvertAll(x => new IcmpSender
            {
                Address = x.Key.Sender.ToString(),
                Role = x.Key.FromTarget ? "target" : "router",
                Type = x.Key.Type,
                Code = x.Key.Code,
                Description = IcmpMessages.Describe(x.Key.IsV6, x.Key.Type, x.Key.Code),
                Count = x.Count,
            });

    /// <summary>The evidence packets in the order listed (each failed attempt, then what answered it), not yet written out.</summary>
    private static IEnumerable<EvidenceSource> EvidenceSources(DetectedFinding g)
    {
        foreach (var a in g.Dns)
        {
            yield return new EvidenceSource(a.Query, EvidenceSource.Kind.Query, a);
            if (a.Icmp is not null) yield return new EvidenceSource(a.Icmp.Packet, EvidenceSource.Kind.IcmpError, a.Icmp);
            else if (a.Response is { } r && !a.ResponseLine.IsEmpty) yield return new EvidenceSource(r, EvidenceSource.Kind.Response, a);
        }
        foreach (var c in g.Tcp)
        {
            yield return new EvidenceSource(c.First, EvidenceSource.Kind.Syn, c);
            if (c.Icmp is not null) yield return new EvidenceSource(c.Icmp.Packet, EvidenceSource.Kind.IcmpError, c.Icmp);
            else if (c.OutcomePacket is { } o && !c.OutcomeLine.IsEmpty) yield return new EvidenceSource(o, EvidenceSource.Kind.Reset, c);
        }
        if (g.DnsFailed + g.TcpFailed == 0)
        {
            foreach (var e in g.Icmp) yield return new EvidenceSource(e.Packet, EvidenceSource.Kind.IcmpError, e);
        }
    }

    /// <summary>
    /// The first <paramref name="limit"/> evidence packets in capture order (input, then frame; packets of the same
    /// frame in the order listed), not yet written out, and in <paramref name="total"/> how many there are: a finding
    /// may rest on thousands of attempts while a report shows a few dozen, so only those shown are sorted and written.
    /// With <paramref name="distinct"/>, a frame listed twice counts once (its first listing).
    /// </summary>
    public static List<EvidenceSource> FirstEvidence(DetectedFinding g, int limit, bool distinct, out int total)
    {
        var first = new List<(EvidenceSource Source, int Order)>();
        total = 0;
        foreach (var source in EvidenceSources(g))
        {
            int order = total++;
            if (first.Count == limit && !Before(source, order, first[^1])) continue;
            // Where it goes among those kept (they are few), and whether its frame is there already.
            int at = first.Count;
            while (at > 0 && Before(source, order, first[at - 1])) at--;
            if (distinct && first.Exists(x => x.Source.Input == source.Input && x.Source.Frame == source.Frame)) continue;
            first.Insert(at, (source, order));
            if (first.Count > limit) first.RemoveAt(first.Count - 1);
        }
        return first.ConvertAll(x => x.Source);
    }

    private static bool Before(EvidenceSource source, int order, (EvidenceSource Source, int Order) other) =>
        source.Input != other.Source.Input ? source.Input < other.Source.Input
        : source.Frame != other.Source.Frame ? source.Frame < other.Source.Frame
        : order < other.Order;

    /// <summary>An evidence packet before its text is made: where it is, what it is, and the record that tells about it.</summary>
    internal readonly record struct EvidenceSource(PacketRef Packet, EvidenceSource.Kind Role, object Record)
    {
        public enum Kind : byte
        {
            Query,
            Response,
            IcmpError,
            Syn,
            Reset,
        }

        public int Input => Packet.Input;
        public long Frame => Packet.Frame;

        public EvidencePacket Write() => Role switch
        {
            Kind.Query => FindingBuilder.Packet(Packet, "query", QueryLine((DnsAttempt)Record)),
            Kind.Response => FindingBuilder.Packet(Packet, "response", ((DnsAttempt)Record).ResponseSummary!),
            Kind.IcmpError => FindingBuilder.Packet(Packet, "icmp-error", ((IcmpErrorRecord)Record).Summary),
            Kind.Syn => SynPacket((TcpConnection)Record),
            _ => FindingBuilder.Packet(Packet, "rst", ((TcpConnection)Record).OutcomeSummary!),
        };

        private EvidencePacket SynPacket(TcpConnection c) =>
            FindingBuilder.Packet(Packet, c.Syns > 1 ? $"syn (sent {c.Syns} times)" : "syn", SynLine(c));
    }

    private static string QueryLine(DnsAttempt a) =>
        TcpdumpLineFormatter.DnsQueryLine(a.IsV6, a.Client, a.ClientPort, a.Server, a.ServerPort, a.OverTcp, a.Id, a.RecursionDesired, a.QType, a.QName, a.MessageLength, a.Opcode)
        + InTunnel(a.Tunnel);

    private static string SynLine(TcpConnection c) =>
        TcpdumpLineFormatter.SynLine(c.IsV6, c.Client, c.ClientPort, c.Server, c.ServerPort, c.InitialSequence, c.Window)
        + InTunnel(c.Tunnel);

    private static List<string>? Tunnels(DetectedFinding g)
    {
        var tunnels = g.Dns.Select(a => a.Tunnel).Concat(g.Tcp.Select(c => c.Tunnel)).OfType<string>()
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return tunnels.Count == 0 ? null : tunnels;
    }

    /// <summary>" (in GRE between A and B)" after a packet that came through a tunnel, as EvidenceLines writes it.</summary>
    private static string InTunnel(string? tunnel) => tunnel is null ? "" : " (" + tunnel + ")";

    internal static EvidencePacket Packet(PacketRef r, string role, string summary) => new()
    {
        Input = r.Input,
        Frame = r.Frame,
        Line = r.Line == 0 ? null : r.Line,
        Time = Describe.Time(r.Time),
        Role = role,
        Summary = summary,
    };
}
