using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// Reads the one-line summary tcpdump prints after the time stamp (print.c, print-ether.c, print-sll.c, print-ip.c,
/// print-ip6.c) into a <see cref="DecodedPacket"/>: the optional link-layer prefix of -e and cooked captures, then
/// IPv4/IPv6 (with the -v header in parentheses), ARP, or a recognised non-IP protocol.
/// </summary>
internal static class SummaryParser
{
    /// <summary>Link-layer prefixes read before the network layer (Ethernet, then up to two VLAN tags, ...).</summary>
    private const int MaxLinkPrefixes = 6;
    /// <summary>"a > b" candidates examined when the network layer is not where the link prefix said.</summary>
    private const int MaxArrowsScanned = 16;
    private const int MacTextLength = 17;
    /// <summary>Reverse ARP (RFC 903).</summary>
    private const ushort EtherTypeRarp = 0x8035;

    /// <summary>
    /// Reads <paramref name="body"/> (the record after its time stamp). Returns true when it was understood, even
    /// partly (addresses of a protocol this reader does not know, a non-IP frame it recognises).
    /// </summary>
    public static bool Parse(ReadOnlySpan<char> body, DecodedPacket p)
    {
        var s = TextScan.SkipSpaces(body);
        ReadDirection(ref s, p);
        bool linkKnown = false;
        for (int i = 0; i < MaxLinkPrefixes; i++)
        {
            s = TextScan.SkipSpaces(s);
            if (TextScan.TryConsumeWord(ref s, "IP")) return IpSummary.Parse(s, 4, p) || FallbackIp(body, p);
            if (TextScan.TryConsumeWord(ref s, "IP6")) return IpSummary.Parse(s, 6, p) || FallbackIp(body, p);
            if (TextScan.TryConsume(ref s, "ARP, ") || TextScan.TryConsume(ref s, "RARP, ")) return ArpSummary.Parse(s, p);
            if (!TryReadLinkHeader(ref s, p, out ushort etherType)) break;
            linkKnown = true;
            s = TextScan.SkipSpaces(s);
            // From here the record is understood at least as a frame of its link layer.
            switch (etherType)
            {
                case EtherType.Ipv4:
                    TextScan.TryConsumeWord(ref s, "IP");
                    if (!IpSummary.Parse(s, 4, p)) FallbackIp(body, p);
                    return true;
                case EtherType.Ipv6:
                    TextScan.TryConsumeWord(ref s, "IP6");
                    if (!IpSummary.Parse(s, 6, p)) FallbackIp(body, p);
                    return true;
                case EtherType.Arp:
                case EtherTypeRarp:
                    TextScan.TryConsume(ref s, "ARP, ");
                    ArpSummary.Parse(s, p);
                    return true;
                case EtherType.Vlan:
                case EtherType.QinQ:
                case EtherType.QinQOld:
                    continue;
                default:
                    // Another protocol; IP may still be carried inside it (MPLS, ...).
                    FallbackIp(s, p);
                    return true;
            }
        }
        if (FallbackIp(s, p) || FallbackArp(s, p)) return true;
        return linkKnown || ProtocolKeywords.IsKnownNonIp(s);
    }

    /// <summary>
    /// ARP behind a prefix this reader does not spell out (switch tags, ARCNET): after "ethertype ARP (0x0806), ",
    /// or an ARP operation phrase after a colon.
    /// </summary>
    private static bool FallbackArp(ReadOnlySpan<char> text, DecodedPacket p)
    {
        int at = text.IndexOf("ethertype ARP (0x0806)", StringComparison.Ordinal);
        if (at >= 0)
        {
            var t = text[(at + "ethertype ARP (0x0806)".Length)..];
            if (TextScan.TryConsume(ref t, ", "))
            {
                ReadFrameLength(ref t, p);
                return ArpSummary.Parse(t, p);
            }
        }
        at = text.IndexOf(": Request who-has ", StringComparison.Ordinal);
        if (at >= 0) return ArpSummary.Parse(text[(at + 2)..], p);
        at = text.IndexOf(": Reply ", StringComparison.Ordinal);
        if (at >= 0 && text[at..].Contains(" is-at ", StringComparison.Ordinal)) return ArpSummary.Parse(text[(at + 2)..], p);
        return false;
    }

