using System.Buffers.Binary;
using NetTriage.Packets.Link;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// PPPoE session frames (RFC 2516 4): a 6-byte header (version and type 1, code 0, session id, length), then a PPP
/// frame; and PPP itself (RFC 1661 2), with or without its address and control bytes, the protocol in one or two bytes
/// (RFC 1661 6.5): 0x0021 IPv4, 0x0057 IPv6.
/// </summary>
internal static class PppoeDecoder
{
    public const ushort SessionEtherType = 0x8864;
    private const int HeaderLength = 6;

    public static void Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < HeaderLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var ppp = data[HeaderLength..];
        if (ppp.Length > length) ppp = ppp[..length];
        DecodePpp(ppp, frameOffset + HeaderLength, packet);
    }

    public static void DecodePpp(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (!PppHeader.TryRead(data, out ushort protocol, out int offset))
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        switch (protocol)
        {
            case PppHeader.Ipv4:
                TunnelDecoder.DecodeIp(data[offset..], frameOffset + offset, packet, 4);
                break;
            case PppHeader.Ipv6:
                TunnelDecoder.DecodeIp(data[offset..], frameOffset + offset, packet, 6);
                break;
            default:
                // LCP, IPCP, CHAP...: PPP's own control traffic, not a packet to follow.
                break;
        }
    }
}
