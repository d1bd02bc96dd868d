using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Transport;

public class TcpDecoderTests
{
    /// <summary>A Linux SYN (raw IPv4) with the usual options and ECN setup flags.</summary>
    private static readonly byte[] Syn =
    [
        0x45, 0x00, 0x00, 0x3c,                         // IPv4, total length 60
        0x9a, 0x1b, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, // id, DF, TTL 64, TCP, checksum
        0xc0, 0xa8, 0x01, 0x0b,                         // 192.168.1.11
        0xd1, 0x57, 0xf9, 0x12,                         // 209.87.249.18
        // TCP
        0x84, 0x01,                                     // source port 33793
        0x00, 0x50,                                     // destination port 80
        0x23, 0xfe, 0xa1, 0x0d,                         // sequence 603889933
        0x00, 0x00, 0x00, 0x00,                         // acknowledgment 0
        0xa0,                                           // data offset 10 (40 bytes), AE 0
        0xc2,                                           // flags: CWR ECE SYN
        0xfa, 0xf0,                                     // window 64240
        0x00, 0x00,                                     // checksum
        0x00, 0x00,                                     // urgent pointer
        0x02, 0x04, 0x05, 0xb4,                         // MSS 1460
        0x04, 0x02,                                     // SACK permitted
        0x08, 0x0a, 0x00, 0x1e, 0x84, 0x80, 0x00, 0x00, 0x00, 0x00, // timestamps 2000000, 0
        0x01,                                           // NOP
        0x03, 0x03, 0x07,                               // window scale 7
    ];

    [Fact]
    public void Syn_with_options_is_decoded()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Syn);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Tcp));
        Assert.Equal(33793, p.SourcePort);
        Assert.Equal(80, p.DestinationPort);
        Assert.Equal(603889933u, p.Tcp.Sequence);
        Assert.Equal(0u, p.Tcp.Acknowledgment);
        Assert.Equal(TcpFlags.Cwr | TcpFlags.Ece | TcpFlags.Syn, p.Tcp.Flags);
        Assert.Equal(64240, p.Tcp.Window);
        Assert.Equal(40, p.Tcp.HeaderLength);
        Assert.True(p.Tcp.HasMss);
        Assert.Equal(1460, p.Tcp.Mss);
        Assert.True(p.Tcp.SackPermitted);
        Assert.True(p.Tcp.HasTimestamp);
        Assert.Equal(2000000u, p.Tcp.TsValue);
        Assert.Equal(0u, p.Tcp.TsEcho);
        Assert.True(p.Tcp.HasWindowScale);
        Assert.Equal(7, p.Tcp.WindowScale);
        Assert.Equal(60, p.PayloadOffset);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(0, p.PayloadClaimedLength);
    }

    public static IEnumerable<object[]> HeaderPrefixes => Enumerable.Range(20, 40).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(HeaderPrefixes))]
    public void Truncated_at_every_byte(int length)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Syn.AsSpan(0, length));
        Assert.True(p.Truncated);
        Assert.True(p.Has(PacketLayers.Ipv4));
        Assert.Equal(IpAddr.Parse("209.87.249.18"), p.Ip.Destination);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Ipv4TotalLengthExceedsCapture));
        Assert.True(p.Anomalies.Contains(AnomalyKind.TcpHeaderTruncated));
        Assert.Equal(2, p.Anomalies.Count);
        Assert.Equal(length >= 40, p.Has(PacketLayers.Tcp));
        Assert.Equal(length >= 40 ? 80 : 0, p.DestinationPort);
        Assert.False(p.Tcp.HasMss);
    }

    [Fact]
    public void All_nine_flags_are_read()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 2, 0, 0, (TcpFlags)0x1ff)));
        Assert.Equal(TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr | TcpFlags.Ae, p.Tcp.Flags);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Data_offset_below_five_is_bad(int words)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 2, 0, 0, TcpFlags.Ack, dataOffsetWords: words)));
        Assert.Equal([AnomalyKind.TcpBadDataOffset], p.Anomalies.Kept.ToArray());
        Assert.True(p.Has(PacketLayers.Tcp));
        Assert.Equal(0, p.PayloadOffset);
    }

    [Fact]
    public void Data_offset_beyond_the_segment_is_bad()
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 2, 0, 0, TcpFlags.Ack, dataOffsetWords: 15)));
        Assert.Equal([AnomalyKind.TcpBadDataOffset], p.Anomalies.Kept.ToArray());
        Assert.False(p.Truncated);
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x03, 0x02, 0x07, 0x01 }, true)]    // window scale with length 2
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x1e, 0x00, 0x01, 0x01 }, true)]    // option length 0
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x1e, 0x09, 0x01, 0x01 }, true)]    // option runs past the header
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x01, 0x1e }, true)]    // length octet missing
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x05, 0x03, 0x00, 0x00 }, true)]    // SACK with a partial block
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x1e, 0x04, 0x01, 0x01 }, false)]   // unknown option of length 4
    [InlineData(new byte[] { 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00, 0x99, 0x99 }, false)]   // EOL: the rest is padding
    public void Malformed_options_stop_the_walk_and_keep_what_was_read(byte[] options, bool malformed)
    {
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 2, 0, 0, TcpFlags.Syn, options)));
        Assert.Equal(malformed, p.Anomalies.Contains(AnomalyKind.TcpOptionsMalformed));
        Assert.Equal(malformed ? 1 : 0, p.Anomalies.Count);
        Assert.True(p.Tcp.HasMss);
        Assert.Equal(1460, p.Tcp.Mss);
        Assert.False(p.Tcp.HasWindowScale);
    }

    [Fact]
    public void Sack_blocks_are_counted()
    {
        var options = Concat([0x01, 0x01, 0x05, 0x12], new byte[16], [0x01, 0x01]);
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, Tcp(1, 2, 0, 0, TcpFlags.Ack, options)));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(2, p.Tcp.SackBlockCount);
    }

    [Fact]
    public void Payload_is_located_and_claimed_length_survives_a_snap_length()
    {
        var segment = Tcp(40000, 8443, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: new byte[100]);
        var full = Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, segment);
        var p = Decoding.Decode(LinkType.Ipv4, full.AsSpan(0, 60), originalLength: full.Length);
        Assert.Equal(40, p.PayloadOffset);
        Assert.Equal(20, p.PayloadLength);
        Assert.Equal(100, p.PayloadClaimedLength);
        Assert.True(p.Truncated);
    }

    [Fact]
    public void Ipv6_tcp_is_decoded()
    {
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Tcp, Tcp(443, 50000, 5, 6, TcpFlags.Rst | TcpFlags.Ack)));
        Assert.True(p.Has(PacketLayers.Ipv6 | PacketLayers.Tcp));
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, p.Tcp.Flags);
        Assert.Equal(60, p.PayloadOffset);
    }
}
