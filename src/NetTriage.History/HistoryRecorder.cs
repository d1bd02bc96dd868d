using NetTriage.Analysis;

namespace NetTriage.History;

/// <summary>What keeping an analysis in the history came to.</summary>
public sealed record HistoryResult
{
    /// <summary>The report, with trends when the store could be read.</summary>
    public required AnalysisReport Report { get; init; }
    /// <summary>Null when recording is off; else what became of the record.</summary>
    public RecordOutcome? Outcome { get; init; }
    /// <summary>One line for standard error when something was not recorded or not read, else null.</summary>
    public string? Problem { get; init; }
    public StoreLocation? Location { get; init; }
}

/// <summary>
/// The history step after diagnosis: open the store, place each incident in the history (trends), record the
/// analysis. The report is never lost to the store: a store that cannot be opened, read or written leaves the report
/// as it was (or with the trends read before the write failed) and says so in <see cref="HistoryResult.Problem"/>.
/// </summary>
public static class HistoryRecorder
{
    public static HistoryResult Keep(AnalysisReport report, StoreLocation? location, string sensor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Nothing read (a diagnosis whose capture could not start): there is no capture to keep.
        if (location is null || report.Inputs.Count == 0) return new HistoryResult { Report = report };
        var record = AnalysisRecord.From(report, sensor, now);
        var withTrends = report;
        try
        {
            using var store = HistoryStore.Open(location)!;
            withTrends = Trends.Apply(report, record, store);
            var outcome = store.Record(record);
            return new HistoryResult { Report = withTrends, Outcome = outcome, Location = location };
        }
        catch (HistoryException ex)
        {
            return new HistoryResult { Report = withTrends, Problem = "analysis not recorded in the history: " + ex.Message, Location = location };
        }
    }

    /// <summary>The sensor's name when none is given: this machine's host name.</summary>
    public static string DefaultSensor()
    {
        try
        {
            return Environment.MachineName is { Length: > 0 } name ? name : "unknown";
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }
}
