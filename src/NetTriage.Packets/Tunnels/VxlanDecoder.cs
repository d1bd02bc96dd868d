using System.Buffers.Binary;

namespace NetTriage.Packets.Tunnels;

/// <summary>VXLAN (RFC 7348 5): an 8-byte header whose I flag says the network identifier is valid, then an Ethernet frame.</summary>
internal static class VxlanDecoder
{
    private const int HeaderLength = 8;
    private const byte ValidVni = 0x08;

    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        // A datagram to 4789 whose header is not VXLAN's stays a datagram.
        if (data.Length < HeaderLength || (data[0] & ValidVni) == 0) return false;
        uint vni = BinaryPrimitives.ReadUInt32BigEndian(data[4..]) >> 8;
        if (!TunnelDecoder.Enter(packet, TunnelKind.Vxlan)) return true;
        TunnelDecoder.SetIdentifier(packet, vni);
        ref var hop = ref TunnelDecoder.CurrentHop(packet);
        hop.Key = vni;
        hop.Options = data[0];
        TunnelDecoder.DecodeEthernet(data[HeaderLength..], frameOffset + HeaderLength, packet);
        return true;
    }
}
