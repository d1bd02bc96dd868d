using NetTriage.Analysis.Detection.Paths;
using NetTriage.Analysis.Detection.Scattered;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection.SharedCauses;

/// <summary>
/// A family that recognises, once the findings are known, a cause several of them share (a gateway that forwards
/// nothing behind failures toward unrelated servers): one incident holds them. The findings stay findings, as that
/// incident's evidence; the family writes the incident's words, figures and causes, as an activity family does.
/// </summary>
internal interface ISharedCauseFamily
{
    /// <summary>
    /// Looks at <paramref name="findings"/> (those no earlier family joined) and adds what it recognises to
    /// <paramref name="found"/>; a finding belongs to one shared cause at most.
    /// </summary>
    void Find(IReadOnlyList<DetectedFinding> findings, TrafficView traffic, List<SharedCause> found);
}

/// <summary>The shared-cause families, in the order they claim findings. The list of families is here.</summary>
internal static class SharedCauseFamilies
{
    public static IReadOnlyList<ActivityKindRow> Kinds { get; } = [.. PathFailureDetection.Kinds, .. ScatteredFailureDetection.Kinds];

    // Paths first: failures a dead gateway or a router explains are not scattered, whatever their share.
    private static readonly ISharedCauseFamily[] Families = [new PathFailureDetection(), new ScatteredFailureDetection()];

    public static List<SharedCause> Find(IReadOnlyList<DetectedFinding> findings, TrafficView traffic)
    {
        var found = new List<SharedCause>();
        var free = findings.ToList();
        foreach (var family in Families)
        {
            int before = found.Count;
            family.Find(free, traffic, found);
            for (int i = before; i < found.Count; i++)
            {
                var members = found[i].Members.ToHashSet();
                free.RemoveAll(members.Contains);
            }
        }
        return found;
    }
}

/// <summary>A cause shared by several findings, with everything its finding and incident say.</summary>
internal sealed class SharedCause
{
    public required FindingKind Kind { get; init; }
    public required Severity Severity { get; init; }
    public required Layer Layer { get; init; }
    /// <summary>The protocols of the failures ("DNS, HTTP") and their transports ("UDP, TCP").</summary>
    public required string Protocol { get; init; }
    public required string Transport { get; init; }
    /// <summary>The findings the cause explains, in the order of their first failure.</summary>
    public required List<DetectedFinding> Members { get; init; }
    public required IReadOnlyList<IpAddr> Clients { get; init; }
    public required IReadOnlyList<IpAddr> Servers { get; init; }
    public required PacketTimestamp First { get; init; }
    public required PacketTimestamp Last { get; init; }
    public long Attempts { get; init; }
    public long Failed { get; init; }
    /// <summary>Path failures: the element the failures share. Scattered failures: how they spread.</summary>
    public PathFacts? Path { get; init; }
    public SpreadFacts? Spread { get; init; }
    /// <summary>Packets that show the shared element itself (the gateway's ARP claim), beside the members' evidence.</summary>
    public List<EvidencePacket> Evidence { get; init; } = [];
    /// <summary>How many evidence packets there are in all, of which <see cref="Evidence"/> lists the first (at least its count).</summary>
    public long EvidenceTotal { get; init; }
    public required Phrase FindingTitle { get; init; }
    public required string IncidentTitle { get; init; }
    public required Phrase Summary { get; init; }
    public required List<Cause> Causes { get; init; }
    public List<RuledOut> RuledOut { get; init; } = [];
    public List<Caveat> Caveats { get; init; } = [];

    public Finding Finding { get; set; } = null!;
}
