using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Icmp;

public class Icmpv6DecoderTests
{
    /// <summary>
    /// A firewall (2001:db8:ffff::1) rejects a DNS query with ICMPv6 destination unreachable, code 1
    /// "communication administratively prohibited" (RFC 4443 3.1), quoting the query.
    /// </summary>
    private static readonly byte[] AdminProhibited =
    [
        // IPv6 (outer)
        0x60, 0x00, 0x00, 0x00,                         // version 6
        0x00, 0x3a,                                     // payload length 58
        0x3a,                                           // next header: ICMPv6
        0x40,                                           // hop limit 64
        0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,   // 2001:db8:ffff::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,         // 2001:db8::a
        // ICMPv6 (offset 40)
        0x01,                                           // type 1: destination unreachable
        0x01,                                           // code 1: administratively prohibited
        0x00, 0x00,                                     // checksum
        0x00, 0x00, 0x00, 0x00,                         // unused
        // quoted IPv6 (offset 48)
        0x60, 0x00, 0x00, 0x00,
        0x00, 0x25,                                     // payload length 37
        0x11,                                           // next header: UDP
        0x40,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,         // 2001:db8::a
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35,         // 2001:db8::35
        // quoted UDP (offset 88)
        0xe1, 0x10,                                     // source port 57616
        0x00, 0x35,                                     // destination port 53
        0x00, 0x25,                                     // length 37
        0x00, 0x00,
        // quoted DNS (offset 96)
        0xbe, 0xef,                                     // id 48879
    ];

    [Fact]
    public void Admin_prohibited_quoting_udp_53()
    {
        var p = Decoding.Decode(LinkType.Ipv6, AdminProhibited);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ipv6 | PacketLayers.Icmpv6));
        Assert.True(p.Icmp.IsV6);
        Assert.True(p.Icmp.IsError);
        Assert.Equal(1, p.Icmp.Type);
        Assert.Equal(1, p.Icmp.Code);
        var q = p.Icmp.Quoted;
        Assert.True(q.Present);
        Assert.Equal(6, q.IpVersion);
        Assert.Equal(IpProtocol.Udp, q.Protocol);
        Assert.Equal(IpAddr.Parse("2001:db8::a"), q.Source);
        Assert.Equal(IpAddr.Parse("2001:db8::35"), q.Destination);
        Assert.Equal(57616, q.SourcePort);
        Assert.Equal(53, q.DestinationPort);
        Assert.Equal(77, q.TotalLength);
        Assert.True(q.HasDnsId);
        Assert.Equal(0xbeef, q.DnsId);
        Assert.Equal(0, p.DestinationPort);
        Assert.Equal(40, p.PayloadOffset);
        Assert.Equal(58, p.PayloadClaimedLength);
    }

    public static IEnumerable<object[]> Prefixes => Decoding.Prefixes(AdminProhibited.Length);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ipv6, AdminProhibited.AsSpan(0, length));
        Assert.True(p.Truncated);
        if (length < 40)
        {
            Assert.Equal([AnomalyKind.Ipv6HeaderTruncated], p.Anomalies.Kept.ToArray());
            return;
        }
        Assert.True(p.Has(PacketLayers.Ipv6));
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv6PayloadLengthExceedsCapture));
        Assert.Equal(length >= 42, p.Has(PacketLayers.Icmpv6));
        if (length < 48)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.Icmpv6Truncated));
            return;
        }
        var q = p.Icmp.Quoted;
        Assert.Equal(length >= 88, q.Present);
        Assert.Equal(length >= 92, q.HasPorts);
        Assert.Equal(length < 92, p.Anomalies.Contains(AnomalyKind.IcmpQuotedPacketTruncated));
        Assert.Equal(length >= 98, q.HasDnsId);
    }

    private static DecodedPacket DecodeIcmpv6(byte type, byte code, byte[] rest, byte[] body) =>
        Decoding.Decode(LinkType.Ipv6, Ipv6("fe80::1", "fe80::2", IpProtocol.Icmpv6, PacketWriter.Icmp(type, code, rest, body)));

    [Fact]
    public void Packet_too_big_carries_the_mtu_and_walks_quoted_extension_headers()
    {
        var quoted = Ipv6("2001:db8::a", "2001:db8::b", IpProtocol.Fragment,
            Concat(FragmentHeader(IpProtocol.Tcp, 0, more: true), Tcp(50000, 443, 1, 1, TcpFlags.Ack)));
        var p = DecodeIcmpv6(2, 0, U32(1280), quoted);
        Assert.Equal(1280u, p.Icmp.Parameter);
        Assert.Equal(IpProtocol.Tcp, p.Icmp.Quoted.Protocol);
        Assert.Equal(443, p.Icmp.Quoted.DestinationPort);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Parameter_problem_carries_a_32_bit_pointer()
    {
        var p = DecodeIcmpv6(4, 1, U32(40), Ipv6("2001:db8::a", "2001:db8::b", 250, new byte[8]));
        Assert.Equal(40u, p.Icmp.Parameter);
        Assert.Equal(250, p.Icmp.Quoted.Protocol);
        Assert.False(p.Icmp.Quoted.HasPorts);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(129)]
    public void Echo_carries_identifier_and_sequence(byte type)
    {
        var p = DecodeIcmpv6(type, 0, [0xab, 0xcd, 0x00, 0x02], new byte[8]);
        Assert.Equal(0xabcd, p.Icmp.Identifier);
        Assert.Equal(2, p.Icmp.Sequence);
        Assert.False(p.Icmp.IsError);
    }

    [Theory]
    [InlineData(135)]
    [InlineData(136)]
    public void Neighbor_discovery_target_goes_into_gateway(byte type)
    {
        var p = DecodeIcmpv6(type, 0, [0x60, 0, 0, 0], Concat(Address("fe80::99"), [0x01, 0x01], MacA));
        Assert.Equal(IpAddr.Parse("fe80::99"), p.Icmp.Gateway);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Fact]
    public void Neighbor_solicitation_without_its_target_is_truncated()
    {
        var p = DecodeIcmpv6(135, 0, [0, 0, 0, 0], new byte[10]);
        Assert.Equal([AnomalyKind.Icmpv6Truncated], p.Anomalies.Kept.ToArray());
        Assert.True(p.Icmp.Gateway.IsNone);
        Assert.True(p.Truncated);
    }

    [Fact]
    public void Router_solicitation_is_recognised()
    {
        var p = DecodeIcmpv6(133, 0, [0, 0, 0, 0], []);
        Assert.Equal(133, p.Icmp.Type);
        Assert.Equal(0, p.Anomalies.Count);
    }
}
