using NetTriage.Analysis.Tracking;

namespace NetTriage.Analysis.Tests;

public sealed class LatencyHistogramTests
{
    /// <summary>The median of a sorted list: its [n/2], rounded to the microsecond as the report prints it.</summary>
    private static double ListMedian(List<long> nanoseconds)
    {
        var sorted = nanoseconds.Where(n => n >= 0).Order().ToList();
        return Math.Round((sorted[sorted.Count / 2] + 500) / 1000 / 1000.0, 3);
    }

    [Theory]
    [InlineData(1, 1_000L)]              // a single response
    [InlineData(2, 2_000_000L)]          // under 2 ms: exact to the microsecond
    [InlineData(1001, 2_000_000L)]
    [InlineData(5000, 900_000_000L)]     // up to 0.9 s: within 0.1%
    public void The_median_is_that_of_the_sorted_times(int count, long maxNanoseconds)
    {
        var random = new Random(count);
        var times = Enumerable.Range(0, count).Select(_ => random.NextInt64(0, maxNanoseconds)).ToList();
        times.Add(-5); // a clock that went back: not a response time
        var histogram = new LatencyHistogram();
        foreach (long t in times) histogram.Add(t);

        Assert.Equal(count, histogram.Count);
        double expected = ListMedian(times);
        double actual = Math.Round(histogram.MedianMilliseconds()!.Value, 3);
        if (expected < 2.048) Assert.Equal(expected, actual);
        else Assert.InRange(actual, expected * 0.999, expected * 1.001);
    }

    [Fact]
    public void No_times_have_no_median() => Assert.Null(new LatencyHistogram().MedianMilliseconds());
}
