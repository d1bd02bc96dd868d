using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Transport;

/// <summary>Decodes a UDP header (RFC 768) and the DNS messages carried on the DNS ports.</summary>
internal static class UdpDecoder
{
    /// <param name="payload">IP payload present in the capture.</param>
    /// <param name="claimedLength">IP payload length claimed by the IP header.</param>
    /// <param name="firstFragment">The datagram continues in later fragments: its length may exceed this packet's.</param>
    public static void Decode(ReadOnlySpan<byte> payload, int frameOffset, int claimedLength, bool firstFragment, DecodedPacket packet)
    {
        if (!UdpHeader.TryRead(payload, out var udp))
        {
            PacketDecoder.Cut(packet, AnomalyKind.UdpHeaderTruncated);
            return;
        }
        packet.SourcePort = udp.SourcePort;
        packet.DestinationPort = udp.DestinationPort;
        packet.UdpLength = udp.DatagramLength;
        packet.Layers |= PacketLayers.Udp;

        int length = udp.DatagramLength;
        int end;
        if (firstFragment && length >= UdpHeader.Length)
        {
            // RFC 768 and RFC 791 3.2: the length covers the reassembled datagram; this fragment holds its start.
            end = Math.Min(length, claimedLength);
        }
        else if (length == 0 && claimedLength > ushort.MaxValue)
        {
            // RFC 2675 4: a UDP jumbogram carries length 0; the IPv6 payload length rules.
            end = claimedLength;
        }
        else if (length < UdpHeader.Length || length > claimedLength)
        {
            // RFC 768: the length counts header and data. A length that cannot be right is distrusted:
            // the IP payload bounds the datagram.
            packet.AddAnomaly(AnomalyKind.UdpBadLength);
            end = length < UdpHeader.Length ? claimedLength : Math.Min(length, claimedLength);
        }
        else
        {
            end = length;
        }

        int present = Math.Min(end, payload.Length);
        packet.PayloadOffset = frameOffset + UdpHeader.Length;
        packet.PayloadLength = Math.Max(0, present - UdpHeader.Length);
        packet.PayloadClaimedLength = Math.Max(0, (firstFragment ? Math.Max(end, length) : end) - UdpHeader.Length);

        if (!firstFragment && packet.DecodeTunnels
            && Tunnels.TunnelDecoder.FromUdp(present > UdpHeader.Length ? payload[UdpHeader.Length..present] : default, frameOffset + UdpHeader.Length, packet))
        {
            return;
        }
        if (!firstFragment && (PacketDecoder.IsDnsUdpPort(packet.SourcePort) || PacketDecoder.IsDnsUdpPort(packet.DestinationPort)))
        {
            var data = present > UdpHeader.Length ? payload[UdpHeader.Length..present] : default;
            DnsDecoder.DecodeUdp(data, packet.PayloadClaimedLength, packet);
        }
    }
}
