using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// The tunnels tcpdump opens, as its lines print them after the outer "src > dst:" (print-ip.c for IP in IP,
/// print-gre.c, print-vxlan.c, print-geneve.c): the outer packet becomes the tunnel of the record and the inner one
/// is read as any record's is, so traffic inside GRE is analysed from text as from a capture. A GRE payload tcpdump does
/// not follow ("gre-proto-0x88be") leaves the record the outer GRE packet. Nesting is bounded by the decoder's bound.
/// </summary>
internal static class TunnelSummary
{
    private const ushort GreKeyBit = 0x2000, GreSequenceBit = 0x1000, GreAckBit = 0x0080;
    private const ushort TransparentEthernetBridging = 0x6558;
    /// <summary>Items between "GREv0" and "length N: " (key, sequence, call, acknowledgment, flags with -v).</summary>
    private const int MaxGreItems = 8;

    /// <summary>Reads a tunnel at <paramref name="s"/> (the text after the outer endpoints); false when there is none.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, DecodedPacket p, bool hasPorts)
    {
        var t = TextScan.SkipSpaces(s);
        if (!hasPorts)
        {
            if (TextScan.TryConsumeWord(ref t, "IP")) return Inner(t, 4, p, TunnelKind.IpInIp, 4);
            if (TextScan.TryConsumeWord(ref t, "IP6")) return Inner(t, 6, p, TunnelKind.IpInIp, IpProtocol.Ipv6);
            if (TextScan.TryConsume(ref t, "GREv")) return Gre(t, p);
            return false;
        }
        if (TextScan.TryConsume(ref t, "VXLAN, flags [")) return Vxlan(t, p);
        if (TextScan.TryConsume(ref t, "Geneve, Flags [")) return Geneve(t, p);
        return false;
    }

    /// <summary>An IP packet inside: the record's tunnel is entered and the rest read as an "IP"/"IP6" summary.</summary>
    private static bool Inner(ReadOnlySpan<char> rest, int version, DecodedPacket p, TunnelKind kind, byte outerProtocol)
    {
        p.Ip.Protocol = outerProtocol;
        if (p.EnterTunnel(kind)) IpSummary.Parse(rest, version, p);
        return true;
    }

    private static bool Gre(ReadOnlySpan<char> t, DecodedPacket p)
    {
        if (t.IsEmpty || !TextScan.IsDigit(t[0])) return false;
        int version = t[0] - '0';
        t = t[1..];
        ushort flags = (ushort)version;
        uint key = 0, sequence = 0, acknowledgment = 0;
        int length = -1;
        for (int i = 0; i < MaxGreItems && TextScan.TryConsume(ref t, ", "); i++)
        {
            if (TextScan.TryConsume(ref t, "key=") && TextScan.TryReadHex(ref t, out key)) flags |= GreKeyBit;
            else if (TextScan.TryConsume(ref t, "call ") && TextScan.TryReadUInt32(ref t, out key)) { }
            else if (TextScan.TryConsume(ref t, "seq ") && TextScan.TryReadUInt32(ref t, out sequence)) flags |= GreSequenceBit;
            else if (TextScan.TryConsume(ref t, "ack ") && TextScan.TryReadUInt32(ref t, out acknowledgment)) flags |= GreAckBit;
            else if (TextScan.TryConsume(ref t, "length ") && TextScan.TryReadUInt32(ref t, out uint n))
            {
                length = (int)Math.Min(n, int.MaxValue);
                break;
            }
            else TextScan.SkipToComma(ref t);
        }
        p.Ip.Protocol = IpProtocol.Gre;
        if (length < 0 || !TextScan.TryConsume(ref t, ": ")) return true;
        ushort protocol;
        int innerVersion;
        var u = t;
        if (TextScan.TryConsumeWord(ref u, "IP")) (protocol, innerVersion) = (EtherType.Ipv4, 4);
        else if (TextScan.TryConsumeWord(ref u, "IP6")) (protocol, innerVersion) = (EtherType.Ipv6, 6);
        else if (TextScan.StartsWith(u, "gre-proto-") || version == 1) return true; // what it carries is not printed
        else (protocol, innerVersion) = (TransparentEthernetBridging, 0); // a bridged frame: ARP and the like
        if (!p.EnterTunnel(version == 1 ? TunnelKind.Pptp : TunnelKind.Gre)) return true;
        ref var hop = ref CurrentHop(p);
        hop.Flags = flags;
        hop.Protocol = version == 1 ? (ushort)0x880B : protocol;
        hop.Key = key;
        hop.Sequence = sequence;
        hop.Acknowledgment = acknowledgment;
        hop.OuterIpPayloadLength = length;
        if ((flags & GreKeyBit) != 0)
        {
            p.Tunnel.Identifier = key;
            p.Tunnel.HasIdentifier = true;
        }
        if (innerVersion == 0) SummaryParser.Parse(u, p);
        else IpSummary.Parse(u, innerVersion, p);
        return true;
    }

