using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Icmp;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.ZoneMaintenance;

/// <summary>
/// The upkeep of a zone, which is DNS but not name resolution: dynamic updates (RFC 2136: a DHCP server or a host
/// registering its name) and change notifications from a zone's primary to its secondaries (RFC 1996). A refused
/// update is a failure of the update, never of the server's name service: its queries may all be answered. One
/// finding per kind and server.
/// <para>
/// Thresholds: any failed request counts (updates and notifications are rare, each one meant). A refusal by policy
/// (REFUSED, NOTAUTH, NOTZONE) is low severity: many networks refuse unsigned updates on purpose, and their clients
/// try anyway (Windows registers its name with every DHCP lease). SERVFAIL, NOTIMP, FORMERR, an ICMP error or silence
/// are a server that cannot do what it is asked: high when most requests fail (two or more), as for queries. The
/// answers to an update's prerequisites (NXDOMAIN, YXDOMAIN, YXRRSET, NXRRSET, RFC 2136 2.4) are outcomes the sender
/// asked about, not failures.
/// </para>
/// </summary>
internal sealed class ZoneMaintenanceDetection : IDetectionFamily
{
    public FindingKind? Classify(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error)
    {
        FindingKind kind;
        switch (attempt.Opcode)
        {
            case DnsOpcode.Update:
                kind = FindingKind.DnsUpdateFailed;
                break;
            case DnsOpcode.Notify:
                kind = FindingKind.DnsNotifyFailed;
                break;
            default:
                return null;
        }
        return outcome switch
        {
            DnsOutcome.Answered => IsFailure(attempt.Opcode, attempt.Rcode) ? kind : null,
            // Host or network unreachable are the path's (the reachability family's): the server was never reached.
            DnsOutcome.IcmpError => error!.Meaning is IcmpMeaning.PortUnreachable or IcmpMeaning.AdministrativelyProhibited ? kind : null,
            DnsOutcome.Unanswered => attempt.Server.IsMulticast ? null : kind,
            _ => null,
        };
    }

    /// <summary>An update's prerequisite answers (RFC 2136 2.4, 3.2) are what the sender asked to learn.</summary>
    private static bool IsFailure(int opcode, int rcode) => rcode != DnsRcode.NoError
        && !(opcode == DnsOpcode.Update && rcode is DnsRcode.NXDomain or DnsRcode.YXDomain or DnsRcode.YXRRSet or DnsRcode.NXRRSet);

    /// <summary>The server declines by its configuration: it works, and says no (RFC 2136 3.3, 3.1.1; RFC 8945 5.3 for NOTAUTH).</summary>
    private static bool IsPolicy(DnsAttempt a) => a.Outcome == DnsOutcome.Answered && a.Rcode is DnsRcode.Refused or DnsRcode.NotAuth or DnsRcode.NotZone;

    public FindingKind? Classify(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error) => null;

    public FindingKind? ClassifyUnanswered(IcmpErrorRecord error) => null;

    public IEnumerable<FindingKindRow> Kinds =>
    [
        new()
        {
            Kind = FindingKind.DnsUpdateFailed, Name = "dns-update-failed", Layer = Layer.Application, Dns = true,
            Counts = DetectedFinding.AnyFailed, Severity = SeverityOf,
            Attempts = (g, traffic) => traffic.DnsOperationsTo(g.Server, DnsOpcode.Update),
            FindingTitle = x => $"{x.Of} dynamic {(x.Attempts == 1 ? "update" : "updates")} sent to {x.Server}{Zones(x.Names)} failed: {Outcomes(x.Finding.Dns, x.Finding.UnkeptDns)}",
            IncidentTitle = c => $"DNS update failed: {c.ServerText} does not apply updates{Zones(c.Names)}",
            SummaryLead = (c, when) => $"Dynamic updates{Zones(c.Names)} failed: {OfAttempts(c)} sent by {c.ClientsText} to {c.ServerText} got {Outcomes(c.Dns, c.Findings.Sum(f => f.UnkeptDns))} {when}. Name resolution is not what failed: these requests change the zone.",
            Causes = UpdateCauses,
        },
        new()
        {
            Kind = FindingKind.DnsNotifyFailed, Name = "dns-notify-failed", Layer = Layer.Application, Dns = true,
            Counts = DetectedFinding.AnyFailed, Severity = SeverityOf,
            Attempts = (g, traffic) => traffic.DnsOperationsTo(g.Server, DnsOpcode.Notify),
            FindingTitle = x => $"{x.Of} zone change {(x.Attempts == 1 ? "notification" : "notifications")} (NOTIFY) sent to {x.Server}{Zones(x.Names)} failed: {Outcomes(x.Finding.Dns, x.Finding.UnkeptDns)}",
            IncidentTitle = c => $"DNS NOTIFY failed: {c.ServerText} does not take the zone's change notifications{Zones(c.Names)}",
            SummaryLead = (c, when) => $"Zone change notifications{Zones(c.Names)} failed: {OfAttempts(c)} sent by {c.ClientsText} to {c.ServerText} got {Outcomes(c.Dns, c.Findings.Sum(f => f.UnkeptDns))} {when}. Name resolution is not what failed: the secondary may serve an old copy of the zone.",
            Causes = NotifyCauses,
        },
    ];

