using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// The incident of an attack or a scan: its family wrote the title, summary and causes; this assembles them with
/// the evidence, the timeline and the limits of what one capture can show.
/// </summary>
internal static class ActivityIncident
{
    public static Incident Build(DetectedActivity a, string id)
    {
        var causes = a.Causes(a).OrderByDescending(c => c.Score).ToList();
        var f = a.Finding;
        return new Incident
        {
            Id = id,
            Kind = a.Kind,
            Severity = a.Severity,
            Title = a.IncidentTitle(a),
            Summary = causes.Count > 0
                ? Phrase.Of($"{a.Summary(a)} Most likely: {Lower(causes[0].Title)} ({causes[0].Confidence.Name()} confidence).")
                : a.Summary(a),
            Layer = a.Layer,
            Protocol = a.Protocol,
            Transport = a.Transport,
            Service = f.Service,
            Port = a.Port,
            Servers = a.Targets.Select(t => t.ToString()).ToList(),
            Clients = a.Actors.Select(x => x.ToString()).ToList(),
            First = f.First,
            Last = f.Last,
            DurationSeconds = f.DurationSeconds,
            Attempts = a.Attempts,
            Failed = a.Failed,
            Findings = [f.Id],
            RuledOut = [],
            Causes = causes,
            NextSteps = causes.Where(c => c.Score >= 0.3).SelectMany(c => c.NextSteps).Distinct().ToList(),
            Caveats = Caveats(a),
            Timeline = a.Moments.OrderBy(m => m.Time.Nanoseconds)
                .Select(m => new TimelineEvent { Time = Describe.Time(m.Time), Event = m.Event })
                .ToList(),
            Evidence = a.Evidence,
        };
    }

    private static Phrase Lower(Phrase title) =>
        title.Text.Length > 1 && char.IsUpper(title.Text[0]) && !char.IsUpper(title.Text[1])
            ? char.ToLowerInvariant(title.Text[0]) + title.Text[1..]
            : title;

    private static List<Caveat> Caveats(DetectedActivity a)
    {
        var list = new List<Caveat>();
        if (a.Facts is { Capped: true })
        {
            list.Add(new Caveat("activity-table-full", "A table of the detection reached its bound: the distinct counts are lower bounds."));
        }
        list.Add(new Caveat("single-vantage-point",
            "One vantage point: the capture shows the packets that passed it; activity on other paths, or toward other hosts, is not in the evidence."));
        return list;
    }
}