    /// <summary>
    /// Linux cooked captures: SLL2 prints the interface and direction ("eth0  In  IP ..."); SLL with -e prints the
    /// direction ("  In 00:16:3e:27:78:a2 ethertype ..."). Packet types per print-sll.c sll_pkttype_values.
    /// </summary>
    private static void ReadDirection(ref ReadOnlySpan<char> s, DecodedPacket p)
    {
        var t = s;
        var first = TextScan.ReadToken(ref t);
        if (TryDirection(first, out ushort type) && t.Length > 0)
        {
            p.SllPacketType = type;
            p.Layers |= PacketLayers.LinuxSll;
            s = TextScan.SkipSpaces(t);
            return;
        }
        if (first.Length is 0 or > 32 || t.IsEmpty) return;
        var u = TextScan.SkipSpaces(t);
        var second = TextScan.ReadToken(ref u);
        if (TryDirection(second, out type) && u.Length > 0 && IsInterfaceName(first))
        {
            p.SllPacketType = type;
            p.Layers |= PacketLayers.LinuxSll;
            s = TextScan.SkipSpaces(u);
        }
    }

    private static bool TryDirection(ReadOnlySpan<char> token, out ushort packetType)
    {
        packetType = token switch
        {
            "In" => 0,
            "B" => 1,
            "M" => 2,
            "P" => 3,
            "Out" => 4,
            _ => ushort.MaxValue,
        };
        return packetType != ushort.MaxValue;
    }

