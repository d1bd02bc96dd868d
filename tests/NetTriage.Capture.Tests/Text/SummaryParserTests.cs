using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>Link-layer prefixes (-e, VLAN, cooked captures), the fallback to the first "a > b:", and non-IP records.</summary>
public class SummaryParserTests
{
    [Fact]
    public void EthernetHeaderWithMinusEAndVerboseIp()
    {
        // a -e -v record: link header, IPv4 header, then the addresses on the next line
        const string text =
            "    1  2013-12-06 15:16:31.074315 00:0c:29:31:85:a5 > 00:0c:29:ac:b9:50, ethertype IPv4 (0x0800), length 321: (tos 0xc0, ttl 254, id 20061, offset 0, flags [none], proto TCP (6), length 307)\n" +
            "    10.0.0.4.179 > 10.0.0.2.64588: Flags [P.], cksum 0x707c (incorrect -> 0x6883), seq 786752827:786753082, ack 3829861902, win 16357, options [nop,nop,TS val 6993003 ecr 4502201], length 255: BGP\n";
        var p = TextInput.One(text);
        Assert.Equal(PacketLayers.Ethernet | PacketLayers.Ipv4 | PacketLayers.Tcp, p.Layers);
        Assert.Equal("00:0c:29:31:85:a5", p.SourceMac.ToString());
        Assert.Equal("00:0c:29:ac:b9:50", p.DestinationMac.ToString());
        Assert.Equal(EtherType.Ipv4, p.EtherType);
        Assert.Equal(321, p.OriginalLength);
        Assert.Equal((254, 0xc0, 307), (p.Ip.Ttl, p.Ip.Tos, p.Ip.TotalLength));
        Assert.Equal(("10.0.0.4", (ushort)179), (p.Ip.Source.ToString(), p.SourcePort));
        Assert.Equal(255, p.PayloadClaimedLength);
    }

    [Fact]
    public void VlanTaggedIp()
    {
        var p = TextInput.One("    1  2019-12-08 21:59:54.599412 00:20:d2:5a:fb:3f > 00:80:ea:81:88:63, ethertype 802.1Q (0x8100), length 102: vlan 100, p 0, ethertype IPv4 (0x0800), 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 64");
        Assert.Equal(PacketLayers.Ethernet | PacketLayers.Vlan | PacketLayers.Ipv4 | PacketLayers.Icmp, p.Layers);
        Assert.Equal((100, 1), (p.VlanId, p.VlanCount));
        Assert.Equal(EtherType.Ipv4, p.EtherType);
        Assert.Equal((1, 2), (p.Icmp.Identifier, p.Icmp.Sequence));
    }

