using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Link;

/// <summary>
/// Wi-Fi frames built byte by byte: radiotap (with and without a frame check sequence), Prism and AVS headers, and the
/// 802.11 data frames that carry packets (plain, QoS, four-address), against the frames that carry none (beacons,
/// null data) and those that cannot be read (protected).
/// </summary>
public sealed class Ieee80211DecoderTests
{
    private static byte[] Inner() => Ipv4("10.0.0.2", "10.0.0.1", IpProtocol.Udp, Udp(5000, 53, DnsQuery(9, "wifi.example")));
    private static readonly byte[] Snap = [0xAA, 0xAA, 0x03, 0, 0, 0];
    private static readonly byte[] Sta = [2, 0, 0, 0, 0, 1], Ap = [2, 0, 0, 0, 0, 2], Dest = [2, 0, 0, 0, 0, 3], Src = [2, 0, 0, 0, 0, 4];

    /// <summary>An 802.11 frame: frame control (little-endian), duration, addresses, sequence, the QoS field if asked.</summary>
    private static byte[] Mac(int type, int subtype, ushort flags, bool fourAddresses = false)
    {
        ushort control = (ushort)((type << 2) | (subtype << 4) | flags);
        var header = Concat([(byte)control, (byte)(control >> 8)], [0, 0], Dest, Sta, Ap, [0x10, 0x00]);
        if (fourAddresses) header = Concat(header, Src);
        if ((subtype & 0x8) != 0) header = Concat(header, [0, 0]);
        return header;
    }

    private static byte[] Data(int subtype = 0, ushort flags = 0x0100, bool fourAddresses = false) =>
        Concat(Mac(2, subtype, flags, fourAddresses), Snap, U16(EtherType.Ipv4), Inner());

    /// <summary>Radiotap version 0, 17 bytes: present = TSFT | Flags; the TSFT (8 bytes, aligned to 8), then Flags.</summary>
    private static byte[] Radiotap(byte[] mac, bool fcs) =>
        Concat([0, 0, 17, 0, 0x03, 0, 0, 0], new byte[8], [(byte)(fcs ? 0x10 : 0)], mac, fcs ? [0xde, 0xad, 0xbe, 0xef] : []);

    private static DecodedPacket Decode(LinkType link, byte[] frame, int? originalLength = null) =>
        Decoding.Decode(link, frame, new DecodedPacket { DecodeTunnels = true }, originalLength);

    private static void AssertInner(DecodedPacket p)
    {
        Assert.True(p.Has(PacketLayers.Dns), $"{p.Layers} [{p.Anomalies()}]");
        Assert.Equal("10.0.0.2", p.Ip.Source.ToString());
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_radiotap_data_frame_carries_its_packet(bool fcs)
    {
        var p = Decode(LinkType.Radiotap, Radiotap(Data(), fcs));
        AssertInner(p);
        // To the distribution system: the source is address 2, the destination address 3.
        Assert.Equal(MacAddress.Read(Sta), p.SourceMac);
        Assert.Equal(MacAddress.Read(Ap), p.DestinationMac);
    }

    [Fact]
    public void The_frame_check_sequence_is_kept_on_a_frame_the_capture_cut()
    {
        // The capture holds the frame without its last 10 bytes (FCS included): nothing is trimmed from what is there.
        var whole = Radiotap(Data(), fcs: true);
        var cut = whole[..^10];
        var p = Decode(LinkType.Radiotap, cut, originalLength: whole.Length);
        Assert.True(p.Has(PacketLayers.Ipv4));
        // The UDP payload present: all that follows the radiotap (17), 802.11 (24), SNAP (8), IP (20) and UDP (8) headers.
        Assert.Equal(cut.Length - 17 - 24 - 8 - 20 - 8, p.PayloadLength);
    }

    [Fact]
    public void QoS_and_four_address_frames_are_read()
    {
        AssertInner(Decode(LinkType.Ieee80211, Data(subtype: 8)));
        var wds = Decode(LinkType.Ieee80211, Data(flags: 0x0300, fourAddresses: true));
        AssertInner(wds);
        Assert.Equal(MacAddress.Read(Src), wds.SourceMac);
        Assert.Equal(MacAddress.Read(Ap), wds.DestinationMac);
    }

    [Fact]
    public void Prism_and_AVS_headers_lead_to_the_frame()
    {
        var prism = Concat([0x44, 0, 0, 0], [144, 0, 0, 0], new byte[136], Data());
        AssertInner(Decode(LinkType.Prism, prism));
        var avs = Concat([0x80, 0x21, 0x10, 0x01], [0, 0, 0, 64], new byte[56], Data());
        AssertInner(Decode(LinkType.Avs, avs));
    }

    [Fact]
    public void Beacons_and_null_frames_carry_no_packet_and_are_no_anomaly()
    {
        var beacon = Decode(LinkType.Ieee80211, Concat(Mac(0, 8, 0), new byte[12]));
        Assert.False(beacon.Has(PacketLayers.Ipv4));
        Assert.Equal(0, beacon.Anomalies.Count);
        var nullData = Decode(LinkType.Ieee80211, Mac(2, 4, 0x0100));
        Assert.False(nullData.Has(PacketLayers.Ipv4));
        Assert.Equal(0, nullData.Anomalies.Count);
    }

    [Fact]
    public void A_protected_frame_is_marked_encrypted()
    {
        var p = Decode(LinkType.Ieee80211, Concat(Mac(2, 0, 0x4100), new byte[40]));
        Assert.False(p.Has(PacketLayers.Ipv4));
        Assert.Contains(AnomalyKind.WirelessEncrypted, p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void A_reader_that_does_not_follow_encapsulations_keeps_the_link_type_unknown()
    {
        var p = Decoding.Decode(LinkType.Radiotap, Radiotap(Data(), fcs: false));
        Assert.Contains(AnomalyKind.UnknownLinkType, p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Every_truncated_prefix_decodes_without_an_exception()
    {
        foreach (var (link, frame) in new[]
        {
            (LinkType.Radiotap, Radiotap(Data(subtype: 8), fcs: true)),
            (LinkType.Prism, Concat([0x44, 0, 0, 0], [144, 0, 0, 0], new byte[136], Data())),
            (LinkType.Avs, Concat([0x80, 0x21, 0x10, 0x01], [0, 0, 0, 64], new byte[56], Data())),
        })
        {
            var packet = new DecodedPacket { DecodeTunnels = true };
            for (int length = 0; length < frame.Length; length++)
            {
                var p = Decoding.Decode(link, frame.AsSpan(0, length), packet);
                Assert.True(p.Truncated || p.Anomalies.Count > 0 || !p.Has(PacketLayers.Dns), $"{link} cut at {length}");
            }
        }
    }
}
