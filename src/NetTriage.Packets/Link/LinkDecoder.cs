using System.Buffers.Binary;
using NetTriage.Packets.Ip;

namespace NetTriage.Packets.Link;

/// <summary>Decodes link-layer headers and hands the network layer to the IP and ARP decoders.</summary>
internal static class LinkDecoder
{
    /// <summary>Tags walked before giving up (QinQ uses two; more is unusual and may be hostile).</summary>
    public const int MaxVlanTags = 8;

    /// <summary>ARPHRD_ETHER and ARPHRD_LOOPBACK: the cooked address is a MAC address.</summary>
    private const ushort ArphrdEther = 1;
    private const ushort ArphrdLoopback = 772;
    /// <summary>ARPHRD_NETLINK: the protocol field is a netlink family, not an EtherType.</summary>
    private const ushort ArphrdNetlink = 824;
    private const int MacLength = 6;

    public static void Decode(LinkType linkType, ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        switch (linkType)
        {
            case LinkType.Ethernet:
                DecodeEthernet(frame, packet);
                break;
            case LinkType.LinuxSll:
                DecodeSll(frame, packet);
                break;
            case LinkType.LinuxSll2:
                DecodeSll2(frame, packet);
                break;
            case LinkType.Ppp:
                DecodePpp(frame, packet);
                break;
            case LinkType.PppSerial when packet.DecodeTunnels && !packet.IpTunnelsOnly:
                DecodePppSerial(frame, packet);
                break;
            case LinkType.Null:
                DecodeLoopback(frame, packet, networkOrder: false);
                break;
            case LinkType.Loop:
                DecodeLoopback(frame, packet, networkOrder: true);
                break;
            case LinkType.Raw:
            case LinkType.RawDlt12:
            case LinkType.RawDlt14:
                DecodeRawIp(frame, 0, packet);
                break;
            case LinkType.Ipv4:
                packet.EtherType = EtherType.Ipv4;
                Ipv4Decoder.Decode(frame, 0, packet);
                break;
            case LinkType.Ipv6:
                packet.EtherType = EtherType.Ipv6;
                Ipv6Decoder.Decode(frame, 0, packet);
                break;
            case LinkType.Radiotap when packet.DecodeTunnels && !packet.IpTunnelsOnly:
                Ieee80211Decoder.DecodeRadiotap(frame, packet);
                break;
            case LinkType.Ieee80211 when packet.DecodeTunnels && !packet.IpTunnelsOnly:
                Ieee80211Decoder.Decode80211(frame, 0, packet);
                break;
            case LinkType.Prism when packet.DecodeTunnels && !packet.IpTunnelsOnly:
                Ieee80211Decoder.DecodePrism(frame, packet);
                break;
            case LinkType.Avs when packet.DecodeTunnels && !packet.IpTunnelsOnly:
                Ieee80211Decoder.DecodeAvs(frame, packet);
                break;
            default:
                packet.AddAnomaly(AnomalyKind.UnknownLinkType);
                break;
        }
    }

    private static void DecodeEthernet(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        if (!EthernetHeader.TryRead(frame, out var eth))
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        packet.DestinationMac = eth.Destination;
        packet.SourceMac = eth.Source;
        packet.Layers |= PacketLayers.Ethernet;
        // A type below 0x0600 is an 802.3 length and an LLC header follows (IEEE 802.3 3.2.6): not decoded,
        // and reported as an unsupported EtherType by DecodeEtherPayload.
        DecodeEtherPayload(eth.TypeOrLength, frame[EthernetHeader.Length..], EthernetHeader.Length, packet);
    }

    private static void DecodeSll(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        if (!LinuxSllHeader.TryRead(frame, out var sll))
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        DecodeCooked(sll.PacketType, sll.ArphrdType, sll.AddressLength, sll.Address, sll.Protocol, frame, LinuxSllHeader.Length, packet);
    }

    private static void DecodeSll2(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        if (!LinuxSll2Header.TryRead(frame, out var sll))
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        DecodeCooked(sll.PacketType, sll.ArphrdType, sll.AddressLength, sll.Address, sll.Protocol, frame, LinuxSll2Header.Length, packet);
    }