    private static Severity SeverityOf(FindingFigures x) =>
        x.Finding.Dns.Count > 0 && x.Finding.Dns.TrueForAll(IsPolicy) ? Severity.Low : FindingBuilder.MostFailedSeverity(x);

    private static string Zones(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        1 => $" for zone {names[0]}",
        _ => $" for zone {names[0]} and {names.Count - 1} other zone(s)",
    };

    private static string OfAttempts(IncidentContext c) => c.FailedOfKind == c.AttemptsOfKind ? $"all {c.AttemptsOfKind}" : $"{c.FailedOfKind} of {c.AttemptsOfKind}";

    /// <summary>What the failed requests got, most frequent first: "REFUSED (2), no answer (1)"; those not kept in detail as a count.</summary>
    private static string Outcomes(IReadOnlyList<DnsAttempt> kept, long unkept)
    {
        var parts = kept.GroupBy(Outcome).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()})").ToList();
        if (unkept > 0) parts.Add($"{unkept} more not kept in detail");
        return parts.Count == 0 ? "no outcome kept" : string.Join(", ", parts);
    }

    private static string Outcome(DnsAttempt a) => a.Outcome switch
    {
        DnsOutcome.Answered => DnsNames.RcodeName(a.Rcode).ToUpperInvariant(),
        DnsOutcome.IcmpError => a.Icmp!.Meaning == IcmpMeaning.PortUnreachable ? "ICMP port unreachable" : "ICMP administratively prohibited",
        _ => "no answer",
    };

    private static long Count(IncidentContext c, Func<DnsAttempt, bool> which) => c.Dns.Count(which);

    private static List<Cause> UpdateCauses(IncidentContext c)
    {
        long refused = Count(c, a => a.Outcome == DnsOutcome.Answered && a.Rcode == DnsRcode.Refused);
        long notAuth = Count(c, a => a.Outcome == DnsOutcome.Answered && a.Rcode is DnsRcode.NotAuth or DnsRcode.NotZone);
        long failing = Count(c, a => a.Outcome == DnsOutcome.Answered && a.Rcode is DnsRcode.ServFail or DnsRcode.NotImp or DnsRcode.FormErr);
        string zone = c.Names.Count > 0 ? c.Names[0] : "the zone";
        var causes = new List<Cause>
        {
            Make("update-policy",
                $"{c.ServerText} does not accept updates of {zone} from {c.ClientsText}: its update policy excludes them, or it takes only signed updates",
                refused > 0 ? 0.8 : 0.1,
                refused > 0 ? [$"{c.ServerText} answered REFUSED {Times(refused)}: it received the update and declined it by policy (RFC 2136 3.3)."] : [],
                refused == 0 ? ["No update was answered REFUSED."] : [],
                [
                    Phrase.Of($"Check the zone's update permissions on {c.ServerText} (BIND: allow-update or update-policy; Windows DNS: \u201cSecure only\u201d dynamic updates refuse unsigned ones)."),
                    Phrase.Of($"If {c.ClientsText} should not update the zone (a client registering its own name where the DHCP server does it), the refusal is intended: stop the clients' updates instead."),
                ]),
            Make("not-primary-server",
                $"{c.ServerText} is not the primary server of {zone}, or does not accept the update's signature (TSIG key)",
                notAuth > 0 ? 0.75 : 0.1,
                notAuth > 0 ? [$"{c.ServerText} answered NOTAUTH or NOTZONE {Times(notAuth)}: it is not authoritative for the zone named, or the request's TSIG signature did not verify (RFC 2136 3.1.1, RFC 8945 5.3)."] : [],
                notAuth == 0 ? ["No update was answered NOTAUTH or NOTZONE."] : [],
                [
                    Phrase.Of($"Find the zone's primary: `dig {zone} SOA` names it first in the answer (MNAME); updates go there."),
                    "Check the key's name, algorithm and secret on both ends, and that their clocks agree within five minutes (TSIG's fudge).",
                ]),
            Make("misconfiguration",
                $"{c.ServerText} fails to apply updates (zone not loaded, its journal or zone file not writable)",
                failing > 0 ? 0.7 : 0.05,
                failing > 0 ? [$"{c.ServerText} answered SERVFAIL, NOTIMP or FORMERR {Times(failing)}."] : [],
                [],
                [Phrase.Of($"Read {c.ServerText}'s log around {Describe.Clock(c.First)} for the zone's update errors.")]),
        };
        causes.AddRange(NoAnswerCauses(c, "updates"));
        return causes;
    }

    private static List<Cause> NotifyCauses(IncidentContext c)
    {
        long declined = Count(c, a => a.Outcome == DnsOutcome.Answered && a.Rcode is DnsRcode.Refused or DnsRcode.NotAuth or DnsRcode.NotImp);
        string zone = c.Names.Count > 0 ? c.Names[0] : "the zone";
        var causes = new List<Cause>
        {
            Make("notify-not-accepted",
                $"{c.ServerText} is not a secondary of {zone} that takes notifications from {c.ClientsText}: it does not list the sender as the zone's primary, or serves no copy of the zone",
                declined > 0 ? 0.8 : 0.1,
                declined > 0 ? [$"{c.ServerText} answered REFUSED, NOTAUTH or NOTIMP {Times(declined)} to the notifications (RFC 1996 3.10: a secondary takes them from its primaries only)."] : [],
                declined == 0 ? ["No notification was answered REFUSED, NOTAUTH or NOTIMP."] : [],
                [
                    Phrase.Of($"On {c.ServerText}, check that {zone} is a secondary zone whose primaries (masters) include {c.ClientsText}, or an allow-notify entry for it."),
                    Phrase.Of($"On the primary, check the zone's list of servers to notify (also-notify, NS records): {c.ServerText} may not belong there."),
                ]),
        };
        causes.AddRange(NoAnswerCauses(c, "notifications"));
        return causes;
    }

    /// <summary>Requests that got an ICMP error or nothing: the server's DNS service is not there, or a filter is in the way.</summary>
    private static IEnumerable<Cause> NoAnswerCauses(IncidentContext c, string what)
    {
        long portUnreachable = Count(c, a => a.Outcome == DnsOutcome.IcmpError && a.Icmp!.Meaning == IcmpMeaning.PortUnreachable);
        long prohibited = Count(c, a => a.Outcome == DnsOutcome.IcmpError && a.Icmp!.Meaning == IcmpMeaning.AdministrativelyProhibited);
        long silent = Count(c, a => a.Outcome == DnsOutcome.Unanswered);
        if (portUnreachable > 0)
        {
            yield return Make("service-not-listening", $"No DNS service listens on {c.ServerText} port {c.Port}",
                0.75, [$"{c.ServerText} answered {Describe.Count(portUnreachable, "request")} with ICMP port unreachable."], [],
                [Phrase.Of($"Check that the DNS service runs on {c.ServerText}: `dig @{c.ServerText} . NS`.")]);
        }
        if (prohibited > 0)
        {
            yield return Make("firewall-reject", $"A filter rejects DNS {what} toward {c.ServerText}",
                0.75, [$"{Describe.Count(prohibited, "request")} were rejected as administratively prohibited."], [],
                [Phrase.Of($"Find the filter that sent the ICMP errors and its rule for UDP and TCP port 53 toward {c.ServerText}.")]);
        }
        if (silent > 0)
        {
            yield return Make("firewall-drop", $"The {what} are dropped on the way to {c.ServerText}, or the server ignores them",
                0.5, [$"{Describe.Count(silent, "request")} got no answer at all."],
                ["A server that drops requests it does not accept looks the same from here."],
                [Phrase.Of($"Capture on {c.ServerText} to see whether the {what} arrive; check the filters between it and {c.ClientsText}.")]);
        }
    }
}
