using NetTriage.Analysis.Diagnosis;

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

    /// <summary>
    /// What the case's words say about who fails (<see cref="CaseHints"/>): customers or users reporting the
    /// failure (in how the team became aware, or the symptoms), and a reproduction the team made or failed to make
    /// (in the actions, or how it became aware). Plain word matching: a sentence that says neither adds nothing.
    /// </summary>
    public CaseHints Hints()
    {
        var reports = new List<string>(Symptoms);
        if (Awareness is { } a) reports.Add(a);
        var done = new List<string>(Actions);
        if (Awareness is { } b) done.Add(b);
        string? others = null;
        foreach (var text in reports)
        {
            string lower = text.ToLowerInvariant();
            others ??= OtherParties.FirstOrDefault(word => ContainsWord(lower, word));
        }
        bool? reproduced = null;
        foreach (var text in done)
        {
            string lower = text.ToLowerInvariant();
            if (NotReproducedWords.Any(lower.Contains)) reproduced = false;
            else if (reproduced is null && (ReproducedWords.Any(lower.Contains) || SameFailure.IsMatch(lower))) reproduced = true;
        }
        return new CaseHints { OthersAffected = others is not null, Others = others ?? "other clients", Reproduced = reproduced };
    }

    private static readonly string[] OtherParties = ["customers", "users", "clients", "visitors", "employees", "staff", "customer", "user"];
    private static readonly string[] ReproducedWords = ["reproduc", "replicat"];
    /// <summary>"received the same error", "the same \"port unreachable\" message".</summary>
    private static readonly System.Text.RegularExpressions.Regex SameFailure = new(
        @"\bsame\b[^.;]{0,60}?\b(error|problem|issue|failure|message|symptom)s?\b",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    private static readonly string[] NotReproducedWords =
    [
        "could not reproduce", "couldn't reproduce", "cannot reproduce", "can't reproduce", "unable to reproduce", "not reproducible",
        "could not replicate", "couldn't replicate", "cannot replicate", "unable to replicate", "works for us", "worked for us",
    ];

    private static bool ContainsWord(string text, string word)
    {
        for (int at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            bool start = at == 0 || !char.IsLetter(text[at - 1]);
            bool end = at + word.Length == text.Length || !char.IsLetter(text[at + word.Length]);
            if (start && end) return true;
        }
        return false;
    }

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