    /// <summary>What SLL and SLL2 share once their different headers are read: the packet type, the sender's
    /// link address when it is a MAC, and the protocol of what follows.</summary>
    private static void DecodeCooked(ushort packetType, ushort arphrd, int addressLength, ReadOnlySpan<byte> address, ushort protocol,
        ReadOnlySpan<byte> frame, int headerLength, DecodedPacket packet)
    {
        packet.Layers |= PacketLayers.LinuxSll;
        packet.SllPacketType = packetType;
        if (arphrd is ArphrdEther or ArphrdLoopback && addressLength == MacLength)
        {
            packet.SourceMac = MacAddress.Read(address);
        }
        DecodeCookedProtocol(arphrd, protocol, frame[headerLength..], headerLength, packet);
    }

    private static void DecodeCookedProtocol(ushort arphrd, ushort protocol, ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (arphrd == ArphrdNetlink)
        {
            packet.EtherType = protocol;
            packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
            return;
        }
        // The protocol field is an EtherType; values below 0x0600 name 802.2/802.3 framings (LINUX_SLL spec).
        DecodeEtherPayload(protocol, data, frameOffset, packet);
    }

    private static void DecodeLoopback(ReadOnlySpan<byte> frame, DecodedPacket packet, bool networkOrder)
    {
        if (!LoopbackHeader.TryRead(frame, out var loop))
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        packet.Layers |= PacketLayers.Loopback;
        ushort etherType = LoopbackHeader.EtherTypeOf(networkOrder ? loop.NetworkOrderFamily : loop.AnyOrderFamily);
        if (etherType == 0)
        {
            packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
            return;
        }
        DecodeEtherPayload(etherType, frame[LoopbackHeader.Length..], LoopbackHeader.Length, packet);
    }

    /// <summary>
    /// A PPP link (LINKTYPE_PPP): IPv4 and IPv6 decoded as on any link, MPLS followed when the reader follows link
    /// framings; the link's control traffic (LCP, IPCP, PAP...) is PPP's own; any other protocol is not decoded.
    /// </summary>
    private static void DecodePpp(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        if (!PppHeader.TryRead(frame, out ushort protocol, out int length))
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        packet.PppProtocol = protocol;
        var data = frame[length..];
        switch (protocol)
        {
            case PppHeader.Ipv4:
                packet.EtherType = EtherType.Ipv4;
                Ipv4Decoder.Decode(data, length, packet);
                break;
            case PppHeader.Ipv6:
                packet.EtherType = EtherType.Ipv6;
                Ipv6Decoder.Decode(data, length, packet);
                break;
            case PppHeader.MplsUnicast or PppHeader.MplsMulticast:
                ushort mpls = protocol == PppHeader.MplsUnicast ? Tunnels.MplsDecoder.UnicastEtherType : Tunnels.MplsDecoder.MulticastEtherType;
                if (!Tunnels.TunnelDecoder.FromEtherType(mpls, data, length, packet)) packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
                break;
            default:
                if (!PppHeader.IsControl(protocol)) packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
                break;
        }
    }

    /// <summary>Cisco HDLC's address bytes (unicast, broadcast): a control byte and an EtherType follow.</summary>
    private const byte CiscoHdlcUnicast = 0x0F, CiscoHdlcBroadcast = 0x8F;
    private const int CiscoHdlcLength = 4;

    /// <summary>
    /// LINKTYPE_PPP_SERIAL: PPP in HDLC-like framing (RFC 1662 3.1), or Cisco HDLC frames (an address of 0x0F or 0x8F,
    /// a control byte, an EtherType) on the same serial link. Followed only by the analysis: tcpdump prints these
    /// frames its own way.
    /// </summary>
    private static void DecodePppSerial(ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        if (frame.Length > 0 && frame[0] is CiscoHdlcUnicast or CiscoHdlcBroadcast)
        {
            if (frame.Length < CiscoHdlcLength)
            {
                PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
                return;
            }
            DecodeEtherPayload(BinaryPrimitives.ReadUInt16BigEndian(frame[2..]), frame[CiscoHdlcLength..], CiscoHdlcLength, packet);
            return;
        }
        DecodePpp(frame, packet);
    }

