using NetTriage.Packets.Formatting;
using NetTriage.Packets.Tests.Support;
using NetTriage.Packets.Tests.Tunnels;

namespace NetTriage.Packets.Tests.Formatting;

/// <summary>
/// `show`'s lines for tunnelled packets, as tcpdump 4.99 prints them without -v: the outer headers first (GRE with its
/// key or sequence, PPTP's call, VXLAN's flags and VNI ending its line, Geneve's flags, VNI and options), then the inner
/// packet; the tunnels tcpdump does not open by default (Teredo, AYIYA, GTP-U, GRE in UDP) stay datagrams, and a GRE
/// payload it does not follow is named by its protocol number. The frames are TunnelDecoderTests', built byte by byte.
/// </summary>
public sealed class TunnelLineTests
{
    private const string Inner = "IP 10.1.1.1.5000 > 10.2.2.2.53: 7+ A? inner.example. (31)";

    private static string Line(string frame)
    {
        var packet = Decoding.Decode(LinkType.Ethernet, TunnelDecoderTests.Frame(frame), new DecodedPacket { DecodeTunnels = true, IpTunnelsOnly = true });
        var formatter = new TcpdumpLineFormatter(new TcpdumpLineOptions
        {
            TimestampStyle = TimestampStyle.None, FrameNumbers = false, Annotations = false, Tunnels = true,
        });
        return formatter.Format(packet);
    }

    // Lengths: the inner packet is 59 bytes (IPv4 20, UDP 8, DNS 31); GRE's is the outer IP payload (its header of 4, 16
    // with checksum, key and sequence, 12 for PPTP with a sequence, plus PPP's 4), a datagram's its UDP payload.
    [Theory]
    [InlineData("ip-in-ip", "IP 192.0.2.1 > 192.0.2.2: " + Inner)]
    [InlineData("gre", "IP 192.0.2.1 > 192.0.2.2: GREv0, length 63: " + Inner)]
    [InlineData("gre-key-seq-checksum", "IP 192.0.2.1 > 192.0.2.2: GREv0, key=0x2a, seq 9, length 75: " + Inner)]
    [InlineData("pptp", "IP 192.0.2.1 > 192.0.2.2: GREv1, call 1, seq 5, length 75: " + Inner)]
    [InlineData("erspan-2", "IP 192.0.2.1 > 192.0.2.2: GREv0, seq 1, length 89: gre-proto-0x88be")]
    [InlineData("vxlan", "IP 192.0.2.1.40000 > 192.0.2.2.4789: VXLAN, flags [I] (0x08), vni 42\n" + Inner)]
    [InlineData("geneve", "IP 192.0.2.1.40000 > 192.0.2.2.6081: Geneve, Flags [none], vni 0x2a, options [4 bytes]: " + Inner)]
    [InlineData("teredo", "IP 192.0.2.1.40000 > 192.0.2.2.3544: UDP, length 87")]
    [InlineData("gtp-u", "IP 192.0.2.1.40000 > 192.0.2.2.2152: UDP, length 67")]
    public void The_outer_headers_come_first_as_tcpdump_prints_them(string frame, string expected) =>
        Assert.Equal(expected, Line(frame));

    [Fact]
    public void Without_the_option_the_line_is_the_inner_packets()
    {
        var packet = Decoding.Decode(LinkType.Ethernet, TunnelDecoderTests.Frame("gre"), new DecodedPacket { DecodeTunnels = true });
        var formatter = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, FrameNumbers = false, Annotations = false });
        Assert.Equal(Inner, formatter.Format(packet));
    }
}
