using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Tracking;

namespace NetTriage.Analysis.Detection;

/// <summary>
/// The detect stage, once the capture has ended: each group of failures (kind and service) recorded as the
/// facts arrived becomes a finding when its kind's rule (<see cref="FindingKindRow.Counts"/>) says it is a failure
/// by the protocol's own terms (healthy traffic yields none).
/// </summary>
internal static class Detector
{
    public static List<DetectedFinding> Detect(FailureTable failures, TrafficView traffic, IReadOnlyList<DetectedActivity> activities)
    {
        var findings = new List<DetectedFinding>();
        foreach (var group in failures.Groups)
        {
            var g = new DetectedFinding(group) { UnkeptDns = group.UnkeptDns };
            if (!g.Row.Counts(g, traffic)) continue;
            // A failure an activity caused (a scan's closed ports, a flood's starved connections) is counted into the
            // activity and makes no finding of its own: one cause, one incident.
            var cause = activities.FirstOrDefault(a => a.Absorbs(group));
            if (cause is not null)
            {
                cause.Absorbed[g.Kind] = cause.Absorbed.GetValueOrDefault(g.Kind) + g.FailedCount;
                continue;
            }
            findings.Add(g);
        }
        return findings;
    }
}
