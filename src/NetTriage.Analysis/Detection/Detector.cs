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
    public static List<DetectedFinding> Detect(FailureTable failures, TrafficView traffic)
    {
        var findings = new List<DetectedFinding>();
        foreach (var group in failures.Groups)
        {
            var g = new DetectedFinding(group) { UnkeptDns = group.UnkeptDns };
            if (g.Row.Counts(g, traffic)) findings.Add(g);
        }
        return findings;
    }
}
