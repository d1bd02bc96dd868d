using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection;

/// <summary>
/// A finding with the tracked records behind it, for the diagnosis stage: the failures kept in detail, and the
/// counts of those that were not (a finding may rest on more failures than are kept; its numbers are exact).
/// </summary>
internal sealed class DetectedFinding(FailureGroup group)
{
    public FailureGroup Group { get; } = group;
    public string Kind => Group.Key.Kind;
    public IpAddr Server => Group.Key.Server;
    public ushort Port => Group.Key.Port;
    /// <summary>IpProtocol of the failed traffic (UDP, TCP, or ICMP for pings).</summary>
    public byte Transport => Group.Key.Transport;
    /// <summary>Failed DNS attempts kept in detail.</summary>
    public List<DnsAttempt> Dns => Group.Dns;
    /// <summary>Failed TCP attempts kept in detail.</summary>
    public List<TcpConnection> Tcp => Group.Tcp;
    /// <summary>ICMP errors kept in detail.</summary>
    public List<IcmpErrorRecord> Icmp => Group.Icmp;
    public Finding Finding { get; set; } = null!;

    /// <summary>Failed DNS attempts not kept in detail that count (after the detection rules).</summary>
    public long UnkeptDns { get; set; }
    public long DnsFailed => Dns.Count + UnkeptDns;
    public long TcpFailed => Tcp.Count + Group.UnkeptTcp;
    public long IcmpCount => Icmp.Count + Group.UnkeptIcmp;

    public long FailedCount => DnsFailed + TcpFailed + (DnsFailed + TcpFailed == 0 ? IcmpCount : 0);

    public PacketTimestamp FirstTime => Times().DefaultIfEmpty().MinBy(t => t.Nanoseconds);
    public PacketTimestamp LastTime => Times().DefaultIfEmpty().MaxBy(t => t.Nanoseconds);

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
        if (UnkeptTimes is { } times)
        {
            foreach (var time in times) yield return time;
        }
        else
        {
            if (Group.UnkeptFirst is { } first) yield return first;
            if (Group.UnkeptLast is { } last) yield return last;
        }
    }

    /// <summary>The times and clients of the failures not kept that count, when a detection rule dropped some (else the group's).</summary>
    public List<PacketTimestamp>? UnkeptTimes { get; set; }
    public List<IpAddr>? UnkeptClients { get; set; }

    public IEnumerable<IpAddr> Clients() =>
        Dns.Select(a => a.Client).Concat(Tcp.Select(c => c.Client)).Concat(Icmp.Select(e => e.Client))
            .Concat(UnkeptClients ?? (IEnumerable<IpAddr>)Group.UnkeptClients).Distinct().Order();

    /// <summary>The first distinct names asked for (the failures kept in detail first), at most <paramref name="limit"/>.</summary>
    public List<string> Names(int limit)
    {
        var unkept = Kind == FindingKinds.DnsNxdomain ? UnkeptNxNames ?? [] : Group.UnkeptNameSample;
        return Dns.Select(a => a.QName).Concat(unkept).Distinct(StringComparer.OrdinalIgnoreCase).Take(limit).ToList();
    }

    /// <summary>NXDOMAIN: the names of the failures not kept that count (set by the detection rules).</summary>
    public List<string>? UnkeptNxNames { get; set; }

    /// <summary>ICMP errors by sender and meaning, most frequent first (ties by address, type, code): one order for every report.</summary>
    public static List<(IcmpSenderKey Key, long Count)> Ordered(IEnumerable<KeyValuePair<IcmpSenderKey, long>> senders) =>
        senders.GroupBy(s => s.Key).Select(g => (g.Key, Count: g.Sum(s => s.Value)))
            .OrderByDescending(s => s.Count).ThenBy(s => s.Key.Sender).ThenBy(s => s.Key.Type).ThenBy(s => s.Key.Code)
            .ToList();

    /// <summary>The ICMP errors by sender and meaning, kept or not.</summary>
    public Dictionary<IcmpSenderKey, long> Senders()
    {
        var senders = new Dictionary<IcmpSenderKey, long>(Group.UnkeptSenders);
        foreach (var e in Icmp)
        {
            var key = new IcmpSenderKey(e.Sender, e.IsV6, e.Type, e.Code, e.FromTarget);
            senders[key] = senders.GetValueOrDefault(key) + 1;
        }
        return senders;
    }

    /// <summary>Evidence packets of the failures not kept: those of the attempts, or the errors of a finding without attempts.</summary>
    public long UnkeptEvidence => Group.UnkeptEvidence + (DnsFailed + TcpFailed == 0 ? Group.UnkeptUnjoinedIcmp : 0);

    public bool AnyAtCaptureEnd => Group.UnkeptAtCaptureEnd || Dns.Any(a => a.AtCaptureEnd) || Tcp.Any(c => c.AtCaptureEnd);
}

