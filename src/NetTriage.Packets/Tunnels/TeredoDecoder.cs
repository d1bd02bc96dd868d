using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// Teredo (RFC 4380 5.1.1): IPv6 in UDP, optionally after an authentication indicator (type 0x0001) and an origin
/// indication (type 0x0000, 8 bytes). The datagram is taken for Teredo only when what follows reads as an IPv6 header
/// whose payload length fits the datagram, as a Teredo relay checks.
/// </summary>
internal static class TeredoDecoder
{
    private const int Ipv6HeaderLength = 40, OriginLength = 8, AuthenticationBase = 13;

    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        int offset = 0;
        if (data.Length >= 2 && data[0] == 0 && data[1] == 1)
        {
            // Authentication: 2 type bytes, id length, auth length, id, auth value, nonce (8), confirmation (1).
            if (data.Length < 4) return false;
            offset = AuthenticationBase + data[2] + data[3];
        }
        if (data.Length >= offset + 2 && data[offset] == 0 && data[offset + 1] == 0) offset += OriginLength;
        if (data.Length < offset + Ipv6HeaderLength || (data[offset] >> 4) != 6) return false;
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 4)..]);
        if (offset + Ipv6HeaderLength + payloadLength != data.Length) return false;
        if (!TunnelDecoder.Enter(packet, TunnelKind.Teredo)) return true;
        TunnelDecoder.DecodeIp(data[offset..], frameOffset + offset, packet, 6);
        return true;
    }
}
