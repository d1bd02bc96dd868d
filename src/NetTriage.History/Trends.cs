using NetTriage.Analysis.Diagnosis;
using System.Globalization;
using NetTriage.Analysis;

namespace NetTriage.History;

/// <summary>
/// Places each incident's service in the history of earlier captures (docs/history.md) and lets that history weigh
/// on the causes, as the seed report reasons: an established service that stops answering is more likely down or
/// overloaded; a service that fails the first time it is seen is more likely something new, misconfigured.
/// <para>
/// Only minutes placed before this capture count (capture time, <see cref="AnalysisRecord.PlaceOf"/>), from other
/// analyses: the same captures analysed in any order give the same trends. A minute is working when its successes
/// outnumber its failures, failing when its failures are at least its successes: a service that refuses one
/// connection in a thousand is working.
/// </para>
/// </summary>
public static class Trends
{
    /// <summary>The causes an established service's failure makes likelier: the service or its host down or overloaded.</summary>
    private static readonly HashSet<string> DownOrOverloaded = new(StringComparer.Ordinal)
    {
        "service-not-listening", "host-down", "overload-or-dos", "servers-restarting-or-limited", "server-slow", "dns-no-response",
        "dns-server-unreachable", "service-unavailable", "host-unreachable",
    };

    /// <summary>The causes a service seen failing from its first appearance makes likelier: something new, set up wrong.</summary>
    private static readonly HashSet<string> Misconfigured = new(StringComparer.Ordinal)
    {
        "misconfiguration", "firewall-reject", "firewall-drop", "firewall-rule", "firewall-reset", "resolver-policy", "resolver-addresses",
        "dns-refused", "dns-blocked",
    };

    /// <summary>How much the history moves a cause's score: enough to reorder close causes, never to overturn strong evidence.</summary>
    private const double Weight = 0.1;

    /// <summary>Earlier captures of the same sensor needed before a service absent from all of them counts as new on the network.</summary>
    private const int MinEarlierForNew = 2;

    /// <summary>A failure rate this much above the earlier one is reported as a jump.</summary>
    private const double JumpAtLeast = 0.25;

