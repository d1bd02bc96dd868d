using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;

namespace NetTriage.Reporting.Tests;

public sealed class TimelineSvgTests
{
    [Fact]
    public void Minutes_get_round_clock_ticks()
    {
        // 13:24:32 to 13:28:50 on 2023-03-14 (UTC).
        var ticks = TimelineSvg.Ticks("absolute", 1678800272.192571, 1678800530.022967);
        Assert.Equal(["13:25", "13:26", "13:27", "13:28"], ticks.Select(t => t.Label));
        Assert.All(ticks, t => Assert.Equal(0, t.Seconds % 60, 6));
    }

    [Fact]
    public void Time_of_day_ticks_read_as_clock_times()
    {
        var ticks = TimelineSvg.Ticks("time-of-day", 48272.19, 48290.02);
        Assert.Equal(["13:24:35", "13:24:40", "13:24:45", "13:24:50"], ticks.Select(t => t.Label));
    }

    [Fact]
    public void Short_spans_are_labelled_as_offsets()
    {
        // Round steps counted from the first event, wherever it falls.
        var ticks = TimelineSvg.Ticks("absolute", 100.0237, 100.3737);
        Assert.Equal(["0 s", "+50 ms", "+100 ms", "+150 ms", "+200 ms", "+250 ms", "+300 ms", "+350 ms"], ticks.Select(t => t.Label));
        Assert.Equal(100.0237, ticks[0].Seconds, 9);
    }

    [Fact]
    public void One_instant_has_one_tick() => Assert.Single(TimelineSvg.Ticks("relative", 5, 5));

    [Fact]
    public void Points_are_drawn_with_numbers_and_escaped_tooltips()
    {
        var chart = new TimelineChart("absolute",
        [
            new TimelinePoint(1, 1000, "00:16:40 UTC", "<b>query</b>", "query", Tone.Info, "frame 1"),
            new TimelinePoint(2, 1000.01, "00:16:40.01 UTC", "answer & more", "icmp-error", Tone.Bad, "frame 2"),
            new TimelinePoint(3, 1010, "00:16:50 UTC", "late", "syn (sent 3 times)", Tone.Info, "frame 3"),
        ]);
        var writer = new StringWriter();
        TimelineSvg.Write(writer, chart);
        string svg = writer.ToString();
        Assert.Equal(6, svg.Split("<circle").Length - 1); // three points, three legend swatches
        Assert.Contains("<title>#1 00:16:40 UTC: &lt;b&gt;query&lt;/b&gt; (frame 1)</title>", svg, StringComparison.Ordinal);
        Assert.Contains("answer &amp; more", svg, StringComparison.Ordinal);
        Assert.Contains("class=\"dot-bad\"", svg, StringComparison.Ordinal);
        Assert.Contains(">syn</text>", svg, StringComparison.Ordinal); // "syn (sent 3 times)" is shown as "syn"
        Assert.DoesNotContain("<b>", svg, StringComparison.Ordinal);
    }
}
