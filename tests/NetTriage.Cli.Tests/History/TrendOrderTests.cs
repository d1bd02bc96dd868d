using NetTriage.Analysis;
using NetTriage.History;

namespace NetTriage.Cli.Tests.History;

/// <summary>
/// The trend of a service whose earlier captures share a minute: a working capture and a failing one recorded in the
/// same clock minute (a test run, a retry right after a fix) are ordered as the store lists them, and the trend says
/// when the failure began instead of failing itself (it threw "Sequence contains no matching element").
/// </summary>
public sealed class TrendOrderTests
{
    private const string Server = "10.97.1.1";
    private const double Minute = 1_796_000_000;

    private static StoredMinute Stored(string analysis, double place, long successes, long unanswered) =>
        new("sensor", analysis, analysis + ".pcap", "absolute", place, new ServiceMinute
        {
            Server = Server, Port = 53, Transport = "UDP", MinuteStart = (long)place,
            Attempts = successes + unanswered, Successes = successes, Unanswered = unanswered,
        });

    private static AnalysisRecord Current() => new()
    {
        Id = "now", Sensor = "sensor", RecordedAt = (long)Minute + 600, TimeKind = "absolute", OrderTime = Minute + 600,
        Verdict = "incident", Inputs = [], Incidents = [], Findings = [],
        Minutes = [new ServiceMinute { Server = Server, Port = 53, Transport = "UDP", MinuteStart = (long)Minute + 600, Attempts = 3, Unanswered = 3 }],
    };

    [Fact]
    public void A_working_and_a_failing_capture_in_one_minute_give_an_ongoing_failure_since_that_minute()
    {
        IReadOnlyList<StoredMinute> earlier =
        [
            Stored("a-working", Minute, successes: 2, unanswered: 0),
            Stored("b-failing", Minute, successes: 0, unanswered: 3),
        ];

        var trend = Trends.Build((Server, 53, "UDP"), earlier, Current(), [], inStore: 2, earlierAnalyses: 2);

        Assert.Equal("ongoing", trend.Status);
        Assert.Contains("b-failing.pcap", trend.Text.Text, StringComparison.Ordinal);
        Assert.Contains("last seen working", trend.Text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Failing_minutes_before_the_last_working_one_are_not_the_start_of_this_failure()
    {
        IReadOnlyList<StoredMinute> earlier =
        [
            Stored("a-failing", Minute - 120, successes: 0, unanswered: 2),
            Stored("b-working", Minute - 60, successes: 2, unanswered: 0),
            Stored("c-failing", Minute, successes: 0, unanswered: 2),
        ];

        var trend = Trends.Build((Server, 53, "UDP"), earlier, Current(), [], inStore: 3, earlierAnalyses: 3);

        Assert.Equal("ongoing", trend.Status);
        Assert.Contains("failing since", trend.Text.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("a-failing.pcap", trend.Text.Text.Split("failing since")[1].Split(';')[0], StringComparison.Ordinal);
        Assert.Contains("c-failing.pcap", trend.Text.Text, StringComparison.Ordinal);
    }
}
