using NetTriage.Capture.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

public class TimestampTrackerTests
{
    private const long Ms = 1_000_000;

    private static RecordHeader Header(TimeStyle style, long nanos) => new() { Style = style, Nanoseconds = nanos };

    [Fact]
    public void SincePreviousDeltasAreSummedOnceTheStyleIsProven()
    {
        // tcp-handshake-micro-ttt.out: 0, 127.522 ms, 0.088 ms. The third is smaller than the second, so -ttt.
        var t = new TimestampTracker();
        long[] got = [.. new long[] { 0, 127_522_000, 88_000 }.Select(n => t.Convert(Header(TimeStyle.Delta, n)).Nanoseconds)];
        Assert.Equal([0, 127_522_000, 127_610_000], got);
        Assert.True(t.DeltaIsSincePrevious);
    }

    [Fact]
    public void SinceFirstDeltasAreKept()
    {
        // tcp-handshake-micro-ttttt.out: 0, 127.522 ms, 127.610 ms.
        var t = new TimestampTracker();
        var got = new[] { 0L, 127_522_000, 127_610_000 }.Select(n => t.Convert(Header(TimeStyle.Delta, n))).ToList();
        Assert.Equal([0, 127_522_000, 127_610_000], got.Select(g => g.Nanoseconds));
        Assert.All(got, g => Assert.Equal(TimestampKind.Relative, g.Kind));
        Assert.False(t.DeltaIsSincePrevious);
    }

    [Fact]
    public void TimeOfDayPassingMidnightAddsADay()
    {
        var t = new TimestampTracker();
        long late = (23 * 3600 + 59 * 60 + 59) * 1000 * Ms;
        long early = 1000 * Ms;
        Assert.Equal(late, t.Convert(Header(TimeStyle.TimeOfDay, late)).Nanoseconds);
        var next = t.Convert(Header(TimeStyle.TimeOfDay, early));
        Assert.Equal(PacketTimestamp.NanosPerDay + early, next.Nanoseconds);
        Assert.Equal(TimestampKind.TimeOfDay, next.Kind);
        Assert.Equal(early, next.TimeOfDayNanos);
    }

    [Fact]
    public void SmallBackwardStepInTimeOfDayIsNotMidnight()
    {
        var t = new TimestampTracker();
        t.Convert(Header(TimeStyle.TimeOfDay, 10_000 * Ms));
        Assert.Equal(9_000 * Ms, t.Convert(Header(TimeStyle.TimeOfDay, 9_000 * Ms)).Nanoseconds);
    }

    [Theory]
    [InlineData((int)TimeStyle.Epoch, TimestampKind.Absolute)]
    [InlineData((int)TimeStyle.DateTime, TimestampKind.Absolute)]
    [InlineData((int)TimeStyle.None, TimestampKind.None)]
    public void OtherStylesMapToTheirKinds(int styleNumber, TimestampKind kind)
    {
        var style = (TimeStyle)styleNumber;
        var ts = new TimestampTracker().Convert(Header(style, style == TimeStyle.None ? 0 : 1_418_145_370L * 1_000_000_000));
        Assert.Equal(kind, ts.Kind);
        if (kind == TimestampKind.Absolute) Assert.Equal(new DateTime(2014, 12, 9, 17, 16, 10, DateTimeKind.Utc), ts.ToDateTime());
    }

    [Fact]
    public void EveryStyleReadsThroughTheSource()
    {
        const string text =
            "    1  2014-12-09 17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0\n" +
            "    2  1418145370.052027262 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0\n" +
            "    3  17:16:10.052115 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0\n" +
            "    4  IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0\n";
        var kinds = TextInput.All(text, p => (p.Timestamp.Kind, p.Timestamp.Nanoseconds));
        Assert.Equal(
            [(TimestampKind.Absolute, 1_418_145_369_924_505_000L), (TimestampKind.Absolute, 1_418_145_370_052_027_262L),
             (TimestampKind.TimeOfDay, ((17L * 3600) + (16 * 60) + 10) * 1_000_000_000 + 52_115_000), (TimestampKind.None, 0L)],
            kinds);
    }
}
