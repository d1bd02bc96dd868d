using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>Which finding a failure belongs to: its kind and the service it failed toward.</summary>
/// <remarks>
/// The kind is always one of the <see cref="FindingKinds"/> constants, so it is compared by reference: the key is
/// looked up for every failure, and hashing the kind's characters each time would be the larger part of it.
/// </remarks>
internal readonly struct FailureGroupKey(string kind, IpAddr server, ushort port, byte transport) : IEquatable<FailureGroupKey>
{
    public string Kind { get; } = kind;
    public IpAddr Server { get; } = server;
    public ushort Port { get; } = port;
    public byte Transport { get; } = transport;

    public bool Equals(FailureGroupKey other) =>
        ReferenceEquals(Kind, other.Kind) && Server == other.Server && Port == other.Port && Transport == other.Transport;

    public override bool Equals(object? obj) => obj is FailureGroupKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Kind), Server, Port, Transport);
}

/// <summary>ICMP errors of one sender and one meaning.</summary>
internal readonly record struct IcmpSenderKey(IpAddr Sender, bool IsV6, byte Type, byte Code, bool FromTarget);

/// <summary>
/// The failures of one kind toward one service, as they happen: the first ones kept in detail (the evidence a
/// report lists and the rules read), every one counted. What is not kept in detail still counts exactly: its
/// number, its time window, its clients, the ICMP senders, and what the detection rules need of it.
/// </summary>
/// <summary>Failed queries for one (client, name): how many, and the first and last query time.</summary>
internal struct NameTally
{
    public long Count;
    public PacketTimestamp First;
    public PacketTimestamp Last;
}

internal sealed class FailureGroup(FailureGroupKey key, int order)
{
    public FailureGroupKey Key { get; } = key;
    /// <summary>Order of creation, which is the order of the first failure's decision.</summary>
    public int Order { get; } = order;

    /// <summary>Failed DNS attempts kept in detail, in the order decided.</summary>
    public List<DnsAttempt> Dns { get; } = [];
    /// <summary>Failed TCP attempts kept in detail, in the order decided.</summary>
    public List<TcpConnection> Tcp { get; } = [];
    /// <summary>ICMP errors kept in detail: those answering the kept attempts, and errors that answered no attempt.</summary>
    public List<IcmpErrorRecord> Icmp { get; } = [];
    /// <summary>Failures kept in detail (an attempt and its error count once).</summary>
    public int Kept { get; set; }

    // ---- failures not kept in detail: counted --------------------------------------------------

    public long UnkeptDns { get; set; }
    /// <summary>Unanswered queries not kept that are known to be unanswered: superseded, or older than the answer grace.</summary>
    public long UnkeptDnsDecided { get; set; }
    /// <summary>
    /// Query times (ns) of unanswered queries not kept, decided less than the answer grace after they were sent: known
    /// to be unanswered once the capture outlives them by the grace, which only its end can tell. Those older than
    /// the grace move to <see cref="UnkeptDnsDecided"/> as capture time goes on, so this holds the last few seconds.
    /// </summary>
    public Queue<long> UnkeptUndecided { get; } = new();
    public const int MaxUndecided = 10_000;
    public long UnkeptTcp { get; set; }
    /// <summary>TCP attempts not kept whose SYN was sent more than once.</summary>
    public long UnkeptTcpRetried { get; set; }
    /// <summary>TCP attempts not kept that the server refused with a reset.</summary>
    public long UnkeptTcpReset { get; set; }
    public long UnkeptIcmp { get; set; }
    /// <summary>Evidence packets the failed attempts not kept would have listed (their queries or SYNs and answers).</summary>
    public long UnkeptEvidence { get; set; }
    /// <summary>ICMP errors not kept that answered no attempt (they are evidence only of a finding without attempts).</summary>
    public long UnkeptUnjoinedIcmp { get; set; }
    /// <summary>The first failed connection, kept or not, whose client had resolved the server's address shortly before.</summary>
    public (IpAddr Client, Resolution Answer)? FirstResolution { get; set; }
    public bool UnkeptRetransmissions { get; set; }
    public bool UnkeptAtCaptureEnd { get; set; }
    public PacketTimestamp? UnkeptFirst { get; set; }
    public PacketTimestamp? UnkeptLast { get; set; }
    public HashSet<IpAddr> UnkeptClients { get; } = [];
    public Dictionary<IcmpSenderKey, long> UnkeptSenders { get; } = [];
    /// <summary>The first distinct names (up to <see cref="NamesKept"/>) the failed queries not kept asked for.</summary>
    public List<string> UnkeptNameSample { get; } = [];
    public const int NamesKept = 8;
    /// <summary>NXDOMAIN only: how many failed queries not kept asked each (client, name), for the rules that drop some.</summary>
    public Dictionary<(IpAddr Client, string Name), NameTally> UnkeptNames { get; } = [];

