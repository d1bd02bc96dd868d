using System.Text;
using NetTriage.Capture.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Robustness;

/// <summary>
/// Lines of tcpdump text around the line-length cap, ending inside the read buffer or beyond it, with "\n" or
/// "\r\n": a line longer than the cap is cut there, marked and warned about, and the next line is read whole.
/// (The mutation test found that a long line ending within the buffer overran the line store.)
/// </summary>
public sealed class TextLineLengthTests
{
    private const string First = "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5 ";
    private const string Second = "13:24:33.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 6";

    [Theory]
    [InlineData(TcpdumpTextSource.MaxLineLength - 1, "\n", false)]
    [InlineData(TcpdumpTextSource.MaxLineLength, "\n", false)]
    [InlineData(TcpdumpTextSource.MaxLineLength, "\r\n", false)]
    [InlineData(TcpdumpTextSource.MaxLineLength + 1, "\n", true)]
    [InlineData(TcpdumpTextSource.MaxLineLength + 1, "\r\n", true)]
    [InlineData(70_000, "\n", true)]
    [InlineData(TcpdumpTextSource.MaxLineLength * 2 - 200, "\n", true)]
    [InlineData(TcpdumpTextSource.MaxLineLength * 2, "\n", true)]
    [InlineData(TcpdumpTextSource.MaxLineLength * 3 + 7, "\r\n", true)]
    public void A_line_over_the_cap_is_cut_and_the_next_line_is_read(int length, string newline, bool cut)
    {
        string line = First + new string('x', length - First.Length);
        byte[] bytes = Encoding.ASCII.GetBytes(line + newline + Second + newline);
        using var source = CaptureOpener.Open(new MemoryStream(bytes), "long.txt");
        var packet = new DecodedPacket();

        Assert.True(source.TryRead(packet));
        Assert.False(packet.Unparsed);
        Assert.Equal(5, packet.PayloadClaimedLength);
        Assert.Equal(cut, packet.Anomalies.Contains(AnomalyKind.TextLineTooLong));

        Assert.True(source.TryRead(packet));
        Assert.Equal(2, packet.LineNumber);
        Assert.Equal(6, packet.PayloadClaimedLength);
        Assert.False(packet.Anomalies.Contains(AnomalyKind.TextLineTooLong));
        Assert.False(source.TryRead(packet));
        Assert.Equal(cut ? 1 : 0, source.Warnings.Count);
    }
}
