using System.Buffers.Binary;
using NetTriage.Packets.Link;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// Link framings that wrap an Ethernet frame or its payload: Cisco FabricPath (the outer header ends with its
/// EtherType 0x8903 and a 2-byte FTag and TTL, then the original frame), Cisco VN-Tag (802.1Qbh: a 4-byte tag, then
/// the EtherType), and 802.1ah provider backbone bridging (a 4-byte I-tag, then the customer's addresses and type).
/// </summary>
internal static class LinkFramings
{
    public const ushort FabricPathEtherType = 0x8903, VnTagEtherType = 0x8926, PbbEtherType = 0x88E7;
    private const int FabricPathTagLength = 2, VnTagLength = 4, PbbTagLength = 4;

    public static void DecodeFabricPath(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < FabricPathTagLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        TunnelDecoder.DecodeEthernet(data[FabricPathTagLength..], frameOffset + FabricPathTagLength, packet);
    }

    public static void DecodeVnTag(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < VnTagLength + 2)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[VnTagLength..]);
        LinkDecoder.DecodeEtherPayload(type, data[(VnTagLength + 2)..], frameOffset + VnTagLength + 2, packet);
    }

    public static void DecodePbb(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < PbbTagLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        TunnelDecoder.DecodeEthernet(data[PbbTagLength..], frameOffset + PbbTagLength, packet);
    }
}
