using NetTriage.Analysis.Tracking;
using NetTriage.Packets.Icmp;
using NetTriage.Analysis.Text;

namespace NetTriage.Analysis.Detection.Reachability;

/// <summary>
/// Traffic a router reports it could not deliver: network or host unreachable, or time to live exceeded in transit
/// (RFC 792, RFC 1812 5.2.7.1, RFC 4443 3.1 and 3.3), whether the error answered a tracked DNS query or connection
/// attempt or any other packet. One finding per kind and destination.
/// </summary>
internal sealed class ReachabilityDetection : IDetectionFamily
{
    private static FindingKind? KindOf(IcmpErrorRecord? error) => error?.Meaning switch
    {
        IcmpMeaning.NetworkUnreachable => FindingKind.NetworkUnreachable,
        IcmpMeaning.HostUnreachable => FindingKind.HostUnreachable,
        IcmpMeaning.TtlExceeded => FindingKind.TtlExceeded,
        _ => null,
    };

    public FindingKind? Classify(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error) =>
        outcome == DnsOutcome.IcmpError ? KindOf(error) : null;

    public FindingKind? Classify(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error) =>
        outcome == TcpOutcome.IcmpRejected ? KindOf(error) : null;

    public FindingKind? ClassifyUnanswered(IcmpErrorRecord error) => KindOf(error);

    public IEnumerable<FindingKindRow> Kinds =>
    [
        new()
        {
            Kind = FindingKind.HostUnreachable, Name = "host-unreachable", Layer = Layer.Network,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Sender} reported host {x.Server} unreachable ({Times(x.Failed)})",
            IncidentTitle = c => $"Host {c.ServerText} unreachable",
            Causes = ReachabilityCauses.HostUnreachable,
        },
        new()
        {
            Kind = FindingKind.NetworkUnreachable, Name = "network-unreachable", Layer = Layer.Network,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Sender} reported the network of {x.Server} unreachable ({Times(x.Failed)})",
            IncidentTitle = c => $"Network of {c.ServerText} unreachable",
            Causes = ReachabilityCauses.NetworkUnreachable,
        },
        new()
        {
            Kind = FindingKind.TtlExceeded, Name = "ttl-exceeded", Layer = Layer.Network,
            Counts = DetectedFinding.AnyFailed,
            // A traceroute or a ping with a small TTL makes these errors on purpose: a few are low, more medium.
            Severity = x => x.Failed >= 3 ? Severity.Medium : Severity.Low,
            FindingTitle = x => $"packets to {x.Server} expired in transit at {x.Sender} ({Times(x.Failed)})",
            IncidentTitle = c => $"Packets to {c.ServerText} expire in transit",
            Causes = ReachabilityCauses.TtlExceeded,
        },
    ];

    private static string Times(long n) => Describe.Count(n, "time");

}
