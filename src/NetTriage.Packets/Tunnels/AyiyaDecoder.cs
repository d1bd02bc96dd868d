namespace NetTriage.Packets.Tunnels;

/// <summary>
/// AYIYA (Anything In Anything, draft-massar-v6ops-ayiya): a header of 8 bytes, the identity (2^n bytes), the signature
/// (4-byte words), then the packet named by the next-header byte. Only opcode 1 (forward) carries a packet.
/// </summary>
internal static class AyiyaDecoder
{
    private const int BaseLength = 8;
    private const byte Forward = 1;

    public static bool Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.Length < BaseLength) return false;
        int identity = 1 << (data[0] >> 4);
        int signature = (data[1] >> 4) * 4;
        int opcode = data[2] & 0x0F;
        byte next = data[3];
        if (opcode != Forward || next is not (4 or IpProtocol.Ipv6)) return false;
        int length = BaseLength + identity + signature;
        if (data.Length < length) return false;
        if (!TunnelDecoder.Enter(packet, TunnelKind.Ayiya)) return true;
        TunnelDecoder.DecodeIp(data[length..], frameOffset + length, packet, next == 4 ? 4 : 6);
        return true;
    }
}
