using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Ip;

public class Ipv4DecoderTests
{
    /// <summary>Raw IPv4 with a record-route option and a UDP datagram carrying 4 bytes.</summary>
    private static readonly byte[] WithOptions =
    [
        0x46,                                           // version 4, IHL 6 (24 bytes)
        0xb8,                                           // TOS: DSCP EF
        0x00, 0x24,                                     // total length 36
        0xbe, 0xef,                                     // identification
        0x40, 0x00,                                     // flags DF, offset 0
        0x07,                                           // TTL 7
        0x11,                                           // protocol UDP
        0x00, 0x00,                                     // checksum
        0xc0, 0x00, 0x02, 0x01,                         // 192.0.2.1
        0xc6, 0x33, 0x64, 0x02,                         // 198.51.100.2
        0x01,                                           // option: NOP
        0x07, 0x03, 0x04,                               // option: record route, length 3, pointer 4 (no room)
        // UDP
        0x04, 0x00,                                     // source port 1024
        0x00, 0x7b,                                     // destination port 123
        0x00, 0x0c,                                     // length 12
        0x00, 0x00,                                     // checksum
        0xde, 0xad, 0xbe, 0xef,                         // data
    ];

    [Fact]
    public void Header_fields_and_options_are_decoded()
    {
        var p = Decoding.Decode(LinkType.Ipv4, WithOptions);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(4, p.Ip.Version);
        Assert.Equal(0xb8, p.Ip.Tos);
        Assert.Equal(36, p.Ip.TotalLength);
        Assert.Equal(24, p.Ip.HeaderLength);
        Assert.Equal(0xbeef, p.Ip.Identification);
        Assert.True(p.Ip.DontFragment);
        Assert.False(p.Ip.IsFragment);
        Assert.Equal(7, p.Ip.Ttl);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.True(p.Ip.HasOptions);
        Assert.Equal(IpAddr.Parse("192.0.2.1"), p.Ip.Source);
        Assert.Equal(IpAddr.Parse("198.51.100.2"), p.Ip.Destination);
        Assert.Equal(123, p.DestinationPort);
        Assert.Equal(32, p.PayloadOffset);
        Assert.Equal(4, p.PayloadLength);
    }

    public static IEnumerable<object[]> OptionPrefixes => Decoding.Prefixes(WithOptions.Length);

