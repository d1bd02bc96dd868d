using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Ip;

public class Ipv6DecoderTests
{
    /// <summary>
    /// IPv6 with every walked extension header, then UDP: hop-by-hop (8), destination options (16), routing (8),
    /// an atomic fragment header (8, offset 0, M 0; RFC 6946), AH (24), UDP (8) + 3 bytes.
    /// </summary>
    private static readonly byte[] Chain =
    [
        0x6a, 0xb1, 0x23, 0x45,                         // version 6, traffic class 0xab, flow label 0x12345
        0x00, 0x4b,                                     // payload length 75
        0x00,                                           // next header: hop-by-hop
        0x40,                                           // hop limit 64
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,   // 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35,   // 2001:db8::35
        // hop-by-hop: next = destination options, length 0 (8 bytes), PadN 4
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        // destination options: next = routing, length 1 (16 bytes), PadN 12
        0x2b, 0x01, 0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        // routing: next = fragment, length 0, type 4 (SRH), segments left 0, 4 bytes
        0x2c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
        // fragment: next = AH, reserved, offset 0 M 0, identification
        0x33, 0x00, 0x00, 0x00, 0xca, 0xfe, 0xba, 0xbe,
        // AH: next = UDP, payload length 4 ((4 + 2) * 4 = 24 bytes), reserved, SPI, sequence, 12-byte ICV
        0x11, 0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
        // UDP 546 > 547, length 11
        0x02, 0x22, 0x02, 0x23, 0x00, 0x0b, 0x00, 0x00,
        0x01, 0x02, 0x03,
    ];

    private const int UdpOffset = 40 + 8 + 16 + 8 + 8 + 24;

