using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// GRE (RFC 2784 with the key and sequence of RFC 2890), PPTP's enhanced GRE (RFC 2637 4.1) carrying PPP, and the
/// ERSPAN mirror headers Cisco carries in GRE (type I: the frame right after GRE; type II: an 8-byte header, with
/// GRE's sequence bit; type III: a 12-byte header, 20 with its platform subheader). Also GRE in UDP (RFC 8086).
/// </summary>
internal static class GreDecoder
{
    private const int BaseLength = 4;
    private const ushort ChecksumBit = 0x8000, RoutingBit = 0x4000, KeyBit = 0x2000, SequenceBit = 0x1000, AckBit = 0x0080;
    private const ushort ErspanType2 = 0x88BE, ErspanType3 = 0x22EB, Ppp = 0x880B, ArubaFirst = 0x8200, ArubaLast = 0x8350;
    private const int Erspan2Length = 8, Erspan3Length = 12, Erspan3PlatformLength = 8;

    /// <summary>Decodes a GRE header and what it carries; on a header that does not read, the packet stays the outer one.</summary>
    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet, TunnelKind kind)
    {
        if (data.Length < BaseLength)
        {
            if (kind == TunnelKind.GreInUdp) return false;
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return true;
        }
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(data);
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int version = flags & 0x7;
        if ((flags & RoutingBit) != 0 || version > 1)
        {
            // Source routing (RFC 1701, deprecated) or an unknown version: not followed.
            if (kind == TunnelKind.GreInUdp) return false;
            packet.AddAnomaly(AnomalyKind.TunnelPayloadUnsupported);
            return true;
        }
        int length = BaseLength;
        uint key = 0, sequence = 0, acknowledgment = 0;
        bool hasKey = false;
        if (version == 0)
        {
            if ((flags & ChecksumBit) != 0) length += 4;
            if ((flags & KeyBit) != 0)
            {
                if (data.Length >= length + 4) key = BinaryPrimitives.ReadUInt32BigEndian(data[length..]);
                hasKey = true;
                length += 4;
            }
            if ((flags & SequenceBit) != 0)
            {
                if (data.Length >= length + 4) sequence = BinaryPrimitives.ReadUInt32BigEndian(data[length..]);
                length += 4;
            }
        }
        else
        {
            // Enhanced GRE: key present (payload length and call id), optional sequence and acknowledgment.
            if (data.Length >= length + 4) key = BinaryPrimitives.ReadUInt16BigEndian(data[(length + 2)..]);
            length += 4;
            if ((flags & SequenceBit) != 0)
            {
                if (data.Length >= length + 4) sequence = BinaryPrimitives.ReadUInt32BigEndian(data[length..]);
                length += 4;
            }
            if ((flags & AckBit) != 0)
            {
                if (data.Length >= length + 4) acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(data[length..]);
                length += 4;
            }
            kind = TunnelKind.Pptp;
        }
        if (data.Length < length)
        {
            if (kind == TunnelKind.GreInUdp) return false;
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return true;
        }
        var inner = data[length..];
        int innerOffset = frameOffset + length;
        if (protocol is ErspanType2 or ErspanType3) kind = TunnelKind.Erspan;
        if (!TunnelDecoder.Enter(packet, kind)) return true;
        if (hasKey) TunnelDecoder.SetIdentifier(packet, key);
        ref var hop = ref TunnelDecoder.CurrentHop(packet);
        hop.Flags = flags;
        hop.Protocol = protocol;
        hop.Key = key;
        hop.Sequence = sequence;
        hop.Acknowledgment = acknowledgment;
        switch (protocol)
        {
            case ErspanType2:
                // Type I has no header of its own (and no sequence number in GRE); type II has both.
                if ((flags & SequenceBit) == 0)
                {
                    TunnelDecoder.DecodeEthernet(inner, innerOffset, packet);
                }
                else if (inner.Length < Erspan2Length)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                }
                else
                {
                    TunnelDecoder.DecodeEthernet(inner[Erspan2Length..], innerOffset + Erspan2Length, packet);
                }
                break;
            case ErspanType3:
            {
                if (inner.Length < Erspan3Length)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                    break;
                }
                // The O flag (last bit of the header) says an 8-byte platform-specific subheader follows.
                int erspan = Erspan3Length + ((inner[Erspan3Length - 1] & 0x01) != 0 ? Erspan3PlatformLength : 0);
                if (inner.Length < erspan)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                    break;
                }
                TunnelDecoder.DecodeEthernet(inner[erspan..], innerOffset + erspan, packet);
                break;
            }
            case Ppp:
                PppoeDecoder.DecodePpp(inner, innerOffset, packet);
                break;
            case >= ArubaFirst and <= ArubaLast when !packet.IpTunnelsOnly:
                // Aruba's access points send their clients' 802.11 frames to the controller in GRE, under these
                // protocol numbers (as Zeek reads them); tcpdump prints only the number, so `show` does not open them.
                Link.Ieee80211Decoder.Decode80211(inner, innerOffset, packet);
                break;
            default:
                TunnelDecoder.DecodeByEtherType(protocol, inner, innerOffset, packet);
                break;
        }
        return true;
    }
}