    /// <summary>Raw IP: the version nibble chooses IPv4 or IPv6 (LINKTYPE_RAW).</summary>
    public static void DecodeRawIp(ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        if (data.IsEmpty)
        {
            PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
            return;
        }
        if (data[0] >> 4 == 6)
        {
            packet.EtherType = EtherType.Ipv6;
            Ipv6Decoder.Decode(data, frameOffset, packet);
        }
        else
        {
            // Anything but 6 is tried as IPv4, whose decoder reports a bad version.
            packet.EtherType = EtherType.Ipv4;
            Ipv4Decoder.Decode(data, frameOffset, packet);
        }
    }

    /// <summary>
    /// Decodes what follows an EtherType: VLAN tags (IEEE 802.1Q 9.5, 802.1ad), then ARP, IPv4 or IPv6.
    /// </summary>
    public static void DecodeEtherPayload(ushort etherType, ReadOnlySpan<byte> data, int frameOffset, DecodedPacket packet)
    {
        int tags = 0;
        while (VlanTag.IsTagType(etherType))
        {
            if (tags == MaxVlanTags)
            {
                packet.EtherType = etherType;
                packet.AddAnomaly(AnomalyKind.TooManyVlanTags);
                return;
            }
            if (!VlanTag.TryRead(data, out var tag))
            {
                packet.EtherType = etherType;
                PacketDecoder.Cut(packet, AnomalyKind.LinkHeaderTruncated);
                return;
            }
            if (tags == 0)
            {
                packet.VlanId = tag.VlanId;
            }
            else if (tags == 1)
            {
                packet.InnerVlanId = tag.VlanId;
            }
            tags++;
            packet.VlanCount = (byte)tags;
            packet.Layers |= PacketLayers.Vlan;
            etherType = tag.EtherType;
            data = data[VlanTag.Length..];
            frameOffset += VlanTag.Length;
        }

        packet.EtherType = etherType;
        switch (etherType)
        {
            case EtherType.Ipv4:
                Ipv4Decoder.Decode(data, frameOffset, packet);
                break;
            case EtherType.Ipv6:
                Ipv6Decoder.Decode(data, frameOffset, packet);
                break;
            case EtherType.Arp:
                DecodeArp(data, packet);
                break;
            default:
                if (!Tunnels.TunnelDecoder.FromEtherType(etherType, data, frameOffset, packet))
                {
                    packet.AddAnomaly(AnomalyKind.UnsupportedEtherType);
                }
                break;
        }
    }

    private static void DecodeArp(ReadOnlySpan<byte> data, DecodedPacket packet)
    {
        if (!ArpPacket.TryRead(data, out var arp))
        {
            PacketDecoder.Cut(packet, AnomalyKind.ArpTruncated);
            return;
        }
        packet.Layers |= PacketLayers.Arp;
        // Inside a tunnel the frame's length is the outer packet's: the ARP message's is what the inner frame holds.
        if (packet.Tunnel.Depth > 0) packet.PayloadClaimedLength = data.Length;
        ref var info = ref packet.Arp;
        info.HardwareType = arp.HardwareType;
        info.ProtocolType = arp.ProtocolType;
        info.HardwareLength = arp.HardwareLength;
        info.ProtocolLength = arp.ProtocolLength;
        info.Operation = arp.Operation;
        if (data.Length < ArpPacket.FixedLength + arp.AddressesLength)
        {
            PacketDecoder.Cut(packet, AnomalyKind.ArpTruncated);
            return;
        }
        if (arp.HasEthernetIpv4Addresses)
        {
            info.SenderMac = arp.SenderMac;
            info.SenderIp = arp.SenderIp;
            info.TargetMac = arp.TargetMac;
            info.TargetIp = arp.TargetIp;
        }
    }
}
