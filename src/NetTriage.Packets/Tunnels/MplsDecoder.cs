namespace NetTriage.Packets.Tunnels;

/// <summary>
/// An MPLS label stack (RFC 3032 2.1): 4-byte entries until the one with the bottom-of-stack bit; the packet after it
/// carries no type, so its first nibble says IPv4 or IPv6 (RFC 4928 explains why routers look there too).
/// </summary>
internal static class MplsDecoder
{
    public const ushort UnicastEtherType = 0x8847, MulticastEtherType = 0x8848;
    private const int EntryLength = 4;

    public static void Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        int offset = 0;
        while (true)
        {
            if (data.Length < offset + EntryLength)
            {
                PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
                return;
            }
            bool bottom = (data[offset + 2] & 0x01) != 0;
            offset += EntryLength;
            if (bottom) break;
        }
        TunnelDecoder.DecodeIp(data[offset..], frameOffset + offset, packet);
    }
}
