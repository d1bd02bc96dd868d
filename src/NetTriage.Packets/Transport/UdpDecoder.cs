using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Transport;

/// <summary>Decodes a UDP header (RFC 768) and the DNS messages carried on the DNS ports and the NetBIOS name service's.</summary>
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

        if (packet.VerifyChecksums && !firstFragment) Verify(payload, claimedLength, udp.Checksum, packet);

        if (!firstFragment && packet.DecodeTunnels
            && Tunnels.TunnelDecoder.FromUdp(present > UdpHeader.Length ? payload[UdpHeader.Length..present] : default, frameOffset + UdpHeader.Length, packet))
        {
            return;
        }
        if (!firstFragment && (PacketDecoder.IsDnsUdpPort(packet.SourcePort) || PacketDecoder.IsDnsUdpPort(packet.DestinationPort)
            || DnsPorts.IsNetbios(packet.SourcePort, packet.DestinationPort)))
        {
            var data = present > UdpHeader.Length ? payload[UdpHeader.Length..present] : default;
            DnsDecoder.DecodeUdp(data, packet.PayloadClaimedLength, packet);
        }
        else if (!firstFragment && present > UdpHeader.Length && packet.MarkApplications)
        {
            packet.UdpApplication = Recognise(payload[UdpHeader.Length..present], packet.SourcePort, packet.DestinationPort);
        }
    }

    private const int BootpCookieOffset = 236;
    private const uint DhcpCookie = 0x63825363;
    private const int NtpLength = 48, NtpControlLength = 12;

    /// <summary>
    /// DHCP on 67/68: a BOOTP request or reply (op 1 or 2) with the magic cookie after its fixed fields (RFC 2131 3).
    /// NTP on 123: version 1 to 4, and the 48-byte header of modes 1 to 5 (RFC 5905 7.3) or the 12-byte header of the
    /// control and private modes 6 and 7.
    /// </summary>
    private static UdpApplication Recognise(ReadOnlySpan<byte> data, ushort sport, ushort dport)
    {
        if (sport is 67 or 68 || dport is 67 or 68)
        {
            return data.Length >= BootpCookieOffset + 4 && data[0] is 1 or 2
                && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[BootpCookieOffset..]) == DhcpCookie
                ? UdpApplication.Dhcp : UdpApplication.None;
        }
        if (sport == 123 || dport == 123)
        {
            if (data.IsEmpty) return UdpApplication.None;
            int version = (data[0] >> 3) & 7, mode = data[0] & 7;
            bool fits = mode is 6 or 7 ? data.Length >= NtpControlLength : mode != 0 && data.Length >= NtpLength;
            return version is >= 1 and <= 4 && fits ? UdpApplication.Ntp : UdpApplication.None;
        }
        return UdpApplication.None;
    }

    /// <summary>
    /// Notes a wrong checksum over the whole IP payload, when all of it was captured. Zero is "no checksum" over IPv4
    /// (RFC 768) and, as Zeek accepts it, over IPv6 for what reads as VXLAN on its port (RFC 7348 5: senders leave it 0).
    /// </summary>
    private static void Verify(ReadOnlySpan<byte> payload, int claimedLength, ushort checksum, DecodedPacket packet)
    {
        if (payload.Length < claimedLength) return;
        if (checksum == 0)
        {
            if (packet.Ip.Version == 4) return;
            bool vxlan = packet.DestinationPort == Tunnels.TunnelDecoder.VxlanPort && claimedLength > UdpHeader.Length + 8 + 14
                && (payload[UdpHeader.Length] & 0x08) != 0;
            if (vxlan) return;
        }
        if (!Ip.InternetChecksum.VerifiesWithPseudoHeader(packet.Ip, IpProtocol.Udp, payload[..claimedLength]))
        {
            packet.BadChecksums |= ChecksumErrors.Transport;
        }
    }
}
