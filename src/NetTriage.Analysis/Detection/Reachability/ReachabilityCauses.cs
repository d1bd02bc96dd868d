using NetTriage.Analysis.Diagnosis;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Reachability;

/// <summary>The likely causes of traffic a router reports it could not deliver (RFC 792, RFC 1812 5.2.7.1, RFC 4443 3).</summary>
internal static class ReachabilityCauses
{
    public static List<Cause> HostUnreachable(IncidentContext c)
    {
        var senders = string.Join(", ", c.SenderAddresses);
        return
        [
            Make("host-down",
                $"{c.ServerText} is down or disconnected from its network",
                0.7,
                [$"{senders} reported the host unreachable {Times(c.IcmpCount)}: the last router could not deliver to it (no ARP/neighbour answer, or a reject rule)."],
                [],
                [Phrase.Of($"Check {c.ServerText}'s power, interface and cabling; on {senders}, check the ARP/neighbour table for it (`ip neigh`).")]),
            Make("filter-host-unreachable",
                $"A filter on {senders} rejects traffic to {c.ServerText} with 'host unreachable'",
                0.3,
                ["Reject rules can be told to send host unreachable."],
                [],
                [$"Look for reject rules on {senders} for {c.ServerText}."]),
        ];
    }

    public static List<Cause> NetworkUnreachable(IncidentContext c)
    {
        var senders = string.Join(", ", c.SenderAddresses);
        return
        [
            Make("missing-route",
                $"{senders} has no route to {c.ServerText}'s network",
                0.8,
                [$"{senders} answered {Times(c.IcmpCount)} with network unreachable: its routing table has no path to {c.ServerText}."],
                [],
                [Phrase.Of($"On {senders}, check the routing table (`ip route get {c.ServerText}`) and recent routing changes (a withdrawn route, a link down).")]),
        ];
    }

    public static List<Cause> TtlExceeded(IncidentContext c)
    {
        var senders = string.Join(", ", c.SenderAddresses);
        return
        [
            Make("routing-loop",
                $"A routing loop near {senders} keeps packets to {c.ServerText} from arriving",
                0.45,
                [$"{senders} reported the time to live exceeded {Times(c.IcmpCount)}."],
                ["Traceroute and ping with a small TTL cause the same errors on purpose."],
                [Phrase.Of($"Run `traceroute {c.ServerText}` and look for repeating hops; check the routes on {senders}.")]),
            Make("small-ttl",
                "The packets were sent with a small TTL on purpose (a traceroute or a ping with -t)",
                0.4,
                [],
                [],
                ["Check what sent the packets; a traceroute's errors are expected."]),
        ];
    }
}
