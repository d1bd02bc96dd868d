using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>What follows "src > dst:": UDP, the -q forms, checksum notes, and protocols known only by name.</summary>
public class TransportSummaryTests
{
    [Theory]
    [InlineData("IP 155.1.79.2 > 6.6.6.6: GREv0, Flags [key present], key=0x2, length 116", IpProtocol.Gre, false)]
    [InlineData("IP 132.199.152.129.49445 > 132.199.4.1.123: NTPv4, Client, length 48", IpProtocol.Udp, true)]
    [InlineData("IP 192.168.121.5 > 224.0.0.5: OSPFv2, Hello, length 88", 89, false)]
    [InlineData("IP 10.0.200.151 > 224.0.0.1: igmp query v1", IpProtocol.Igmp, false)]
    [InlineData("IP 192.1.2.23 > 192.1.2.45: ESP(spi=0x12345678,seq=0x1), length 116", IpProtocol.Esp, false)]
    [InlineData("IP 10.0.0.1 > 0.234.154.214: ip-proto-17", IpProtocol.Udp, false)]
    [InlineData("IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 00:10:18:de:38:1e, length 300", IpProtocol.Udp, true)]
    [InlineData("IP 10.48.74.126.20105 > 10.48.73.246.12222: SOMETHING-NEW, length 24", 0, false)]
    public void OtherProtocolsStillGiveAddressesAndPorts(string body, byte protocol, bool udpLayer)
    {
        var p = TextInput.One("    1  2004-06-14 10:13:29.000000 " + body);
        Assert.False(p.Unparsed);
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.False(p.Ip.Source.IsNone);
        Assert.Equal(protocol, p.Ip.Protocol);
        Assert.Equal(udpLayer, p.Has(PacketLayers.Udp));
    }

    [Fact]
    public void UdpLength()
    {
        var p = TextInput.One("    2  2016-03-21 11:00:10.000000 IP 192.168.1.1.59557 > 192.168.1.2.44935: UDP, length 516");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Udp, p.Layers);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.Equal((516, (ushort)524), (p.PayloadClaimedLength, p.UdpLength));
    }

    [Fact]
    public void QuietUdp()
    {
        var p = TextInput.One("17:16:09.924505 IP 10.0.0.1.5000 > 10.0.0.2.6000: udp 48");
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(48, p.PayloadClaimedLength);
    }

    [Fact]
    public void ChecksumNotesBeforeTheSummaryAreSkipped()
    {
        var p = TextInput.One("17:16:09.924505 IP 10.0.0.1.5000 > 10.0.0.2.6000: [bad udp cksum 0x1234 -> 0x5678!] UDP, length 12");
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(12, p.PayloadClaimedLength);
    }

    [Fact]
    public void TruncatedUdpHeader()
    {
        var p = TextInput.One("17:16:09.924505 IP 10.0.0.1.5000 > 10.0.0.2.6000: [|udp]");
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.UdpHeaderTruncated));
        Assert.True(p.Has(PacketLayers.Udp));
    }

    [Fact]
    public void Ipv6ExtensionHeaderGivesWayToTheFinalProtocol()
    {
        var p = TextInput.One("    1  2022-08-01 09:09:55.627421 IP6 (hlim 64, next-header Fragment (44), payload length: 1240) 2001:db8::1.1000 > 2001:db8::2.2000: UDP, length 1000");
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
    }
}
