using NetTriage.Capture.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>TCP summaries (print-tcp.c); lines from tcp_rst_data.out, dns_tcp.out, accecn_handshake.out, print-flags.out.</summary>
public class TcpSummaryTests
{
    [Theory]
    [InlineData("S", TcpFlags.Syn)]
    [InlineData("S.", TcpFlags.Syn | TcpFlags.Ack)]
    [InlineData(".", TcpFlags.Ack)]
    [InlineData("P.", TcpFlags.Psh | TcpFlags.Ack)]
    [InlineData("F.", TcpFlags.Fin | TcpFlags.Ack)]
    [InlineData("R", TcpFlags.Rst)]
    [InlineData("R.", TcpFlags.Rst | TcpFlags.Ack)]
    [InlineData("SEW", TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr)]
    [InlineData("P.Ee", TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Ece | TcpFlags.Ae)]
    [InlineData("FSRP.UEW", TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr)]
    [InlineData("none", TcpFlags.None)]
    public void FlagLetters(string letters, TcpFlags flags)
    {
        Assert.Equal(flags, TcpSummary.ReadFlags(letters));
        var p = TextInput.One($"    1  2020-06-10 09:21:03.720289 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [{letters}], seq 1, win 5, length 0");
        Assert.Equal(flags, p.Tcp.Flags);
    }

    [Fact]
    public void SynWithOptions()
    {
        // dns_tcp.out, record 1
        var p = TextInput.One("    1  2020-06-10 09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Tcp, p.Layers);
        Assert.Equal(IpProtocol.Tcp, p.Ip.Protocol);
        Assert.Equal((33779, 53), (p.SourcePort, p.DestinationPort));
        var t = p.Tcp;
        Assert.Equal(TcpFlags.Syn, t.Flags);
        Assert.Equal(603899916u, t.Sequence);
        Assert.Equal(64240, t.Window);
        Assert.True(t.HasMss);
        Assert.Equal(1460, t.Mss);
        Assert.True(t.SackPermitted);
        Assert.True(t.HasTimestamp);
        Assert.Equal((2044906138u, 0u), (t.TsValue, t.TsEcho));
        Assert.True(t.HasWindowScale);
        Assert.Equal(7, t.WindowScale);
        Assert.Equal(0, p.PayloadClaimedLength);
    }

    [Fact]
    public void ResetWithDataAndChecksum()
    {
        // tcp_rst_data-v.out, record 1
        const string text =
            "    1  2013-02-26 22:03:19.190965 IP (tos 0x20, ttl 243, id 8243, offset 0, flags [DF], proto TCP (6), length 98)\n" +
            "    199.204.31.89.80 > 172.16.133.41.52875: Flags [R.], cksum 0x8471 (correct), seq 1617159969:1617160027, ack 1936660873, win 5785, length 58 [RST+ BIG-IP: [0x11c5672:3045] {peer]";
        var p = TextInput.One(text);
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, p.Tcp.Flags);
        Assert.Equal(1617159969u, p.Tcp.Sequence);
        Assert.Equal(1936660873u, p.Tcp.Acknowledgment);
        Assert.Equal(5785, p.Tcp.Window);
        Assert.Equal(58, p.PayloadClaimedLength);
        Assert.Equal(0x20, p.Ip.Tos);
    }

    [Fact]
    public void SackBlocksAndUrgentPointer()
    {
        var p = TextInput.One("10:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.U], seq 5, ack 9, win 100, urg 3, options [nop,nop,sack 2 {100:200}{300:400}], length 0");
        Assert.Equal(2, p.Tcp.SackBlockCount);
        Assert.Equal(3, p.Tcp.UrgentPointer);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Urg, p.Tcp.Flags);
    }

    [Fact]
    public void QuietForm()
    {
        // tcp-handshake-micro.out (-q)
        var p = TextInput.One("    1  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Tcp, p.Layers);
        Assert.Equal(IpProtocol.Tcp, p.Ip.Protocol);
        Assert.Equal((46656, 80), (p.SourcePort, p.DestinationPort));
    }

    [Fact]
    public void TruncatedHeader()
    {
        var p = TextInput.One("    1  17:16:09.924505 IP 199.204.31.89.80 > 172.16.133.41.52875: [|tcp]");
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.TcpHeaderTruncated));
        Assert.Equal(IpProtocol.Tcp, p.Ip.Protocol);
    }

    [Fact]
    public void ClassicFormatOfOldTcpdump()
    {
        var syn = TextInput.One("03:57:35.938066 127.0.0.1.55920 > 127.0.0.1.80: S 928549246:928549246(0) win 32767 <mss 16396,sackOK,timestamp 1306300950 0,nop,wscale 2> (DF)");
        Assert.Equal(TcpFlags.Syn, syn.Tcp.Flags);
        Assert.Equal(928549246u, syn.Tcp.Sequence);
        Assert.Equal(32767, syn.Tcp.Window);
        Assert.Equal(16396, syn.Tcp.Mss);
        Assert.True(syn.Tcp.SackPermitted);

        var ack = TextInput.One("03:57:35.938167 127.0.0.1.55920 > 127.0.0.1.80: . ack 1 win 8192");
        Assert.Equal(TcpFlags.Ack, ack.Tcp.Flags);
        Assert.Equal(1u, ack.Tcp.Acknowledgment);

        var push = TextInput.One("03:57:35.939423 127.0.0.1.55920 > 127.0.0.1.80: P 1:203(202) ack 1 win 8192");
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, push.Tcp.Flags);
        Assert.Equal(202, push.PayloadClaimedLength);
    }

    [Fact]
    public void ManyOptionsAreCapped()
    {
        string options = string.Join(',', Enumerable.Repeat("nop", 5000));
        var p = TextInput.One($"10:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 1, win 5, options [{options},mss 1400], length 0");
        Assert.False(p.Unparsed);
        Assert.False(p.Tcp.HasMss); // past the option cap
    }
}
