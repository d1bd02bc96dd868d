namespace NetTriage.Packets.Icmp;

/// <summary>Decodes ICMPv4 messages (RFC 792, RFC 1191, RFC 950) and the packet an error quotes.</summary>
internal static class IcmpDecoder
{
    // Message types (RFC 792; RFC 950 for address mask).
    public const byte EchoReply = 0;
    public const byte DestinationUnreachable = 3;
    public const byte SourceQuench = 4;
    public const byte Redirect = 5;
    public const byte EchoRequest = 8;
    public const byte TimeExceeded = 11;
    public const byte ParameterProblem = 12;
    public const byte TimestampRequest = 13;
    public const byte TimestampReply = 14;
    public const byte InformationRequest = 15;
    public const byte InformationReply = 16;
    public const byte AddressMaskRequest = 17;
    public const byte AddressMaskReply = 18;
    /// <summary>Destination unreachable code 4, "fragmentation needed and DF set" (RFC 792, RFC 1191 4).</summary>
    public const byte FragmentationNeeded = 4;

    /// <summary>
    /// Records the whole ICMP message as the transport payload, as tcpdump's "length N" counts it.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> message, int frameOffset, int claimedLength, DecodedPacket packet)
    {
        if (!IcmpHeader.TryBegin(message, frameOffset, claimedLength, packet, isV6: false, out var header))
        {
            return;
        }
        ref var icmp = ref packet.Icmp;
        switch (icmp.Type)
        {
            case EchoReply:
            case EchoRequest:
            case TimestampRequest:
            case TimestampReply:
            case InformationRequest:
            case InformationReply:
            case AddressMaskRequest:
            case AddressMaskReply:
                icmp.Identifier = header.Identifier;
                icmp.Sequence = header.Sequence;
                if (icmp.Type is EchoRequest or EchoReply) icmp.EchoDataHash = IcmpHeader.EchoDataHash(message);
                break;
            case DestinationUnreachable:
                if (icmp.Code == FragmentationNeeded)
                {
                    icmp.Parameter = header.NextHopMtu;
                }
                break;
            case Redirect:
                icmp.Gateway = IpAddr.FromV4(header.RestBytes);
                break;
            case ParameterProblem:
                icmp.Parameter = header.Pointer;
                break;
            default:
                break;
        }

        // RFC 792: errors carry the internet header and at least 64 bits of the original datagram.
        if (icmp.IsError)
        {
            var status = QuotedPacketDecoder.Decode(message[IcmpHeader.Length..], out icmp.Quoted);
            IcmpQuoteAnomalies.Record(status, packet);
        }
    }
}

/// <summary>Maps the outcome of decoding a quoted packet to anomalies.</summary>
internal static class IcmpQuoteAnomalies
{
    public static void Record(QuoteStatus status, DecodedPacket packet)
    {
        switch (status)
        {
            case QuoteStatus.Truncated:
                packet.AddAnomaly(AnomalyKind.IcmpQuotedPacketTruncated);
                break;
            case QuoteStatus.Malformed:
                packet.AddAnomaly(AnomalyKind.IcmpQuotedPacketMalformed);
                break;
            default:
                break;
        }
    }
}