    /// <summary>"VXLAN, flags [I] (0x08), vni 123" and, on the next line, the frame inside.</summary>
    private static bool Vxlan(ReadOnlySpan<char> t, DecodedPacket p)
    {
        int close = t.IndexOf(']');
        if (close < 0) return false;
        t = t[(close + 1)..];
        uint flags = 0x08;
        if (TextScan.TryConsume(ref t, " (")) TextScan.TryReadHex(ref t, out flags);
        int at = t.IndexOf("vni ", StringComparison.Ordinal);
        if (at < 0) return false;
        t = t[(at + 4)..];
        if (!TextScan.TryReadUInt32(ref t, out uint vni)) return false;
        int newline = t.IndexOf('\n');
        p.Ip.Protocol = IpProtocol.Udp;
        p.Layers |= PacketLayers.Udp;
        if (newline < 0) return true; // the frame inside was not printed
        if (!p.EnterTunnel(TunnelKind.Vxlan)) return true;
        ref var hop = ref CurrentHop(p);
        hop.Key = vni;
        hop.Options = (int)(flags & 0xFF);
        p.Tunnel.Identifier = vni;
        p.Tunnel.HasIdentifier = true;
        SummaryParser.Parse(t[(newline + 1)..], p);
        return true;
    }

    /// <summary>"Geneve, Flags [none], vni 0x0, options [8 bytes]: " then the packet inside.</summary>
    private static bool Geneve(ReadOnlySpan<char> t, DecodedPacket p)
    {
        int close = t.IndexOf(']');
        if (close < 0) return false;
        var flagText = t[..close];
        t = t[(close + 1)..];
        if (!TextScan.TryConsume(ref t, ", vni ") || !TextScan.TryReadHex(ref t, out uint vni)) return false;
        int options = 0;
        if (TextScan.TryConsume(ref t, ", options [") && TextScan.TryReadUInt32(ref t, out uint bytes))
        {
            options = (int)Math.Min(bytes, 252u);
            int end = t.IndexOf(']');
            t = end < 0 ? default : t[(end + 1)..];
        }
        p.Ip.Protocol = IpProtocol.Udp;
        p.Layers |= PacketLayers.Udp;
        if (!TextScan.TryConsume(ref t, ": ")) return true;
        if (!p.EnterTunnel(TunnelKind.Geneve)) return true;
        ref var hop = ref CurrentHop(p);
        hop.Key = vni;
        hop.Options = options;
        hop.Flags = (ushort)((flagText.Contains('O') ? 0x80 : 0) | (flagText.Contains('C') ? 0x40 : 0));
        hop.Protocol = TransparentEthernetBridging;
        p.Tunnel.Identifier = vni;
        p.Tunnel.HasIdentifier = true;
        SummaryParser.Parse(t, p);
        return true;
    }

    private static ref TunnelHop CurrentHop(DecodedPacket p) => ref p.Tunnel.Hops[Math.Clamp(p.Tunnel.Depth - 1, 0, TunnelHops.Length - 1)];
}
