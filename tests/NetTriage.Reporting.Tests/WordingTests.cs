using NetTriage.Analysis;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Tests;

public sealed class WordingTests
{
    private static TimeValue Absolute(string text) => new() { Text = text, Kind = "absolute", Seconds = 0 };

    [Fact]
    public void Absolute_times_read_as_utc()
    {
        Assert.Equal("2023-03-14 13:24:32.192571 UTC", Wording.Time(Absolute("2023-03-14T13:24:32.192571Z")));
        Assert.Equal("2023-03-14 13:24:32.192571", Wording.PacketTime(Absolute("2023-03-14T13:24:32.192571Z")));
    }

    [Fact]
    public void Other_time_kinds_are_shown_as_the_model_gives_them()
    {
        var t = new TimeValue { Text = "13:24:32.192571", Kind = "time-of-day", Seconds = 48272.192571 };
        Assert.Equal("13:24:32.192571", Wording.Time(t));
        Assert.Equal("13:24:32.192571", Wording.PacketTime(t));
    }

    [Fact]
    public void A_window_on_one_day_names_the_date_once()
    {
        var first = Absolute("2023-03-14T13:24:32.192571Z");
        var last = Absolute("2023-03-14T13:28:50.022967Z");
        Assert.Equal("2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)", Wording.Window(first, last, 257.830396));
        var nextDay = Absolute("2023-03-15T00:00:01.000000Z");
        Assert.Equal("2023-03-14 13:24:32.192571 UTC to 2023-03-15 00:00:01.000000 UTC", Wording.Window(first, nextDay, null));
    }

    [Theory]
    [InlineData(0.0854, "85 ms")]
    [InlineData(3.94, "3.9 s")]
    [InlineData(257.83, "4 min 17 s")]
    [InlineData(7500, "2 h 5 min")]
    [InlineData(-1, "unknown")]
    public void Durations(double seconds, string expected) => Assert.Equal(expected, Wording.Duration(seconds));

    [Theory]
    [InlineData(1, "1 packet")]
    [InlineData(0, "0 packets")]
    [InlineData(12345, "12,345 packets")]
    public void Counts(long n, string expected) => Assert.Equal(expected, Wording.Count(n, "packet"));

    [Theory]
    [InlineData(1.0, "100%")]
    [InlineData(0.3333, "33.3%")]
    [InlineData(0, "0%")]
    public void Percentages(double fraction, string expected) => Assert.Equal(expected, Wording.Percent(fraction));

    [Theory]
    [InlineData(570, "570 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3 GiB")]
    public void Byte_sizes(long bytes, string expected) => Assert.Equal(expected, Wording.Bytes(bytes));

    [Fact]
    public void Lists_join_with_and_and_cap()
    {
        Assert.Equal("a", Wording.Join(["a"]));
        Assert.Equal("a and b", Wording.Join(["a", "b"]));
        Assert.Equal("a, b and c", Wording.Join(["a", "b", "c"]));
        Assert.Equal("a, b and 2 more", Wording.Join(["a", "b", "c", "d"], max: 2));
    }
}
