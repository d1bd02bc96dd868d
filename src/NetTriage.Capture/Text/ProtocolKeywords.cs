using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// Names tcpdump's printers start their summaries with, for protocols this reader does not decode: the IP protocol
/// they imply, and the non-IP link-layer protocols whose records are understood as such.
/// </summary>
internal static class ProtocolKeywords
{
    /// <summary>Summaries of IP protocols other than TCP/UDP/ICMP (IANA protocol numbers).</summary>
    private static readonly (string Prefix, byte Protocol)[] IpProtocols =
    [
        ("igmp", IpProtocol.Igmp),
        ("GREv", IpProtocol.Gre),
        ("ESP(", IpProtocol.Esp),
        ("AH(", IpProtocol.Ah),
        ("OSPFv", 89),
        ("PIMv", 103),
        ("pim", 103),
        ("VRRPv", 112),
        ("CARPv", 112),
        ("sctp", IpProtocol.Sctp),
        ("EIGRP", 88),
        ("RSVPv", 46),
        ("mobility:", 135),
        ("IPComp(", 108),
        ("DCCP", 33),
        ("dccp", 33),
        ("ipip-proto-4", 4),
        ("frag (", IpProtocol.Fragment),
        ("HBH ", IpProtocol.HopByHop),
        ("RT6 ", IpProtocol.Routing),
        ("DSTOPT ", IpProtocol.DestinationOptions),
        ("mobile-ip", 55),
        ("pgm", 113),
        ("PGM", 113),
        ("L2TPv3", 115),
    ];

    /// <summary>Summaries of protocols tcpdump prints only for UDP ports (print-udp.c udp_print dispatch).</summary>
    private static readonly string[] UdpApplications =
    [
        "NTPv", "BOOTP/DHCP", "sFlowv", "VXLAN", "isakmp", "TFTP", "RIPv", "ripng", "BFDv", "HSRPv", "LISP", "syslog",
        "NBT UDP", "RADIUS", "L2TP", "Geneve", "geneve", "OTV", "quic", "UDP-encap", "dhcp6", "DHCPv6", "PTPv", "babel",
        "lwres", "rx ", "aodv", "LSP-PINGv", "ahcp", "TSP_LOOP", "VQP", "HNCP", "ZEP", "CAPWAP", "LMP", "OLSR", "RTP",
        "RTCP", "wb-", "vat", "kerberos", "NetBIOS", "SNMP", "mDNS", "LLMNR", "WCCP", "SSDP", "CoAP", "BCM-LI-SHIM",
        "MPLS", "AFS", "Radius", "sip", "SIP", "RPKI", "BFD", "cisco-", "DHCP", "Kerberos", "NFS reply",
        "rip", "vxlan", "gtp", "GTP", "Teredo", "VXLAN-GPE", "LWAPP", "domain ", "isakmp-nat-keep-alive",
    ];

    /// <summary>Non-IP protocols tcpdump names at the start of a record (link-layer printers).</summary>
    private static readonly string[] NonIp =
    [
        "STP", "LLDP", "CDPv", "IS-IS", "PPPoE", "LCP", "IPCP", "IP6CP", "PAP", "CHAP", "IPX", "AoE", "LLC", "MS NLB",
        "SLARP", "Loopback", "TIPC", "VIRTIO", "EAP", "EAPOL", "CFMv", "LACPv", "MPCP", "OAM", "Marker", "BRCM", "DSA",
        "EDSA", "NSH", "GeoNet", "UDLDv", "PTPv", "DTPv", "CALM", "FRF.", "Q.922", "CLNP", "OSI", "IEEE 802.15.4",
        "802.1Q", "802.1ad", "DECnet", "endnode-", "router-", "AppleTalk", "AARP", "NBF", "NetBEUI", "VTPv", "PVST",
        "RARP", "MACsec", "ethertype", "ARCNET", "FDDI", "Token Ring", "CCP", "BACP", "BAP", "MLPPP", "PPP", "HDLC",
        "Frame Relay", "ATM", "IPOIB", "Ethernet", "Bluetooth", "IrDA", "CAN", "USB", "NFLOG", "Juniper", "ISO",
        "ES-IS", "ESIS", "SNAP", "BPDU", "MSTP", "RSTP", "Arista", "unknown CHDLC protocol", "UI ", "Q.933",
        "MPLS", "OSSP", "unknown PPP protocol", "aarp",
        // IEEE 802.11 frame types (print-802_11.c).
        "Beacon", "Probe Request", "Probe Response", "Acknowledgment", "Authentication", "DeAuthentication",
        "Assoc Request", "Assoc Response", "ReAssoc Request", "ReAssoc Response", "Disassociation", "Request-To-Send",
        "Clear-To-Send", "Power Save-Poll", "ATIM",
    ];

    /// <summary>DECnet Phase IV (print-decnet.c): "AREA.NODE > AREA.NODE LENGTH ...".</summary>
    private static bool IsDecnet(ReadOnlySpan<char> s)
    {
        var t = s;
        return ReadDecnetAddress(ref t) && TextScan.TryConsume(ref t, " > ") && ReadDecnetAddress(ref t) && TextScan.TryConsume(ref t, " ")
            && TextScan.TryReadUInt32(ref t, out _);
    }

    private static bool ReadDecnetAddress(ref ReadOnlySpan<char> t) =>
        TextScan.TryReadUInt32(ref t, out uint area) && area < 64 && TextScan.TryConsume(ref t, ".")
        && TextScan.TryReadUInt32(ref t, out uint node) && node < 1024;

    /// <summary>IEEE 802.11 with radiotap (print-802_11.c): "7268us tsft 2462 MHz 11n -51dBm signal ...".</summary>
    private static bool IsRadiotap(ReadOnlySpan<char> s)
    {
        int head = Math.Min(s.Length, 160);
        var start = s[..head];
        return TextScan.IndexOfWord(start, "tsft") >= 0 || (TextScan.IndexOfWord(start, "MHz") >= 0 && start.Contains("signal", StringComparison.Ordinal))
            || TextScan.StartsWith(s, "fhset ");
    }

    /// <summary>
    /// The IP protocol a summary implies, or 0. With ports printed, only UDP applications are listed: TCP summaries
    /// start with "Flags [", SCTP with "sctp".
    /// </summary>
    public static byte InferIpProtocol(ReadOnlySpan<char> s, bool hasPorts)
    {
        foreach (var (prefix, protocol) in IpProtocols)
        {
            if (TextScan.StartsWith(s, prefix)) return protocol;
        }
        var t = s;
        if (TextScan.TryConsume(ref t, "ip-proto-") && TextScan.TryReadUInt32(ref t, out uint number) && number <= byte.MaxValue)
        {
            return (byte)number;
        }
        if (hasPorts)
        {
            foreach (string prefix in UdpApplications)
            {
                if (TextScan.StartsWith(s, prefix)) return IpProtocol.Udp;
            }
        }
        return 0;
    }

    /// <summary>True when the record names a non-IP protocol tcpdump has a printer for.</summary>
    public static bool IsKnownNonIp(ReadOnlySpan<char> s)
    {
        if (IsDecnet(s) || IsRadiotap(s)) return true;
        foreach (string prefix in NonIp)
        {
            if (TextScan.StartsWith(s, prefix) && (s.Length == prefix.Length || !char.IsAsciiLetter(s[prefix.Length]) || prefix[^1] is ' ' or '-' or '.'))
            {
                return true;
            }
        }
        return false;
    }
}
