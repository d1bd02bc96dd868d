namespace NetTriage.Packets.Ip;

/// <summary>Decodes an IPv4 packet (RFC 791) and hands its payload to the transport decoders.</summary>
internal static class Ipv4Decoder
{
    public static void Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.IsEmpty)
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv4HeaderTruncated);
            return;
        }
        if (data[0] >> 4 != 4)
        {
            packet.AddAnomaly(AnomalyKind.Ipv4BadVersion);
            return;
        }
        if (!Ipv4Header.TryRead(data, out var header))
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv4HeaderTruncated);
            return;
        }

        ref var ip = ref packet.Ip;
        ip.Version = 4;
        ip.Source = header.Source;
        ip.Destination = header.Destination;
        ip.Protocol = header.Protocol;
        ip.Ttl = header.Ttl;
        ip.Tos = header.Tos;
        ip.TotalLength = header.TotalLength;
        ip.HeaderLength = header.HeaderLength;
        ip.Identification = header.Identification;
        ip.DontFragment = header.DontFragment;
        ip.MoreFragments = header.MoreFragments;
        ip.FragmentOffset = header.FragmentOffset;
        ip.FragmentId = header.Identification;
        ip.HeaderOffset = frameOffset;
        packet.Layers |= PacketLayers.Ipv4;

        int headerLength = header.HeaderLength;
        int totalLength = header.TotalLength;
        if (totalLength == 0 && header.Protocol is IpProtocol.Tcp or IpProtocol.Udp && data.Length > headerLength)
        {
            // A sender's capture of a segmentation-offload (TSO/GSO) or Linux BIG TCP packet carries total length 0:
            // the length is what the frame holds on the wire.
            totalLength = PacketDecoder.WireLength(data.Length, packet);
            ip.TotalLength = totalLength;
            ip.LengthPresumed = true;
        }
        // RFC 791 3.1: the minimum value of a correct header is 5 words.
        if (headerLength < Ipv4Header.MinLength)
        {
            packet.AddAnomaly(AnomalyKind.Ipv4BadHeaderLength);
            return;
        }
        // RFC 791 3.1: total length includes the header.
        if (totalLength < headerLength)
        {
            packet.AddAnomaly(AnomalyKind.Ipv4BadTotalLength);
            return;
        }
        if (headerLength > data.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv4HeaderTruncated);
            return;
        }
        if (packet.VerifyChecksums && packet.ReassembledAtDepth != packet.Tunnel.Depth + 1
            && !InternetChecksum.Verifies(data[..headerLength]))
        {
            packet.BadChecksums |= ChecksumErrors.Ip;
        }
        if (headerLength > Ipv4Header.MinLength)
        {
            ip.HasOptions = true;
            if (!Ipv4Header.OptionsWellFormed(data[Ipv4Header.MinLength..headerLength]))
            {
                packet.AddAnomaly(AnomalyKind.Ipv4OptionsMalformed);
            }
        }

        int end = totalLength;
        if (totalLength > data.Length)
        {
            // Decode what is present; later layers see the shortfall through their claimed lengths.
            PacketDecoder.Cut(packet, AnomalyKind.Ipv4TotalLengthExceedsCapture);
            end = data.Length;
        }
        // When more bytes are present than the total length (Ethernet pads frames to 60 bytes), the rest is trailer.

        // RFC 791 3.2: a fragment with a non-zero offset carries no transport header.
        if (ip.FragmentOffset != 0)
        {
            packet.Layers |= PacketLayers.Fragment;
            return;
        }
        PacketDecoder.DecodeTransport(header.Protocol, data[headerLength..end], frameOffset + headerLength,
            totalLength - headerLength, firstFragment: ip.MoreFragments, packet);
    }
}
