using NetTriage.Analysis.Detection.Failures;
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
    public FindingKind Kind => Group.Key.Kind;
    public FindingKindRow Row => FindingCatalog.Of(Kind);
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
    public List<string> Names(int limit) =>
        Dns.Select(a => a.QName).Concat(UnkeptNames ?? Group.UnkeptNameSample).Distinct(StringComparer.OrdinalIgnoreCase).Take(limit).ToList();

    /// <summary>The names of the failures not kept that count, when a detection rule dropped some (else the group's sample).</summary>
    public List<string>? UnkeptNames { get; set; }

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

    /// <summary>Evidence packets of the failures not kept: those of the attempts, or the errors of a finding without attempts (a rule may say otherwise).</summary>
    public long UnkeptEvidence => UnkeptEvidenceOverride ?? Group.UnkeptEvidence + (DnsFailed + TcpFailed == 0 ? Group.UnkeptUnjoinedIcmp : 0);

    /// <summary>Set by a detection rule that dropped some failures not kept: the evidence packets of those that count.</summary>
    public long? UnkeptEvidenceOverride { get; set; }

    /// <summary>The rule of the kinds whose every failure counts: a finding needs one.</summary>
    public static bool AnyFailed(DetectedFinding g, TrafficView traffic) => g.FailedCount > 0;

    public bool AnyAtCaptureEnd => Group.UnkeptAtCaptureEnd || Dns.Any(a => a.AtCaptureEnd) || Tcp.Any(c => c.AtCaptureEnd);
}
