using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests;

/// <summary>Mutated frames (bit flips, overwritten bytes, cuts) must never make a decoder throw.</summary>
public class PacketDecoderFuzzTests
{
    private static IEnumerable<(LinkType, byte[])> Seeds()
    {
        var query = DnsQuery(35084, "yummyrecipesforme.com");
        var response = Concat(DnsHeader(5, 0x8180, 1, 2, 1, 1), Question("www.example.com", 1),
            Record([0xc0, 0x0c], 5, 1, 60, Concat([3, (byte)'c', (byte)'d', (byte)'n'], [0xc0, 0x10])),
            Record([0xc0, 0x0c], 1, 1, 60, [93, 184, 216, 34]),
            Record([0xc0, 0x10], 6, 1, 60, Concat(Name("ns.example.com"), Name("h.example.com"), new byte[20])),
            [0x00], U16(41), U16(1232), U32(0x00008000), U16(0));
        var quote = Ipv4("192.51.100.15", "203.0.113.2", IpProtocol.Udp, Udp(52444, 53, query));
        var tls = Concat([0x16, 0x03, 0x01, 0x00, 0x3d, 0x01, 0x00, 0x00, 0x39, 0x03, 0x03], new byte[32],
            [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00], U16(14), U16(0), U16(10), U16(8), [0], U16(5), "a.com"u8.ToArray());
        yield return (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp, Udp(53, 40000, response))));
        yield return (LinkType.Ethernet, Ethernet(EtherType.Ipv4, Ipv4("203.0.113.2", "192.51.100.15", IpProtocol.Icmp, PacketWriter.Icmp(3, 3, [0, 0, 0, 0], quote))));
        yield return (LinkType.LinuxSll2, Concat(U16(EtherType.Ipv6), [0, 0, 0, 0, 0, 1, 0, 1, 0, 6], MacA, [0, 0],
            Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.HopByHop, Concat(ExtensionHeader(IpProtocol.Fragment), FragmentHeader(IpProtocol.Tcp, 0, false),
                Tcp(50000, 443, 1, 1, TcpFlags.Psh | TcpFlags.Ack, [2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0], tls)))));
        yield return (LinkType.Null, Concat([0x1e, 0, 0, 0], Ipv6("fe80::1", "fe80::2", IpProtocol.Icmpv6,
            PacketWriter.Icmp(1, 1, [0, 0, 0, 0], Ipv6("fe80::2", "2001:db8::35", IpProtocol.Udp, Udp(1000, 53, query))))));
        yield return (LinkType.Raw, Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Tcp, Tcp(50000, 53, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: Concat(U16(response.Length), response))));
        yield return (LinkType.Ethernet, Ethernet(EtherType.QinQ, Concat(U16(5), U16(EtherType.Vlan), U16(6), U16(EtherType.Ipv4),
            Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(50000, 80, 1, 1, TcpFlags.Psh, payload: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()), options: [0x94, 0x04, 0, 0]))));
    }

    [Fact]
    public void Mutated_tunnel_and_wifi_frames_never_throw_and_nest_within_bounds()
    {
        // Every encapsulation's frame, decoded by a reader that follows tunnels, mutated as below; and 802.11 data
        // frames behind radiotap.
        var seeds = Tunnels.TunnelDecoderTests.Encapsulations().Select(row => (LinkType.Ethernet, Tunnels.TunnelDecoderTests.Frame((string)row[0])))
            .Append((LinkType.Radiotap, Concat([0, 0, 17, 0, 0x03, 0, 0, 0], new byte[8], [0x10],
                [0x88, 0x01, 0, 0], new byte[18], [0x10, 0, 0, 0], [0xAA, 0xAA, 0x03, 0, 0, 0], U16(EtherType.Ipv4),
                Ipv4("10.0.0.2", "10.0.0.1", IpProtocol.Udp, Udp(5000, 53, DnsQuery(9, "wifi.example"))), [1, 2, 3, 4])))
            .ToList();
        var random = new Random(20261206);
        var packet = new DecodedPacket { DecodeTunnels = true };
        foreach (var (linkType, seed) in seeds)
        {
            for (int i = 0; i < 1500; i++)
            {
                var frame = Mutate(seed, random);
                Decoding.Decode(linkType, frame, packet);
                Assert.True(packet.Tunnel.Depth <= 4);
                Assert.True(packet.Dns.StoredRecords <= DnsInfo.MaxRecords);
            }
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var frame = (byte[])seed.Clone();
        for (int e = random.Next(1, 6); e > 0; e--)
        {
            int at = random.Next(frame.Length);
            frame[at] = random.Next(3) switch
            {
                0 => (byte)(frame[at] ^ (1 << random.Next(8))),
                1 => (byte)random.Next(256),
                _ => random.Next(2) == 0 ? (byte)0x00 : (byte)0xff,
            };
        }
        return random.Next(4) == 0 ? frame[..random.Next(frame.Length + 1)] : frame;
    }

    [Fact]
    public void Mutated_frames_never_throw()
    {
        var random = new Random(20240613);
        var packet = new DecodedPacket();
        int decoded = 0;
        foreach (var (linkType, seed) in Seeds())
        {
            for (int i = 0; i < 4000; i++)
            {
                var frame = (byte[])seed.Clone();
                int edits = random.Next(1, 6);
                for (int e = 0; e < edits; e++)
                {
                    int at = random.Next(frame.Length);
                    frame[at] = random.Next(3) switch
                    {
                        0 => (byte)(frame[at] ^ (1 << random.Next(8))),
                        1 => (byte)random.Next(256),
                        _ => random.Next(2) == 0 ? (byte)0x00 : (byte)0xff,
                    };
                }
                int length = random.Next(4) == 0 ? random.Next(frame.Length + 1) : frame.Length;
                Decoding.Decode(linkType, frame.AsSpan(0, length), packet);
                Assert.True(packet.Text.Used <= PacketText.Capacity);
                Assert.True(packet.Dns.StoredRecords <= DnsInfo.MaxRecords);
                decoded++;
            }
        }
        Assert.Equal(6 * 4000, decoded);
    }
}
