using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Icmp;

public class IcmpDecoderTests
{
    /// <summary>
    /// The seed incident's error: 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable,
    /// quoting the query 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com.
    /// Like Linux, the router quotes the whole offending datagram; here it is cut after the DNS header.
    /// </summary>
    private static readonly byte[] PortUnreachable =
    [
        // Ethernet II
        0x00, 0x0c, 0x29, 0x11, 0x22, 0x33,             // destination
        0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc,             // source
        0x08, 0x00,                                     // IPv4
        // IPv4 (outer)
        0x45, 0xc0,                                     // version 4, IHL 5; TOS 0xc0 (network control)
        0x00, 0x44,                                     // total length 68
        0x51, 0x7e, 0x00, 0x00,                         // id; no flags
        0x40, 0x01, 0x00, 0x00,                         // TTL 64, ICMP; checksum
        0xcb, 0x00, 0x71, 0x02,                         // 203.0.113.2
        0xc0, 0x33, 0x64, 0x0f,                         // 192.51.100.15
        // ICMP (offset 34)
        0x03,                                           // type 3: destination unreachable
        0x03,                                           // code 3: port unreachable
        0x00, 0x00,                                     // checksum
        0x00, 0x00, 0x00, 0x00,                         // unused
        // quoted IPv4 (offset 42)
        0x45, 0x00, 0x00, 0x43,                         // version 4, IHL 5; total length 67
        0x1a, 0x2b, 0x00, 0x00,                         // id; no flags
        0x40, 0x11, 0x00, 0x00,                         // TTL 64, UDP; checksum
        0xc0, 0x33, 0x64, 0x0f,                         // 192.51.100.15
        0xcb, 0x00, 0x71, 0x02,                         // 203.0.113.2
        // quoted UDP (offset 62)
        0xcc, 0xdc,                                     // source port 52444
        0x00, 0x35,                                     // destination port 53
        0x00, 0x2f,                                     // length 47
        0x00, 0x00,                                     // checksum
        // quoted DNS header (offset 70)
        0x89, 0x0c,                                     // id 35084
        0x01, 0x00,                                     // flags: RD
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // QD 1
    ];

    [Fact]
    public void Port_unreachable_quoting_a_dns_query_yields_the_quoted_five_tuple_and_dns_id()
    {
        var p = Decoding.Decode(LinkType.Ethernet, PortUnreachable);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.False(p.Truncated);
        Assert.True(p.Has(PacketLayers.Ethernet | PacketLayers.Ipv4 | PacketLayers.Icmp));
        Assert.False(p.Has(PacketLayers.Udp | PacketLayers.Dns));
        Assert.Equal(IpAddr.Parse("203.0.113.2"), p.Ip.Source);
        Assert.Equal(3, p.Icmp.Type);
        Assert.Equal(3, p.Icmp.Code);
        Assert.False(p.Icmp.IsV6);
        Assert.True(p.Icmp.IsError);
        var q = p.Icmp.Quoted;
        Assert.True(q.Present);
        Assert.False(q.Truncated);
        Assert.Equal(4, q.IpVersion);
        Assert.Equal(IpProtocol.Udp, q.Protocol);
        Assert.Equal(IpAddr.Parse("192.51.100.15"), q.Source);
        Assert.Equal(IpAddr.Parse("203.0.113.2"), q.Destination);
        Assert.True(q.HasPorts);
        Assert.Equal(52444, q.SourcePort);
        Assert.Equal(53, q.DestinationPort);
        Assert.Equal(67, q.TotalLength);
        Assert.True(q.HasDnsId);
        Assert.Equal(35084, q.DnsId);
        // the outer packet has no ports: the quote's belong to the quoted packet
        Assert.Equal(0, p.SourcePort);
        Assert.Equal(0, p.DestinationPort);
        // the ICMP message is the payload, as tcpdump counts "length 48"
        Assert.Equal(34, p.PayloadOffset);
        Assert.Equal(48, p.PayloadLength);
        Assert.Equal(48, p.PayloadClaimedLength);
    }

