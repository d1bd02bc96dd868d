using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// Teredo (RFC 4380 5.1.1): IPv6 in UDP, optionally after an authentication indicator (type 0x0001) and an origin
/// indication (type 0x0000, 8 bytes). The datagram is taken for Teredo only when what follows reads as an IPv6 header
/// whose payload length fits the datagram, as a Teredo relay checks. On its port (3544) that is enough; on any other
/// port (a relay's or a peer's, where Zeek also finds Teredo by its content) one of the IPv6 addresses must also be a
/// Teredo address (2001::/32, RFC 4380 2.14), which no other traffic's bytes are likely to make.
/// </summary>
internal static class TeredoDecoder
{
    private const int Ipv6HeaderLength = 40, OriginLength = 8, AuthenticationBase = 13;
    private const int SourceOffset = 8, DestinationOffset = 24;
    /// <summary>The Teredo prefix, 2001:0000::/32 (RFC 4380 2.6).</summary>
    private const uint TeredoPrefix = 0x2001_0000;

    /// <summary>A datagram on Teredo's port: true when it was taken for Teredo (and its IPv6 packet decoded).</summary>
    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet) =>
        TryLocate(data, out int offset) && Enter(data, offset, frameOffset, packet);

    /// <summary>A datagram on another port: Teredo when it reads as Teredo to or from a Teredo address.</summary>
    public static bool DecodeOnAnyPort(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet) =>
        TryLocate(data, out int offset)
        && (IsTeredoAddress(data[(offset + SourceOffset)..]) || IsTeredoAddress(data[(offset + DestinationOffset)..]))
        && Enter(data, offset, frameOffset, packet);

    private static bool IsTeredoAddress(ReadOnlySpan<byte> address) => BinaryPrimitives.ReadUInt32BigEndian(address) == TeredoPrefix;

    /// <summary>Where the IPv6 header starts, when there is one whose payload ends where the datagram ends.</summary>
    private static bool TryLocate(ReadOnlySpan<byte> data, out int offset)
    {
        offset = 0;
        if (data.Length >= 2 && data[0] == 0 && data[1] == 1)
        {
            // Authentication: 2 type bytes, id length, auth length, id, auth value, nonce (8), confirmation (1).
            if (data.Length < 4) return false;
            offset = AuthenticationBase + data[2] + data[3];
        }
        if (data.Length >= offset + 2 && data[offset] == 0 && data[offset + 1] == 0) offset += OriginLength;
        if (data.Length < offset + Ipv6HeaderLength || (data[offset] >> 4) != 6) return false;
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 4)..]);
        return offset + Ipv6HeaderLength + payloadLength == data.Length;
    }

    private static bool Enter(ReadOnlySpan<byte> data, int offset, int frameOffset, DecodedPacket packet)
    {
        if (!TunnelDecoder.Enter(packet, TunnelKind.Teredo)) return true;
        TunnelDecoder.DecodeIp(data[offset..], frameOffset + offset, packet, 6);
        return true;
    }
}
