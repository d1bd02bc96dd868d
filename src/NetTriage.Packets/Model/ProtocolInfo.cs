namespace NetTriage.Packets;

/// <summary>IPv4 or IPv6 header facts. For IPv6, <see cref="Protocol"/> is the final next-header after extension headers.</summary>
public struct IpInfo
{
    public byte Version;
    public IpAddr Source;
    public IpAddr Destination;
    /// <summary>Upper-layer protocol (IPv4 protocol, or the IPv6 next header after the extension chain).</summary>
    public byte Protocol;
    /// <summary>TTL (IPv4) or hop limit (IPv6).</summary>
    public byte Ttl;
    public byte Tos;
    /// <summary>IPv4 total length, or 40 + IPv6 payload length.</summary>
    public int TotalLength;
    public int HeaderLength;
    public ushort Identification;
    public uint FlowLabel;
    public bool DontFragment;
    public bool MoreFragments;
    /// <summary>Fragment offset in bytes.</summary>
    public int FragmentOffset;
    public bool HasOptions;
    /// <summary>IPv6 extension headers walked.</summary>
    public byte ExtensionHeaderCount;
    /// <summary>The length field was 0 on TCP/UDP (segmentation offload, Linux BIG TCP): the length was taken from the frame.</summary>
    public bool LengthPresumed;
    /// <summary>Offset of the IP header in the frame (of the inner header, for a packet in a tunnel).</summary>
    public int HeaderOffset;
    /// <summary>A fragment's datagram identification (IPv4's 16 bits, IPv6's 32).</summary>
    public uint FragmentId;
    /// <summary>
    /// IPv6 fragments: the offset (from the IPv6 header) of the fragment header, and of the next-header byte that names
    /// it (6 in the fixed header, or in the extension header before it): what reassembly rewrites.
    /// </summary>
    public int FragmentHeaderOffset, FragmentNextHeaderOffset;
    public bool IsFragment => MoreFragments || FragmentOffset != 0;
}

/// <summary>TCP header facts (RFC 9293 3.1) and options (RFC 7323, RFC 2018).</summary>
public struct TcpInfo
{
    public TcpFlags Flags;
    public uint Sequence;
    public uint Acknowledgment;
    public ushort Window;
    public ushort UrgentPointer;
    public byte HeaderLength;
    public bool HasMss;
    public ushort Mss;
    public bool HasWindowScale;
    public byte WindowScale;
    public bool SackPermitted;
    public byte SackBlockCount;
    public bool HasTimestamp;
    public uint TsValue;
    public uint TsEcho;
}

/// <summary>
/// The packet an ICMP error quotes (RFC 792: IP header + first 8 bytes; RFC 4443 2.4: as much as fits),
/// decoded into the offending 5-tuple.
/// </summary>
public struct QuotedPacket
{
    public bool Present;
    public byte IpVersion;
    public byte Protocol;
    public IpAddr Source;
    public IpAddr Destination;
    public bool HasPorts;
    public ushort SourcePort;
    public ushort DestinationPort;
    /// <summary>Total length claimed by the quoted IP header.</summary>
    public int TotalLength;
    public bool HasDnsId;
    public ushort DnsId;
    /// <summary>The quote stopped before the transport ports (or the quoted IP header itself was cut).</summary>
    public bool Truncated;
}

/// <summary>ICMPv4 (RFC 792) or ICMPv6 (RFC 4443) message facts.</summary>
public struct IcmpInfo
{
    public bool IsV6;
    public byte Type;
    public byte Code;
    /// <summary>Echo identifier.</summary>
    public ushort Identifier;
    /// <summary>Echo sequence number.</summary>
    public ushort Sequence;
    /// <summary>
    /// Echo messages: a fingerprint of the data after its first 16 bytes (where ping puts its timestamp), up to 64
    /// bytes of it; 0 when there is none. Ping repeats one pattern, so its fingerprint stays the same; a data channel's
    /// changes with every message.
    /// </summary>
    public uint EchoDataHash;
    /// <summary>Next-hop MTU (v4 type 3 code 4, v6 type 2), parameter-problem pointer.</summary>
    public uint Parameter;
    /// <summary>Redirect gateway (v4 type 5), or the target of an NDP message.</summary>
    public IpAddr Gateway;
    public QuotedPacket Quoted;

    /// <summary>An error message that quotes the packet that caused it.</summary>
    public readonly bool IsError => IsV6 ? Type is >= 1 and <= 4 : Type is 3 or 4 or 5 or 11 or 12;
}

/// <summary>ARP (RFC 826) facts.</summary>
public struct ArpInfo
{
    public ushort HardwareType;
    public ushort ProtocolType;
    public byte HardwareLength;
    public byte ProtocolLength;
    /// <summary>1 request, 2 reply, 3/4 RARP, 8/9 InARP.</summary>
    public ushort Operation;
    public MacAddress SenderMac;
    public IpAddr SenderIp;
    public MacAddress TargetMac;
    public IpAddr TargetIp;
}

/// <summary>HTTP/1.x start line and Host header (RFC 9112 3, 4).</summary>
public struct HttpInfo
{
    public bool IsRequest;
    public TextRef Method;
    public TextRef Target;
    public TextRef Version;
    public int StatusCode;
    public TextRef Reason;
    public TextRef Host;
}

/// <summary>TLS ClientHello facts (RFC 8446 4.1.2, RFC 6066 3).</summary>
public struct TlsInfo
{
    public bool IsClientHello;
    public ushort LegacyVersion;
    public TextRef ServerName;
}
