using NetTriage.Capture.Text;

namespace NetTriage.Capture.Tests.Text;

/// <summary>Frame numbers and every tcpdump time style, from tcp-handshake-*.out (TZ=GMT0).</summary>
public class RecordHeaderTests
{
    private const long Second = 1_000_000_000;
    /// <summary>2014-12-09 17:16:10 UTC.</summary>
    private const long Epoch = 1418145370;
    private const long TimeOfDay = ((17 * 3600) + (16 * 60) + 10) * Second;

    [Theory]
    // default: -# then HH:MM:SS.ffffff
    [InlineData("    2  17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.TimeOfDay, TimeOfDay + 52_027_000)]
    // --nano
    [InlineData("    2  17:16:10.052027262 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.TimeOfDay, TimeOfDay + 52_027_262)]
    // -t
    [InlineData("    2  IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.None, 0)]
    // -tt
    [InlineData("    2  1418145370.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.Epoch, (Epoch * Second) + 52_027_000)]
    [InlineData("    2  1418145370.052027262 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.Epoch, (Epoch * Second) + 52_027_262)]
    // -ttt / -ttttt: a sign character before the time
    [InlineData("    2   00:00:00.127522 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.Delta, 127_522_000)]
    [InlineData("    2   00:00:00.127521774 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.Delta, 127_521_774)]
    [InlineData("    2  -00:00:01.500000 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.Delta, -1_500_000_000)]
    // -tttt
    [InlineData("    2  2014-12-09 17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.DateTime, (Epoch * Second) + 52_027_000)]
    [InlineData("    2  2014-12-09 17:16:10.052027262 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", true, 2, (int)TimeStyle.DateTime, (Epoch * Second) + 52_027_262)]
    // without -#
    [InlineData("17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.TimeOfDay, TimeOfDay + 52_027_000)]
    [InlineData(" 00:00:00.127522 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.Delta, 127_522_000)]
    [InlineData("1418145370.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.Epoch, (Epoch * Second) + 52_027_000)]
    [InlineData("2014-12-09 17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.DateTime, (Epoch * Second) + 52_027_000)]
    [InlineData("IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.None, 0)]
    // a document's indentation is not a -ttt sign
    [InlineData("    17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.TimeOfDay, TimeOfDay + 52_027_000)]
    // a time with no fraction, as a document may quote it
    [InlineData("17:16:10 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", false, 0, (int)TimeStyle.TimeOfDay, TimeOfDay)]
    public void ReadsFrameNumberAndTime(string line, bool hasFrame, long frame, int style, long nanos)
    {
        var h = RecordHeaderReader.Read(line);
        Assert.Equal(hasFrame, h.HasFrameNumber);
        Assert.Equal(frame, h.FrameNumber);
        Assert.Equal((TimeStyle)style, h.Style);
        Assert.Equal(nanos, h.Nanoseconds);
        Assert.Equal("IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", line[h.BodyStart..]);
    }

    [Theory]
    // timestamp_invalid_micro.out / timestamp_invalid_nano.out: the fraction is taken as zero
    [InlineData("    2  17:16:10.1000000 (invalid us) IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0")]
    [InlineData("    3  17:16:10.2147483648 (invalid us) IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0")]
    [InlineData("    2  17:16:10.1000000000 (invalid ns) IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0")]
    public void InvalidFractionIsZeroAndFlagged(string line)
    {
        var h = RecordHeaderReader.Read(line);
        Assert.Equal(TimeStyle.TimeOfDay, h.Style);
        Assert.True(h.InvalidFraction);
        Assert.Equal(TimeOfDay, h.Nanoseconds);
        Assert.Equal("IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0", line[h.BodyStart..]);
    }

    [Theory]
    // continuation lines of -v / -x / -e output, and prose, carry no marker
    [InlineData("    199.204.31.89.80 > 172.16.133.41.52875: Flags [R.], seq 1, ack 2, win 5785, length 58")]
    [InlineData("\t0x0000:  4500 0054 0000 4000 4001 0000 c000 0201")]
    [InlineData("\t3.1024 > 2.1234 CONNECT, length 76")]
    [InlineData("00:16:3e:37:f6:04 > 00:30:88:01:00:02, ethertype IPv4 (0x0800), length 98: 192.168.203.3 > 192.168.203.5: ICMP echo request")]
    [InlineData("yummyrecipesforme.com. (24)")]
    [InlineData("udp port 53 unreachable length 254")]
    [InlineData("12.4.4.4.4100 > 12.8.8.8.179: Flags [P.]")]
    [InlineData("3.14 is not a time")]
    [InlineData("25:61:00.000000 out of range")]
    [InlineData("2014-13-09 17:16:10.052027 bad month")]
    [InlineData("")]
    public void ContinuationLinesHaveNoMarker(string line)
    {
        Assert.False(RecordHeaderReader.Read(line).HasMarker);
    }

    [Fact]
    public void EpochBeyondYear2262IsNotATime()
    {
        Assert.Equal(TimeStyle.None, RecordHeaderReader.Read("9999999999.000000 IP").Style);
    }
}
