using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// Geneve (RFC 8926 3.4): version 0, option length in 4-byte words, a protocol type (an EtherType: an Ethernet frame,
/// IPv4 or IPv6), the network identifier, then the options, then the packet.
/// </summary>
internal static class GeneveDecoder
{
    private const int BaseLength = 8;

    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < BaseLength || (data[0] >> 6) != 0) return false;
        int length = BaseLength + ((data[0] & 0x3F) * 4);
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        uint vni = BinaryPrimitives.ReadUInt32BigEndian(data[4..]) >> 8;
        if (!TunnelDecoder.Enter(packet, TunnelKind.Geneve)) return true;
        TunnelDecoder.SetIdentifier(packet, vni);
        ref var hop = ref TunnelDecoder.CurrentHop(packet);
        hop.Key = vni;
        hop.Protocol = protocol;
        hop.Flags = data[1];
        hop.Options = length - BaseLength;
        if (data.Length < length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return true;
        }
        TunnelDecoder.DecodeByEtherType(protocol, data[length..], frameOffset + length, packet);
        return true;
    }
}
