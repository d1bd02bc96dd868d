using NetTriage.Analysis.Text;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>How every family writes a likely cause: its score bounded to 0..1, the confidence the score means.</summary>
internal static class CauseText
{
    /// <summary>Scores from this up are high confidence, and from <see cref="MediumFrom"/> medium.</summary>
    public const double HighFrom = 0.7;
    public const double MediumFrom = 0.4;

    public static Cause Make(string id, Phrase title, double score, List<Phrase> forEvidence, List<Phrase> against, List<Phrase> steps) => new()
    {
        Id = id,
        Title = title,
        Score = Math.Round(Math.Clamp(score, 0, 1), 2),
        Confidence = score >= HighFrom ? Confidence.High : score >= MediumFrom ? Confidence.Medium : Confidence.Low,
        For = forEvidence,
        Against = against,
        NextSteps = steps,
    };

    /// <summary>"1 time", "3 times".</summary>
    public static string Times(long n) => Describe.Count(n, "time");

    /// <summary>" over 4 min 17 s", or nothing for an instant.</summary>
    public static string Over(IncidentContext c) =>
        c.DurationSeconds is { } d && d > 0 ? $" over {Describe.Duration(d)}" : "";
}
