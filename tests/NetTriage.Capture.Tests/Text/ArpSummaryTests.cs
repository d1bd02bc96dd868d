using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>ARP (print-arp.c); lines from arp-too-long-tha.out, mptcp outputs, 802.1ad_QinQ*.out, arcnet-*.out, icmp6 -e outputs.</summary>
public class ArpSummaryTests
{
    [Fact]
    public void Request()
    {
        var p = TextInput.One("   11  2020-01-23 09:31:51.069130 ARP, Request who-has 10.2.1.2 tell 10.2.1.1, length 28");
        Assert.Equal(PacketLayers.Arp, p.Layers);
        Assert.Equal(EtherType.Arp, p.EtherType);
        Assert.Equal(1, p.Arp.Operation);
        Assert.Equal("10.2.1.2", p.Arp.TargetIp.ToString());
        Assert.Equal("10.2.1.1", p.Arp.SenderIp.ToString());
        Assert.Equal((1, EtherType.Ipv4), (p.Arp.HardwareType, p.Arp.ProtocolType));
        Assert.Equal(28, p.PayloadClaimedLength);
    }

    [Fact]
    public void Reply()
    {
        var p = TextInput.One("   12  2020-01-23 09:31:51.069150 ARP, Reply 10.2.1.2 is-at d6:06:3c:4a:35:7a, length 28");
        Assert.Equal(2, p.Arp.Operation);
        Assert.Equal("10.2.1.2", p.Arp.SenderIp.ToString());
        Assert.Equal("d6:06:3c:4a:35:7a", p.Arp.SenderMac.ToString());
    }

    [Fact]
    public void LinkHeaderAndAddressFormatsWithMinusE()
    {
        // 802.1ad_QinQ-e style line with a target hardware address printed
        var p = TextInput.One("  893  2010-03-13 23:22:11.535309 00:1f:29:da:2d:79 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Ethernet (len 6), IPv4 (len 4), Request who-has 192.37.0.1 (04:00:00:00:00:00) tell 192.168.1.104, length 46");
        Assert.Equal(PacketLayers.Ethernet | PacketLayers.Arp, p.Layers);
        Assert.Equal("00:1f:29:da:2d:79", p.SourceMac.ToString());
        Assert.True(p.DestinationMac.IsBroadcast);
        Assert.Equal(60, p.OriginalLength);
        Assert.Equal("192.37.0.1", p.Arp.TargetIp.ToString());
        Assert.Equal("04:00:00:00:00:00", p.Arp.TargetMac.ToString());
        Assert.Equal("192.168.1.104", p.Arp.SenderIp.ToString());
        Assert.Equal((6, 4), (p.Arp.HardwareLength, p.Arp.ProtocolLength));
        Assert.Equal(46, p.PayloadClaimedLength);
    }

    [Fact]
    public void ArpInsideTwoVlanTags()
    {
        // 802.1ad_QinQ.out, record 2 (-e)
        var p = TextInput.One("    2  2019-12-08 21:59:54.599680 00:80:ea:81:88:63 > 00:20:d2:5a:fb:3f, ethertype 802.1Q-QinQ (0x88a8), length 64: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 2001, p 0, ethertype ARP (0x0806), Reply 172.21.79.100 is-at 00:80:ea:81:88:63, length 42");
        Assert.Equal(PacketLayers.Ethernet | PacketLayers.Vlan | PacketLayers.Arp, p.Layers);
        Assert.Equal((200, 2001, 2), (p.VlanId, p.InnerVlanId, p.VlanCount));
        Assert.Equal(2, p.Arp.Operation);
        Assert.Equal("00:80:ea:81:88:63", p.Arp.SenderMac.ToString());
    }

    [Fact]
    public void UnknownHardwareAndProtocol()
    {
        var p = TextInput.One("    1  2010-03-13 23:22:11.535309 ARP, Unknown Hardware (7) (len 6), Unknown Protocol (0x0801) (len 4), Request who-has <wrong proto type> tell <wrong proto type>, length 28");
        Assert.Equal(7, p.Arp.HardwareType);
        Assert.Equal(0x0801, p.Arp.ProtocolType);
        Assert.Equal(1, p.Arp.Operation);
        Assert.True(p.Arp.TargetIp.IsNone);
    }

    [Fact]
    public void BehindAnUnknownLinkPrefix()
    {
        // arcnet-rfc1051-arp-icmp-http-e.out, record 1
        var p = TextInput.One("    1  2025-05-10 13:17:29.141151 be 00 ed 23: Request who-has 10.80.131.254 tell 10.80.131.1, length 18");
        Assert.Equal(1, p.Arp.Operation);
        Assert.Equal("10.80.131.254", p.Arp.TargetIp.ToString());
    }

    [Fact]
    public void Truncated()
    {
        var p = TextInput.One("    1  2010-03-13 23:22:11.535309 00:1f:29:da:2d:79 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60:  [|arp]");
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.ArpTruncated));
    }

    [Fact]
    public void ReverseArp()
    {
        var p = TextInput.One("    1  2010-03-13 23:22:11.535309 ARP, Reverse Request who-is 00:11:22:33:44:55 tell 00:11:22:33:44:55, length 28");
        Assert.Equal(3, p.Arp.Operation);
        Assert.Equal("00:11:22:33:44:55", p.Arp.TargetMac.ToString());
    }
}
