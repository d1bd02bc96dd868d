using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection;

/// <summary>A finding with the tracked records behind it, for the diagnosis stage.</summary>
internal sealed class DetectedFinding
{
    public required string Kind { get; init; }
    public required IpAddr Server { get; init; }
    public required ushort Port { get; init; }
    /// <summary>IpProtocol of the failed traffic (UDP, TCP, or ICMP for pings).</summary>
    public required byte Transport { get; init; }
    public List<DnsAttempt> Dns { get; } = [];
    public List<TcpConnection> Tcp { get; } = [];
    public List<IcmpErrorRecord> Icmp { get; } = [];
    public Finding Finding { get; set; } = null!;

    public long FailedCount => Dns.Count + Tcp.Count + (Dns.Count + Tcp.Count == 0 ? Icmp.Count : 0);

    public PacketTimestamp FirstTime => Times().MinBy(t => t.Nanoseconds);
    public PacketTimestamp LastTime => Times().MaxBy(t => t.Nanoseconds);

    /// <summary>Every time of the finding's evidence: queries and their failures, SYNs and their answers, errors.</summary>
    public IEnumerable<PacketTimestamp> Times()
    {
        foreach (var a in Dns)
        {
            yield return a.Query.Time;
            if (a.Icmp is not null) yield return a.Icmp.Packet.Time;
            if (a.Response is { } r) yield return r.Time;
        }
        foreach (var c in Tcp)
        {
            yield return c.First.Time;
            yield return c.Last.Time;
            if (c.OutcomePacket is { } o) yield return o.Time;
        }
        foreach (var e in Icmp) yield return e.Packet.Time;
    }

    public IEnumerable<IpAddr> Clients() =>
        Dns.Select(a => a.Client).Concat(Tcp.Select(c => c.Client)).Concat(Icmp.Select(e => e.Client)).Distinct().Order();
}

/// <summary>
/// The detect stage: turns tracked failures into findings of the kinds in <see cref="FindingKinds"/>, grouped
/// by kind and service, keeping only what is a failure by the protocol's own terms (healthy traffic yields none).
/// </summary>
internal static class Detector
{
    public static List<DetectedFinding> Detect(TrafficTracker t)
    {
        var groups = new Dictionary<(string Kind, IpAddr Server, ushort Port, byte Transport), DetectedFinding>();
        DetectedFinding Group(string kind, IpAddr server, ushort port, byte transport)
        {
            if (!groups.TryGetValue((kind, server, port, transport), out var g))
            {
                g = new DetectedFinding { Kind = kind, Server = server, Port = port, Transport = transport };
                groups[(kind, server, port, transport)] = g;
            }
            return g;
        }

        foreach (var a in t.FailedDns)
        {
            string? kind = a.Outcome switch
            {
                DnsOutcome.IcmpError => KindOfIcmp(a.Icmp!, dns: true),
                DnsOutcome.Unanswered => FindingKinds.DnsNoResponse,
                DnsOutcome.Answered => a.Rcode switch
                {
                    Packets.Dns.DnsRcode.ServFail => FindingKinds.DnsServfail,
                    Packets.Dns.DnsRcode.Refused => FindingKinds.DnsRefused,
                    Packets.Dns.DnsRcode.NXDomain => FindingKinds.DnsNxdomain,
                    _ => null,
                },
                _ => null,
            };
            if (kind is null) continue;
            var g = Group(kind, a.Server, a.ServerPort, a.OverTcp ? IpProtocol.Tcp : IpProtocol.Udp);
            g.Dns.Add(a);
            if (a.Icmp is not null) g.Icmp.Add(a.Icmp);
        }

        foreach (var c in t.FailedTcp)
        {
            string? kind = c.Outcome switch
            {
                TcpOutcome.Refused => FindingKinds.TcpConnectionRefused,
                TcpOutcome.Unanswered => FindingKinds.TcpNoResponse,
                TcpOutcome.IcmpRejected => KindOfIcmp(c.Icmp!, dns: false),
                _ => null,
            };
            if (kind is null) continue;
            var g = Group(kind, c.Server, c.ServerPort, IpProtocol.Tcp);
            g.Tcp.Add(c);
            if (c.Icmp is not null) g.Icmp.Add(c.Icmp);
        }

        foreach (var e in t.IcmpErrors)
        {
            if (e.JoinedTo is not null) continue;
            string? kind = KindOfIcmp(e, dns: false);
            // Unjoined errors speak for themselves only about reachability; a port unreachable for a datagram
            // no tracked transaction sent (a late reply, a traceroute's last hop) is not a failure of a service.
            if (kind is not (FindingKinds.HostUnreachable or FindingKinds.NetworkUnreachable or FindingKinds.TtlExceeded)) continue;
            var g = Group(kind, e.Target, e.TargetPort, e.QuotedProtocol);
            g.Icmp.Add(e);
        }

        var findings = new List<DetectedFinding>();
        foreach (var g in groups.Values)
        {
            if (Keep(g, t)) findings.Add(g);
        }
        return findings;
    }