    /// <summary>The report with a trend on each incident whose service the store can place, and its causes re-ranked.</summary>
    public static AnalysisReport Apply(AnalysisReport report, AnalysisRecord current, HistoryStore store)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(store);
        long inStore = store.Count(except: current.Id);
        long earlierHere = store.Count(except: current.Id, before: current.OrderTime, sensor: current.Sensor);
        long earlierAll = store.Count(except: current.Id, before: current.OrderTime);
        var incidents = new List<Incident>(report.Incidents.Count);
        foreach (var incident in report.Incidents)
        {
            if (Service(incident) is not { } service)
            {
                incidents.Add(incident);
                continue;
            }
            var earlier = store.ServiceMinutes(service.Server, service.Port, service.Transport)
                .Where(m => m.AnalysisId != current.Id && m.Place < current.OrderTime)
                .ToList();
            var resolvers = service.Port == 53 ? store.ServersSeen(53, service.Transport, current.OrderTime, current.Id) : [];
            var trend = Build(service, earlier, current, resolvers, inStore, earlierAll);
            var answers = AnswerChanges(report, incident, current, store);
            if (answers.Count > 0) trend = trend with { Changes = [.. trend.Changes, .. answers] };
            incidents.Add(incident with { Trend = trend, Causes = Rerank(incident.Causes, trend, earlierHere) });
        }
        // The end at fault follows the most likely cause, which the history may have changed.
        return FaultJudge.Judge(report with { Incidents = incidents });
    }

    /// <summary>The service an incident is about: its first server, port and transport (TCP or UDP services only).</summary>
    internal static (string Server, int Port, string Transport)? Service(Incident incident) =>
        incident.Port is { } port && incident.Transport is "TCP" or "UDP" && incident.Servers.Count > 0
            ? (incident.Servers[0], port, incident.Transport)
            : null;

    internal static Trend Build((string Server, int Port, string Transport) service, IReadOnlyList<StoredMinute> earlier, AnalysisRecord current,
        IReadOnlyList<string> resolversSeen, long inStore, long earlierAnalyses)
    {
        string name = $"{service.Server} {service.Transport} port {service.Port.ToString(CultureInfo.InvariantCulture)}";
        var observed = earlier.Where(m => m.Minute.Successes + m.Minute.Failures > 0).ToList();
        int captures = observed.Select(m => m.AnalysisId).Distinct(StringComparer.Ordinal).Count();
        long attempts = observed.Sum(m => m.Minute.Successes + m.Minute.Failures);
        long failures = observed.Sum(m => m.Minute.Failures);
        double? rate = attempts > 0 ? (double)failures / attempts : null;
        long others = inStore;
        var changes = new List<Phrase>();

        var own = current.Minutes.Where(m => m.Server == service.Server && m.Port == service.Port && m.Transport == service.Transport).ToList();
        long nowAttempts = own.Sum(m => m.Successes + m.Failures);
        double? nowRate = nowAttempts > 0 ? (double)own.Sum(m => m.Failures) / nowAttempts : null;

        if (observed.Count == 0)
        {
            if (resolversSeen.Count > 0 && !resolversSeen.Contains(service.Server))
            {
                changes.Add(Phrase.Of($"A new resolver: {Phrase.Address(service.Server)} was never seen answering before; earlier captures used {string.Join(", ", resolversSeen.Take(5))}."));
            }
            return new Trend
            {
                Status = "unknown",
                Service = name,
                Text = earlierAnalyses == 0
                    ? Phrase.Of($"No capture in the history is earlier than this one ({Describe(others, "other analysis", "other analyses")} in the store): nothing is known of {name} before it.")
                    : Phrase.Of($"None of the {Describe(earlierAnalyses, "earlier capture")} in the history saw {name}: whether it ever worked is not known. A service that fails from its first appearance is more often new and misconfigured than broken."),
                EarlierCaptures = 0,
                CapturesInStore = (int)Math.Min(int.MaxValue, inStore),
                Changes = changes,
            };
        }

        static bool Working(ServiceMinute m) => m.Successes > m.Failures;
        static bool Failing(ServiceMinute m) => m.Failures > 0 && m.Failures >= m.Successes;
        var lastWorking = observed.LastOrDefault(m => Working(m.Minute));
        var firstFailed = observed.FirstOrDefault(m => Failing(m.Minute));
        var last = observed[^1];
        string status;
        StoredMinute? failingSince = null;
        if (Failing(last.Minute))
        {
            status = "ongoing";
            // The first failing minute after the last working one in the history's order (place, then analysis): two
            // captures may share a minute, so the order of the list decides, not the place alone. The last minute fails,
            // so there is one.
            int after = lastWorking is null ? -1 : observed.LastIndexOf(lastWorking);
            failingSince = observed.Skip(after + 1).First(m => Failing(m.Minute));
        }
        else
        {
            status = firstFailed is null ? "new" : "recurring";
        }
        if (rate is { } before && nowRate is { } now && now - before >= JumpAtLeast)
        {
            changes.Add(Phrase.Of($"The failure rate jumped from {Percent(before)} of {Describe(attempts, "attempt")} in earlier captures to {Percent(now)} in this one."));
        }

        Phrase text = status switch
        {
            "new" => Phrase.Of($"{name} was established: it worked in {Describe(captures, "earlier capture")} ({Describe(attempts, "attempt")}, {Percent(rate ?? 0)} failed), last at {When(lastWorking!)} in {Phrase.Name(lastWorking!.Inputs)}, and was never seen failing: this failure is new. An established service that stops answering is more often down or overloaded than misconfigured."),
            "recurring" => Phrase.Of($"{name} has failed before: first at {When(firstFailed!)} in {Phrase.Name(firstFailed!.Inputs)}; it worked again since (last at {When(lastWorking!)} in {Phrase.Name(lastWorking!.Inputs)}) and fails again: a recurring fault ({Percent(rate ?? 0)} of {Describe(attempts, "attempt")} failed in {Describe(captures, "earlier capture")})."),
            _ => lastWorking is null
                ? Phrase.Of($"{name} was already failing at its last observation ({When(last)} in {Phrase.Name(last.Inputs)}) and has never been seen working: failing since {When(failingSince!)} in {Phrase.Name(failingSince!.Inputs)}.")
                : Phrase.Of($"{name} was already failing at its last observation ({When(last)} in {Phrase.Name(last.Inputs)}): failing since {When(failingSince!)} in {Phrase.Name(failingSince!.Inputs)}; last seen working at {When(lastWorking)} in {Phrase.Name(lastWorking.Inputs)}."),
        };
        return new Trend
        {
            Status = status,
            Service = name,
            Text = text,
            EarlierCaptures = captures,
            CapturesInStore = (int)Math.Min(int.MaxValue, inStore),
            LastWorking = Point(lastWorking),
            FirstFailed = Point(firstFailed),
            FailingSince = Point(failingSince),
            EarlierFailureRate = rate is { } r ? Math.Round(r, 4) : null,
            EarlierAttempts = attempts,
            Changes = changes,
        };
    }

    /// <summary>Names looked at for a changed answer, per incident at most: the report stays short.</summary>
    private const int MaxNames = 3;

    /// <summary>
    /// How the DNS answers of the incident's names compare with the latest earlier capture that resolved them: a new
    /// address, a TTL raised (a cache counts a TTL down, never up) or cut to under a quarter, or no answer now where
    /// there was one. The names are those the incident's DNS findings queried and those that resolved to its servers.
    /// </summary>
    internal static List<Phrase> AnswerChanges(AnalysisReport report, Incident incident, AnalysisRecord current, HistoryStore store)
    {
        var ids = incident.Findings.ToHashSet(StringComparer.Ordinal);
        var names = report.Findings.Where(f => ids.Contains(f.Id)).SelectMany(f => f.Names)
            .Select(n => (n.Length > 1 && n[^1] == '.' ? n[..^1] : n).ToLowerInvariant())
            .Concat(current.DnsAnswers.Where(a => incident.Servers.Contains(a.Address)).Select(a => a.Name))
            .Distinct(StringComparer.Ordinal).Take(MaxNames);
        var changes = new List<Phrase>();
        foreach (var name in names)
        {
            var earlier = store.AnswersFor(name, current.OrderTime, current.Id);
            if (earlier.Count == 0) continue;
            var latest = earlier.Where(a => a.AnalysisId == earlier[0].AnalysisId).ToList();
            var before = latest.Select(a => a.Address).Order(StringComparer.Ordinal).ToList();
            var nowAnswers = current.DnsAnswers.Where(a => a.Name == name).ToList();
            var now = nowAnswers.Select(a => a.Address).Order(StringComparer.Ordinal).ToList();
            if (now.Count == 0)
            {
                changes.Add(Phrase.Of($"{Phrase.Name(name)} resolved to {string.Join(", ", before)} in {Phrase.Name(latest[0].Inputs)} ({Iso(latest[0].Place)[..16].Replace('T', ' ')} UTC); in this capture no answer gave it an address."));
            }
            else if (!now.SequenceEqual(before, StringComparer.Ordinal))
            {
                changes.Add(Phrase.Of($"The DNS answer for {Phrase.Name(name)} changed: {string.Join(", ", now)} in this capture, {string.Join(", ", before)} in {Phrase.Name(latest[0].Inputs)} ({Iso(latest[0].Place)[..16].Replace('T', ' ')} UTC)."));
            }
            else
            {
                long nowMax = nowAnswers.Max(a => (long)a.MaxTtl), beforeMax = latest.Max(a => a.MaxTtl), beforeMin = latest.Min(a => a.MinTtl);
                if (nowMax > beforeMax)
                {
                    changes.Add(Phrase.Of($"The TTL of {Phrase.Name(name)} was raised: {nowMax} s in this capture, at most {beforeMax} s in {Phrase.Name(latest[0].Inputs)} ({Iso(latest[0].Place)[..16].Replace('T', ' ')} UTC)."));
                }
                else if (nowMax * 4 < beforeMin)
                {
                    changes.Add(Phrase.Of($"The TTL of {Phrase.Name(name)} was cut: at most {nowMax} s in this capture, at least {beforeMin} s in {Phrase.Name(latest[0].Inputs)} ({Iso(latest[0].Place)[..16].Replace('T', ' ')} UTC)."));
                }
            }
        }
        return changes;
    }

    /// <summary>
    /// The causes with the history's weight: an established service (seen working before) makes "down or overloaded"
    /// likelier and "misconfigured" less likely; a service never seen before does the opposite. Each moved cause says why.
    /// </summary>
    internal static IReadOnlyList<Cause> Rerank(IReadOnlyList<Cause> causes, Trend trend, long earlierFromSensor)
    {
        bool established = trend.Status is "new" or "recurring" || (trend.Status == "ongoing" && trend.LastWorking is not null);
        // "Never seen before" means something only when this sensor has watched the network before: two earlier captures at least.
        bool firstSeen = trend.Status == "unknown" && earlierFromSensor >= MinEarlierForNew;
        if (!established && !firstSeen) return causes;
        var moved = causes.Select(c =>
        {
            if (established && DownOrOverloaded.Contains(c.Id))
            {
                return Move(c, Weight, Phrase.Of($"The history shows the service working before ({trend.Status}): an established service that fails is more often down or overloaded."), forIt: true);
            }
            if (established && Misconfigured.Contains(c.Id))
            {
                return Move(c, -Weight / 2, Phrase.Of($"The history shows the service working before: a configuration that worked is less likely wrong, unless it was changed."), forIt: false);
            }
            if (firstSeen && Misconfigured.Contains(c.Id))
            {
                return Move(c, Weight, Phrase.Of($"The history never saw this service before: something new fails more often from its set-up."), forIt: true);
            }
            return c;
        }).ToList();
        // A stable order: by score, then as the diagnosis ranked them.
        return moved.Select((c, i) => (c, i)).OrderByDescending(p => p.c.Score).ThenBy(p => p.i).Select(p => p.c).ToList();
    }

    private static Cause Move(Cause cause, double by, Phrase why, bool forIt)
    {
        double score = Math.Round(Math.Clamp(cause.Score + by, 0, 1), 2);
        return cause with
        {
            Score = score,
            Confidence = ConfidenceOf(score),
            For = forIt ? [.. cause.For, why] : cause.For,
            Against = forIt ? cause.Against : [.. cause.Against, why],
        };
    }

    /// <summary>The diagnosis's thresholds (Diagnosis/CauseText): high from 0.7, medium from 0.4.</summary>
    private static Confidence ConfidenceOf(double score) => score >= 0.7 ? Confidence.High : score >= 0.4 ? Confidence.Medium : Confidence.Low;

    private static TrendPoint? Point(StoredMinute? m) => m is null ? null : new TrendPoint
    {
        Time = new TimeValue { Text = Iso(m.Place), Kind = "absolute", Seconds = m.Place },
        Capture = m.Inputs,
        Analysis = m.AnalysisId,
    };

    /// <summary>"2026-12-01 13:24 UTC" (the minute; with "analysed" for a capture without dates, placed at its analysis).</summary>
    private static string When(StoredMinute m) =>
        Iso(m.Place)[..16].Replace('T', ' ') + " UTC" + (m.TimeKind == "absolute" ? "" : " (analysed then; the capture has no date)");

    /// <summary>Seconds since the epoch as ISO 8601 UTC ("2026-11-02T09:02:00Z"): how the history writes its times.</summary>
    public static string Iso(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) =>
        Math.Round(fraction * 100, 1).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Describe(long n, string singular, string? plural = null) =>
        n.ToString("#,0", CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural ?? singular + "s");
}
