namespace NetTriage.Packets.Ip;

/// <summary>Decodes an IPv6 packet (RFC 8200), walks its extension headers, and hands the payload on.</summary>
internal static class Ipv6Decoder
{
    /// <summary>Extension headers walked before giving up; real packets carry one or two.</summary>
    public const int MaxExtensionHeaders = 8;

    public static void Decode(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.IsEmpty)
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv6HeaderTruncated);
            return;
        }
        if (data[0] >> 4 != 6)
        {
            packet.AddAnomaly(AnomalyKind.Ipv6BadVersion);
            return;
        }
        if (!Ipv6Header.TryRead(data, out var header))
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv6HeaderTruncated);
            return;
        }

        ref var ip = ref packet.Ip;
        ip.Version = 6;
        ip.Source = header.Source;
        ip.Destination = header.Destination;
        ip.Ttl = header.HopLimit;
        ip.Tos = header.TrafficClass;
        ip.FlowLabel = header.FlowLabel;
        ip.HeaderLength = Ipv6Header.Length;
        ip.Protocol = header.NextHeader;
        ip.HeaderOffset = frameOffset;
        packet.Layers |= PacketLayers.Ipv6;

        var rest = data[Ipv6Header.Length..];
        int claimed = header.PayloadLength;
        if (claimed == 0 && !rest.IsEmpty)
        {
            // RFC 2675 3: a jumbogram has payload length 0 and a Jumbo Payload option in a hop-by-hop header.
            // Linux BIG TCP captures may drop that header and leave payload length 0 before TCP or UDP.
            // Either way the length is what the frame holds on the wire.
            bool jumbo = header.NextHeader == IpProtocol.HopByHop &&
                Ipv6ExtensionHeader.TryRead(IpProtocol.HopByHop, rest, out var hopByHop) && hopByHop.HasJumboPayload;
            if (jumbo || header.NextHeader is IpProtocol.Tcp or IpProtocol.Udp)
            {
                claimed = PacketDecoder.WireLength(rest.Length, packet);
                ip.LengthPresumed = true;
            }
        }
        ip.TotalLength = Ipv6Header.Length + claimed;
        if (claimed > rest.Length)
        {
            PacketDecoder.Cut(packet, AnomalyKind.Ipv6PayloadLengthExceedsCapture);
        }
        else
        {
            rest = rest[..claimed];
        }

        byte next = header.NextHeader;
        int offset = 0;
        int count = 0;
        bool moreFragments = false;
        // Where the next-header byte naming the current header is (the fixed header's, then each extension's first byte).
        int nextHeaderAt = 6;
        while (Ipv6ExtensionHeader.IsExtension(next))
        {
            if (count == MaxExtensionHeaders)
            {
                packet.AddAnomaly(AnomalyKind.Ipv6TooManyExtensionHeaders);
                ip.Protocol = next;
                ip.ExtensionHeaderCount = (byte)count;
                return;
            }
            if (!Ipv6ExtensionHeader.TryRead(next, rest[offset..], out var ext))
            {
                PacketDecoder.Cut(packet, AnomalyKind.Ipv6ExtensionHeaderTruncated);
                ip.Protocol = next;
                ip.ExtensionHeaderCount = (byte)count;
                return;
            }
            count++;
            if (ext.IsFragment)
            {
                ip.FragmentHeaderOffset = Ipv6Header.Length + offset;
                ip.FragmentNextHeaderOffset = nextHeaderAt;
                ip.FragmentId = ext.FragmentIdentification;
            }
            nextHeaderAt = Ipv6Header.Length + offset;
            offset += ext.Length;
            next = ext.NextHeader;
            if (ext.IsFragment)
            {
                ip.FragmentOffset = ext.FragmentOffset;
                ip.MoreFragments = ext.MoreFragments;
                moreFragments = ext.MoreFragments;
                // RFC 8200 4.5: only the first fragment (offset 0) holds the upper-layer header.
                if (ext.FragmentOffset != 0)
                {
                    packet.Layers |= PacketLayers.Fragment;
                    ip.Protocol = next;
                    ip.ExtensionHeaderCount = (byte)count;
                    ip.HeaderLength = Ipv6Header.Length + offset;
                    return;
                }
            }
        }

        ip.Protocol = next;
        ip.ExtensionHeaderCount = (byte)count;
        ip.HeaderLength = Ipv6Header.Length + offset;
        PacketDecoder.DecodeTransport(next, rest[offset..], frameOffset + Ipv6Header.Length + offset,
            claimed - offset, firstFragment: moreFragments, packet);
    }
}
