namespace NetTriage.Packets.Icmp;

/// <summary>Decodes ICMPv6 messages (RFC 4443) and Neighbor Discovery (RFC 4861 4).</summary>
internal static class Icmpv6Decoder
{
    // Error messages (RFC 4443 3).
    public const byte DestinationUnreachable = 1;
    public const byte PacketTooBig = 2;
    public const byte TimeExceeded = 3;
    public const byte ParameterProblem = 4;
    // Informational messages (RFC 4443 4).
    public const byte EchoRequest = 128;
    public const byte EchoReply = 129;
    // Neighbor Discovery (RFC 4861 4).
    public const byte RouterSolicitation = 133;
    public const byte RouterAdvertisement = 134;
    public const byte NeighborSolicitation = 135;
    public const byte NeighborAdvertisement = 136;
    public const byte RedirectMessage = 137;

    /// <summary>NS/NA/redirect: 4 bytes of flags or reserved, then a 16-byte target (RFC 4861 4.3-4.5).</summary>
    private const int TargetOffset = 8;
    private const int TargetEnd = TargetOffset + 16;

    public static void Decode(ReadOnlySpan<byte> message, int frameOffset, int claimedLength, DecodedPacket packet)
    {
        if (!IcmpHeader.TryBegin(message, frameOffset, claimedLength, packet, isV6: true, out var header))
        {
            return;
        }
        ref var icmp = ref packet.Icmp;
        switch (icmp.Type)
        {
            case PacketTooBig:
            case ParameterProblem:
                // RFC 4443 3.2 MTU, 3.4 pointer: 32 bits each.
                icmp.Parameter = header.Rest;
                break;
            case EchoRequest:
            case EchoReply:
                icmp.Identifier = header.Identifier;
                icmp.Sequence = header.Sequence;
                icmp.EchoDataHash = IcmpHeader.EchoDataHash(message);
                break;
            case NeighborSolicitation:
            case NeighborAdvertisement:
            case RedirectMessage:
                if (message.Length < TargetEnd)
                {
                    PacketDecoder.Cut(packet, AnomalyKind.Icmpv6Truncated);
                    return;
                }
                icmp.Gateway = IpAddr.FromV6(message[TargetOffset..]);
                break;
            default:
                break;
        }

        // RFC 4443 2.4 (c): errors carry as much of the invoking packet as fits the minimum MTU.
        if (icmp.IsError)
        {
            var status = QuotedPacketDecoder.Decode(message[IcmpHeader.Length..], out icmp.Quoted);
            IcmpQuoteAnomalies.Record(status, packet);
        }
    }
}