/// <summary>
/// The detect stage: turns the tracked failures, grouped by kind and service as they happened, into findings of
/// the kinds in <see cref="FindingKinds"/>, keeping only what is a failure by the protocol's own terms (healthy
/// traffic yields none).
/// </summary>
internal static class Detector
{
    public static List<DetectedFinding> Detect(TrafficTracker t)
    {
        var findings = new List<DetectedFinding>();
        foreach (var group in t.FailureGroups)
        {
            var g = new DetectedFinding(group);
            if (Keep(g, t)) findings.Add(g);
        }
        return findings;
    }

    /// <summary>The finding kind of a failed DNS attempt, or null for an outcome no finding reports.</summary>
    public static string? KindOf(DnsOutcome outcome, int rcode, IcmpErrorRecord? icmp) => outcome switch
    {
        DnsOutcome.IcmpError => KindOfIcmp(icmp!, dns: true),
        DnsOutcome.Unanswered => FindingKinds.DnsNoResponse,
        DnsOutcome.Answered => rcode switch
        {
            Packets.Dns.DnsRcode.ServFail => FindingKinds.DnsServfail,
            Packets.Dns.DnsRcode.Refused => FindingKinds.DnsRefused,
            Packets.Dns.DnsRcode.NXDomain => FindingKinds.DnsNxdomain,
            _ => null,
        },
        _ => null,
    };

    /// <summary>The finding kind of a failed TCP attempt, or null.</summary>
    public static string? KindOf(TcpOutcome outcome, IcmpErrorRecord? icmp) => outcome switch
    {
        TcpOutcome.Refused => FindingKinds.TcpConnectionRefused,
        TcpOutcome.Unanswered => FindingKinds.TcpNoResponse,
        TcpOutcome.IcmpRejected => KindOfIcmp(icmp!, dns: false),
        _ => null,
    };

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
        g.UnkeptDns = g.Group.UnkeptDns;
        switch (g.Kind)
        {
            case FindingKinds.DnsNoResponse:
            {
                // A query is known to be unanswered when the client gave up on it and asked again, or when the
                // capture outlived it by the answer grace (those not kept were counted by the same rule as they
                // were decided, but for the last few, whose query times wait for the end).
                var end = t.Last ?? default;
                long grace = t.Options.DnsAnswerGrace.Ticks * 100;
                long decided = g.Group.UnkeptDnsDecided + g.Group.UnkeptUndecided.Count(q => end.Nanoseconds - q >= grace)
                    + g.Dns.Count(a => a.Superseded
                        || Describe.Seconds(a.Query.Time, end) is not { } s || s >= t.Options.DnsAnswerGrace.TotalSeconds);
                long queries = t.DnsServers.TryGetValue(g.Server, out var server) ? server.Queries : g.DnsFailed;
                return decided >= 1 && g.DnsFailed >= 2 && g.DnsFailed * 2 >= queries;
            }
            case FindingKinds.DnsNxdomain:
                // A name tried with a search domain appended ("www.example.com.corp.local.") and then resolved
                // without it, or a name resolved later by the same client, is not a failure.
                g.Dns.RemoveAll(a => Resolved(t, a.Client, a.QName));
                var failing = g.Group.UnkeptNames.Where(kv => !Resolved(t, kv.Key.Client, kv.Key.Name)).ToList();
                long unnamed = g.Group.UnkeptDns - g.Group.UnkeptNames.Values.Sum(x => x.Count);
                g.UnkeptDns = failing.Sum(kv => kv.Value.Count) + unnamed;
                g.UnkeptNxNames = failing.Select(kv => kv.Key.Name).ToList();
                if (unnamed == 0)
                {
                    // Every failure not kept is named: the window and clients are those of the names that count.
                    g.UnkeptTimes = failing.SelectMany(kv => new[] { kv.Value.First, kv.Value.Last }).ToList();
                    g.UnkeptClients = failing.Select(kv => kv.Key.Client).ToList();
                }
                return g.DnsFailed > 0;
            case FindingKinds.TcpNoResponse:
                // Those not kept were filtered alike when counted.
                g.Tcp.RemoveAll(c => c.AtCaptureEnd && c.Syns < 2);
                return g.TcpFailed > 0 && (g.TcpFailed >= 2 || g.Tcp.Any(c => c.Syns >= 2) || g.Group.UnkeptTcpRetried > 0);
            default:
                return g.FailedCount > 0;
        }
    }

    private static bool Resolved(TrafficTracker t, IpAddr client, string name) =>
        t.Resolved(client, name) || ResolvedShorter(t, client, name);

    private static bool ResolvedShorter(TrafficTracker t, IpAddr client, string name)
    {
        for (int dot = name.IndexOf('.'); dot > 0 && dot < name.Length - 1; dot = name.IndexOf('.', dot + 1))
        {
            if (t.Resolved(client, name[..(dot + 1)])) return true;
        }
        return false;
    }
}
