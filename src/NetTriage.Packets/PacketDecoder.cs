using NetTriage.Packets.Dns;
using NetTriage.Packets.Http;
using NetTriage.Packets.Icmp;
using NetTriage.Packets.Ip;
using NetTriage.Packets.Link;
using NetTriage.Packets.Tls;
using NetTriage.Packets.Transport;

namespace NetTriage.Packets;

/// <summary>
/// Entry point of the decoders: turns one frame's bytes into a <see cref="DecodedPacket"/>.
/// Hand-written rather than built on a packet library because it runs once per packet on captures of
/// many gigabytes and must neither allocate nor trust a single length field of hostile input.
/// Every layer is a static method on a concrete type: no allocation and no virtual call per packet.
/// </summary>
public static class PacketDecoder
{
    /// <summary>
    /// Decodes <paramref name="frame"/> as <paramref name="linkType"/> into <paramref name="packet"/>.
    /// The caller has reset the packet and set its frame-level fields (number, time, lengths, link type).
    /// Never throws on malformed bytes: problems become anomalies and decoding stops at that layer.
    /// </summary>
    public static void Decode(LinkType linkType, ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        packet.LinkType = linkType;
        LinkDecoder.Decode(linkType, frame, packet);
    }

    /// <summary>
    /// Decodes the network layer that follows an EtherType (or Linux cooked-capture protocol) field:
    /// 802.1Q / 802.1ad tags, ARP, IPv4, IPv6. Offsets recorded in the packet are relative to <paramref name="data"/>.
    /// </summary>
    public static void DecodeNetwork(ushort etherType, ReadOnlySpan<byte> data, DecodedPacket packet) =>
        LinkDecoder.DecodeEtherPayload(etherType, data, 0, packet);

    /// <summary>
    /// Decodes a datagram reassembled from fragments in place of the fragment that completed it: the frame's link-layer
    /// fields and tunnel stay, the network and transport layers are the datagram's.
    /// </summary>
    public static void DecodeReassembled(ReadOnlySpan<byte> datagram, DecodedPacket packet, int fragments)
    {
        ArgumentNullException.ThrowIfNull(packet);
        packet.Layers &= ~(PacketLayers.Ipv4 | PacketLayers.Ipv6 | PacketLayers.Fragment);
        packet.Ip = default;
        ClearTransport(packet);
        packet.ReassembledFragments = fragments;
        packet.ReassembledAtDepth = packet.Tunnel.Depth + 1;
        LinkDecoder.DecodeRawIp(datagram, 0, packet);
        packet.ReassembledAtDepth = 0;
    }

    /// <summary>
    /// A fragment held for reassembly: its network layer stays, what its transport and application headers said is
    /// cleared (it is read with the whole datagram), and it is marked a fragment.
    /// </summary>
    public static void KeepAsFragment(DecodedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ClearTransport(packet);
        packet.Layers |= PacketLayers.Fragment;
        packet.FragmentHeld = true;
    }

    /// <summary>Clears what the transport and application decoders filled (for a packet decoded again from an inner or reassembled header).</summary>
    internal static void ClearTransport(DecodedPacket packet)
    {
        packet.Layers &= ~(PacketLayers.Udp | PacketLayers.Tcp | PacketLayers.Icmp | PacketLayers.Icmpv6 | PacketLayers.Dns
            | PacketLayers.Http | PacketLayers.Tls);
        packet.SourcePort = 0;
        packet.DestinationPort = 0;
        packet.Tcp = default;
        packet.UdpLength = 0;
        packet.Icmp = default;
        packet.PayloadOffset = 0;
        packet.PayloadLength = 0;
        packet.PayloadClaimedLength = 0;
        packet.Dns.Clear();
        packet.ClearMoreDns();
        packet.Http = default;
        packet.Tls = default;
        packet.Login = default;
        packet.Ssh = SshMarks.None;
        packet.UdpApplication = UdpApplication.None;
        packet.FtpData = default;
        packet.FtpLine = default;
        packet.BadChecksums &= ~ChecksumErrors.Transport;
        packet.TlsRecord = 0;
    }

    /// <summary>
    /// Decodes an IPv4 or IPv6 packet chosen by its version nibble (raw IP link types).
    /// Offsets recorded in the packet are relative to <paramref name="data"/>.
    /// </summary>
    public static void DecodeIp(ReadOnlySpan<byte> data, DecodedPacket packet) =>
        LinkDecoder.DecodeRawIp(data, 0, packet);

