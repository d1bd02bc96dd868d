using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// GTP-U (3GPP TS 29.281 5.1): version 1, protocol type GTP, message type 255 (G-PDU) carries the user's IP packet
/// after the 8-byte header, the 4-byte optional fields when any of E, S, PN is set, and the chain of extension headers
/// (each its length in 4-byte words, its last byte the next type). Other messages (echo, errors) are not user data.
/// </summary>
internal static class GtpUDecoder
{
    private const int BaseLength = 8, OptionalLength = 4;
    private const byte GPdu = 0xFF;

    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < BaseLength) return false;
        byte flags = data[0];
        // Version 1 (bits 5-7) and protocol type GTP (bit 4).
        if ((flags >> 5) != 1 || (flags & 0x10) == 0) return false;
        if (data[1] != GPdu) return false;
        uint teid = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int length = BaseLength;
        if (!TunnelDecoder.Enter(packet, TunnelKind.GtpU)) return true;
        TunnelDecoder.SetIdentifier(packet, teid);
        if ((flags & 0x07) != 0)
        {
            length += OptionalLength;
            if (data.Length < length)
            {
                PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                return true;
            }
            byte next = data[length - 1];
            // Every extension header is at least 4 bytes: the loop is bounded by the datagram.
            while ((flags & 0x04) != 0 && next != 0)
            {
                if (data.Length < length + 1 || data[length] == 0)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                    return true;
                }
                int extension = data[length] * 4;
                if (data.Length < length + extension)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                    return true;
                }
                next = data[length + extension - 1];
                length += extension;
            }
        }
        TunnelDecoder.DecodeIp(data[length..], frameOffset + length, packet);
        return true;
    }
}
