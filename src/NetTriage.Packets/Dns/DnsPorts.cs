namespace NetTriage.Packets.Dns;

/// <summary>Ports on which the DNS message format is spoken.</summary>
public static class DnsPorts
{
    /// <summary>DNS over UDP and TCP (RFC 1035 4.2).</summary>
    public const ushort Dns = 53;
    /// <summary>Multicast DNS (RFC 6762 3).</summary>
    public const ushort Mdns = 5353;
    /// <summary>Link-Local Multicast Name Resolution (RFC 4795 2.5).</summary>
    public const ushort Llmnr = 5355;
    /// <summary>The NetBIOS name service (RFC 1002 4.2), which speaks DNS's message format for NetBIOS names.</summary>
    public const ushort NetbiosNameService = 137;

    /// <summary>
    /// A UDP message of the NetBIOS name service: to or from its port, and on none of DNS's. It names NetBIOS hosts on
    /// the local network (mostly by broadcast); it is not DNS resolution, and its types 0x20 and 0x21 are NB and NBSTAT
    /// (RFC 1002 4.2.1.3), not DNS's.
    /// </summary>
    public static bool IsNetbios(ushort sourcePort, ushort destinationPort) =>
        (sourcePort == NetbiosNameService || destinationPort == NetbiosNameService) && !IsDns(sourcePort) && !IsDns(destinationPort);

    /// <summary>A port of DNS, mDNS or LLMNR: DNS resolution's.</summary>
    public static bool IsDns(ushort port) => port is Dns or Mdns or Llmnr;

    /// <summary>A port on which DNS's message format is spoken: DNS's, mDNS's, LLMNR's, the NetBIOS name service's.</summary>
    public static bool IsNameService(ushort port) => IsDns(port) || port == NetbiosNameService;
}
