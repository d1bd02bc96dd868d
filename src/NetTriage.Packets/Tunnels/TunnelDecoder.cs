using NetTriage.Packets.Ip;
using NetTriage.Packets.Link;

namespace NetTriage.Packets.Tunnels;

/// <summary>
/// Decapsulation, a decode stage of its own: the IP, UDP and EtherType decoders hand what they recognise as an
/// encapsulation here, and each encapsulation (one file each beside this one) reads its header and forwards the inner
/// packet to the decoder of what it carries, as Zeek's packet analyzers forward to a child by identifier. The inner
/// packet then fills the <see cref="DecodedPacket"/> as any packet does, and <see cref="DecodedPacket.Tunnel"/> keeps
/// the outer header. Nothing is allocated; nesting is bounded (<see cref="MaxDepth"/>, <see cref="MaxLinkDepth"/>).
/// Only when the reader asks (<see cref="DecodedPacket.DecodeTunnels"/>).
/// </summary>
internal static class TunnelDecoder
{
    /// <summary>Tunnels followed inside one another (Zeek's default max depth is 2; GRE in GRE in VXLAN exists in the wild).</summary>
    public const int MaxDepth = 4;
    /// <summary>Link framings (MPLS, PPPoE, FabricPath, VN-Tag, 802.1ah) followed inside one another.</summary>
    public const int MaxLinkDepth = 8;

    /// <summary>UDP ports of the tunnels carried on UDP.</summary>
    public const ushort VxlanPort = 4789, GenevePort = 6081, GtpUPort = 2152, TeredoPort = 3544, AyiyaPort = 5072, GreInUdpPort = 4754;