    /// <summary>Interface names (Linux IFNAMSIZ is 16) or "?" when tcpdump could not name the index.</summary>
    private static bool IsInterfaceName(ReadOnlySpan<char> s)
    {
        if (s.Length > 16) return false;
        if (s is "?") return true;
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.' and not '@' and not ':') return false;
        }
        return true;
    }

    /// <summary>
    /// One -e link-layer prefix (print-ether.c): "SRC > DST, ethertype NAME (0xHHHH), length N: ",
    /// "SRC > DST, 802.3, length N: ", the cooked "SRC ethertype ...", a bare "ethertype ...", or a VLAN tag
    /// "vlan N, p P, ethertype NAME (0xHHHH), ". Returns the EtherType of what follows.
    /// </summary>
    private static bool TryReadLinkHeader(ref ReadOnlySpan<char> s, DecodedPacket p, out ushort etherType)
    {
        etherType = 0;
        var t = s;
        bool cookedSender = false;
        if (TryReadMac(ref t, out var first))
        {
            var u = t;
            if (TextScan.TryConsume(ref u, " > ") && TryReadMac(ref u, out var second))
            {
                t = u;
                p.SourceMac = first;
                p.DestinationMac = second;
                p.Layers |= PacketLayers.Ethernet;
                if (!TextScan.TryConsume(ref t, ", "))
                {
                    s = t;
                    return true;
                }
                if (TextScan.TryConsume(ref t, "802.3, "))
                {
                    // IEEE 802.3 with an LLC header: no EtherType.
                    ReadFrameLength(ref t, p);
                    s = t;
                    return true;
                }
            }
            else
            {
                // Cooked capture with -e: the sender's address, then the protocol.
                cookedSender = true;
                TextScan.SkipSpaces(ref t);
            }
        }
        else if (TextScan.TryConsumeWord(ref t, "vlan"))
        {
            return TryReadVlan(ref s, p, out etherType);
        }
        if (!TryReadEtherType(ref t, out etherType)) return false;
        if (cookedSender) p.SourceMac = first;
        p.EtherType = etherType;
        if (!TextScan.TryConsume(ref t, ", "))
        {
            s = t;
            return true;
        }
        ReadFrameLength(ref t, p);
        s = t;
        return true;
    }

    /// <summary>"length N: " after the EtherType: the frame's length on the wire.</summary>
    private static void ReadFrameLength(ref ReadOnlySpan<char> t, DecodedPacket p)
    {
        var u = t;
        if (TextScan.TryConsume(ref u, "length ") && TextScan.TryReadUInt32(ref u, out uint length) && TextScan.TryConsume(ref u, ":"))
        {
            if (p.OriginalLength == 0 && length <= int.MaxValue) p.OriginalLength = (int)length;
            t = u;
        }
    }

    /// <summary>"ethertype NAME (0xHHHH)" where NAME may hold spaces ("MPLS unicast", "Unknown").</summary>
    private static bool TryReadEtherType(ref ReadOnlySpan<char> t, out ushort etherType)
    {
        etherType = 0;
        if (!TextScan.TryConsume(ref t, "ethertype ")) return false;
        int open = t.IndexOf("(0x", StringComparison.Ordinal);
        if (open < 0 || open > 64) return false;
        var u = t[(open + 1)..];
        if (!TextScan.TryReadHex(ref u, out uint value) || value > ushort.MaxValue || !TextScan.TryConsume(ref u, ")")) return false;
        etherType = (ushort)value;
        t = u;
        return true;
    }

    /// <summary>"vlan 200, p 0, [DEI, ]ethertype 802.1Q (0x8100), " (print-ether.c, IEEE 802.1Q tag).</summary>
    private static bool TryReadVlan(ref ReadOnlySpan<char> s, DecodedPacket p, out ushort etherType)
    {
        etherType = 0;
        var t = s;
        if (!TextScan.TryConsume(ref t, "vlan ") || !TextScan.TryReadUInt16(ref t, out ushort id)) return false;
        for (int i = 0; i < 4 && TextScan.TryConsume(ref t, ", "); i++)
        {
            if (TryReadEtherType(ref t, out etherType))
            {
                if (p.VlanCount == 0) p.VlanId = id;
                else if (p.VlanCount == 1) p.InnerVlanId = id;
                if (p.VlanCount < byte.MaxValue) p.VlanCount++;
                p.Layers |= PacketLayers.Vlan;
                p.EtherType = etherType;
                TextScan.TryConsume(ref t, ", ");
                s = t;
                return true;
            }
            TextScan.SkipToComma(ref t);
        }
        return false;
    }

    public static bool TryReadMac(ref ReadOnlySpan<char> s, out MacAddress mac)
    {
        mac = default;
        if (s.Length < MacTextLength) return false;
        ulong v = 0;
        for (int i = 0; i < 6; i++)
        {
            int at = i * 3;
            char hi = s[at], lo = s[at + 1];
            if (!TextScan.IsHexDigit(hi) || !TextScan.IsHexDigit(lo)) return false;
            if (i < 5 && s[at + 2] != ':') return false;
            v = (v << 8) | (uint)((HexValue(hi) << 4) | HexValue(lo));
        }
        if (s.Length > MacTextLength && !TextScan.IsSpace(s[MacTextLength]) && s[MacTextLength] != ',' && s[MacTextLength] != ')') return false;
        mac = new MacAddress(v);
        s = s[MacTextLength..];
        return true;
    }

    private static int HexValue(char c) => TextScan.IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// When the network layer is not where a known prefix puts it (tags, tunnels and link types this reader does
    /// not spell out: "MPLS (label ...) IP ...", "BRCM tag ..., IP ...", ARCNET, ...), finds the first
    /// "a > b:" whose sides are both addresses of one family and reads the IP summary from there.
    /// </summary>
    public static bool FallbackIp(ReadOnlySpan<char> text, DecodedPacket p)
    {
        int offset = 0;
        for (int n = 0; n < MaxArrowsScanned; n++)
        {
            int at = text[offset..].IndexOf(" > ", StringComparison.Ordinal);
            if (at < 0) return false;
            at += offset;
            offset = at + 3;
            int start = at;
            while (start > 0 && !TextScan.IsSpace(text[start - 1])) start--;
            var src = text[start..at];
            var after = text[(at + 3)..];
            var dstToken = after;
            dstToken = TextScan.ReadToken(ref dstToken);
            if (dstToken.Length < 2 || dstToken[^1] != ':') continue;
            if (!Endpoints.TryParse(src, out var a) || !Endpoints.TryParse(dstToken[..^1], out var b)) continue;
            if (a.Address.IsNone || b.Address.IsNone || a.Address.Version != b.Address.Version) continue;
            var header = text[..start].TrimEnd();
            return IpSummary.ParseFrom(header, text[start..], a.Address.Version, p);
        }
        return false;
    }
}
