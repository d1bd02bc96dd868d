namespace NetTriage.Packets.Transport;

/// <summary>Decodes a TCP header (RFC 9293) and hands its payload to the application decoders.</summary>
internal static class TcpDecoder
{
    /// <param name="payload">IP payload present in the capture.</param>
    /// <param name="claimedLength">IP payload length claimed by the IP header.</param>
    /// <param name="firstFragment">The segment continues in later fragments: its payload is not decoded.</param>
    public static void Decode(ReadOnlySpan<byte> payload, int frameOffset, int claimedLength, bool firstFragment, DecodedPacket packet)
    {
        if (!TcpHeader.TryRead(payload, out var header))
        {
            PacketDecoder.Cut(packet, AnomalyKind.TcpHeaderTruncated);
            return;
        }
        packet.SourcePort = header.SourcePort;
        packet.DestinationPort = header.DestinationPort;
        ref var tcp = ref packet.Tcp;
        tcp.Flags = header.Flags;
        tcp.Sequence = header.Sequence;
        tcp.Acknowledgment = header.Acknowledgment;
        tcp.Window = header.Window;
        tcp.UrgentPointer = header.UrgentPointer;
        int headerLength = header.HeaderLength;
        tcp.HeaderLength = (byte)headerLength;
        packet.Layers |= PacketLayers.Tcp;

        // RFC 9293 3.1: the data offset counts 32-bit words, at least 5; the header cannot outgrow the segment.
        if (headerLength < TcpHeader.MinLength || headerLength > claimedLength)
        {
            packet.AddAnomaly(AnomalyKind.TcpBadDataOffset);
            return;
        }
        if (headerLength > payload.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TcpHeaderTruncated);
            return;
        }
        if (!TcpHeader.ReadOptions(payload[TcpHeader.MinLength..headerLength], ref tcp))
        {
            packet.AddAnomaly(AnomalyKind.TcpOptionsMalformed);
        }

        // Verified only when the whole segment was captured (Zeek's rule too: a cut segment cannot be checked).
        if (packet.VerifyChecksums && !firstFragment && payload.Length >= claimedLength
            && !Ip.InternetChecksum.VerifiesWithPseudoHeader(packet.Ip, IpProtocol.Tcp, payload[..claimedLength]))
        {
            packet.BadChecksums |= ChecksumErrors.Transport;
        }

        var data = payload[headerLength..];
        packet.PayloadOffset = frameOffset + headerLength;
        packet.PayloadLength = data.Length;
        packet.PayloadClaimedLength = claimedLength - headerLength;

        if (!firstFragment && !data.IsEmpty)
        {
            PacketDecoder.DecodeTcpApplication(data, packet.PayloadClaimedLength, packet);
        }
    }
}
