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
        var evidence = Evidence(g).ToList();
        var names = g.Dns.Select(a => Describe.Name(a.QName)).Distinct(StringComparer.OrdinalIgnoreCase).Take(8).ToList();
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
            Evidence = evidence.Take(t.Options.MaxEvidencePerFinding).ToList(),
            EvidenceTotal = evidence.Count,
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
        if (g.Dns.Count > 0 && t.DnsServers.TryGetValue(g.Server, out var s)) return Math.Max(s.Queries, g.Dns.Count);
        if (g.Tcp.Count > 0 && t.TcpServices.TryGetValue((g.Server, g.Port), out var svc)) return Math.Max(svc.Attempts, g.Tcp.Count);
        return g.FailedCount;
    }

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
        g.Icmp.GroupBy(e => (e.Sender, e.IsV6, e.Type, e.Code, e.FromTarget))
            .Select(x => new IcmpSender
            {
                Address = x.Key.Sender.ToString(),
                Role = x.Key.FromTarget ? "target" : "router",
                Type = x.Key.Type,
                Code = x.Key.Code,
                Description = Describe.Icmp(x.Key.IsV6, x.Key.Type, x.Key.Code),
                Count = x.LongCount(),
            })
            .OrderByDescending(s => s.Count)
            .ToList();

    /// <summary>The evidence packets, in capture order: each failed attempt and what answered it.</summary>
    public static IEnumerable<EvidencePacket> Evidence(DetectedFinding g)
    {
        var items = new List<EvidencePacket>();
        foreach (var a in g.Dns)
        {
            items.Add(Packet(a.Query, "query", Describe.QueryLine(a)));
            if (a.Icmp is not null) items.Add(Packet(a.Icmp.Packet, "icmp-error", a.Icmp.Summary));
            else if (a.Response is { } r && a.ResponseSummary is not null) items.Add(Packet(r, "response", a.ResponseSummary));
        }
        foreach (var c in g.Tcp)
        {
            items.Add(Packet(c.First, c.Syns > 1 ? $"syn (sent {c.Syns} times)" : "syn", Describe.SynLine(c)));
            if (c.Icmp is not null) items.Add(Packet(c.Icmp.Packet, "icmp-error", c.Icmp.Summary));
            else if (c.OutcomePacket is { } o && c.OutcomeSummary is not null) items.Add(Packet(o, "rst", c.OutcomeSummary));
        }
        if (g.Dns.Count == 0 && g.Tcp.Count == 0)
        {
            foreach (var e in g.Icmp) items.Add(Packet(e.Packet, "icmp-error", e.Summary));
        }
        return items.OrderBy(e => e.Input).ThenBy(e => e.Frame);
    }

    private static EvidencePacket Packet(PacketRef r, string role, string summary) => new()
    {
        Input = r.Input,
        Frame = r.Frame,
        Line = r.Line == 0 ? null : r.Line,
        Time = Describe.Time(r.Time),
        Role = role,
        Summary = summary,
    };
}