    public void AddUnkeptTime(PacketTimestamp time)
    {
        // Times of kind None (text without time stamps) count as the kept ones' do: they order by their value.
        if (UnkeptFirst is not { } first || time.Nanoseconds < first.Nanoseconds) UnkeptFirst = time;
        if (UnkeptLast is not { } last || time.Nanoseconds > last.Nanoseconds) UnkeptLast = time;
    }
}

internal sealed partial class TrafficTracker
{
    /// <summary>Failures every finding keeps in detail, whatever the budget, so each has evidence to show.</summary>
    private const int MinKeptPerGroup = 8;

    private readonly Dictionary<FailureGroupKey, FailureGroup> _failureGroups = [];
    private int _keptFailures;
    private int _failureSummaryEntries;

    /// <summary>The failures by finding, in the order each group began.</summary>
    public IEnumerable<FailureGroup> FailureGroups => _failureGroups.Values.OrderBy(g => g.Order);
    /// <summary>Failures of a kind and service past the table of groups: counted here only.</summary>
    public long FailuresUncounted { get; private set; }
    /// <summary>Clients, names or senders of failures not kept in detail were past their budget.</summary>
    public bool FailureSummaryCapped { get; private set; }

    /// <summary>The group last looked up: a failure's group is asked for twice in a row (would it be kept? keep it).</summary>
    private FailureGroup? _lastGroup;

    private FailureGroup? GroupOf(string kind, IpAddr server, ushort port, byte transport)
    {
        var key = new FailureGroupKey(kind, server, port, transport);
        if (_lastGroup is { } last && last.Key.Equals(key)) return last;
        if (_failureGroups.TryGetValue(key, out var group)) return _lastGroup = group;
        if (_failureGroups.Count >= _options.MaxFailureGroups)
        {
            return null;
        }
        group = new FailureGroup(key, _failureGroups.Count);
        _failureGroups[key] = group;
        return _lastGroup = group;
    }

    private bool HasRoom(FailureGroup group) =>
        group.Kept < MinKeptPerGroup
        || (group.Kept < _options.MaxFailureRecordsPerFinding && _keptFailures < _options.MaxFailureRecords);

    /// <summary>Whether a failure of this kind toward this service would be kept in detail (so its packet lines are worth making).</summary>
    private bool WouldKeep(string? kind, IpAddr server, ushort port, byte transport) =>
        kind is not null && GroupOf(kind, server, port, transport) is { } group && HasRoom(group);

    private void Keep(FailureGroup group)
    {
        group.Kept++;
        _keptFailures++;
    }

    /// <summary>Spends one entry of the budget for what failures not kept in detail remember; false past it.</summary>
    private bool SummaryRoom()
    {
        if (_failureSummaryEntries >= _options.MaxFailureSummaryEntries)
        {
            FailureSummaryCapped = true;
            return false;
        }
        _failureSummaryEntries++;
        return true;
    }

    private void AddUnkeptClient(FailureGroup group, IpAddr client)
    {
        if (!group.UnkeptClients.Contains(client) && SummaryRoom()) group.UnkeptClients.Add(client);
    }

    private void AddUnkeptSender(FailureGroup group, IcmpErrorRecord error)
    {
        group.UnkeptIcmp++;
        group.AddUnkeptTime(error.Packet.Time);
        var key = new IcmpSenderKey(error.Sender, error.IsV6, error.Type, error.Code, error.FromTarget);
        if (group.UnkeptSenders.TryGetValue(key, out long n)) group.UnkeptSenders[key] = n + 1;
        else if (SummaryRoom()) group.UnkeptSenders[key] = 1;
    }

