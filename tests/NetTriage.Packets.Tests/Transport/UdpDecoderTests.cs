using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Transport;

public class UdpDecoderTests
{
    /// <summary>Raw IPv4 carrying UDP 52444 > 53 with a 5-byte payload (not a whole DNS header).</summary>
    private static readonly byte[] Datagram =
    [
        0x45, 0x00, 0x00, 0x21,                         // IPv4, total length 33
        0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, // id, flags, TTL 64, UDP, checksum
        0xc0, 0x33, 0x64, 0x0f,                         // 192.51.100.15
        0xcb, 0x00, 0x71, 0x02,                         // 203.0.113.2
        0xcc, 0xdc,                                     // source port 52444
        0x1f, 0x90,                                     // destination port 8080
        0x00, 0x0d,                                     // length 13
        0x12, 0x34,                                     // checksum
        0x68, 0x65, 0x6c, 0x6c, 0x6f,                   // "hello"
    ];

    [Fact]
    public void Header_and_payload_are_located()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Datagram);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(52444, p.SourcePort);
        Assert.Equal(8080, p.DestinationPort);
        Assert.Equal(13, p.UdpLength);
        Assert.Equal(28, p.PayloadOffset);
        Assert.Equal(5, p.PayloadLength);
        Assert.Equal(5, p.PayloadClaimedLength);
        Assert.False(p.Has(PacketLayers.Dns));
    }

    public static IEnumerable<object[]> HeaderPrefixes => Enumerable.Range(20, 13).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(HeaderPrefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Datagram.AsSpan(0, length));
        Assert.True(p.Truncated);
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.Equal(IpAddr.Parse("203.0.113.2"), p.Ip.Destination);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        if (length < 28)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.UdpHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Udp));
            Assert.Equal(0, p.SourcePort);
            return;
        }
        Assert.Equal(1, p.Anomalies.Count);
        Assert.Equal(length - 28, p.PayloadLength);
        Assert.Equal(5, p.PayloadClaimedLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Length_below_eight_is_bad_and_the_ip_length_is_used(int udpLength)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, [1, 2, 3], length: udpLength)));
        Assert.Equal([AnomalyKind.UdpBadLength], p.Anomalies.Kept.ToArray());
        Assert.Equal(udpLength, p.UdpLength);
        Assert.Equal(3, p.PayloadLength);
        Assert.Equal(3, p.PayloadClaimedLength);
    }

    [Fact]
    public void Length_beyond_the_ip_payload_is_bad_and_clipped()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, [1, 2, 3], length: 300)));
        Assert.Equal([AnomalyKind.UdpBadLength], p.Anomalies.Kept.ToArray());
        Assert.Equal(3, p.PayloadClaimedLength);
        Assert.False(p.Truncated);
    }

    [Fact]
    public void Length_shorter_than_the_ip_payload_trims_the_datagram()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, [1, 2, 3, 4, 5], length: 10)));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(2, p.PayloadLength);
        Assert.Equal(2, p.PayloadClaimedLength);
    }

    [Theory]
    [InlineData(53, 40000)]
    [InlineData(40000, 53)]
    [InlineData(5353, 5353)]
    [InlineData(50000, 5355)]
    public void Dns_ports_decode_dns(int sourcePort, int destinationPort)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp((ushort)sourcePort, (ushort)destinationPort, DnsQuery(4242, "host.local"))));
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(4242, p.Dns.Id);
        Assert.False(p.Dns.OverTcp);
    }

    [Fact]
    public void Empty_datagram_to_port_53_is_a_truncated_dns_header()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1234, 53, [])));
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.Equal([AnomalyKind.DnsHeaderTruncated], p.Anomalies.Kept.ToArray());
    }
}
