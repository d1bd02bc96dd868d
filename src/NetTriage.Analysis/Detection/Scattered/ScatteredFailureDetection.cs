using System.Globalization;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Scattered;

/// <summary>
/// <c>scattered-failures</c>: connection attempts refused or unanswered here and there, over many services each of
/// which mostly works. A busy capture always has some (a server restarting, a SYN lost, a client trying a closed
/// port): one incident per service buries the one outage that matters under dozens of lines. They are joined into
/// one medium incident with the overall rate and the worst services; a service that is really down (at least half
/// its attempts failed) is not scattered and keeps its own high incident, ranked first.
/// </summary>
internal sealed class ScatteredFailureDetection : ISharedCauseFamily
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.ScatteredFailures, Name = "scattered-failures", Layer = Layer.Transport },
    ];

    /// <summary>
    /// A service whose failed share is under this mostly works: the same line as the failure findings' own severity
    /// (high from half the attempts failed), so what is scattered is exactly what they call medium.
    /// </summary>
    internal const double DownShare = 0.5;
    /// <summary>
    /// Services needed to call failures scattered. Two services failing a little may be two separate problems worth
    /// a line each; from three, mostly working services with a few failures each are a pattern (loss, restarts,
    /// limits), and one line with the rate says more than three.
    /// </summary>
    internal const int MinServices = 3;
    private const int WorstListed = 5;
    /// <summary>Packets listed from each service: its first failed attempt, a SYN and the reset that answered it.</summary>
    private const int EvidencePerService = 2;

    private static bool Candidate(DetectedFinding f) =>
        f.Kind is FindingKind.TcpConnectionRefused or FindingKind.TcpNoResponse
        && f.Finding.Attempts > 0 && f.FailedCount < DownShare * f.Finding.Attempts;

    public void Find(IReadOnlyList<DetectedFinding> findings, TrafficView traffic, List<SharedCause> found)
    {
        var members = findings.Where(Candidate).OrderBy(f => f.FirstTime.Nanoseconds).ToList();
        // One service may have a refused and an unanswered finding: it is one service.
        var services = members.GroupBy(f => (f.Server, f.Port))
            .Select(g => (g.Key.Server, g.Key.Port, Attempts: g.Max(f => f.Finding.Attempts), Failed: g.Sum(f => f.FailedCount)))
            .ToList();
        if (services.Count < MinServices) return;

        long attempts = services.Sum(s => s.Attempts);
        long failed = services.Sum(s => s.Failed);
        long refused = members.Where(f => f.Kind == FindingKind.TcpConnectionRefused).Sum(f => f.FailedCount);
        long unanswered = members.Where(f => f.Kind == FindingKind.TcpNoResponse).Sum(f => f.FailedCount);
        double share = (double)failed / attempts;
        var clients = members.SelectMany(f => f.Clients()).Distinct().Order().ToList();
        var worst = services
            .OrderByDescending(s => (double)s.Failed / s.Attempts).ThenByDescending(s => s.Failed).ThenBy(s => s.Server).ThenBy(s => s.Port)
            .Take(WorstListed)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Server}:{s.Port} {s.Failed}/{s.Attempts}"))
            .ToList();
        var first = members.MinBy(f => f.FirstTime.Nanoseconds)!.FirstTime;
        var last = members.MaxBy(f => f.LastTime.Nanoseconds)!.LastTime;
        string rate = $"{failed} of {Describe.Count(attempts, "connection attempt")} ({Describe.Percent(share)})";
        string how = refused > 0 && unanswered > 0 ? $"{refused} refused, {unanswered} unanswered"
            : refused > 0 ? "all refused" : "all unanswered";
        var servers = services.Select(s => s.Server).Distinct().Order().ToList();
        // Evidence of the spread: each service's first failed attempt (its SYN and what answered it), in capture
        // order, as many as a finding lists; the total counts every failure's packets, listed or not.
        var sources = new List<FindingBuilder.EvidenceSource>();
        long evidenceTotal = 0;
        foreach (var member in members)
        {
            sources.AddRange(FindingBuilder.FirstEvidence(member, EvidencePerService, distinct: false, out int total));
            evidenceTotal += total + member.UnkeptEvidence;
        }
        var evidence = sources.OrderBy(e => e.Input).ThenBy(e => e.Frame)
            .Take(traffic.Options.MaxEvidencePerFinding).Select(e => e.Write()).ToList();

        found.Add(new SharedCause
        {
            Kind = FindingKind.ScatteredFailures,
            Severity = Severity.Medium,
            Layer = Layer.Transport,
            Protocol = "TCP",
            Transport = "TCP",
            Members = members,
            Clients = clients,
            Servers = servers,
            First = first,
            Last = last,
            Attempts = attempts,
            Failed = failed,
            Evidence = evidence,
            EvidenceTotal = evidenceTotal,
            Spread = new SpreadFacts
            {
                Services = services.Count,
                Attempts = attempts,
                Failed = failed,
                Refused = refused,
                Unanswered = unanswered,
                FailedShare = Math.Round(share, 4),
                Clients = clients.Count,
                Worst = worst,
            },
            FindingTitle = Phrase.Of($"Scattered failures: {rate} failed over {Describe.Count(services.Count, "service")}, none of them down"),
            IncidentTitle = $"Scattered connection failures over {Describe.Count(services.Count, "service")} ({Describe.Percent(share)} of attempts)",
            Summary = Phrase.Of($"{Describe.Capitalize(rate)} to {Describe.Count(services.Count, "service")} on {Describe.Count(servers.Count, "server")} failed ({how}) {Describe.Window(first, last)}, from {Describe.Count(clients.Count, "client")}; every one of those services answered most of its attempts. Worst: {string.Join(", ", worst.Take(3))}."),
            Causes = Causes(refused, unanswered, services.Count, share),
            RuledOut =
            [
                new RuledOut($"any of the {services.Count} services being down", Phrase.Of($"each answered at least half of its attempts (in all, {Describe.Count(attempts - failed, "attempt")} succeeded).")),
            ],
            Caveats =
            [
                new Caveat("single-vantage-point", "One vantage point: the failures seen here are the ones that crossed it; the servers' own counters (listen queue overflows, resets sent) tell the rest."),
            ],
        });
    }

    private static List<Cause> Causes(long refused, long unanswered, int services, double share)
    {
        long failed = refused + unanswered;
        var list = new List<Cause>
        {
            Make("intermittent-loss", "Packets lost now and then on the path (congestion, a flapping link, a full queue): SYNs or their answers dropped",
                unanswered * 2 >= failed ? 0.6 : 0.3,
                unanswered > 0 ? [$"{unanswered} of the {failed} failures were never answered, spread over {Describe.Count(services, "service")}: loss shows up everywhere at once."] : [],
                refused > 0 ? [$"{refused} were refused with a reset: a lost packet draws no reset."] : [],
                [
                    Phrase.Of($"Look for drops on the path: interface error and drop counters (`ip -s link`, the switch's and router's), and retransmissions (`nstat -az TcpRetransSegs`)."),
                    Phrase.Of($"Compare the failed share ({Describe.Percent(share)}) with a capture from a quiet hour: a share that grows with load is congestion."),
                ]),
            Make("servers-restarting-or-limited", "Servers refusing some connections: services restarting, listeners dropping out, or connection limits reached",
                refused * 2 > failed ? 0.55 : 0.25,
                refused > 0 ? [$"{refused} attempts were refused with a reset by servers that accepted most others: a listener that comes and goes, or a limit that resets the excess."] : [],
                unanswered > 0 ? [$"{unanswered} went unanswered: a full listen queue drops SYNs silently (Linux), so overload would show there too."] : [],
                [
                    Phrase.Of($"On the worst servers: `ss -s` and `nstat -az TcpExtListenOverflows TcpExtListenDrops`; the service logs for restarts at the failure times."),
                ]),
        };
        return list;
    }

}
