using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Link;

public class LinkDecoderTests
{
    /// <summary>An ARP request as a Linux host sends it, padded by the NIC to the 60-byte Ethernet minimum.</summary>
    private static readonly byte[] ArpRequest =
    [
        // Ethernet II
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // destination: broadcast
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33,             // source
        0x08, 0x06,                                     // EtherType: ARP
        // ARP (RFC 826)
        0x00, 0x01,                                     // hardware type: Ethernet
        0x08, 0x00,                                     // protocol type: IPv4
        0x06,                                           // hardware length
        0x04,                                           // protocol length
        0x00, 0x01,                                     // operation: request
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33,             // sender MAC
        0xc0, 0xa8, 0x01, 0x0b,                         // sender IP 192.168.1.11
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             // target MAC (unknown)
        0xc0, 0xa8, 0x01, 0x01,                         // target IP 192.168.1.1
        // Ethernet padding to 60 bytes
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>
    /// The seed incident's query (192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com.) inside
    /// an 802.1ad + 802.1Q double tag.
    /// </summary>
    private static readonly byte[] QinQDnsQuery =
    [
        // Ethernet II
        0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc,             // destination
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33,             // source
        0x88, 0xa8,                                     // TPID: 802.1ad service tag
        0x00, 0x64,                                     // PCP 0, DEI 0, VID 100
        0x81, 0x00,                                     // TPID: 802.1Q customer tag
        0x20, 0xc8,                                     // PCP 1, DEI 0, VID 200
        0x08, 0x00,                                     // EtherType: IPv4
        // IPv4
        0x45, 0x00,                                     // version 4, IHL 5; TOS
        0x00, 0x43,                                     // total length 67
        0x1a, 0x2b, 0x00, 0x00,                         // id; flags/offset
        0x40, 0x11, 0x00, 0x00,                         // TTL 64, UDP; checksum
        0xc0, 0x33, 0x64, 0x0f,                         // 192.51.100.15
        0xcb, 0x00, 0x71, 0x02,                         // 203.0.113.2
        // UDP
        0xcc, 0xdc,                                     // source port 52444
        0x00, 0x35,                                     // destination port 53
        0x00, 0x2f,                                     // length 47
        0x00, 0x00,                                     // checksum
        // DNS
        0x89, 0x0c,                                     // id 35084
        0x01, 0x00,                                     // flags: RD
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // QD 1, AN 0, NS 0, AR 0
        0x11, (byte)'y', (byte)'u', (byte)'m', (byte)'m', (byte)'y', (byte)'r', (byte)'e', (byte)'c', (byte)'i',
        (byte)'p', (byte)'e', (byte)'s', (byte)'f', (byte)'o', (byte)'r', (byte)'m', (byte)'e',
        0x03, (byte)'c', (byte)'o', (byte)'m', 0x00,    // yummyrecipesforme.com.
        0x00, 0x01, 0x00, 0x01,                         // type A, class IN
    ];

    /// <summary>Linux cooked v1 (LINKTYPE_LINUX_SLL) carrying a small IPv4/UDP datagram.</summary>
    private static readonly byte[] SllUdp =
    [
        0x00, 0x04,                                     // packet type: outgoing
        0x00, 0x01,                                     // ARPHRD_ETHER
        0x00, 0x06,                                     // address length
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33, 0x00, 0x00, // address, padded to 8
        0x08, 0x00,                                     // protocol: IPv4
        // IPv4
        0x45, 0x00, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
        0x0a, 0x00, 0x00, 0x01,                         // 10.0.0.1
        0x0a, 0x00, 0x00, 0x02,                         // 10.0.0.2
        // UDP 1000 > 2000, length 10, two bytes of data
        0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd,
    ];

    /// <summary>Linux cooked v2 (LINKTYPE_LINUX_SLL2) carrying the same datagram.</summary>
    private static readonly byte[] Sll2Udp =
    [
        0x08, 0x00,                                     // protocol: IPv4
        0x00, 0x00,                                     // reserved
        0x00, 0x00, 0x00, 0x02,                         // interface index 2
        0x00, 0x01,                                     // ARPHRD_ETHER
        0x00,                                           // packet type: to us
        0x06,                                           // address length
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33, 0x00, 0x00, // address, padded to 8
        // IPv4
        0x45, 0x00, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
        0x0a, 0x00, 0x00, 0x01,
        0x0a, 0x00, 0x00, 0x02,
        0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd,
    ];

    [Fact]
    public void Arp_request_is_decoded_and_padding_ignored()
    {
        var p = Decoding.Decode(LinkType.Ethernet, ArpRequest);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ethernet | PacketLayers.Arp));
        Assert.True(p.DestinationMac.IsBroadcast);
        Assert.Equal(0x000c29112233UL, p.SourceMac.Value);
        Assert.Equal(EtherType.Arp, p.EtherType);
        Assert.Equal(1, p.Arp.Operation);
        Assert.Equal(IpAddr.Parse("192.168.1.11"), p.Arp.SenderIp);
        Assert.Equal(IpAddr.Parse("192.168.1.1"), p.Arp.TargetIp);
        Assert.Equal(0x000c29112233UL, p.Arp.SenderMac.Value);
        Assert.Equal(0UL, p.Arp.TargetMac.Value);
    }

    [Fact]
    public void Arp_with_other_address_lengths_records_operation_but_not_addresses()
    {
        var arp = Concat(U16(6) /* IEEE 802 */, U16(0x0800), [8, 4], U16(2), new byte[(8 + 4) * 2]);
        var p = Decoding.Decode(LinkType.Ethernet, Ethernet(EtherType.Arp, arp));
        Assert.True(p.Has(PacketLayers.Arp));
        Assert.Equal(2, p.Arp.Operation);
        Assert.Equal(8, p.Arp.HardwareLength);
        Assert.True(p.Arp.SenderIp.IsNone);
        Assert.Equal(0, p.Anomalies.Count);
    }

    public static IEnumerable<object[]> ArpPrefixes => Decoding.Prefixes(42);

    [Theory]
    [MemberData(nameof(ArpPrefixes))]
    public void Arp_truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ethernet, ArpRequest.AsSpan(0, length));
        Assert.True(p.Truncated);
        if (length < 14)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.LinkHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Ethernet));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ethernet));
        Assert.True(p.DestinationMac.IsBroadcast);
        Assert.True(p.Anomalies.Contains(AnomalyKind.ArpTruncated));
        Assert.Equal(length >= 22, p.Has(PacketLayers.Arp));
        Assert.True(p.Arp.SenderIp.IsNone);
    }

    [Fact]
    public void QinQ_tags_are_recorded_outermost_first()
    {
        var p = Decoding.Decode(LinkType.Ethernet, QinQDnsQuery);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ethernet | PacketLayers.Vlan | PacketLayers.Ipv4 | PacketLayers.Udp | PacketLayers.Dns));
        Assert.Equal(2, p.VlanCount);
        Assert.Equal(100, p.VlanId);
        Assert.Equal(200, p.InnerVlanId);
        Assert.Equal(EtherType.Ipv4, p.EtherType);
        Assert.Equal(52444, p.SourcePort);
        Assert.Equal(35084, p.Dns.Id);
        Assert.Equal("yummyrecipesforme.com.", p.Text(p.Dns.Questions[0].Name));
        // 14 Ethernet + 8 tags + 20 IPv4 + 8 UDP
        Assert.Equal(50, p.PayloadOffset);
        Assert.Equal(39, p.PayloadLength);
    }

    [Theory]
    [InlineData((ushort)0x8100)]
    [InlineData((ushort)0x88a8)]
    [InlineData((ushort)0x9100)]
    public void Every_tag_protocol_identifier_is_walked(ushort tpid)
    {
        var ip = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []));
        var p = Decoding.Decode(LinkType.Ethernet, Ethernet(tpid, Concat(U16(0x0fff), U16(EtherType.Ipv4), ip)));
        Assert.Equal(1, p.VlanCount);
        Assert.Equal(4095, p.VlanId);
        Assert.True(p.Has(PacketLayers.Udp));
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(9, true)]
    public void More_than_eight_tags_is_an_anomaly(int tagCount, bool tooMany)
    {
        var tags = new List<byte>();
        for (int i = 0; i < tagCount; i++)
        {
            tags.AddRange(U16(i + 1));
            tags.AddRange(U16(i + 1 < tagCount ? 0x8100 : EtherType.Ipv4));
        }
        var ip = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []));
        var p = Decoding.Decode(LinkType.Ethernet, Ethernet(0x8100, Concat([.. tags], ip)));
        Assert.Equal(tooMany, p.Anomalies.Contains(AnomalyKind.TooManyVlanTags));
        Assert.Equal(!tooMany, p.Has(PacketLayers.Ipv4));
        Assert.Equal(Math.Min(tagCount, 8), p.VlanCount);
        Assert.Equal(1, p.VlanId);
        Assert.Equal(2, p.InnerVlanId);
    }

    public static IEnumerable<object[]> QinQLinkPrefixes => Decoding.Prefixes(22);

    [Theory]
    [MemberData(nameof(QinQLinkPrefixes))]
    public void Ethernet_and_tags_truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ethernet, QinQDnsQuery.AsSpan(0, length));
        Assert.True(p.Truncated);
        Assert.False(p.Has(PacketLayers.Ipv4));
        if (length < 14)
        {
            Assert.Equal([AnomalyKind.LinkHeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.Ethernet));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ethernet));
        Assert.Equal(0x000c29112233UL, p.SourceMac.Value);
        if (length < 22)
        {
            // cut inside a tag
            Assert.Equal([AnomalyKind.LinkHeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.Equal(length >= 18 ? 1 : 0, p.VlanCount);
            Assert.Equal(length >= 18 ? 100 : 0, p.VlanId);
        }
    }

    [Fact]
    public void Ieee_802_3_length_field_is_llc_and_not_decoded()
    {
        // Spanning tree BPDU: 802.3 length 38, LLC DSAP 0x42 SSAP 0x42 control 0x03.
        var frame = Concat([0x01, 0x80, 0xc2, 0x00, 0x00, 0x00], MacA, U16(38), [0x42, 0x42, 0x03], new byte[35]);
        var p = Decoding.Decode(LinkType.Ethernet, frame);
        Assert.True(p.Has(PacketLayers.Ethernet));
        Assert.Equal([AnomalyKind.UnsupportedEtherType], p.Anomalies.Kept.ToArray());
        Assert.Equal(38, p.EtherType);
        Assert.False(p.Truncated);
    }

    [Fact]
    public void Ethernet_padding_is_trimmed_by_the_ipv4_total_length()
    {
        // A 2-byte UDP payload: 14 + 20 + 8 + 2 = 44 bytes, padded to 60 with non-zero trailer bytes.
        var ip = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1000, 2000, [0xab, 0xcd]));
        var frame = Concat(Ethernet(EtherType.Ipv4, ip), Enumerable.Repeat((byte)0xee, 16).ToArray());
        Assert.Equal(60, frame.Length);
        var p = Decoding.Decode(LinkType.Ethernet, frame);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.False(p.Truncated);
        Assert.Equal(30, p.Ip.TotalLength);
        Assert.Equal(2, p.PayloadLength);
        Assert.Equal(2, p.PayloadClaimedLength);
        Assert.Equal(42, p.PayloadOffset);
    }

    [Fact]
    public void Linux_cooked_v1_is_decoded()
    {
        var p = Decoding.Decode(LinkType.LinuxSll, SllUdp);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.LinuxSll | PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(4, p.SllPacketType);
        Assert.Equal(0x000c29112233UL, p.SourceMac.Value);
        Assert.Equal(1000, p.SourcePort);
        Assert.Equal(16 + 28, p.PayloadOffset);
        Assert.Equal(2, p.PayloadLength);
    }

    [Fact]
    public void Linux_cooked_v2_is_decoded()
    {
        var p = Decoding.Decode(LinkType.LinuxSll2, Sll2Udp);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.LinuxSll | PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(0, p.SllPacketType);
        Assert.Equal(0x000c29112233UL, p.SourceMac.Value);
        Assert.Equal(2000, p.DestinationPort);
        Assert.Equal(20 + 28, p.PayloadOffset);
    }

    public static IEnumerable<object[]> SllPrefixes => Decoding.Prefixes(SllUdp.Length);

    [Theory]
    [MemberData(nameof(SllPrefixes))]
    public void Linux_cooked_v1_truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.LinuxSll, SllUdp.AsSpan(0, length));
        Assert.True(p.Truncated);
        AssertCookedPrefix(p, length, 16);
    }

    public static IEnumerable<object[]> Sll2Prefixes => Decoding.Prefixes(Sll2Udp.Length);

    [Theory]
    [MemberData(nameof(Sll2Prefixes))]
    public void Linux_cooked_v2_truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.LinuxSll2, Sll2Udp.AsSpan(0, length));
        Assert.True(p.Truncated);
        AssertCookedPrefix(p, length, 20);
    }

    private static void AssertCookedPrefix(DecodedPacket p, int length, int linkLength)
    {
        if (length < linkLength)
        {
            Assert.Equal([AnomalyKind.LinkHeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.LinuxSll));
            return;
        }
        Assert.True(p.Has(PacketLayers.LinuxSll));
        Assert.Equal(0x000c29112233UL, p.SourceMac.Value);
        if (length < linkLength + 20)
        {
            Assert.Equal([AnomalyKind.Ipv4HeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.Ipv4));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.Equal(IpAddr.Parse("10.0.0.2"), p.Ip.Destination);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        if (length < linkLength + 28)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.UdpHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Udp));
            return;
        }
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(length - linkLength - 28, p.PayloadLength);
        Assert.Equal(2, p.PayloadClaimedLength);
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x00, 0x00, 0x00 }, 4)]   // AF_INET, little-endian writer
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x02 }, 4)]   // AF_INET, big-endian writer
    [InlineData(new byte[] { 0x18, 0x00, 0x00, 0x00 }, 6)]   // AF_INET6 = 24 (NetBSD/OpenBSD)
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x1c }, 6)]   // AF_INET6 = 28 (FreeBSD), big-endian
    [InlineData(new byte[] { 0x1e, 0x00, 0x00, 0x00 }, 6)]   // AF_INET6 = 30 (Darwin)
    public void Null_loopback_accepts_either_byte_order(byte[] family, int version)
    {
        var ip = version == 4
            ? Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp, Udp(5000, 53, DnsQuery(1, "a.example")))
            : Ipv6("::1", "::1", IpProtocol.Udp, Udp(5000, 53, DnsQuery(1, "a.example")));
        var p = Decoding.Decode(LinkType.Null, Concat(family, ip));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Loopback | PacketLayers.Udp | PacketLayers.Dns));
        Assert.Equal(version, p.Ip.Version);
        Assert.Equal(4 + (version == 4 ? 20 : 40) + 8, p.PayloadOffset);
    }

    [Fact]
    public void Null_loopback_with_another_family_is_unsupported()
    {
        var p = Decoding.Decode(LinkType.Null, [0x07, 0x00, 0x00, 0x00, 0xfe, 0xfe]);   // AF_OSI
        Assert.True(p.Has(PacketLayers.Loopback));
        Assert.Equal([AnomalyKind.UnsupportedEtherType], p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Loop_reads_the_family_in_network_order()
    {
        var ip = Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp, Udp(1, 2, []));
        Assert.True(Decoding.Decode(LinkType.Loop, Concat([0, 0, 0, 2], ip)).Has(PacketLayers.Udp));
        var swapped = Decoding.Decode(LinkType.Loop, Concat([2, 0, 0, 0], ip));
        Assert.False(swapped.Has(PacketLayers.Ipv4));
        Assert.True(swapped.Anomalies.Contains(AnomalyKind.UnsupportedEtherType));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(108, 2)]
    public void Loopback_header_truncated(int linkType, int length)
    {
        var p = Decoding.Decode((LinkType)linkType, new byte[length]);
        Assert.True(p.Truncated);
        Assert.Equal([AnomalyKind.LinkHeaderTruncated], p.Anomalies.Kept.ToArray());
    }

    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(101)]
    public void Raw_ip_chooses_the_version_by_its_first_nibble(int linkType)
    {
        var v4 = Decoding.Decode((LinkType)linkType, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, [])));
        Assert.True(v4.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(EtherType.Ipv4, v4.EtherType);
        Assert.Equal(28, v4.PayloadOffset);
        var v6 = Decoding.Decode((LinkType)linkType, Ipv6("fe80::1", "fe80::2", IpProtocol.Udp, Udp(1, 2, [])));
        Assert.True(v6.Has(PacketLayers.Ipv6 | PacketLayers.Udp));
        Assert.Equal(EtherType.Ipv6, v6.EtherType);
        Assert.Equal(48, v6.PayloadOffset);
        var other = Decoding.Decode((LinkType)linkType, [0x50, 0x00, 0x00, 0x14]);
        Assert.Equal([AnomalyKind.Ipv4BadVersion], other.Anomalies.Kept.ToArray());
        var empty = Decoding.Decode((LinkType)linkType, []);
        Assert.True(empty.Truncated);
        Assert.Equal([AnomalyKind.LinkHeaderTruncated], empty.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Ipv4_and_ipv6_link_types_decode_their_own_version_only()
    {
        var v4 = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []));
        var v6 = Ipv6("fe80::1", "fe80::2", IpProtocol.Udp, Udp(1, 2, []));
        Assert.True(Decoding.Decode(LinkType.Ipv4, v4).Has(PacketLayers.Udp));
        Assert.True(Decoding.Decode(LinkType.Ipv6, v6).Has(PacketLayers.Udp));
        Assert.Equal([AnomalyKind.Ipv4BadVersion], Decoding.Decode(LinkType.Ipv4, v6).Anomalies.Kept.ToArray());
        Assert.Equal([AnomalyKind.Ipv6BadVersion], Decoding.Decode(LinkType.Ipv6, v4).Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Unknown_link_type_is_an_anomaly()
    {
        var p = Decoding.Decode((LinkType)147, [1, 2, 3, 4]);
        Assert.Equal([AnomalyKind.UnknownLinkType], p.Anomalies.Kept.ToArray());
        Assert.Equal(PacketLayers.None, p.Layers);
        Assert.Equal((LinkType)147, p.LinkType);
    }

    [Fact]
    public void Unsupported_ethertype_stops_after_the_link_layer()
    {
        var p = Decoding.Decode(LinkType.Ethernet, Ethernet(0x88cc, new byte[20]));   // LLDP
        Assert.Equal(0x88cc, p.EtherType);
        Assert.Equal(PacketLayers.Ethernet, p.Layers);
        Assert.Equal([AnomalyKind.UnsupportedEtherType], p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Decode_network_entry_point_handles_tags_and_ip()
    {
        var packet = new DecodedPacket();
        var ip = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, [9]));
        PacketDecoder.DecodeNetwork(0x8100, Concat(U16(7), U16(EtherType.Ipv4), ip), packet);
        Assert.Equal(7, packet.VlanId);
        Assert.True(packet.Has(PacketLayers.Udp));
        Assert.Equal(4 + 28, packet.PayloadOffset);
    }
}