    /// <summary>
    /// Decodes the upper layer carried by IP: TCP, UDP, ICMP, ICMPv6, and the applications on them.
    /// <paramref name="payload"/> holds the bytes present (already trimmed to the IP lengths);
    /// <paramref name="claimedLength"/> is the length the IP header claims for it;
    /// <paramref name="firstFragment"/> is true for the first fragment of a fragmented datagram: its transport header
    /// describes the whole datagram, and its application payload is incomplete, so it is not decoded.
    /// </summary>
    internal static void DecodeTransport(byte protocol, ReadOnlySpan<byte> payload, int frameOffset, int claimedLength,
        bool firstFragment, DecodedPacket packet)
    {
        switch (protocol)
        {
            case IpProtocol.Udp:
                UdpDecoder.Decode(payload, frameOffset, claimedLength, firstFragment, packet);
                break;
            case IpProtocol.Tcp:
                TcpDecoder.Decode(payload, frameOffset, claimedLength, firstFragment, packet);
                break;
            case IpProtocol.Icmp:
                IcmpDecoder.Decode(payload, frameOffset, claimedLength, packet);
                break;
            case IpProtocol.Icmpv6:
                Icmpv6Decoder.Decode(payload, frameOffset, claimedLength, packet);
                break;
            default:
                // IP in IP and GRE are followed when the reader asks (Tunnels/); other protocols (ESP, SCTP, ...) are
                // recorded in Ip.Protocol and not decoded further.
                Tunnels.TunnelDecoder.FromIp(protocol, payload, frameOffset, packet);
                break;
        }
    }

    /// <summary>Ports on which DNS wire format is spoken over UDP: DNS (RFC 1035), mDNS (RFC 6762), LLMNR (RFC 4795).</summary>
    internal static bool IsDnsUdpPort(ushort port) => DnsPorts.IsDns(port);

    /// <summary>Decodes the application carried by a TCP segment's payload.</summary>
    internal static void DecodeTcpApplication(ReadOnlySpan<byte> payload, int claimedLength, DecodedPacket packet)
    {
        if (packet.SourcePort == DnsPorts.Dns || packet.DestinationPort == DnsPorts.Dns)
        {
            DnsDecoder.DecodeTcp(payload, claimedLength, packet);
            return;
        }
        if (packet.MarkApplications) packet.Ssh = Login.SshKeyExchange.Marks(payload);
        if (packet.SourcePort == Login.FtpDataChannels.ControlPort || packet.DestinationPort == Login.FtpDataChannels.ControlPort)
        {
            bool fromClient = packet.DestinationPort == Login.FtpDataChannels.ControlPort;
            packet.FtpData = Login.FtpDataChannels.Read(payload, fromClient);
            packet.FtpLine = Login.FtpDataChannels.Judge(payload, fromClient);
        }
        // Only a segment that is SSH stops here: port 22 carries other protocols too (HTTP in some of Zeek's traces).
        if (packet.SourcePort == Login.SshKeyExchange.Port && (packet.SshNewKeys = Login.SshKeyExchange.HasNewKeys(payload))) return;
        if (Login.LoginReplyDecoder.IsLoginPort(packet.SourcePort))
        {
            packet.Login = Login.LoginReplyDecoder.Read(payload, packet.SourcePort);
            if (packet.Login != Login.LoginReply.None) return;
        }
        packet.TlsRecord = TlsDecoder.RecordType(payload, out packet.TlsAlertLevel, out packet.TlsAlertDescription);
        if (TlsDecoder.Looks(payload))
        {
            TlsDecoder.Decode(payload, packet);
            return;
        }
        if (packet.TlsRecord != 0) return;
        if (HttpDecoder.Looks(payload))
        {
            HttpDecoder.Decode(payload, packet);
        }
    }

    /// <summary>
    /// Bytes of the frame from <paramref name="presentLength"/> bytes before its end, as they were on the wire:
    /// what is present plus what the snap length cut off.
    /// </summary>
    internal static int WireLength(int presentLength, DecodedPacket packet) =>
        presentLength + Math.Max(0, packet.OriginalLength - packet.CapturedLength);

    /// <summary>Records that the packet's text store is full, once per packet.</summary>
    internal static void NoteTextStoreFull(DecodedPacket packet)
    {
        if (!packet.Anomalies.Contains(AnomalyKind.TextStoreFull))
        {
            packet.AddAnomaly(AnomalyKind.TextStoreFull);
        }
    }

    /// <summary>Records an anomaly for a header cut short, and marks the packet truncated.</summary>
    internal static void Cut(DecodedPacket packet, AnomalyKind kind)
    {
        packet.Truncated = true;
        packet.AddAnomaly(kind);
    }
}