    /// <summary>What an ICMP error means for the transaction it answered (DESIGN.md, protocol facts).</summary>
    public static string? KindOfIcmp(IcmpErrorRecord e, bool dns)
    {
        if (!e.IsV6)
        {
            return (e.Type, e.Code) switch
            {
                (3, 2 or 3) => dns ? FindingKinds.DnsServerUnreachable : FindingKinds.TcpConnectionRefused,
                (3, 9 or 10 or 13) => dns ? FindingKinds.DnsBlocked : FindingKinds.TcpBlocked,
                (3, 0 or 6 or 11) => FindingKinds.NetworkUnreachable,
                (3, 1 or 7 or 12) => FindingKinds.HostUnreachable,
                (11, 0) => FindingKinds.TtlExceeded,
                _ => null,
            };
        }
        return (e.Type, e.Code) switch
        {
            (1, 4) => dns ? FindingKinds.DnsServerUnreachable : FindingKinds.TcpConnectionRefused,
            (1, 1 or 5 or 6) => dns ? FindingKinds.DnsBlocked : FindingKinds.TcpBlocked,
            (1, 0) => FindingKinds.NetworkUnreachable,
            (1, 3) => FindingKinds.HostUnreachable,
            (3, 0) => FindingKinds.TtlExceeded,
            _ => null,
        };
    }

    /// <summary>Failures that count: not a lone loss, not a search-list miss, not a query the capture cut off.</summary>
    private static bool Keep(DetectedFinding g, TrafficTracker t)
    {
        switch (g.Kind)
        {
            case FindingKinds.DnsNoResponse:
            {
                // A query is known to be unanswered when the client gave up on it and asked again, or when the
                // capture outlived it by the answer grace.
                var end = t.Last ?? default;
                long decided = g.Dns.Count(a => a.Superseded
                    || Describe.Seconds(a.Query.Time, end) is not { } s || s >= t.Options.DnsAnswerGrace.TotalSeconds);
                long queries = t.DnsServers.TryGetValue(g.Server, out var server) ? server.Queries : g.Dns.Count;
                return decided >= 1 && g.Dns.Count >= 2 && g.Dns.Count * 2 >= queries;
            }
            case FindingKinds.DnsNxdomain:
                // A name tried with a search domain appended ("www.example.com.corp.local.") and then resolved
                // without it, or a name resolved later by the same client, is not a failure.
                g.Dns.RemoveAll(a => t.TryGetResolved(a.Client, a.QName, out _) || ResolvedShorter(t, a));
                return g.Dns.Count > 0;
            case FindingKinds.TcpNoResponse:
                g.Tcp.RemoveAll(c => c.AtCaptureEnd && c.Syns < 2);
                return g.Tcp.Count > 0 && (g.Tcp.Count >= 2 || g.Tcp.Any(c => c.Syns >= 2));
            default:
                return g.FailedCount > 0;
        }
    }

    private static bool ResolvedShorter(TrafficTracker t, DnsAttempt a)
    {
        string name = a.QName;
        for (int dot = name.IndexOf('.'); dot > 0 && dot < name.Length - 1; dot = name.IndexOf('.', dot + 1))
        {
            if (t.TryGetResolved(a.Client, name[..(dot + 1)], out _)) return true;
        }
        return false;
    }
}
