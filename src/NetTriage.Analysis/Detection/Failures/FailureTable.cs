using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection.Failures;

/// <summary>Which finding a failure belongs to: its kind and the service it failed toward.</summary>
internal readonly record struct FailureGroupKey(FindingKind Kind, IpAddr Server, ushort Port, byte Transport);

/// <summary>ICMP errors of one sender and one meaning.</summary>
internal readonly record struct IcmpSenderKey(IpAddr Sender, bool IsV6, byte Type, byte Code, bool FromTarget);

/// <summary>Failed queries for one (client, name): how many, and the first and last query time.</summary>
internal struct NameTally
{
    public long Count;
    public PacketTimestamp First;
    public PacketTimestamp Last;
}

/// <summary>
/// The failures of one kind toward one service, as they happen: the first ones kept in detail (the evidence a
/// report lists and the rules read), every one counted. What is not kept in detail still counts exactly: its
/// number, its time window, its clients, the ICMP senders, and what the detection rules need of it.
/// </summary>
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
    /// <summary>How many failed queries not kept asked each (client, name), for the rules that drop some (NXDOMAIN).</summary>
    public Dictionary<(IpAddr Client, string Name), NameTally> UnkeptNames { get; } = [];

    public void AddUnkeptTime(PacketTimestamp time)
    {
        // Times of kind None (text without time stamps) count as the kept ones' do: they order by their value.
        if (UnkeptFirst is not { } first || time.Nanoseconds < first.Nanoseconds) UnkeptFirst = time;
        if (UnkeptLast is not { } last || time.Nanoseconds > last.Nanoseconds) UnkeptLast = time;
    }
}

/// <summary>
/// The failures by finding (kind and service), bounded: at most <see cref="AnalysisOptions.MaxFailureGroups"/>
/// groups, <see cref="AnalysisOptions.MaxFailureRecords"/> failures kept in detail over all of them (each keeps its
/// first <see cref="MinKeptPerGroup"/> whatever the budget), and <see cref="AnalysisOptions.MaxFailureSummaryEntries"/>
/// clients, names and senders remembered of the others.
/// </summary>
internal sealed class FailureTable(AnalysisOptions options)
{
    /// <summary>Failures every finding keeps in detail, whatever the budget, so each has evidence to show.</summary>
    private const int MinKeptPerGroup = 8;

    private readonly AnalysisOptions _options = options;
    private readonly Dictionary<FailureGroupKey, FailureGroup> _groups = [];
    private int _keptFailures;
    private int _summaryEntries;
    /// <summary>The group last looked up: a failure's group is asked for twice in a row (would it be kept? keep it).</summary>
    private FailureGroup? _lastGroup;

    public AnalysisOptions Options => _options;

    /// <summary>The failures by finding, in the order each group began.</summary>
    public IEnumerable<FailureGroup> Groups => _groups.Values.OrderBy(g => g.Order);
    /// <summary>Failures of a kind and service past the table of groups: counted here only.</summary>
    public long Uncounted { get; private set; }
    /// <summary>Clients, names or senders of failures not kept in detail were past their budget.</summary>
    public bool SummaryCapped { get; private set; }

    /// <summary>The group of a failure, or null (counted in <see cref="Uncounted"/> by <see cref="CountUngrouped"/>) past the table.</summary>
    public FailureGroup? GroupOf(FindingKind kind, IpAddr server, ushort port, byte transport)
    {
        var key = new FailureGroupKey(kind, server, port, transport);
        if (_lastGroup is { } last && last.Key.Equals(key)) return last;
        if (_groups.TryGetValue(key, out var group)) return _lastGroup = group;
        if (_groups.Count >= _options.MaxFailureGroups)
        {
            return null;
        }
        group = new FailureGroup(key, _groups.Count);
        _groups[key] = group;
        return _lastGroup = group;
    }

    public void CountUngrouped() => Uncounted++;

    public bool HasRoom(FailureGroup group) =>
        group.Kept < MinKeptPerGroup
        || (group.Kept < _options.MaxFailureRecordsPerFinding && _keptFailures < _options.MaxFailureRecords);

    public void Keep(FailureGroup group)
    {
        group.Kept++;
        _keptFailures++;
    }

    /// <summary>Spends one entry of the budget for what failures not kept in detail remember; false past it.</summary>
    public bool SummaryRoom()
    {
        if (_summaryEntries >= _options.MaxFailureSummaryEntries)
        {
            SummaryCapped = true;
            return false;
        }
        _summaryEntries++;
        return true;
    }

    public void AddUnkeptClient(FailureGroup group, IpAddr client)
    {
        if (!group.UnkeptClients.Contains(client) && SummaryRoom()) group.UnkeptClients.Add(client);
    }

    public void AddUnkeptSender(FailureGroup group, IcmpErrorRecord error)
    {
        group.UnkeptIcmp++;
        group.AddUnkeptTime(error.Packet.Time);
        var key = new IcmpSenderKey(error.Sender, error.IsV6, error.Type, error.Code, error.FromTarget);
        if (group.UnkeptSenders.TryGetValue(key, out long n)) group.UnkeptSenders[key] = n + 1;
        else if (SummaryRoom()) group.UnkeptSenders[key] = 1;
    }
}
