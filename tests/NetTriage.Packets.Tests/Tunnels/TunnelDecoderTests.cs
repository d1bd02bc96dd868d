using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Tunnels;

/// <summary>
/// Each encapsulation, built byte by byte around the same inner DNS query: the inner packet is decoded as if it were
/// the frame's, the outer header is kept in the packet's tunnel, a reader that does not follow tunnels sees the outer
/// packet, every truncated prefix decodes without an exception, and nesting is bounded.
/// </summary>
public sealed class TunnelDecoderTests
{
    private const string InnerClient = "10.1.1.1", InnerServer = "10.2.2.2", OuterA = "192.0.2.1", OuterB = "192.0.2.2";

    private static byte[] InnerV4() => Ipv4(InnerClient, InnerServer, IpProtocol.Udp, Udp(5000, 53, DnsQuery(7, "inner.example")));
    private static byte[] InnerV6() => Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Udp, Udp(5000, 53, DnsQuery(7, "inner.example")));
    private static byte[] OuterUdp(ushort dport, byte[] payload) => Ethernet(EtherType.Ipv4, Ipv4(OuterA, OuterB, IpProtocol.Udp, Udp(40000, dport, payload)));
    /// <summary>
    /// An 802.11 QoS data frame from the DS holding an A-MSDU (the QoS control's bit 7), as an Aruba access point sends it
    /// in GRE (Zeek's gre-aruba-amsdu trace): the MAC header, then each packet after its destination, source and length.
    /// </summary>
    private static byte[] Amsdu(params byte[][] packets) => Concat(
        [[0x88, 0x02, 0x00, 0x00], MacA, MacB, MacA, [0x00, 0x00], [0x80, 0x00],
         .. packets.Select((ip, i) => Concat(MacA, MacB, U16(8 + ip.Length), [0xAA, 0xAA, 0x03, 0, 0, 0], U16(EtherType.Ipv4), ip,
             new byte[i < packets.Length - 1 ? (4 - ((14 + 8 + ip.Length) % 4)) % 4 : 0]))]);

    private static byte[] OuterGre(byte[] gre) => Ethernet(EtherType.Ipv4, Ipv4(OuterA, OuterB, IpProtocol.Gre, gre));

    public static TheoryData<string, TunnelKind> Encapsulations() => new()
    {
        { "ip-in-ip", TunnelKind.IpInIp },
        { "6in4", TunnelKind.IpInIp },
        { "4in6", TunnelKind.IpInIp },
        { "gre", TunnelKind.Gre },
        { "gre-key-seq-checksum", TunnelKind.Gre },
        { "gre-ethernet", TunnelKind.Gre },
        { "erspan-1", TunnelKind.Erspan },
        { "erspan-2", TunnelKind.Erspan },
        { "erspan-3", TunnelKind.Erspan },
        { "pptp", TunnelKind.Pptp },
        { "vxlan", TunnelKind.Vxlan },
        { "geneve", TunnelKind.Geneve },
        { "gtp-u", TunnelKind.GtpU },
        { "gtp-u-extension", TunnelKind.GtpU },
        { "teredo", TunnelKind.Teredo },
        { "ayiya", TunnelKind.Ayiya },
        { "gre-in-udp", TunnelKind.GreInUdp },
        { "mpls", TunnelKind.None },
        { "gre-aruba-amsdu", TunnelKind.Gre },
        { "pppoe", TunnelKind.None },
        { "fabricpath", TunnelKind.None },
        { "vn-tag", TunnelKind.None },
        { "pbb", TunnelKind.None },
    };

    internal static byte[] Frame(string name) => name switch
    {
        "ip-in-ip" => Ethernet(EtherType.Ipv4, Ipv4(OuterA, OuterB, 4, InnerV4())),
        "6in4" => Ethernet(EtherType.Ipv4, Ipv4(OuterA, OuterB, IpProtocol.Ipv6, InnerV6())),
        "4in6" => Ethernet(EtherType.Ipv6, Ipv6("2001:db8:ffff::1", "2001:db8:ffff::2", 4, InnerV4())),
        "gre" => OuterGre(Concat(U16(0), U16(EtherType.Ipv4), InnerV4())),
        "gre-key-seq-checksum" => OuterGre(Concat(U16(0xB000), U16(EtherType.Ipv4), U32(0), U32(42), U32(9), InnerV4())),
        "gre-ethernet" => OuterGre(Concat(U16(0), U16(0x6558), Ethernet(EtherType.Ipv4, InnerV4()))),
        "erspan-1" => OuterGre(Concat(U16(0), U16(0x88BE), Ethernet(EtherType.Ipv4, InnerV4()))),
        "erspan-2" => OuterGre(Concat(U16(0x1000), U16(0x88BE), U32(1), [0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0], Ethernet(EtherType.Ipv4, InnerV4()))),
        "erspan-3" => OuterGre(Concat(U16(0x1000), U16(0x22EB), U32(1), new byte[12], Ethernet(EtherType.Ipv4, InnerV4()))),
        "gre-aruba-amsdu" => OuterGre(Concat(U16(0), U16(0x8240), Amsdu(InnerV4()))),
        "pptp" => OuterGre(Concat(U16(0x3001), U16(0x880B), U16(0), U16(1), U32(5), [0xFF, 0x03, 0x00, 0x21], InnerV4())),
        "vxlan" => OuterUdp(4789, Concat([0x08, 0, 0, 0], U32(42 << 8), Ethernet(EtherType.Ipv4, InnerV4()))),
        "geneve" => OuterUdp(6081, Concat([0x01, 0x00], U16(0x6558), U32(42 << 8), new byte[4], Ethernet(EtherType.Ipv4, InnerV4()))),
        "gtp-u" => OuterUdp(2152, Concat([0x30, 0xFF], U16(InnerV4().Length), U32(42), InnerV4())),
        "gtp-u-extension" => OuterUdp(2152, Concat([0x34, 0xFF], U16(InnerV4().Length + 8), U32(42), [0, 0, 0, 0x85], [1, 0x10, 0x09, 0x00], InnerV4())),
        "teredo" => OuterUdp(3544, Concat([0, 0], new byte[6], InnerV6())),
        "ayiya" => OuterUdp(5072, Concat([0x21, 0x00, 0x11, 4], U32(0), [0x7f, 0, 0, 1], InnerV4())), // a 4-byte identity (2^2)
        "gre-in-udp" => OuterUdp(4754, Concat(U16(0), U16(EtherType.Ipv4), InnerV4())),
        "mpls" => Ethernet(0x8847, Concat([0x00, 0x01, 0x40, 0x40], [0x00, 0x02, 0x01, 0x40], InnerV4())),
        "pppoe" => Ethernet(0x8864, Concat([0x11, 0x00], U16(1), U16(InnerV4().Length + 2), U16(0x0021), InnerV4())),
        "fabricpath" => Ethernet(0x8903, Concat([0x00, 0x3F], Ethernet(EtherType.Ipv4, InnerV4()))),
        "vn-tag" => Ethernet(0x8926, Concat(U32(0x80010002), U16(EtherType.Ipv4), InnerV4())),
        "pbb" => Ethernet(0x88E7, Concat(U32(0x00000100), Ethernet(EtherType.Ipv4, InnerV4()))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static DecodedPacket Decode(byte[] frame, bool tunnels = true) =>
        Decoding.Decode(LinkType.Ethernet, frame, new DecodedPacket { DecodeTunnels = tunnels });

    [Theory]
    [MemberData(nameof(Encapsulations))]
    public void The_inner_packet_is_decoded_and_the_outer_header_kept(string name, TunnelKind kind)
    {
        var p = Decode(Frame(name));
        Assert.True(p.Has(PacketLayers.Dns), $"{name}: {p.Layers} [{p.Anomalies()}]");
        Assert.Equal("inner.example.", p.Text(p.Dns.Questions[0].Name));
        Assert.Equal(53, p.DestinationPort);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(kind, p.Tunnel.Kind);
        if (kind == TunnelKind.None)
        {
            // Link framings carry no outer address: walked, not counted as tunnels.
            Assert.Equal(0, p.Tunnel.Depth);
            Assert.Equal(InnerClient, p.Ip.Source.ToString());
            return;
        }
        Assert.Equal(1, p.Tunnel.Depth);
        Assert.False(p.Tunnel.OuterSource.IsNone);
        if (name != "4in6") Assert.Equal(OuterA, p.Tunnel.OuterSource.ToString());
        if (kind is TunnelKind.Vxlan or TunnelKind.Geneve)
        {
            Assert.True(p.Tunnel.HasIdentifier);
            Assert.Equal(42u, p.Tunnel.Identifier);
        }
        if (kind is TunnelKind.Vxlan or TunnelKind.Geneve or TunnelKind.GtpU or TunnelKind.Teredo or TunnelKind.Ayiya or TunnelKind.GreInUdp)
        {
            Assert.Equal(IpProtocol.Udp, p.Tunnel.OuterProtocol);
            Assert.Equal(40000, p.Tunnel.OuterSourcePort);
        }
    }

    [Theory]
    [MemberData(nameof(Encapsulations))]
    public void A_reader_that_does_not_follow_tunnels_sees_the_outer_packet(string name, TunnelKind kind)
    {
        _ = kind;
        var p = Decode(Frame(name), tunnels: false);
        Assert.False(p.Has(PacketLayers.Dns) && p.DestinationPort == 53 && p.Ip.Source.ToString() == InnerClient, name);
        Assert.Equal(0, p.Tunnel.Depth);
    }

    [Theory]
    [MemberData(nameof(Encapsulations))]
    public void Every_truncated_prefix_decodes_without_an_exception(string name, TunnelKind kind)
    {
        _ = kind;
        var frame = Frame(name);
        var packet = new DecodedPacket { DecodeTunnels = true };
        for (int length = 0; length < frame.Length; length++)
        {
            var p = Decoding.Decode(LinkType.Ethernet, frame.AsSpan(0, length), packet);
            Assert.True(p.Tunnel.Depth <= 1);
            // Every prefix is cut somewhere (a link, IP, tunnel or DNS header, or the IP length): it says so, and is
            // never taken for a whole inner query.
            Assert.True(p.Truncated || p.Anomalies.Count > 0, $"{name} cut at {length}: {p.Layers}");
            Assert.False(p.Has(PacketLayers.Dns) && !p.Dns.Incomplete && p.Anomalies.Count == 0);
        }
    }

    [Fact]
    public void Decapsulation_allocates_nothing_per_packet()
    {
        var frames = Encapsulations().Select(row => Frame((string)row[0])).ToList();
        var packet = new DecodedPacket { DecodeTunnels = true };
        void DecodeAll()
        {
            foreach (var frame in frames)
            {
                packet.Reset();
                packet.CapturedLength = packet.OriginalLength = frame.Length;
                PacketDecoder.Decode(LinkType.Ethernet, frame, packet);
            }
        }

        DecodeAll();
        Assert.True(packet.Has(PacketLayers.Dns));
        long allocated = Formatting.AllocationProbe.SteadyStateBytes(DecodeAll, iterationsPerRound: 200);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void An_aruba_a_msdu_is_read_at_its_first_packet_and_not_by_show()
    {
        var second = Ipv4("10.9.9.9", "10.9.9.10", IpProtocol.Udp, Udp(1, 2, [1, 2, 3]));
        var frame = OuterGre(Concat(U16(0), U16(0x8240), Amsdu(InnerV4(), second)));
        var p = Decode(frame);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(TunnelKind.Gre, p.Tunnel.Kind);
        Assert.Equal(InnerClient, p.Ip.Source.ToString());
        Assert.Equal(53, p.DestinationPort);

        var show = Decoding.Decode(LinkType.Ethernet, frame, new DecodedPacket { DecodeTunnels = true, IpTunnelsOnly = true });
        Assert.False(show.Has(PacketLayers.Dns));
        Assert.Equal(OuterA, show.Tunnel.OuterSource.ToString());
    }

    [Fact]
    public void Teredo_off_its_port_is_found_only_to_or_from_a_teredo_address()
    {
        // Zeek's Teredo trace: the client's bubble to a relay's port 32900, from its Teredo address (2001::/32).
        var bubble = Ipv6("2001:0:4137:9e50:8000:f12a:b9c8:2815", "2001:4860:0:2001::68", 59, []);
        var teredo = Decode(OuterUdp(32900, bubble));
        Assert.Equal(TunnelKind.Teredo, teredo.Tunnel.Kind);
        Assert.Equal("2001:4860:0:2001::68", teredo.Ip.Destination.ToString());
        Assert.Equal(0, teredo.Anomalies.Count);
        var reply = Decode(OuterUdp(32900, Ipv6("2001:4860:0:2001::68", "2001:0:4137:9e50:8000:f12a:b9c8:2815", 59, [])));
        Assert.Equal(TunnelKind.Teredo, reply.Tunnel.Kind);

        // The same packet between other addresses, or on a name service's port, stays a datagram; `show` opens none.
        Assert.Equal(0, Decode(OuterUdp(32900, Ipv6("2001:db8::1", "2001:db8::2", 59, []))).Tunnel.Depth);
        Assert.Equal(0, Decode(OuterUdp(137, bubble)).Tunnel.Depth);
        Assert.Equal(0, Decode(OuterUdp(32900, Concat(bubble, [0]))).Tunnel.Depth);
        var show = Decoding.Decode(LinkType.Ethernet, OuterUdp(32900, bubble), new DecodedPacket { DecodeTunnels = true, IpTunnelsOnly = true });
        Assert.Equal(0, show.Tunnel.Depth);
    }

    [Fact]
    public void A_datagram_on_a_tunnel_port_whose_header_is_not_the_tunnels_stays_a_datagram()
    {
        // VXLAN's I flag clear, Teredo without an IPv6 packet, GTP's echo request, AYIYA's non-forward opcode.
        foreach (var (port, payload) in new (ushort, byte[])[]
        {
            (4789, new byte[16]),
            (3544, Concat([0x45, 0], new byte[40])),
            (2152, Concat([0x32, 0x01], U16(4), U32(0), new byte[4])),
            (5072, Concat([0x01, 0x00, 0x12, 4], new byte[16])),
        })
        {
            var p = Decode(OuterUdp(port, payload));
            Assert.Equal(0, p.Tunnel.Depth);
            Assert.True(p.Has(PacketLayers.Udp));
            Assert.Equal(OuterA, p.Ip.Source.ToString());
            Assert.Equal(port, p.DestinationPort);
        }
    }

    [Fact]
    public void Tunnels_nest_inside_one_another_up_to_a_bound()
    {
        // GRE inside VXLAN: two encapsulations, the innermost kept as the packet's tunnel.
        var gre = Ipv4("172.16.0.1", "172.16.0.2", IpProtocol.Gre, Concat(U16(0), U16(EtherType.Ipv4), InnerV4()));
        var p = Decode(OuterUdp(4789, Concat([0x08, 0, 0, 0], U32(7 << 8), Ethernet(EtherType.Ipv4, gre))));
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(2, p.Tunnel.Depth);
        Assert.Equal(TunnelKind.Gre, p.Tunnel.Kind);
        Assert.Equal("172.16.0.1", p.Tunnel.OuterSource.ToString());

        // IP in IP ten deep: followed to the bound, then the packet stays where it was, marked.
        var packet = InnerV4();
        for (int i = 0; i < 10; i++) packet = Ipv4(OuterA, OuterB, 4, packet);
        var deep = Decode(Ethernet(EtherType.Ipv4, packet));
        Assert.Equal(4, deep.Tunnel.Depth);
        Assert.Contains(AnomalyKind.TunnelTooDeep, deep.Anomalies.Kept.ToArray());
        Assert.False(deep.Has(PacketLayers.Dns));
    }

    [Fact]
    public void Link_framings_nest_up_to_a_bound()
    {
        // VN-Tag inside VN-Tag twenty times: each tag is followed by the type of what comes next.
        var body = Concat(U16(EtherType.Ipv4), InnerV4());
        for (int i = 0; i < 20; i++) body = Concat(U16(0x8926), U32(0x80010002), body);
        var p = Decode(Ethernet(0x8926, Concat(U32(0x80010002), body)));
        Assert.Contains(AnomalyKind.TunnelTooDeep, p.Anomalies.Kept.ToArray());
    }
}