    [Theory]
    [InlineData("eth0  In  IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 0)]
    [InlineData("lo    Out IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 4)]
    [InlineData("?     B   IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 1)]
    [InlineData("In IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 0)]
    [InlineData("  P IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 3)]
    [InlineData("  M IP 10.0.0.1.53 > 10.0.0.2.40000: 7+ A? a. (17)", 2)]
    public void CookedCaptureInterfaceAndDirection(string body, int packetType)
    {
        var p = TextInput.One("12:00:00.000000 " + body);
        Assert.True(p.Has(PacketLayers.LinuxSll));
        Assert.Equal(packetType, p.SllPacketType);
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal("10.0.0.1", p.Ip.Source.ToString());
    }

    [Fact]
    public void CookedCaptureWithMinusE()
    {
        // icmp-cksum-oobr-1.out (-e): direction, sender address, protocol; then the -v header and the addresses
        const string text =
            "    1  2007-04-24 21:08:39.847328 Out 00:16:3e:27:78:a2 ethertype IPv4 (0x0800), length 204: [total length 13911 > length 188] (invalid) (tos 0x72,ECT(0), ttl 64, id 9472, offset 0, flags [none], proto ICMP (1), length 13911, bad cksum 7ade (->fabd)!)\n" +
            "    62.220.31.247 > 62.225.245.115: ICMP 62.220.31.247 udp port 1027 unreachable, length 168 (wrong icmp cksum 90c2 (->5770)!)\n";
        var p = TextInput.One(text);
        Assert.Equal(4, p.SllPacketType);
        Assert.Equal("00:16:3e:27:78:a2", p.SourceMac.ToString());
        Assert.Equal(EtherType.Ipv4, p.EtherType);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        Assert.Equal((3, 3), (p.Icmp.Type, p.Icmp.Code));
        Assert.Equal(1027, p.Icmp.Quoted.DestinationPort);
    }

    [Theory]
    // mpls outputs, brcm-tag.out, dsa.out, arcnet, juniper-like prefixes: IP found after an unknown prefix
    [InlineData("MPLS (label 100656, tc 6, [S], ttl 64) IP 12.4.4.4.4100 > 12.8.8.8.179: Flags [P.], seq 1860641958:1860641977, ack 2969468967, win 16384, length 19", "12.4.4.4", PacketLayers.Tcp)]
    [InlineData("BRCM tag OP: IG, TC: 3, TE: None, TS: 0, DST map: [port 7], IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 00:10:18:de:38:1e, length 300", "0.0.0.0", PacketLayers.Udp)]
    [InlineData("DSA Forward port 0.1, VLAN 0u, IP 192.168.30.1 > 192.168.30.2: ICMP echo request, id 13586, seq 1, length 64", "192.168.30.1", PacketLayers.Icmp)]
    [InlineData("50 be 06 78: 10.80.3.254.53 > 10.80.131.1.1024: 54328 1/0/0 A 146.190.240.163 (45)", "10.80.3.254", PacketLayers.Dns)]
    [InlineData("DLT EN10MB (1) len 108, length 182: 70:73:cb:0b:26:2a > 00:1e:49:1f:f2:c4, ethertype IPv4 (0x0800), length 74: 10.32.4.27.63538 > 10.32.100.15.53: 17153+ A? in.m.yahoo.com. (32)", "10.32.4.27", PacketLayers.Dns)]
    public void IpAfterAnUnknownPrefix(string body, string source, PacketLayers layer)
    {
        var p = TextInput.One("    1  2004-06-14 10:13:29.000000 " + body);
        Assert.False(p.Unparsed);
        Assert.Equal(source, p.Ip.Source.ToString());
        Assert.True(p.Has(layer));
    }

    [Theory]
    [InlineData("STP 802.1d, Config, Flags [none], bridge-id 8000.00:19:69:df:dc:01.8015, length 35")]
    [InlineData("LLDP, length 1741")]
    [InlineData("IS-IS, p2p IIH, src-id 8888.8888.8888, length 1492")]
    [InlineData("1.1 > 1.1 34 conn-initiate 8195>0 ver 4.1 segsize 16403")]
    [InlineData("7268us tsft 2462 MHz 11n -51dBm signal antenna 1 150.0 Mb/s MCS 7 40 MHz short GI RX-STBC1 Data IV: 11 Pad 20 KeyID 0")]
    [InlineData("00:11:22:33:44:55 > 00:00:00:00:00:01, ethertype Arista Vendor Specific Protocol (0xd28b), length 110: SubType Timestamp (0x0001)")]
    public void NonIpRecordsAreRecognised(string body)
    {
        var p = TextInput.One("    1  2019-05-29 20:36:40.091512 " + body);
        Assert.False(p.Unparsed);
        Assert.False(p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6) || p.Has(PacketLayers.Arp));
    }

    [Theory]
    [InlineData("UNSUPPORTED")]
    [InlineData(" [|juniper_atm1]")]
    [InlineData("IP garbage without addresses")]
    [InlineData("this is prose about the log")]
    public void WhatIsNotUnderstoodIsUnparsed(string body)
    {
        Assert.True(TextInput.One("    1  2019-05-29 20:36:40.091512 " + body).Unparsed);
    }
}
