namespace NetTriage.Packets;

/// <summary>An encapsulation the decoder removed to reach the packet inside.</summary>
public enum TunnelKind : byte
{
    None = 0,
    /// <summary>IPv4 or IPv6 in IPv4 or IPv6 (RFC 2003, RFC 4213, RFC 2473).</summary>
    IpInIp,
    /// <summary>Generic Routing Encapsulation (RFC 2784, RFC 2890).</summary>
    Gre,
    /// <summary>Cisco ERSPAN type I, II or III (mirrored frames in GRE).</summary>
    Erspan,
    /// <summary>PPTP's enhanced GRE carrying PPP (RFC 2637 4.1).</summary>
    Pptp,
    /// <summary>VXLAN (RFC 7348), UDP port 4789.</summary>
    Vxlan,
    /// <summary>Geneve (RFC 8926), UDP port 6081.</summary>
    Geneve,
    /// <summary>GTP-U (3GPP TS 29.281), UDP port 2152.</summary>
    GtpU,
    /// <summary>Teredo (RFC 4380), UDP port 3544.</summary>
    Teredo,
    /// <summary>AYIYA (Anything In Anything), UDP port 5072.</summary>
    Ayiya,
    /// <summary>GRE in UDP (RFC 8086), UDP port 4754.</summary>
    GreInUdp,
}

/// <summary>
/// The tunnel a decapsulated packet came through: how many encapsulations were removed, the last one's kind, and the IP
/// header (and UDP ports) around the packet, its immediate parent. Link-layer framings (MPLS, PPPoE, FabricPath,
/// VN-Tag, 802.1ah) are walked without being counted here: they carry no outer address.
/// </summary>
public struct TunnelInfo
{
    /// <summary>Encapsulations removed (0: the packet was not in a tunnel).</summary>
    public byte Depth;
    public TunnelKind Kind;
    /// <summary>Link-layer framings walked (bounds their nesting).</summary>
    public byte LinkDepth;
    public IpAddr OuterSource;
    public IpAddr OuterDestination;
    /// <summary>The outer IP protocol (47 for GRE, 17 for the UDP tunnels, 4 or 41 for IP in IP).</summary>
    public byte OuterProtocol;
    public ushort OuterSourcePort;
    public ushort OuterDestinationPort;
    /// <summary>The outer IP total length and UDP length (what the tunnel carried on the wire for this packet).</summary>
    public int OuterIpTotalLength;
    public ushort OuterUdpLength;
    /// <summary>A VXLAN or Geneve network identifier, a GRE key, or a GTP tunnel endpoint id, when the header has one.</summary>
    public uint Identifier;
    public bool HasIdentifier;

    /// <summary>
    /// The tunnel around this one (GTP-U carrying Teredo), when <see cref="Depth"/> is 2 or more and it had an IP header:
    /// its kind and outer header, as the fields above hold the inner tunnel's. Deeper ones are not kept.
    /// </summary>
    public TunnelKind ParentKind;
    public IpAddr ParentSource;
    public IpAddr ParentDestination;
    public byte ParentProtocol;
    public ushort ParentSourcePort;
    public ushort ParentDestinationPort;
    public int ParentIpTotalLength;
    public ushort ParentUdpLength;

    /// <summary>
    /// Each encapsulation removed, outermost first (the first <see cref="Depth"/>, at most <see cref="TunnelHops.Length"/>):
    /// what a line printer needs to write the outer headers as tcpdump does before the inner packet.
    /// </summary>
    public TunnelHops Hops;
}

/// <summary>One encapsulation removed: its outer IP header and ports, and the fields of its own header that tcpdump prints.</summary>
public struct TunnelHop
{
    public TunnelKind Kind;
    public bool OuterV6;
    public IpAddr OuterSource;
    public IpAddr OuterDestination;
    /// <summary>The outer IP payload length (what follows the IP header and its extensions).</summary>
    public int OuterIpPayloadLength;
    public ushort OuterSourcePort;
    public ushort OuterDestinationPort;
    public ushort OuterUdpLength;
    /// <summary>GRE: the flags word (its version in the low 3 bits) and the protocol; Geneve: the protocol.</summary>
    public ushort Flags;
    public ushort Protocol;
    /// <summary>GRE: the key (v0) or the call id (v1); VXLAN and Geneve: the network identifier.</summary>
    public uint Key;
    public uint Sequence;
    public uint Acknowledgment;
    /// <summary>Geneve: the options' length in bytes; VXLAN: its flags byte.</summary>
    public int Options;
}

/// <summary>The encapsulations removed from one packet, outermost first (nesting is bounded by the tunnel decoder).</summary>
[System.Runtime.CompilerServices.InlineArray(Length)]
public struct TunnelHops
{
    public const int Length = 4;
    private TunnelHop _first;
}
