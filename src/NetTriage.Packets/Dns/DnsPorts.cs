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
}
