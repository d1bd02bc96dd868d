using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// Wi-Fi captures: the radio headers that monitor mode puts first (radiotap, Prism, AVS), then the IEEE 802.11 MAC
/// header (IEEE 802.11-2020 9.2), then the 802.2 LLC/SNAP header (RFC 1042) naming the EtherType of what the data frame
/// carries. Data frames are decoded; management and control frames (beacons, probes, acknowledgments) carry no
/// packet and are left as they are; a protected (encrypted) data frame is marked, since its payload cannot be read.
/// Only when the reader follows encapsulations (<see cref="DecodedPacket.DecodeTunnels"/>): `show` keeps tcpdump's
/// view of these link types until it prints the radio headers as tcpdump does.
/// </summary>
internal static class Ieee80211Decoder
{
    private const int MacHeaderLength = 24, Address4Length = 6, QosLength = 2, HtControlLength = 4, FcsLength = 4;
    /// <summary>QoS control's "A-MSDU present" bit (IEEE 802.11-2020 9.2.4.5.9), and an A-MSDU subframe's header:
    /// destination, source, length (9.3.2.2.2).</summary>
    private const byte AmsduPresent = 0x80;
    private const int AmsduSubframeHeaderLength = 14;
    private const int DataType = 2;
    private const ushort ToDs = 0x0100, FromDs = 0x0200, Protected = 0x4000, Order = 0x8000;
    /// <summary>RFC 1042 SNAP header: DSAP AA, SSAP AA, control 03, OUI 00-00-00 (or 802.1H's 00-00-F8).</summary>
    private const int SnapLength = 8;

    public static void DecodeRadiotap(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        // Radiotap (radiotap.org): version 0, pad, a little-endian header length, then the present bitmaps.
        if (frame.Length < 8 || frame[0] != 0)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        int length = BinaryPrimitives.ReadUInt16LittleEndian(frame[2..]);
        if (length < 8 || length > frame.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        bool fcs = (RadiotapFlags(frame[..length]) & 0x10) != 0;
        var mac = frame[length..];
        // The frame check sequence ends the frame on the wire: trimmed only when the capture holds the whole frame.
        if (fcs && mac.Length >= FcsLength && packet.CapturedLength >= packet.OriginalLength) mac = mac[..^FcsLength];
        Decode80211(mac, length, packet);
    }

    /// <summary>The radiotap Flags field (bit 1 of the present bitmap), after the TSFT field when present; 0 when absent.</summary>
    private static byte RadiotapFlags(ReadOnlySpan<byte> header)
    {
        uint present = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        int offset = 8;
        // Extended bitmaps (bit 31) follow the first; the fields start after the last one.
        uint word = present;
        while ((word & 0x8000_0000) != 0 && offset + 4 <= header.Length)
        {
            word = BinaryPrimitives.ReadUInt32LittleEndian(header[offset..]);
            offset += 4;
        }
        if ((present & 0x2) == 0) return 0;
        if ((present & 0x1) != 0)
        {
            offset = (offset + 7) & ~7; // TSFT is 8 bytes, aligned to 8
            offset += 8;
        }
        return offset < header.Length ? header[offset] : (byte)0;
    }

    public static void DecodePrism(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        // The Prism (wlan-ng) header: message code and length (host order, little-endian in practice), then 802.11.
        if (frame.Length < 8)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]);
        if (length < 8 || length > frame.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        Decode80211(frame[length..], length, packet);
    }

    public static void DecodeAvs(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        // AVS: version and header length, big-endian, then 802.11.
        if (frame.Length < 8)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(frame[4..]);
        if (length < 8 || length > frame.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        Decode80211(frame[length..], length, packet);
    }

    public static void Decode80211(ReadOnlySpan<byte> frame, int frameOffset, DecodedPacket packet)
    {
        if (frame.Length < MacHeaderLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(frame);
        int type = (control >> 2) & 0x3;
        int subtype = (control >> 4) & 0xF;
        if (type != DataType) return; // management or control: no packet inside
        // Null data (subtypes 4 and 12, QoS null): no payload.
        if ((subtype & 0x4) != 0) return;
        bool toDs = (control & ToDs) != 0, fromDs = (control & FromDs) != 0;
        bool qos = (subtype & 0x8) != 0;
        int header = MacHeaderLength + (toDs && fromDs ? Address4Length : 0) + (qos ? QosLength : 0)
            + (qos && (control & Order) != 0 ? HtControlLength : 0);
        if (frame.Length < header)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        // Addresses by the DS bits (IEEE 802.11-2020 Table 9-26): the frame's destination and source.
        var a1 = MacAddress.Read(frame[4..]);
        var a2 = MacAddress.Read(frame[10..]);
        var a3 = MacAddress.Read(frame[16..]);
        (packet.DestinationMac, packet.SourceMac) = (toDs, fromDs) switch
        {
            (false, false) => (a1, a2),
            (true, false) => (a3, a2),
            (false, true) => (a1, a3),
            _ => (a3, MacAddress.Read(frame[24..])),
        };
        if ((control & Protected) != 0)
        {
            packet.AddAnomaly(AnomalyKind.WirelessEncrypted);
            return;
        }
        var body = frame[header..];
        if (qos && (frame[MacHeaderLength + (toDs && fromDs ? Address4Length : 0)] & AmsduPresent) != 0)
        {
            // An A-MSDU: several packets in one frame, each after its subframe header. The first is the packet read.
            if (body.Length < AmsduSubframeHeaderLength)
            {
                PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
                return;
            }
            packet.DestinationMac = MacAddress.Read(body);
            packet.SourceMac = MacAddress.Read(body[6..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[12..]);
            body = body[AmsduSubframeHeaderLength..];
            if (body.Length > length) body = body[..length];
            header += AmsduSubframeHeaderLength;
        }
        if (body.Length < SnapLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        if (body[0] != 0xAA || body[1] != 0xAA || body[2] != 0x03)
        {
            packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
            return;
        }
        packet.Layers |= PacketLayers.Ethernet;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(body[6..]);
        LinkDecoder.DecodeEtherPayload(etherType, body[SnapLength..], frameOffset + header + SnapLength, packet);
    }
}
