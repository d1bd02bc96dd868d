using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests;

public class PacketDecoderAllocationTests
{
    private static List<(LinkType LinkType, byte[] Frame)> MixedPackets()
    {
        var response = Concat(DnsHeader(5, 0x8180, 1, 2, 0, 1), Question("www.example.com", 1),
            Record([0xc0, 0x0c], 5, 1, 60, Concat([3, (byte)'c', (byte)'d', (byte)'n'], [0xc0, 0x10])),
            Record([0xc0, 0x0c], 1, 1, 60, [93, 184, 216, 34]),
            [0x00], U16(41), U16(1232), U32(0x00008000), U16(0));
        var txt = Concat(DnsHeader(6, 0x8180, 0, 1, 0, 0), Record(Name("t.example"), 16, 1, 60, [3, (byte)'a', 0x01, (byte)'c']));
        var loop = Concat(DnsHeader(7, 0, 1, 0, 0, 0), [0xc0, 0x0c], U16(1), U16(1));
        var query = DnsQuery(35084, "yummyrecipesforme.com");
        var quote = Ipv4("192.51.100.15", "203.0.113.2", IpProtocol.Udp, Udp(52444, 53, query));
        var http = "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"u8.ToArray();
        // a 255-byte question name of unprintable bytes (about 1000 characters escaped), owned by 70 CNAME answers that also point at it:
        // the text store fills and the decoder reports it instead of failing
        var label = Concat([63], Enumerable.Repeat((byte)0x01, 63).ToArray());
        var hugeName = Concat(label, label, label, [61], Enumerable.Repeat((byte)0x01, 61).ToArray(), [0]);
        var answers = Enumerable.Range(0, 70).Select(_ => Record([0xc0, 0x0c], 5, 1, 60, [0xc0, 0x0c])).ToArray();
        var storeFiller = Concat([DnsHeader(8, 0x8180, 1, 70, 0, 0), hugeName, U16(1), U16(1), .. answers]);
        var tls = Concat([0x16, 0x03, 0x01, 0x00, 0x2e, 0x01, 0x00, 0x00, 0x2a, 0x03, 0x03], new byte[32], [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00], U16(0));
        return
        [
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp, Udp(40000, 53, query)))),
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp, Udp(53, 40000, response)))),
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp, Udp(53, 40000, txt)))),
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp, Udp(53, 40000, loop)))),
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("203.0.113.2", "192.51.100.15", IpProtocol.Icmp, PacketWriter.Icmp(3, 3, [0, 0, 0, 0], quote)))),
            (LinkType.LinuxSll, Concat([0, 0, 0, 1, 0, 6], MacA, [0, 0], U16(EtherType.Ipv4),
                Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 80, 1, 0, TcpFlags.Syn, [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]))) ),
            (LinkType.Raw, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(50000, 80, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: http))),
            (LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(50000, 443, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: tls))),
            (LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Tcp, Tcp(50000, 53, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: Concat(U16(query.Length), query)))),
            (LinkType.LinuxSll2, Concat(U16(EtherType.Ipv6), [0, 0, 0, 0, 0, 1, 0, 1, 0, 6], MacA, [0, 0],
                Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.HopByHop, Concat(ExtensionHeader(IpProtocol.Udp), Udp(5353, 5353, query))))),
            (LinkType.Null, Concat([0x1e, 0, 0, 0], Ipv6("fe80::1", "fe80::2", IpProtocol.Icmpv6,
                PacketWriter.Icmp(1, 1, [0, 0, 0, 0], Ipv6("fe80::2", "2001:db8::35", IpProtocol.Udp, Udp(1000, 53, query)))))),
            (LinkType.Ethernet, Ethernet(EtherType.Vlan, Concat(U16(10), U16(EtherType.Arp), U16(1), U16(0x0800), [6, 4], U16(1), new byte[20]))),
            (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, new byte[3]))),
            ((LinkType)999, [1, 2, 3]),
            (LinkType.Ppp, Concat([0xff, 0x03, 0x00, 0x21], Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(50000, 80, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: "GET /\r\n\r\n"u8.ToArray())))),
            (LinkType.Ppp, [0xc0, 0x21, 0x01, 0x01, 0x00, 0x04]),
            (LinkType.Ipv4, Ipv4("192.168.2.16", "192.168.2.255", IpProtocol.Udp, Udp(137, 137, DnsQuery(0x8664, "EJFAFGDGCOEHEPEPEHEMEFCOEDEPENAA", 0x20)))),
            (LinkType.Ipv4, Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp, Udp(53, 40000, storeFiller))),
        ];
    }

    [Fact]
    public void Decoding_allocates_nothing_per_packet()
    {
        var packets = MixedPackets();
        var packet = new DecodedPacket();
        void DecodeAll()
        {
            foreach (var (linkType, frame) in packets)
            {
                packet.Reset();
                packet.CapturedLength = packet.OriginalLength = frame.Length;
                PacketDecoder.Decode(linkType, frame, packet);
            }
        }

        Assert.True(packet.Anomalies.Count >= 0);
        // Steady state: the least allocated over rounds, once tiered compilation has settled.
        long allocated = Formatting.AllocationProbe.SteadyStateBytes(DecodeAll, iterationsPerRound: 200);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_mixed_set_exercises_the_layers_it_claims_to()
    {
        var seen = PacketLayers.None;
        bool storeFilled = false;
        foreach (var (linkType, frame) in MixedPackets())
        {
            var packet = Decoding.Decode(linkType, frame);
            seen |= packet.Layers;
            storeFilled |= packet.Anomalies.Contains(AnomalyKind.TextStoreFull);
        }
        Assert.True(storeFilled);
        var expected = PacketLayers.Ethernet | PacketLayers.Vlan | PacketLayers.LinuxSll | PacketLayers.Loopback | PacketLayers.Arp |
            PacketLayers.Ipv4 | PacketLayers.Ipv6 | PacketLayers.Udp | PacketLayers.Tcp | PacketLayers.Icmp | PacketLayers.Icmpv6 |
            PacketLayers.Dns | PacketLayers.Http | PacketLayers.Tls;
        Assert.Equal(expected, seen & expected);
    }
}