    /// <summary>A DNS attempt that failed: kept in detail (never reused) if its finding has room, else counted.</summary>
    private void RecordFailure(DnsAttempt attempt)
    {
        string? kind = Detector.KindOf(attempt.Outcome, attempt.Rcode, attempt.Icmp);
        if (kind is null) return; // an error no finding reports (FORMERR, NOTIMP, ...): counted in the statistics only
        var group = GroupOf(kind, attempt.Server, attempt.ServerPort, attempt.OverTcp ? IpProtocol.Tcp : IpProtocol.Udp);
        if (group is null)
        {
            FailuresUncounted++;
            return;
        }
        if (HasRoom(group))
        {
            Keep(group);
            attempt.Kept = true;
            group.Dns.Add(attempt);
            if (attempt.Icmp is not null) group.Icmp.Add(attempt.Icmp);
            return;
        }
        group.UnkeptDns++;
        group.UnkeptEvidence++;
        group.AddUnkeptTime(attempt.Query.Time);
        if (kind == FindingKinds.DnsNoResponse) CountDecided(group, attempt);
        group.UnkeptAtCaptureEnd |= attempt.AtCaptureEnd;
        group.UnkeptRetransmissions |= attempt.IsRetransmission;
        AddUnkeptClient(group, attempt.Client);
        if (attempt.Icmp is { } error)
        {
            group.UnkeptEvidence++;
            AddUnkeptSender(group, error);
        }
        else if (attempt.Response is { } response && attempt.Rcode != 0)
        {
            group.UnkeptEvidence++;
            group.AddUnkeptTime(response.Time);
        }
        if (group.UnkeptNameSample.Count < FailureGroup.NamesKept && !group.UnkeptNameSample.Contains(attempt.QName, StringComparer.OrdinalIgnoreCase))
        {
            group.UnkeptNameSample.Add(attempt.QName);
        }
        if (kind == FindingKinds.DnsNxdomain)
        {
            var name = (attempt.Client, attempt.QName);
            ref var tally = ref CollectionsMarshal.GetValueRefOrNullRef(group.UnkeptNames, name);
            if (!Unsafe.IsNullRef(ref tally))
            {
                tally.Count++;
                tally.Last = attempt.Response?.Time ?? attempt.Query.Time;
            }
            else if (SummaryRoom())
            {
                group.UnkeptNames[name] = new NameTally { Count = 1, First = attempt.Query.Time, Last = attempt.Response?.Time ?? attempt.Query.Time };
            }
        }
    }

    /// <summary>
    /// The rule of dns-no-response for a query not kept: known to be unanswered when superseded, or when the capture
    /// outlives it by the answer grace (decided now if it is already that old, else when the end is known).
    /// </summary>
    private void CountDecided(FailureGroup group, DnsAttempt attempt)
    {
        long grace = _options.DnsAnswerGrace.Ticks * 100;
        while (group.UnkeptUndecided.TryPeek(out long oldest) && _now.Nanoseconds - oldest >= grace)
        {
            group.UnkeptUndecided.Dequeue();
            group.UnkeptDnsDecided++;
        }
        long query = attempt.Query.Time.Nanoseconds;
        if (attempt.Superseded || _now.Nanoseconds - query >= grace) group.UnkeptDnsDecided++;
        else if (group.UnkeptUndecided.Count < FailureGroup.MaxUndecided) group.UnkeptUndecided.Enqueue(query);
        // Past that many in a few seconds, the rest count as not known to be unanswered: the finding can only be
        // weaker for it, never made up.
    }

    /// <summary>A TCP attempt that failed: kept in detail (never reused) if its finding has room, else counted.</summary>
    private void RecordFailure(TcpConnection conn)
    {
        string? kind = Detector.KindOf(conn.Outcome, conn.Icmp);
        if (kind is null) return;
        var group = GroupOf(kind, conn.Server, conn.ServerPort, IpProtocol.Tcp);
        if (group is null)
        {
            FailuresUncounted++;
            return;
        }
        // Whether the client had resolved the address it tried (answers are remembered only for a while): the
        // first failure that had, kept in detail or not.
        if (group.FirstResolution is null && _resolutions.TryGetValue((conn.Client, conn.Server), out var resolution))
        {
            group.FirstResolution = (conn.Client, resolution);
        }
        if (HasRoom(group))
        {
            Keep(group);
            conn.Kept = true;
            group.Tcp.Add(conn);
            if (conn.Icmp is not null) group.Icmp.Add(conn.Icmp);
            return;
        }
        // An attempt cut off by the end of the capture after a single SYN is no evidence of a silent service
        // (the detection rule drops the kept ones alike).
        if (kind == FindingKinds.TcpNoResponse && conn.AtCaptureEnd && conn.Syns < 2) return;
        group.UnkeptTcp++;
        group.UnkeptEvidence++;
        group.AddUnkeptTime(conn.First.Time);
        group.AddUnkeptTime(conn.Last.Time);
        if (conn.Syns > 1)
        {
            group.UnkeptTcpRetried++;
            group.UnkeptRetransmissions = true;
        }
        group.UnkeptAtCaptureEnd |= conn.AtCaptureEnd;
        AddUnkeptClient(group, conn.Client);
        if (conn.Icmp is { } error)
        {
            group.UnkeptEvidence++;
            AddUnkeptSender(group, error);
        }
        else if (conn.OutcomePacket is { } outcome)
        {
            if (conn.Outcome == TcpOutcome.Refused)
            {
                group.UnkeptEvidence++;
                group.UnkeptTcpReset++;
            }
            group.AddUnkeptTime(outcome.Time);
        }
    }
}
