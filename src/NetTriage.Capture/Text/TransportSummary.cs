using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// What follows "src > dst:": TCP (print-tcp.c), UDP (print-udp.c), ICMP, ICMPv6, DNS on its ports, or another
/// protocol whose name tells the IP protocol.
/// </summary>
internal static class TransportSummary
{
    private const int MaxChecksumNotes = 3;
    private const int UdpHeaderLength = 8;

    public static void Parse(ReadOnlySpan<char> s, DecodedPacket p, bool hasPorts)
    {
        s = TextScan.SkipSpaces(s);
        // -v checksum notes: "[udp sum ok] ", "[bad udp cksum 0x1234 -> 0x5678!] ", "[no cksum] ", "[icmp6 sum ok] ".
        for (int i = 0; i < MaxChecksumNotes && s.Length > 0 && s[0] == '['; i++)
        {
            int close = TextScan.MatchingClose(s, 0);
            if (close < 0) break;
            var note = s[1..close];
            if (!note.Contains("sum", StringComparison.Ordinal)) break;
            if (TextScan.IndexOfWord(note, "udp") >= 0) SetProtocol(p, IpProtocol.Udp);
            s = TextScan.SkipSpaces(s[(close + 1)..]);
        }

        var t = s;
        if (TextScan.TryConsume(ref t, "Flags ["))
        {
            TcpSummary.Parse(t, p, hasPorts);
        }
        else if (TextScan.TryConsume(ref t, "UDP, length ") || TextScan.TryConsume(ref t, "UDP, bad length "))
        {
            SetProtocol(p, IpProtocol.Udp);
            if (TextScan.TryReadUInt32(ref t, out uint length)) SetUdpLength(p, length);
        }
        else if (TryQuiet(ref t, "tcp", out uint tcpLength))
        {
            SetProtocol(p, IpProtocol.Tcp);
            p.Layers |= PacketLayers.Tcp;
            p.PayloadClaimedLength = (int)Math.Min(tcpLength, int.MaxValue);
        }
        else if (TryQuiet(ref t, "udp", out uint udpLength))
        {
            SetProtocol(p, IpProtocol.Udp);
            SetUdpLength(p, udpLength);
        }
        else if (TextScan.TryConsume(ref t, "ICMP6, ") || TextScan.TryConsumeWord(ref t, "ICMP6"))
        {
            IcmpSummary.ParseV6(t, p);
        }
        else if (TextScan.TryConsume(ref t, "ICMP "))
        {
            IcmpSummary.ParseV4(t, p);
        }
        else if (TextScan.StartsWith(t, "[|tcp]"))
        {
            SetProtocol(p, IpProtocol.Tcp);
            p.Layers |= PacketLayers.Tcp;
            p.Truncated = true;
            p.AddAnomaly(AnomalyKind.TcpHeaderTruncated);
        }
        else if (TextScan.StartsWith(t, "[|udp]"))
        {
            SetProtocol(p, IpProtocol.Udp);
            p.Truncated = true;
            p.AddAnomaly(AnomalyKind.UdpHeaderTruncated);
        }
        else if (hasPorts && TcpSummary.TryParseClassic(t, p))
        {
            // tcpdump before 4.0: "S 1234:1234(0) win 5840 <mss 1460>".
        }
        else if (hasPorts && (IsDnsPort(p.SourcePort) || IsDnsPort(p.DestinationPort) || DnsSummary.LooksLikeDns(t))
                 && p.Ip.Protocol is 0 or IpProtocol.Udp && DnsSummary.Parse(t, p, overTcp: false, strict: !IsDnsPort(p.SourcePort) && !IsDnsPort(p.DestinationPort)))
        {
            SetProtocol(p, IpProtocol.Udp);
            if (p.Dns.Incomplete) p.Truncated = true;
        }
        else
        {
            byte proto = ProtocolKeywords.InferIpProtocol(t, hasPorts);
            if (proto != 0) SetProtocol(p, proto);
        }

        if (hasPorts && p.Ip.Protocol == IpProtocol.Udp) p.Layers |= PacketLayers.Udp;
        if (p.Ip.Protocol == IpProtocol.Tcp && hasPorts) p.Layers |= PacketLayers.Tcp;
    }

    /// <summary>DNS (RFC 1035 4.2), multicast DNS (RFC 6762) and LLMNR (RFC 4795) ports, which tcpdump prints as DNS.</summary>
    public static bool IsDnsPort(ushort port) => port is 53 or 5353 or 5355;

    /// <summary>Sets the IP protocol unless the -v header already gave it.</summary>
    public static void SetProtocol(DecodedPacket p, byte protocol)
    {
        if (p.Ip.Protocol == 0 || IsIpv6ExtensionHeader(p)) p.Ip.Protocol = protocol;
    }

    /// <summary>For IPv6 the -v header names the first next header; the final one replaces an extension header.</summary>
    private static bool IsIpv6ExtensionHeader(DecodedPacket p) =>
        p.Ip.Version == 6 && p.Ip.Protocol is IpProtocol.HopByHop or IpProtocol.Routing or IpProtocol.Fragment
            or IpProtocol.DestinationOptions or IpProtocol.Ah or IpProtocol.Esp;

    /// <summary>"UDP, length N" gives the payload length; the UDP length field adds the 8-byte header (RFC 768).</summary>
    public static void SetUdpLength(DecodedPacket p, uint payload)
    {
        p.PayloadClaimedLength = (int)Math.Min(payload, int.MaxValue);
        if (payload <= ushort.MaxValue - UdpHeaderLength) p.UdpLength = (ushort)(payload + UdpHeaderLength);
    }

    /// <summary>The -q forms "tcp 0" and "udp 48".</summary>
    private static bool TryQuiet(ref ReadOnlySpan<char> t, ReadOnlySpan<char> word, out uint length)
    {
        length = 0;
        var u = t;
        if (!TextScan.TryConsume(ref u, word) || !TextScan.TryConsume(ref u, " ") || !TextScan.TryReadUInt32(ref u, out length)) return false;
        if (!u.IsEmpty && !TextScan.IsSpace(u[0])) return false;
        t = u;
        return true;
    }
}
