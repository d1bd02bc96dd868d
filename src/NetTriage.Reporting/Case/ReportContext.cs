namespace NetTriage.Reporting;

/// <summary>
/// What the capture cannot know about the case: its title and reference, the organisation, who analysed it,
/// how the team became aware of the problem, the symptoms people reported and what was already done.
/// Every field is optional; a report shows a missing one as "not provided" and never makes one up.
/// It comes from <c>--case FILE</c> (<see cref="CaseFile"/>) and the matching command-line flags.
/// </summary>
public sealed record ReportContext
{
    /// <summary>No case context at all.</summary>
    public static ReportContext Empty { get; } = new();

    public string? Title { get; init; }
    public string? Organisation { get; init; }
    /// <summary>How the team became aware of the problem ("customers reported ...").</summary>
    public string? Awareness { get; init; }
    public IReadOnlyList<string> Symptoms { get; init; } = [];
    public string? Analyst { get; init; }
    /// <summary>What was done before this report (replicated the failure, captured with tcpdump, ...).</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];
    /// <summary>The case or ticket reference.</summary>
    public string? CaseId { get; init; }

    /// <summary>True when no field is given.</summary>
    public bool IsEmpty =>
        Title is null && Organisation is null && Awareness is null && Analyst is null && CaseId is null
        && Symptoms.Count == 0 && Actions.Count == 0;

    /// <summary>
    /// This context with every field that <paramref name="overrides"/> gives replacing this one's
    /// (a list given on the command line replaces the file's list).
    /// </summary>
    public ReportContext Merge(ReportContext overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new ReportContext
        {
            Title = overrides.Title ?? Title,
            Organisation = overrides.Organisation ?? Organisation,
            Awareness = overrides.Awareness ?? Awareness,
            Symptoms = overrides.Symptoms.Count > 0 ? overrides.Symptoms : Symptoms,
            Analyst = overrides.Analyst ?? Analyst,
            Actions = overrides.Actions.Count > 0 ? overrides.Actions : Actions,
            CaseId = overrides.CaseId ?? CaseId,
        };
    }

    /// <summary>
    /// A context from command-line values: blank values count as not given, whitespace runs (line breaks
    /// included) become one space, and each value is capped like a case file's.
    /// </summary>
    public static ReportContext FromValues(string? title, string? organisation, string? awareness, IEnumerable<string>? symptoms,
        string? analyst, IEnumerable<string>? actions, string? caseId) => new()
    {
        Title = CaseFile.Clean(title),
        Organisation = CaseFile.Clean(organisation),
        Awareness = CaseFile.Clean(awareness),
        Symptoms = CaseFile.CleanList(symptoms),
        Analyst = CaseFile.Clean(analyst),
        Actions = CaseFile.CleanList(actions),
        CaseId = CaseFile.Clean(caseId),
    };
}