    public static IEnumerable<object[]> Prefixes => Decoding.Prefixes(PortUnreachable.Length);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ethernet, PortUnreachable.AsSpan(0, length));
        Assert.True(p.Truncated);
        if (length < 34)
        {
            Assert.False(p.Has(PacketLayers.Icmp));
            return;
        }
        Assert.True(p.Has(PacketLayers.Ethernet | PacketLayers.Ipv4));
        Assert.Equal(IpAddr.Parse("192.51.100.15"), p.Ip.Destination);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        Assert.Equal(length >= 36, p.Has(PacketLayers.Icmp));
        if (length < 42)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.IcmpTruncated));
            Assert.False(p.Icmp.Quoted.Present);
            return;
        }
        Assert.Equal(3, p.Icmp.Code);
        var q = p.Icmp.Quoted;
        Assert.Equal(length >= 62, q.Present);
        Assert.Equal(length >= 66, q.HasPorts);
        Assert.Equal(length < 66, q.Truncated);
        Assert.Equal(length < 66, p.Anomalies.Contains(AnomalyKind.IcmpQuotedPacketTruncated));
        Assert.Equal(length >= 72, q.HasDnsId);
        Assert.Equal(length >= 72 ? 35084 : 0, q.DnsId);
        Assert.Equal(0, p.SourcePort);
        Assert.Equal(length - 34, p.PayloadLength);
        Assert.Equal(48, p.PayloadClaimedLength);
    }

    private static DecodedPacket DecodeIcmp(byte type, byte code, byte[] rest, byte[] body) =>
        Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Icmp, PacketWriter.Icmp(type, code, rest, body)));

    private static byte[] QuotedUdp(ushort sourcePort, ushort destinationPort, byte[]? options = null, int fragmentOffset = 0) =>
        Ipv4("10.0.0.2", "198.51.100.7", IpProtocol.Udp, Udp(sourcePort, destinationPort, DnsQuery(0x4242, "a.example")),
            options: options, fragmentOffset: fragmentOffset);

    [Theory]
    [InlineData(8, 0)]
    [InlineData(0, 0)]
    public void Echo_carries_identifier_and_sequence(byte type, byte code)
    {
        var p = DecodeIcmp(type, code, [0x12, 0x34, 0x00, 0x07], new byte[56]);
        Assert.Equal(0x1234, p.Icmp.Identifier);
        Assert.Equal(7, p.Icmp.Sequence);
        Assert.False(p.Icmp.IsError);
        Assert.False(p.Icmp.Quoted.Present);
        Assert.Equal(64, p.PayloadClaimedLength);
    }

    [Fact]
    public void Fragmentation_needed_carries_the_next_hop_mtu()
    {
        var p = DecodeIcmp(3, 4, [0x00, 0x00, 0x05, 0xdc], Ipv4("10.0.0.2", "198.51.100.7", IpProtocol.Tcp, Tcp(40000, 443, 1, 0, TcpFlags.Ack))[..28]);
        Assert.Equal(1500u, p.Icmp.Parameter);
        Assert.True(p.Icmp.Quoted.HasPorts);
        Assert.Equal(443, p.Icmp.Quoted.DestinationPort);
        Assert.Equal(IpProtocol.Tcp, p.Icmp.Quoted.Protocol);
        Assert.False(p.Icmp.Quoted.HasDnsId);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Redirect_carries_the_gateway()
    {
        var p = DecodeIcmp(5, 1, Address("10.0.0.254"), QuotedUdp(5000, 6000)[..28]);
        Assert.Equal(IpAddr.Parse("10.0.0.254"), p.Icmp.Gateway);
        Assert.True(p.Icmp.Quoted.HasPorts);
        Assert.Equal(6000, p.Icmp.Quoted.DestinationPort);
    }

    [Fact]
    public void Parameter_problem_carries_the_pointer()
    {
        var p = DecodeIcmp(12, 0, [0x14, 0, 0, 0], QuotedUdp(5000, 53)[..28]);
        Assert.Equal(20u, p.Icmp.Parameter);
        Assert.True(p.Icmp.IsError);
        Assert.False(p.Icmp.Quoted.HasDnsId);   // only the 8 UDP bytes were quoted
    }

    [Fact]
    public void Time_exceeded_quote_with_ip_options_is_walked()
    {
        var quote = QuotedUdp(33434, 53, options: [0x01, 0x01, 0x01, 0x00]);
        var p = DecodeIcmp(11, 0, [0, 0, 0, 0], quote);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(33434, p.Icmp.Quoted.SourcePort);
        Assert.True(p.Icmp.Quoted.HasDnsId);
        Assert.Equal(0x4242, p.Icmp.Quoted.DnsId);
    }

    [Fact]
    public void Quoted_later_fragment_has_no_ports()
    {
        var p = DecodeIcmp(11, 1, [0, 0, 0, 0], QuotedUdp(5000, 53, fragmentOffset: 8));
        Assert.True(p.Icmp.Quoted.Present);
        Assert.False(p.Icmp.Quoted.HasPorts);
        Assert.False(p.Icmp.Quoted.Truncated);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Quoted_echo_has_no_ports_and_is_complete()
    {
        var echo = Ipv4("10.0.0.2", "198.51.100.7", IpProtocol.Icmp, PacketWriter.Icmp(8, 0, [0, 1, 0, 1], []));
        var p = DecodeIcmp(3, 1, [0, 0, 0, 0], echo);
        Assert.Equal(3, p.Icmp.Type);
        Assert.Equal(1, p.Icmp.Code);
        Assert.True(p.Icmp.Quoted.Present);
        Assert.Equal(IpProtocol.Icmp, p.Icmp.Quoted.Protocol);
        Assert.False(p.Icmp.Quoted.HasPorts);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Theory]
    [InlineData(0x55)]   // version 5
    [InlineData(0x44)]   // IHL 4
    public void Malformed_quote_is_an_anomaly(byte firstByte)
    {
        var quote = QuotedUdp(5000, 53);
        quote[0] = firstByte;
        var p = DecodeIcmp(3, 13, [0, 0, 0, 0], quote);
        Assert.Equal([AnomalyKind.IcmpQuotedPacketMalformed], p.Anomalies.Kept.ToArray());
        Assert.False(p.Icmp.Quoted.HasPorts);
        Assert.Equal(13, p.Icmp.Code);
    }

    [Fact]
    public void Every_unreachable_code_is_kept()
    {
        for (byte code = 0; code <= 15; code++)
        {
            var p = DecodeIcmp(3, code, [0, 0, 0, 0], QuotedUdp(5000, 53)[..28]);
            Assert.Equal(code, p.Icmp.Code);
            Assert.True(p.Icmp.Quoted.HasPorts);
        }
    }

    [Fact]
    public void Quote_decoder_is_callable_directly()
    {
        var status = NetTriage.Packets.Icmp.QuotedPacketDecoder.Decode(QuotedUdp(1111, 5353), out var q);
        Assert.Equal(NetTriage.Packets.Icmp.QuoteStatus.Ok, status);
        Assert.True(q.HasDnsId);
        Assert.Equal(5353, q.DestinationPort);
        Assert.Equal(NetTriage.Packets.Icmp.QuoteStatus.Truncated, NetTriage.Packets.Icmp.QuotedPacketDecoder.Decode([], out var empty));
        Assert.True(empty.Truncated);
    }
}