    [Theory]
    [MemberData(nameof(OptionPrefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ipv4, WithOptions.AsSpan(0, length));
        Assert.True(p.Truncated);
        if (length < 20)
        {
            Assert.Equal([AnomalyKind.Ipv4HeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.Ipv4));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.Equal(IpAddr.Parse("198.51.100.2"), p.Ip.Destination);
        if (length < 24)
        {
            // the options are cut
            Assert.Equal([AnomalyKind.Ipv4HeaderTruncated], p.Anomalies.Kept.ToArray());
            Assert.False(p.Has(PacketLayers.Udp));
            return;
        }
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        if (length < 32)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.UdpHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Udp));
            return;
        }
        // only the total length: the UDP length fits what IP claims
        Assert.Equal([AnomalyKind.Ipv4TotalLengthExceedsCapture], p.Anomalies.Kept.ToArray());
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(length - 32, p.PayloadLength);
        Assert.Equal(4, p.PayloadClaimedLength);
    }

    [Fact]
    public void Bad_version_stops_decoding()
    {
        var bytes = (byte[])WithOptions.Clone();
        bytes[0] = 0x56;
        var p = Decoding.Decode(LinkType.Ethernet, Ethernet(EtherType.Ipv4, bytes));
        Assert.Equal([AnomalyKind.Ipv4BadVersion], p.Anomalies.Kept.ToArray());
        Assert.False(p.Has(PacketLayers.Ipv4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void Header_length_below_five_words_is_bad(int headerLength)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []), headerLength: headerLength));
        Assert.Equal([AnomalyKind.Ipv4BadHeaderLength], p.Anomalies.Kept.ToArray());
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.False(p.Has(PacketLayers.Udp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void Total_length_below_header_length_is_bad(int totalLength)
    {
        // GRE: a zero length is not presumed to be segmentation offload, which only TCP and UDP see
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Gre, new byte[8], totalLength: totalLength));
        Assert.Equal([AnomalyKind.Ipv4BadTotalLength], p.Anomalies.Kept.ToArray());
        Assert.False(p.Ip.LengthPresumed);
    }

    [Fact]
    public void Total_length_beyond_the_capture_decodes_what_is_present()
    {
        var datagram = Udp(5353, 5353, DnsQuery(0, "printer.local"));
        var full = Ipv4("10.0.0.1", "224.0.0.251", IpProtocol.Udp, datagram);
        // the capture keeps the IP and UDP headers and 14 bytes of DNS (snap length)
        var p = Decoding.Decode(LinkType.Ipv4, full.AsSpan(0, 42), originalLength: full.Length);
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        Assert.Equal(full.Length, p.Ip.TotalLength);
        Assert.True(p.Has(PacketLayers.Udp | PacketLayers.Dns));
        Assert.Equal(14, p.PayloadLength);
        Assert.Equal(datagram.Length - 8, p.PayloadClaimedLength);
        Assert.True(p.Dns.Incomplete);
        Assert.Equal(0, p.Dns.StoredQuestions);
    }

    [Theory]
    [InlineData(new byte[] { 0x07, 0x00, 0x00, 0x00 })]   // record route with length 0
    [InlineData(new byte[] { 0x01, 0x01, 0x01, 0x44 })]   // timestamp option whose length octet is missing
    [InlineData(new byte[] { 0x83, 0x09, 0x04, 0x00 })]   // loose source route longer than the options area
    public void Malformed_options_are_reported_and_the_payload_still_decoded(byte[] options)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []), options: options));
        Assert.Equal([AnomalyKind.Ipv4OptionsMalformed], p.Anomalies.Kept.ToArray());
        Assert.True(p.Ip.HasOptions);
        Assert.True(p.Has(PacketLayers.Udp));
    }

    [Fact]
    public void End_of_options_list_stops_the_walk()
    {
        // EOL then garbage that would be malformed if walked (RFC 791: EOL ends the options).
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1, 2, []), options: [0x00, 0x07, 0x00, 0x00]));
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void First_fragment_decodes_the_transport_header_but_not_the_application()
    {
        var dns = DnsQuery(77, "example.com");
        var datagram = Udp(40000, 53, dns);
        // the first 16 bytes of the datagram travel in the first fragment (MF set, offset 0)
        var first = Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp, datagram[..16], moreFragments: true);
        var p = Decoding.Decode(LinkType.Ipv4, first);
        Assert.True(p.Ip.MoreFragments);
        Assert.True(p.Ip.IsFragment);
        Assert.False(p.Has(PacketLayers.Fragment));
        Assert.True(p.Has(PacketLayers.Udp));
        Assert.Equal(53, p.DestinationPort);
        Assert.False(p.Has(PacketLayers.Dns));
        // the UDP length covers the whole datagram, longer than this fragment: not an anomaly here
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(8, p.PayloadLength);
        Assert.Equal(dns.Length, p.PayloadClaimedLength);
    }

    [Fact]
    public void Total_length_zero_on_tcp_is_presumed_segmentation_offload()
    {
        // a sender-side capture of a TSO / BIG TCP segment: total length 0, the frame holds 1976 bytes of data
        var segment = Tcp(39556, 8080, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: new byte[1976]);
        var packet = Ipv4("30.7.181.121", "199.43.68.163", IpProtocol.Tcp, segment, totalLength: 0);
        var p = Decoding.Decode(LinkType.Ipv4, packet);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Ip.LengthPresumed);
        Assert.Equal(2016, p.Ip.TotalLength);
        Assert.Equal(1976, p.PayloadLength);
        Assert.Equal(1976, p.PayloadClaimedLength);

        // cut by a snap length: the wire length still comes from the frame's original length
        var cut = Decoding.Decode(LinkType.Ipv4, packet.AsSpan(0, 100), originalLength: packet.Length);
        Assert.True(cut.Ip.LengthPresumed);
        Assert.Equal(2016, cut.Ip.TotalLength);
        Assert.Equal(1976, cut.PayloadClaimedLength);
        Assert.True(cut.Truncated);
    }

    [Fact]
    public void Total_length_zero_on_icmp_is_bad()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.25.132.11", "10.25.132.13", IpProtocol.Icmp, new byte[64], totalLength: 0));
        Assert.Equal([AnomalyKind.Ipv4BadTotalLength], p.Anomalies.Kept.ToArray());
        Assert.False(p.Ip.LengthPresumed);
    }

    [Fact]
    public void Later_fragment_is_not_decoded_past_ip()
    {
        var rest = new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp, rest, fragmentOffset: 1480));
        Assert.True(p.Has(PacketLayers.Ipv4 | PacketLayers.Fragment));
        Assert.False(p.Has(PacketLayers.Udp));
        Assert.Equal(1480, p.Ip.FragmentOffset);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.Equal(0, p.SourcePort);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Unknown_protocol_is_recorded_and_not_decoded()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Esp, new byte[24]));
        Assert.Equal(IpProtocol.Esp, p.Ip.Protocol);
        Assert.Equal(PacketLayers.Ipv4, p.Layers);
        Assert.Equal(0, p.Anomalies.Count);
    }
}