    /// <summary>IP protocols that carry a tunnel: IPv4 (4), IPv6 (41), GRE (47).</summary>
    public static bool FromIp(byte protocol, ReadOnlySpan<byte> payload, int frameOffset, DecodedPacket packet)
    {
        if (!packet.DecodeTunnels) return false;
        switch (protocol)
        {
            case 4:
            case IpProtocol.Ipv6:
                if (!Enter(packet, TunnelKind.IpInIp)) return true;
                DecodeIp(payload, frameOffset, packet, protocol == 4 ? 4 : 6);
                return true;
            case IpProtocol.Gre:
                GreDecoder.Decode(payload, frameOffset, packet, TunnelKind.Gre);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A UDP datagram on a tunnel's port: true when its payload was taken for the tunnel (and decoded as the inner
    /// packet); false leaves it a plain datagram (the header did not read as the tunnel's).
    /// </summary>
    public static bool FromUdp(ReadOnlySpan<byte> payload, int frameOffset, DecodedPacket packet)
    {
        if (!packet.DecodeTunnels) return false;
        ushort sport = packet.SourcePort, dport = packet.DestinationPort;
        // tcpdump opens VXLAN and Geneve by their ports; the others it prints as plain datagrams.
        if (packet.IpTunnelsOnly && dport is not (VxlanPort or GenevePort)) return false;
        if (dport == VxlanPort) return VxlanDecoder.Decode(payload, frameOffset, packet);
        if (dport == GenevePort) return GeneveDecoder.Decode(payload, frameOffset, packet);
        if (dport == GreInUdpPort) return GreDecoder.Decode(payload, frameOffset, packet, TunnelKind.GreInUdp);
        if (sport == GtpUPort || dport == GtpUPort) return GtpUDecoder.Decode(payload, frameOffset, packet);
        if (sport == TeredoPort || dport == TeredoPort) return TeredoDecoder.Decode(payload, frameOffset, packet);
        if (sport == AyiyaPort || dport == AyiyaPort) return AyiyaDecoder.Decode(payload, frameOffset, packet);
        // Teredo relays and peers talk from ports of their own: Teredo is also found by its content, as Zeek finds it,
        // though never on the ports of the name services, whose messages are read as such.
        if (Dns.DnsPorts.IsNameService(sport) || Dns.DnsPorts.IsNameService(dport)) return false;
        return TeredoDecoder.DecodeOnAnyPort(payload, frameOffset, packet);
    }

    /// <summary>EtherTypes of link framings that carry another link or network header.</summary>
    public static bool FromEtherType(ushort etherType, ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (!packet.DecodeTunnels || packet.IpTunnelsOnly) return false;
        switch (etherType)
        {
            case MplsDecoder.UnicastEtherType:
            case MplsDecoder.MulticastEtherType:
                if (EnterLink(packet)) MplsDecoder.Decode(data, frameOffset, packet);
                return true;
            case PppoeDecoder.SessionEtherType:
                if (EnterLink(packet)) PppoeDecoder.Decode(data, frameOffset, packet);
                return true;
            case LinkFramings.FabricPathEtherType:
                if (EnterLink(packet)) LinkFramings.DecodeFabricPath(data, frameOffset, packet);
                return true;
            case LinkFramings.VnTagEtherType:
                if (EnterLink(packet)) LinkFramings.DecodeVnTag(data, frameOffset, packet);
                return true;
            case LinkFramings.PbbEtherType:
                if (EnterLink(packet)) LinkFramings.DecodePbb(data, frameOffset, packet);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Steps inside a tunnel: keeps the outer IP header and ports in <see cref="DecodedPacket.Tunnel"/> and clears
    /// what the outer packet filled (network and transport), so the inner packet is decoded as if it were the frame's.
    /// False (with an anomaly) past <see cref="MaxDepth"/>: the packet stays the outer one.
    /// </summary>
    public static bool Enter(DecodedPacket packet, TunnelKind kind)
    {
        ref var t = ref packet.Tunnel;
        if (t.Depth >= MaxDepth)
        {
            packet.AddAnomaly(AnomalyKind.TunnelTooDeep);
            return false;
        }
        if ((packet.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) != 0)
        {
            if (t.Depth > 0 && !t.OuterSource.IsNone)
            {
                // A tunnel inside a tunnel: the enclosing one's outer header is kept as the parent.
                t.ParentKind = t.Kind;
                t.ParentSource = t.OuterSource;
                t.ParentDestination = t.OuterDestination;
                t.ParentProtocol = t.OuterProtocol;
                t.ParentSourcePort = t.OuterSourcePort;
                t.ParentDestinationPort = t.OuterDestinationPort;
                t.ParentIpTotalLength = t.OuterIpTotalLength;
                t.ParentUdpLength = t.OuterUdpLength;
            }
            t.OuterSource = packet.Ip.Source;
            t.OuterDestination = packet.Ip.Destination;
            t.OuterProtocol = packet.Ip.Protocol;
            t.OuterIpTotalLength = packet.Ip.TotalLength;
            t.OuterSourcePort = packet.SourcePort;
            t.OuterDestinationPort = packet.DestinationPort;
            t.OuterUdpLength = packet.UdpLength;
        }
        if (t.Depth < TunnelHops.Length)
        {
            ref var hop = ref t.Hops[t.Depth];
            hop = default;
            hop.Kind = kind;
            hop.OuterV6 = (packet.Layers & PacketLayers.Ipv6) != 0;
            hop.OuterSource = t.OuterSource;
            hop.OuterDestination = t.OuterDestination;
            hop.OuterIpPayloadLength = Math.Max(packet.Ip.TotalLength - packet.Ip.HeaderLength, 0);
            hop.OuterSourcePort = t.OuterSourcePort;
            hop.OuterDestinationPort = t.OuterDestinationPort;
            hop.OuterUdpLength = t.OuterUdpLength;
        }
        t.Depth++;
        t.Kind = kind;
        // Wrong checksums found so far are the tunnel's: the inner packet's own are checked as it is decoded.
        var bad = packet.BadChecksums;
        if ((bad & ChecksumErrors.Ip) != 0) bad |= ChecksumErrors.OuterIp;
        if ((bad & ChecksumErrors.Transport) != 0) bad |= ChecksumErrors.OuterTransport;
        packet.BadChecksums = bad & ~(ChecksumErrors.Ip | ChecksumErrors.Transport);
        t.HasIdentifier = false;
        t.Identifier = 0;
        packet.Layers &= ~(PacketLayers.Ipv4 | PacketLayers.Ipv6 | PacketLayers.Fragment | PacketLayers.Arp);
        packet.Ip = default;
        PacketDecoder.ClearTransport(packet);
        return true;
    }

    /// <summary>Steps inside a link framing; false (with an anomaly) past <see cref="MaxLinkDepth"/>.</summary>
    private static bool EnterLink(DecodedPacket packet)
    {
        if (packet.Tunnel.LinkDepth >= MaxLinkDepth)
        {
            packet.AddAnomaly(AnomalyKind.TunnelTooDeep);
            return false;
        }
        packet.Tunnel.LinkDepth++;
        return true;
    }

    /// <summary>The hop of the encapsulation just entered, for its decoder to record what tcpdump prints of its header (a dummy past the hops kept).</summary>
    public static ref TunnelHop CurrentHop(DecodedPacket packet)
    {
        ref var t = ref packet.Tunnel;
        return ref t.Depth is > 0 and <= TunnelHops.Length ? ref t.Hops[t.Depth - 1] : ref s_spareHop;
    }

    [ThreadStatic] private static TunnelHop s_spareHop;

    /// <summary>Records the tunnel's identifier (VNI, GRE key, TEID) once inside it.</summary>
    public static void SetIdentifier(DecodedPacket packet, uint identifier)
    {
        packet.Tunnel.Identifier = identifier;
        packet.Tunnel.HasIdentifier = true;
    }

    /// <summary>
    /// Decodes an inner IP packet: <paramref name="version"/> 4 or 6, or 0 to read it from the first nibble (MPLS,
    /// GTP-U, AYIYA carry no type).
    /// </summary>
    public static void DecodeIp(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet, int version = 0)
    {
        if (data.IsEmpty)
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        if (version == 0) version = data[0] >> 4;
        switch (version)
        {
            case 4:
                packet.EtherType = EtherType.Ipv4;
                Ipv4Decoder.Decode(data, frameOffset, packet);
                break;
            case 6:
                packet.EtherType = EtherType.Ipv6;
                Ipv6Decoder.Decode(data, frameOffset, packet);
                break;
            default:
                packet.AddAnomaly(AnomalyKind.TunnelPayloadUnsupported);
                break;
        }
    }

    /// <summary>Decodes an inner Ethernet frame (VXLAN, Geneve, GRE's transparent bridging, ERSPAN).</summary>
    public static void DecodeEthernet(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (!EthernetHeader.TryRead(data, out var eth))
        {
            PacketDecoder.Cut(packet, AnomalyKind.TunnelHeaderTruncated);
            return;
        }
        packet.DestinationMac = eth.Destination;
        packet.SourceMac = eth.Source;
        packet.Layers |= PacketLayers.Ethernet;
        LinkDecoder.DecodeEtherPayload(eth.TypeOrLength, data[EthernetHeader.Length..], frameOffset + EthernetHeader.Length, packet);
    }

    /// <summary>Decodes what an EtherType-like protocol field names: IPv4, IPv6, an Ethernet frame (0x6558).</summary>
    public static void DecodeByEtherType(ushort protocol, ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        switch (protocol)
        {
            case EtherType.Ipv4:
                DecodeIp(data, frameOffset, packet, 4);
                break;
            case EtherType.Ipv6:
                DecodeIp(data, frameOffset, packet, 6);
                break;
            case TransparentEthernetBridging:
                DecodeEthernet(data, frameOffset, packet);
                break;
            default:
                LinkDecoder.DecodeEtherPayload(protocol, data, frameOffset, packet);
                break;
        }
    }

    /// <summary>The protocol type of an Ethernet frame carried whole (RFC 1701's transparent Ethernet bridging).</summary>
    public const ushort TransparentEthernetBridging = 0x6558;
}
