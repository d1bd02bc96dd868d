namespace NetTriage.Packets;

/// <summary>Which layers of a packet were decoded (or, for text input, read).</summary>
[Flags]
public enum PacketLayers : uint
{
    None = 0,
    Ethernet = 1 << 0,
    Vlan = 1 << 1,
    LinuxSll = 1 << 2,
    Loopback = 1 << 3,
    Arp = 1 << 4,
    Ipv4 = 1 << 5,
    Ipv6 = 1 << 6,
    Udp = 1 << 7,
    Tcp = 1 << 8,
    Icmp = 1 << 9,
    Icmpv6 = 1 << 10,
    Dns = 1 << 11,
    Http = 1 << 12,
    Tls = 1 << 13,
    /// <summary>An IPv4 or IPv6 fragment with a non-zero offset: transport not decoded past it.</summary>
    Fragment = 1 << 14,
}

/// <summary>IANA protocol numbers used by the decoders.</summary>
public static class IpProtocol
{
    public const byte HopByHop = 0;
    public const byte Icmp = 1;
    public const byte Igmp = 2;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Ipv6 = 41;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Gre = 47;
    public const byte Esp = 50;
    public const byte Ah = 51;
    public const byte Icmpv6 = 58;
    public const byte NoNextHeader = 59;
    public const byte DestinationOptions = 60;
    public const byte Sctp = 132;
}

/// <summary>Ethernet types used by the decoders.</summary>
public static class EtherType
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort Ipv6 = 0x86DD;
    public const ushort QinQ = 0x88A8;
    public const ushort QinQOld = 0x9100;
}

/// <summary>TCP header flags (RFC 9293 3.1, RFC 3168 for ECE/CWR).</summary>
[Flags]
public enum TcpFlags : ushort
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
    /// <summary>Accurate ECN (RFC 9768) "AE" bit, formerly NS (RFC 3540).</summary>
    Ae = 0x100,
}
