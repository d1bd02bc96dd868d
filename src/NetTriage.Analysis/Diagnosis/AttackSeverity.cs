using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Detection.Activity;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// An attack on a service that is failing in the same capture is high severity: it may be why the service fails,
/// and the outage incident weighs it among its causes (<see cref="IncidentContext.Activities"/>).
/// </summary>
internal static class AttackSeverity
{
    /// <summary>The kinds that attack a service or host: floods, scans, password guessing, reflection.</summary>
    private static bool Attacks(FindingKind kind) => kind is FindingKind.SynFlood or FindingKind.UdpFlood or FindingKind.IcmpFlood
        or FindingKind.PortScan or FindingKind.AddressScan or FindingKind.BruteForce
        or FindingKind.DnsAmplification or FindingKind.UdpReflection or FindingKind.SynAckReflection;

    public static void Raise(IReadOnlyList<DetectedActivity> activities, IReadOnlyList<DetectedFinding> failures)
    {
        foreach (var a in activities)
        {
            if (a.Severity != Severity.Medium || !Attacks(a.Kind)) continue;
            var failing = failures.FirstOrDefault(f => a.Targets.Contains(f.Server) && (a.Port is null || f.Port == a.Port || f.Port == 0));
            if (failing is null) continue;
            a.Severity = Severity.High;
            a.Moments.Add((failing.FirstTime, Phrase.Of($"{failing.Server} fails in the same capture ({failing.Kind.Name()}): the attack may be why.")));
        }
    }
}