    [Fact]
    public void Extension_chain_is_walked_to_the_upper_layer()
    {
        var p = Decoding.Decode(LinkType.Ipv6, Chain);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ipv6 | PacketLayers.Udp));
        Assert.False(p.Has(PacketLayers.Fragment));
        Assert.Equal(6, p.Ip.Version);
        Assert.Equal(0xab, p.Ip.Tos);
        Assert.Equal(0x12345u, p.Ip.FlowLabel);
        Assert.Equal(64, p.Ip.Ttl);
        Assert.Equal(IpAddr.Parse("2001:db8::1"), p.Ip.Source);
        Assert.Equal(IpAddr.Parse("2001:db8::35"), p.Ip.Destination);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.Equal(5, p.Ip.ExtensionHeaderCount);
        Assert.Equal(UdpOffset, p.Ip.HeaderLength);
        Assert.Equal(40 + 75, p.Ip.TotalLength);
        Assert.Equal(547, p.DestinationPort);
        Assert.Equal(UdpOffset + 8, p.PayloadOffset);
        Assert.Equal(3, p.PayloadLength);
    }

    public static IEnumerable<object[]> ChainPrefixes => Decoding.Prefixes(Chain.Length);

    [Theory]
    [MemberData(nameof(ChainPrefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ipv6, Chain.AsSpan(0, length));
        Assert.True(p.Truncated);
        if (length < 40)
        {
            Assert.Equal([AnomalyKind.Ipv6HeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.Ipv6));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ipv6));
        Assert.Equal(IpAddr.Parse("2001:db8::35"), p.Ip.Destination);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv6PayloadLengthExceedsCapture));
        int[] ends = [48, 64, 72, 80, UdpOffset];
        byte[] kinds = [0, 60, 43, 44, 51];
        for (int i = 0; i < ends.Length; i++)
        {
            if (length < ends[i])
            {
                Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv6ExtensionHeaderTruncated));
                Assert.Equal(i, p.Ip.ExtensionHeaderCount);
                Assert.Equal(kinds[i], p.Ip.Protocol);
                Assert.False(p.Has(PacketLayers.Udp));
                return;
            }
        }
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        if (length < UdpOffset + 8)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.UdpHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Udp));
            return;
        }
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(length - UdpOffset - 8, p.PayloadLength);
        Assert.Equal(3, p.PayloadClaimedLength);
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(9, true)]
    public void More_than_eight_extension_headers_is_an_anomaly(int count, bool tooMany)
    {
        var headers = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            headers.AddRange(ExtensionHeader(i + 1 < count ? IpProtocol.DestinationOptions : IpProtocol.Udp));
        }
        var packet = Ipv6("fe80::1", "fe80::2", IpProtocol.DestinationOptions, Concat([.. headers], Udp(1, 2, [])));
        var p = Decoding.Decode(LinkType.Ipv6, packet);
        Assert.Equal(tooMany, p.Anomalies.Contains(AnomalyKind.Ipv6TooManyExtensionHeaders));
        Assert.Equal(!tooMany, p.Has(PacketLayers.Udp));
        Assert.Equal(8, p.Ip.ExtensionHeaderCount);
        Assert.Equal(tooMany ? IpProtocol.DestinationOptions : IpProtocol.Udp, p.Ip.Protocol);
    }

    [Fact]
    public void Fragment_with_an_offset_stops_at_ip()
    {
        var body = Concat(FragmentHeader(IpProtocol.Udp, offset: 1448, more: true), new byte[16]);
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.Fragment, body));
        Assert.True(p.Has(PacketLayers.Ipv6 | PacketLayers.Fragment));
        Assert.False(p.Has(PacketLayers.Udp));
        Assert.Equal(1448, p.Ip.FragmentOffset);
        Assert.True(p.Ip.MoreFragments);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void First_fragment_decodes_udp_but_not_dns()
    {
        var datagram = Udp(40000, 53, DnsQuery(9, "example.org"));
        var body = Concat(FragmentHeader(IpProtocol.Udp, offset: 0, more: true), datagram[..16]);
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.Fragment, body));
        Assert.False(p.Has(PacketLayers.Fragment));
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.True(p.Ip.MoreFragments);
    }

    [Fact]
    public void Jumbogram_uses_the_captured_length()
    {
        // hop-by-hop with a Jumbo Payload option (RFC 2675 2): type 0xC2, length 4, 32-bit length
        var hopByHop = Concat([IpProtocol.Udp, 0x00, 0xc2, 0x04], U32(8 + 8 + 4));
        var body = Concat(hopByHop, Udp(1, 2, [1, 2, 3, 4]));
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.HopByHop, body, payloadLength: 0));
        Assert.False(p.Truncated);
        Assert.True(p.Ip.LengthPresumed);
        Assert.Equal(40 + body.Length, p.Ip.TotalLength);
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(4, p.PayloadLength);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Payload_length_zero_before_tcp_is_presumed_big_tcp()
    {
        var segment = Tcp(43267, 41219, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: new byte[3000]);
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("2604:1380:4091:ce00::b", "2604:1380:4091:ce00::d", IpProtocol.Tcp, segment, payloadLength: 0));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Ip.LengthPresumed);
        Assert.Equal(40 + 3020, p.Ip.TotalLength);
        Assert.Equal(3000, p.PayloadClaimedLength);
    }

    [Fact]
    public void Payload_length_zero_with_hop_by_hop_but_no_jumbo_option_is_not_presumed()
    {
        var body = Concat(ExtensionHeader(IpProtocol.Udp), Udp(1, 2, [1, 2, 3, 4]));
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.HopByHop, body, payloadLength: 0));
        Assert.False(p.Ip.LengthPresumed);
        Assert.Equal([AnomalyKind.Ipv6ExtensionHeaderTruncated], p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Payload_length_beyond_the_capture_is_reported()
    {
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.Udp, Udp(1, 2, [1, 2]), payloadLength: 400));
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv6PayloadLengthExceedsCapture));
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(440, p.Ip.TotalLength);
    }

    [Fact]
    public void Bytes_past_the_payload_length_are_trailer()
    {
        var frame = Concat(Ipv6("fe80::1", "fe80::2", IpProtocol.Udp, Udp(1, 2, [1, 2])), [0xee, 0xee, 0xee, 0xee]);
        var p = Decoding.Decode(LinkType.Ipv6, frame);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(2, p.PayloadLength);
    }

    [Fact]
    public void No_next_header_ends_the_packet()
    {
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.NoNextHeader, []));
        Assert.Equal(PacketLayers.Ipv6, p.Layers);
        Assert.Equal(IpProtocol.NoNextHeader, p.Ip.Protocol);
        Assert.Equal(0, p.Anomalies.Count);
    }
}
