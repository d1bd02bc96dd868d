using System.Globalization;
using System.IO.Hashing;
using System.Text;
using NetTriage.Analysis;

namespace NetTriage.History;

/// <summary>
/// What the history store keeps of one analysis (docs/history.md): the inputs and the sensor, the capture window,
/// each service's health per minute, the findings and incidents. No payload, no evidence packets.
/// </summary>
public sealed record AnalysisRecord
{
    /// <summary>Names the analysis: the hash of its inputs' content hashes, in sorted order (the same captures, in any order, are the same analysis).</summary>
    public required string Id { get; init; }
    public required string Sensor { get; init; }
    /// <summary>When the analysis ran, seconds since the epoch.</summary>
    public required long RecordedAt { get; init; }
    /// <summary>"absolute", "time-of-day", "relative" or "none", as <see cref="TimeValue.Kind"/>.</summary>
    public required string TimeKind { get; init; }
    public double? CaptureStart { get; init; }
    public double? CaptureEnd { get; init; }
    /// <summary>
    /// Where the capture sits in the history, seconds since the epoch: its start when it holds dates, else the time it
    /// was analysed (tcpdump's default text has the time of day only, no date).
    /// </summary>
    public required double OrderTime { get; init; }
    public long Packets { get; init; }
    public required string Verdict { get; init; }
    public required IReadOnlyList<RecordedInput> Inputs { get; init; }
    public required IReadOnlyList<ServiceMinute> Minutes { get; init; }
    /// <summary>Outcomes left out of <see cref="Minutes"/> because the analysis's table was full.</summary>
    public long MinutesDropped { get; init; }
    public required IReadOnlyList<RecordedProblem> Incidents { get; init; }
    public required IReadOnlyList<RecordedProblem> Findings { get; init; }
    public IReadOnlyList<DnsAnswerSeen> DnsAnswers { get; init; } = [];

    /// <summary>The inputs' names, joined, as a reader knows the capture.</summary>
    public string InputNames => string.Join(", ", Inputs.Select(i => i.Name));

    /// <summary>
    /// The record of a finished analysis. <paramref name="now"/> is when it ran. Inputs without a content hash (a live
    /// capture) are named by their name, size and packet count instead.
    /// </summary>
    public static AnalysisRecord From(AnalysisReport report, string sensor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inputs = report.Inputs.Select(i => new RecordedInput(i.Name, i.Format, i.Compressed, i.Bytes, i.Packets,
            i.ContentHash ?? string.Create(CultureInfo.InvariantCulture, $"unhashed:{i.Name}:{i.Bytes}:{i.Packets}"))).ToList();
        var id = new XxHash128();
        foreach (var hash in inputs.Select(i => i.ContentHash).Order(StringComparer.Ordinal))
        {
            id.Append(Encoding.UTF8.GetBytes(hash + "\n"));
        }
        string kind = report.Capture.Start?.Kind ?? "none";
        double? start = report.Capture.Start?.Seconds;
        double? end = report.Capture.End?.Seconds;
        long recorded = now.ToUnixTimeSeconds();
        return new AnalysisRecord
        {
            Id = Convert.ToHexStringLower(id.GetCurrentHash()),
            Sensor = sensor,
            RecordedAt = recorded,
            TimeKind = kind,
            CaptureStart = start,
            CaptureEnd = end,
            OrderTime = kind == "absolute" && start is { } s ? s : recorded,
            Packets = report.Capture.Packets,
            Verdict = report.Verdict,
            Inputs = inputs,
            Minutes = report.ServiceMinutes,
            MinutesDropped = report.ServiceMinutesDropped,
            DnsAnswers = report.DnsAnswers,
            Incidents = report.Incidents.Select(i => new RecordedProblem(i.Id, i.Kind.ToString(), i.Severity.ToString(), i.Title,
                i.Protocol, i.Transport, i.Port, string.Join(" ", i.Servers), i.First.Seconds, i.Last.Seconds, i.Attempts, i.Failed)).ToList(),
            Findings = report.Findings.Select(f => new RecordedProblem(f.Id, f.Kind.ToString(), f.Severity.ToString(), f.Title.Text,
                f.Protocol, f.Transport, f.Port, f.Server, f.First.Seconds, f.Last.Seconds, f.Attempts, f.Failed)).ToList(),
        };
    }

    /// <summary>
    /// The time in the history of a minute of this capture: the minute itself when the capture holds dates; else the
    /// analysis time plus the minute's distance from the capture's first minute.
    /// </summary>
    public double PlaceOf(long minuteStart) =>
        TimeKind == "absolute" ? minuteStart : OrderTime + (minuteStart - Math.Floor((CaptureStart ?? 0) / 60) * 60);
}

/// <summary>One input of an analysis.</summary>
public sealed record RecordedInput(string Name, string Format, bool Compressed, long Bytes, long Packets, string ContentHash);

/// <summary>An incident or finding as the history keeps it: what, how bad, which service, when (capture time), how many.</summary>
public sealed record RecordedProblem(string Id, string Kind, string Severity, string Title, string Protocol, string Transport, int? Port,
    string Servers, double First, double Last, long Attempts, long Failed);
