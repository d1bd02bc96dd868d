using System.Globalization;
using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>Makes the public <see cref="Finding"/> of a detected group: counts, window, senders, evidence.</summary>
internal static class FindingBuilder
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Finding Build(DetectedFinding g, string id, TrafficTracker t)
    {
        var first = g.FirstTime;
        var last = g.LastTime;
        bool tcp = g.Transport == IpProtocol.Tcp;
        var (serviceName, protocol, _) = Describe.Service(g.Port, tcp);
        long attempts = Attempts(g, t);
        long failed = g.FailedCount;
        var evidence = FirstEvidence(g, t.Options.MaxEvidencePerFinding, distinct: false, out int evidenceTotal);
        var names = g.Names(FailureGroup.NamesKept).ConvertAll(Describe.Name);
        return new Finding
        {
            Id = id,
            Kind = g.Kind,
            Severity = Severity(g, attempts, failed),
            Title = Title(g, attempts, failed, names),
            Protocol = protocol ?? TransportName(g.Transport),
            Transport = TransportName(g.Transport),
            Service = serviceName,
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
            Evidence = evidence.ConvertAll(e => e.Write()),
            EvidenceTotal = evidenceTotal + UnkeptEvidence(g),
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
    public static long Attempts(DetectedFinding g, TrafficTracker t)
    {
        if (g.DnsFailed > 0 && t.DnsServers.TryGetValue(g.Server, out var s)) return Math.Max(s.Queries, g.DnsFailed);
        if (g.TcpFailed > 0 && t.TcpServices.TryGetValue((g.Server, g.Port), out var svc)) return Math.Max(svc.Attempts, g.TcpFailed);
        return g.FailedCount;
    }

    /// <summary>Evidence packets of the failures not kept in detail (an NXDOMAIN query and its answer for those that count).</summary>
    private static long UnkeptEvidence(DetectedFinding g) =>
        g.Kind == FindingKinds.DnsNxdomain ? 2 * g.UnkeptDns : g.UnkeptEvidence;

    private static string Severity(DetectedFinding g, long attempts, long failed)
    {
        bool most = attempts > 0 && failed * 2 >= attempts;
        return g.Kind switch
        {
            FindingKinds.TtlExceeded => failed >= 3 ? Severities.Medium : Severities.Low,
            FindingKinds.DnsNxdomain => Severities.Medium,
            _ when most && failed >= 2 => Severities.High,
            _ => Severities.Medium,
        };
    }

    private static string Title(DetectedFinding g, long attempts, long failed, IReadOnlyList<string> names)
    {
        string server = g.Server.ToString();
        string of = failed == attempts ? $"all {attempts}" : $"{failed} of {attempts}";
        string queries = attempts == 1 ? "query" : "queries";
        string name = names.Count > 0 ? $" for {names[0]}" + (names.Count > 1 ? $" and {names.Count - 1} other name(s)" : "") : "";
        string connections = attempts == 1 ? "connection attempt" : "connection attempts";
        var sender = g.Icmp.Count > 0 ? g.Icmp[0].Sender.ToString() : server;
        return g.Kind switch
        {
            FindingKinds.DnsServerUnreachable => $"DNS server {server} answered {of} {queries}{name} with ICMP port unreachable",
            FindingKinds.DnsBlocked => $"{of} DNS {queries} to {server}{name} were rejected as administratively prohibited by {sender}",
            FindingKinds.DnsNoResponse => $"{of} DNS {queries} to {server}{name} got no answer at all",
            FindingKinds.DnsServfail => $"DNS server {server} answered {of} {queries}{name} with SERVFAIL",
            FindingKinds.DnsRefused => $"DNS server {server} refused {of} {queries}{name}",
            FindingKinds.DnsNxdomain => $"DNS server {server} answered {of} {queries}{name} with NXDOMAIN (no such name)",
            FindingKinds.TcpConnectionRefused => $"{of} TCP {connections} to {server} port {g.Port} were refused",
            FindingKinds.TcpNoResponse => $"{of} TCP {connections} to {server} port {g.Port} got no answer",
            FindingKinds.TcpBlocked => $"{of} TCP {connections} to {server} port {g.Port} were rejected as administratively prohibited by {sender}",
            FindingKinds.HostUnreachable => $"{sender} reported host {server} unreachable ({Describe.Count(failed, "time")})",
            FindingKinds.NetworkUnreachable => $"{sender} reported the network of {server} unreachable ({Describe.Count(failed, "time")})",
            FindingKinds.TtlExceeded => $"packets to {server} expired in transit at {sender} ({Describe.Count(failed, "time")})",
            _ => $"{g.Kind} for {server}",
        };
    }

    private static List<IcmpSender> Senders(DetectedFinding g) =>
        DetectedFinding.Ordered(g.Senders())
            .ConvertAll(x => new IcmpSender
            {
                Address = x.Key.Sender.ToString(),
                Role = x.Key.FromTarget ? "target" : "router",
                Type = x.Key.Type,
                Code = x.Key.Code,
                Description = Describe.Icmp(x.Key.IsV6, x.Key.Type, x.Key.Code),
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
            Kind.Query => FindingBuilder.Packet(Packet, "query", Describe.QueryLine((DnsAttempt)Record)),
            Kind.Response => FindingBuilder.Packet(Packet, "response", ((DnsAttempt)Record).ResponseSummary!),
            Kind.IcmpError => FindingBuilder.Packet(Packet, "icmp-error", ((IcmpErrorRecord)Record).Summary),
            Kind.Syn => SynPacket((TcpConnection)Record),
            _ => FindingBuilder.Packet(Packet, "rst", ((TcpConnection)Record).OutcomeSummary!),
        };

        private EvidencePacket SynPacket(TcpConnection c) =>
            FindingBuilder.Packet(Packet, c.Syns > 1 ? $"syn (sent {c.Syns} times)" : "syn", Describe.SynLine(c));
    }

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
