using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.Reachability;
using NetTriage.Analysis.Detection.ServiceFailures;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Detection.ZoneMaintenance;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection;

/// <summary>
/// One row per finding kind: everything the stages after tracking need to know of it, so that no other code
/// switches over kinds. Rows are written in the folder of their detection family (as Zeek keeps a detection in one
/// script), next to its state, thresholds and rules; this catalog only lists the families.
/// </summary>
internal abstract record KindRow
{
    public required FindingKind Kind { get; init; }
    /// <summary>The stable identifier the JSON and the documentation use.</summary>
    public required string Name { get; init; }
    public required Layer Layer { get; init; }
}

/// <summary>
/// The row of a kind of activity (an attack, a scan, a diagnostic): detected from the packets by its family's
/// detector (<see cref="Activity.ActivityDetector"/>), which also writes its finding and incident.
/// </summary>
internal sealed record ActivityKindRow : KindRow;

/// <summary>The row of a kind of failure: recorded from the facts tracking hands over, judged by its rules.</summary>
internal sealed record FindingKindRow : KindRow
{
    /// <summary>Findings of a DNS kind about one server form one incident, whatever their port and kind.</summary>
    public bool Dns { get; init; }
    /// <summary>The attempts toward the finding's service, when the kind counts them its own way (else its server's DNS queries or TCP attempts).</summary>
    public Func<DetectedFinding, TrafficView, long?>? Attempts { get; init; }
    /// <summary>The detection rule: whether the failures recorded for a finding are a failure worth reporting.</summary>
    public required Func<DetectedFinding, TrafficView, bool> Counts { get; init; }
    /// <summary>The finding's severity from its failed and attempted counts.</summary>
    public required Func<FindingFigures, Severity> Severity { get; init; }
    /// <summary>One sentence saying what happened, with the counts.</summary>
    public required Func<FindingFigures, string> FindingTitle { get; init; }
    /// <summary>The incident's headline when this kind is its main finding.</summary>
    public required Func<IncidentContext, string> IncidentTitle { get; init; }
    /// <summary>The first sentence of the incident's summary, when the kind words it its own way (else the finding's title and when).</summary>
    public Func<IncidentContext, string, string?>? SummaryLead { get; init; }
    /// <summary>The likely causes of an incident whose main finding is of this kind, not yet ranked.</summary>
    public required Func<IncidentContext, List<Cause>> Causes { get; init; }
    /// <summary>What the kind's rule needs remembered of a failed query not kept in detail, beyond what every finding keeps.</summary>
    public Action<FailureTable, FailureGroup, DnsAttempt, PacketTimestamp>? CountUnkeptDns { get; init; }
    /// <summary>A failed connection not kept in detail that the kind's rule does not count at all.</summary>
    public Func<TcpConnection, bool>? IgnoresUnkeptTcp { get; init; }
}

/// <summary>The counts and words a finding's title and severity are made of.</summary>
internal sealed record FindingFigures(DetectedFinding Finding, long Attempts, long Failed, IReadOnlyList<string> Names)
{
    public string Server => Finding.Server.ToString();
    /// <summary>"all 3" or "2 of 3".</summary>
    public string Of => Failed == Attempts ? $"all {Attempts}" : $"{Failed} of {Attempts}";
    public string Queries => Attempts == 1 ? "query" : "queries";
    public string Connections => Attempts == 1 ? "connection attempt" : "connection attempts";
    /// <summary>" for NAME" or " for NAME and N other name(s)", or nothing.</summary>
    public string ForNames => Names.Count > 0 ? $" for {Names[0]}" + (Names.Count > 1 ? $" and {Names.Count - 1} other name(s)" : "") : "";
    /// <summary>The sender of the first ICMP error kept, else the server.</summary>
    public string Sender => Finding.Icmp.Count > 0 ? Finding.Icmp[0].Sender.ToString() : Server;
    public ushort Port => Finding.Port;
}

/// <summary>
/// A family of detections: the kinds it reports (its catalog rows) and how it reads the facts tracking hands over.
/// A classifier returns null for a fact that is not its family's; the families are asked in catalog order.
/// </summary>
internal interface IDetectionFamily
{
    IEnumerable<FindingKindRow> Kinds { get; }

    /// <summary>The kind of a DNS query that ended with <paramref name="outcome"/> (its rcode on the attempt), or null.</summary>
    FindingKind? Classify(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error);

    /// <summary>The kind of a connection attempt that ended with <paramref name="outcome"/>, or null.</summary>
    FindingKind? Classify(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error);

    /// <summary>The kind of an ICMP error that answered no tracked transaction, or null.</summary>
    FindingKind? ClassifyUnanswered(IcmpErrorRecord error);
}

internal static class FindingCatalog
{
    /// <summary>The detection families, in the order they are asked to classify a fact.</summary>
    public static readonly IDetectionFamily[] Families = [new ZoneMaintenanceDetection(), new ServiceFailureDetection(), new ReachabilityDetection()];

    /// <summary>The families of activity detection: their kinds (each detector's state is made per analysis).</summary>
    public static readonly IReadOnlyList<ActivityKindRow> ActivityKinds = [.. ActivitySensors.Kinds, .. SharedCauseFamilies.Kinds];

    private static readonly KindRow[] Rows = Build();

    private static KindRow[] Build()
    {
        var kinds = Enum.GetValues<FindingKind>();
        var rows = new KindRow[kinds.Length];
        foreach (var row in Families.SelectMany(f => f.Kinds).Cast<KindRow>().Concat(ActivityKinds))
        {
            if (rows[(int)row.Kind] is not null) throw new InvalidOperationException($"finding kind {row.Kind} has two catalog rows");
            rows[(int)row.Kind] = row;
        }
        var missing = kinds.Where(k => rows[(int)k] is null).ToList();
        if (missing.Count > 0) throw new InvalidOperationException("finding kinds without a catalog row: " + string.Join(", ", missing));
        return rows;
    }

    /// <summary>The row of a failure kind (the kinds of failure findings and their incidents).</summary>
    public static FindingKindRow Of(FindingKind kind) => Rows[(int)kind] as FindingKindRow
        ?? throw new InvalidOperationException($"{kind} is a kind of activity, not of failure");

    public static KindRow RowOf(FindingKind kind) => Rows[(int)kind];

    public static IReadOnlyList<KindRow> All => Rows;

    public static FindingKind? ByName(string name) =>
        Array.Find(Rows, r => string.Equals(r.Name, name, StringComparison.Ordinal))?.Kind;

    public static FindingKind? Classify(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error)
    {
        // Loops over the array (here and below): a failure must not allocate an enumerator.
        for (int i = 0; i < Families.Length; i++)
        {
            if (Families[i].Classify(attempt, outcome, error) is { } kind) return kind;
        }
        return null;
    }

    public static FindingKind? Classify(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error)
    {
        for (int i = 0; i < Families.Length; i++)
        {
            if (Families[i].Classify(conn, outcome, error) is { } kind) return kind;
        }
        return null;
    }

    public static FindingKind? ClassifyUnanswered(IcmpErrorRecord error)
    {
        for (int i = 0; i < Families.Length; i++)
        {
            if (Families[i].ClassifyUnanswered(error) is { } kind) return kind;
        }
        return null;
    }
}
