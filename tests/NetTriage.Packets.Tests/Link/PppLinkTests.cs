using NetTriage.Packets.Formatting;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Link;

/// <summary>
/// PPP links (LINKTYPE_PPP 9, LINKTYPE_PPP_SERIAL 50): the header with and without its address and control bytes, the
/// protocol in two bytes or compressed into one, the link's control traffic, MPLS, and the lines `show` prints, held
/// against what tcpdump 4.99 prints for the same frames (quoted).
/// </summary>
public sealed class PppLinkTests
{
    private static readonly byte[] UdpPacket = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp, Udp(1234, 5678, "hello"u8.ToArray()));

    private static DecodedPacket Analysis(LinkType type, byte[] frame)
    {
        var p = new DecodedPacket { DecodeTunnels = true };
        return Decoding.Decode(type, frame, p);
    }

    private static string ShowLine(byte[] frame)
    {
        var p = Decoding.Decode(LinkType.Ppp, frame);
        p.Timestamp = new PacketTimestamp(1000L * PacketTimestamp.NanosPerSecond, TimestampKind.Absolute);
        return new TcpdumpLineFormatter(new TcpdumpLineOptions { Zone = DisplayZone.Utc, Annotations = false }).Format(p);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0x03, 0x00, 0x21 })]   // address, control, protocol
    [InlineData(new byte[] { 0x00, 0x21 })]               // address and control compressed away
    [InlineData(new byte[] { 0x21 })]                     // and the protocol in one byte
    public void Ipv4_is_decoded_after_every_form_of_the_header(byte[] header)
    {
        var p = Decoding.Decode(LinkType.Ppp, Concat(header, UdpPacket));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(0x0021, p.PppProtocol);
        Assert.Equal(EtherType.Ipv4, p.EtherType);
        Assert.Equal(5678, p.DestinationPort);
        Assert.Equal(header.Length + 28, p.PayloadOffset);
        Assert.Equal(5, p.PayloadLength);
    }

    [Fact]
    public void Ipv6_is_decoded()
    {
        var v6 = Ipv6("fd00::1", "fd00::2", IpProtocol.Udp, Udp(1, 2, [7]));
        var p = Decoding.Decode(LinkType.Ppp, Concat([0x00, 0x57], v6));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Ipv6 | PacketLayers.Udp));
        Assert.Equal(2 + 48, p.PayloadOffset);
    }

    [Theory]
    [InlineData(0xc021)]   // LCP
    [InlineData(0x8021)]   // IPCP
    [InlineData(0xc223)]   // CHAP
    public void The_links_control_traffic_is_neither_followed_nor_undecoded(int protocol)
    {
        var p = Decoding.Decode(LinkType.Ppp, Concat([0xff, 0x03], U16(protocol), [0x01, 0x01, 0x00, 0x04]));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(PacketLayers.None, p.Layers);
        Assert.Equal(protocol, p.PppProtocol);
    }

    [Fact]
    public void Another_network_protocol_is_not_decoded()
    {
        var p = Decoding.Decode(LinkType.Ppp, Concat([0xff, 0x03, 0x00, 0x2b], new byte[30]));   // IPX
        Assert.Equal([AnomalyKind.UnsupportedEtherType], p.Anomalies.Kept.ToArray());
        Assert.Equal(0x002b, p.PppProtocol);
    }

    [Fact]
    public void Mpls_is_followed_by_the_analysis_only()
    {
        var frame = Concat([0xff, 0x03, 0x02, 0x81], [0x00, 0x01, 0x01, 0x40], UdpPacket);   // label 16, bottom of stack
        var analysis = Analysis(LinkType.Ppp, frame);
        Assert.Equal(0, analysis.Anomalies.Count);
        Assert.True(analysis.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(5678, analysis.DestinationPort);

        var show = Decoding.Decode(LinkType.Ppp, frame);
        Assert.False(show.Has(PacketLayers.Ipv4));
        Assert.Equal([AnomalyKind.UnsupportedEtherType], show.Anomalies.Kept.ToArray());
    }

    public static IEnumerable<object[]> HeaderPrefixes => Decoding.Prefixes(4);

    [Theory]
    [MemberData(nameof(HeaderPrefixes))]
    public void A_header_cut_short_is_the_links(int length)
    {
        // tcpdump wants two bytes after the address and control: "[|ppp]" below that.
        var p = Decoding.Decode(LinkType.Ppp, Concat([0xff, 0x03, 0x00, 0x21], UdpPacket).AsSpan(0, length));
        Assert.True(p.Truncated);
        Assert.Equal([AnomalyKind.LinkHeaderTruncated], p.Anomalies.Kept.ToArray());
        Assert.Equal(PacketLayers.None, p.Layers);
    }

    [Fact]
    public void Serial_ppp_and_cisco_hdlc_are_followed_by_the_analysis_only()
    {
        var ppp = Analysis(LinkType.PppSerial, Concat([0xff, 0x03, 0x00, 0x21], UdpPacket));
        Assert.True(ppp.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        var hdlc = Analysis(LinkType.PppSerial, Concat([0x0f, 0x00, 0x08, 0x00], UdpPacket));
        Assert.True(hdlc.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(4 + 28, hdlc.PayloadOffset);
        Assert.Equal([AnomalyKind.LinkHeaderTruncated], Analysis(LinkType.PppSerial, [0x8f, 0x00, 0x08]).Anomalies.Kept.ToArray());

        var show = Decoding.Decode(LinkType.PppSerial, Concat([0xff, 0x03, 0x00, 0x21], UdpPacket));
        Assert.Equal([AnomalyKind.UnknownLinkType], show.Anomalies.Kept.ToArray());
    }

    [Theory]
    // tcpdump -n: "00:16:40.000000 IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 5" whatever the header's form.
    [InlineData(new byte[] { 0xff, 0x03, 0x00, 0x21 }, "IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 5")]
    [InlineData(new byte[] { 0x21 }, "IP 10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 5")]
    public void Show_prints_ip_on_ppp_as_tcpdump_does(byte[] header, string expected)
    {
        Assert.Equal("    1  00:16:40.000000 " + expected, ShowLine(Concat(header, UdpPacket)));
    }

    [Theory]
    // What tcpdump -e prints before the payload its own printers read (LCP, PAP, MPLS...): name, number, length.
    [InlineData(new byte[] { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 }, "LCP (0xc021), length 8")]
    [InlineData(new byte[] { 0xff, 0x03, 0xc0, 0x23, 0x02, 0x01, 0x00, 0x05, 0x00 }, "PAP (0xc023), length 9")]
    [InlineData(new byte[] { 0xff, 0x03, 0x80, 0x57, 0x01, 0x01, 0x00, 0x04 }, "IP6CP (0x8057), length 8")]
    [InlineData(new byte[] { 0xff, 0x03, 0x12, 0x34, 0x00, 0x00 }, "unknown (0x1234), length 6")]
    [InlineData(new byte[] { 0xff, 0x03, 0x00 }, "[|ppp]")]
    public void Show_names_what_it_does_not_print_as_tcpdump_e_does(byte[] frame, string expected)
    {
        Assert.Equal("    1  00:16:40.000000 " + expected, ShowLine(frame));
    }

    [SkippableFact]
    public void Zeeks_ppp_capture_decodes_every_frame()
    {
        var path = SharedCorpus.ZeekTrace("ppp/quic-interop-retry.pcap");
        Skip.If(path is null, "the Zeek corpus (../shared/corpus/zeek) is absent");
        int frames = 0, ip = 0;
        foreach (var f in TestCaptureFramer.Read(File.ReadAllBytes(path)))
        {
            frames++;
            Assert.Equal(LinkType.Ppp, f.LinkType);
            var p = Analysis(f.LinkType, f.Data.ToArray());
            if (p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6)) ip++;
            Assert.Equal(0, p.Anomalies.Count);
        }
        Assert.True(frames > 0);
        Assert.Equal(frames, ip);
    }
}
