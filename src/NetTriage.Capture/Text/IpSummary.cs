using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// The network-layer part of a summary (print-ip.c, print-ip6.c): tcpdump's notes in brackets, the -v header in
/// parentheses, then "src > dst:" and the transport summary.
/// </summary>
internal static class IpSummary
{
    private const int MaxPrefixGroups = 4;
    private const int MaxHeaderItems = 16;
    private const int Ipv6HeaderLength = 40;

    [ThreadStatic]
    private static DecodedPacket? t_scratch;
    [ThreadStatic]
    private static bool t_inQuoted;

    /// <summary>Reads the text after the "IP"/"IP6" keyword (or after an -e EtherType of IPv4/IPv6).</summary>
    public static bool Parse(ReadOnlySpan<char> s, int version, DecodedPacket p)
    {
        bool sawNote = false;
        for (int i = 0; i < MaxPrefixGroups; i++)
        {
            s = TextScan.SkipSpaces(s);
            if (s.IsEmpty) break;
            if (TextScan.TryConsume(ref s, "(invalid)"))
            {
                sawNote = true;
                continue;
            }
            if (s[0] is '[' or '(')
            {
                int close = TextScan.MatchingClose(s, 0);
                if (close < 0) break;
                var inner = s[1..close];
                if (s[0] == '[')
                {
                    ReadNote(inner, version, p);
                    sawNote = true;
                }
                else
                {
                    ReadHeaderGroup(inner, version, p);
                }
                s = s[(close + 1)..];
                continue;
            }
            break;
        }
        if (TryReadEndpoints(ref s, version, p, out bool hasPorts))
        {
            if (!t_inQuoted && TunnelSummary.TryParse(s, p, hasPorts)) return true;
            TransportSummary.Parse(s, p, hasPorts);
            return true;
        }
        // tcpdump named the packet invalid or cut ("IP [version 6 != 4] (invalid)", "IP6 [|ip6]"): understood as such.
        if (sawNote)
        {
            p.Ip.Version = (byte)version;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Reads from "src > dst:" in <paramref name="text"/>, taking the -v header from the parenthesised group that
    /// ends <paramref name="before"/> when there is one.
    /// </summary>
    public static bool ParseFrom(ReadOnlySpan<char> before, ReadOnlySpan<char> text, int version, DecodedPacket p)
    {
        if (before.Length > 0 && before[^1] == ')')
        {
            // Only an IP header group: "(tos ..." for IPv4; "(class ...", "(flowlabel ...", "(hlim ..." for IPv6.
            int open = MatchingOpen(before, before.Length - 1);
            var group = open >= 0 ? before[(open + 1)..^1] : default;
            if (TextScan.StartsWith(group, "tos ") || TextScan.StartsWith(group, "class ") || TextScan.StartsWith(group, "flowlabel ")
                || TextScan.StartsWith(group, "hlim "))
            {
                ReadHeaderGroup(group, version, p);
            }
        }
        if (!TryReadEndpoints(ref text, version, p, out bool hasPorts)) return false;
        TransportSummary.Parse(text, p, hasPorts);
        return true;
    }

    private static int MatchingOpen(ReadOnlySpan<char> s, int close)
    {
        int depth = 0;
        for (int i = close; i >= 0; i--)
        {
            if (s[i] is ')' or ']') depth++;
            else if (s[i] is '(' or '[')
            {
                depth--;
                if (depth == 0) return i;
            }
        }
        return -1;
    }

    /// <summary>tcpdump's bracketed notes about a bad header: "[total length 2660 > length 80]", "[version 6 != 4]", "[|ip]".</summary>
    private static void ReadNote(ReadOnlySpan<char> note, int version, DecodedPacket p)
    {
        bool v4 = version == 4;
        if (TextScan.StartsWith(note, "|"))
        {
            p.Truncated = true;
            p.AddAnomaly(v4 ? AnomalyKind.Ipv4HeaderTruncated : AnomalyKind.Ipv6HeaderTruncated);
        }
        else if (TextScan.StartsWith(note, "version "))
        {
            p.AddAnomaly(v4 ? AnomalyKind.Ipv4BadVersion : AnomalyKind.Ipv6BadVersion);
        }
        else if (TextScan.StartsWith(note, "total length ") || TextScan.StartsWith(note, "header+payload length ")
                 || TextScan.StartsWith(note, "payload length "))
        {
            p.Truncated = true;
            p.AddAnomaly(v4 ? AnomalyKind.Ipv4TotalLengthExceedsCapture : AnomalyKind.Ipv6PayloadLengthExceedsCapture);
        }
        else if (TextScan.StartsWith(note, "header length "))
        {
            p.AddAnomaly(AnomalyKind.Ipv4BadHeaderLength);
        }
        else if (TextScan.StartsWith(note, "length "))
        {
            p.Truncated = true;
            p.AddAnomaly(v4 ? AnomalyKind.Ipv4HeaderTruncated : AnomalyKind.Ipv6HeaderTruncated);
        }
    }

    /// <summary>
    /// The -v header: IPv4 "(tos 0x0, ttl 64, id 22989, offset 0, flags [DF], proto UDP (17), length 84)";
    /// IPv6 "(class 0x10, flowlabel 0xde027, hlim 63, next-header UDP (17), payload length: 32)".
    /// </summary>
    public static void ReadHeaderGroup(ReadOnlySpan<char> group, int version, DecodedPacket p)
    {
        var items = group;
        for (int i = 0; i < MaxHeaderItems && !items.IsEmpty; i++)
        {
            var item = TextScan.NextItem(ref items);
            ReadHeaderItem(item, version, p);
        }
    }

    private static void ReadHeaderItem(ReadOnlySpan<char> item, int version, DecodedPacket p)
    {
        var t = item;
        if (TextScan.TryConsume(ref t, "tos ") || TextScan.TryConsume(ref t, "class "))
        {
            if (TextScan.TryReadHex(ref t, out uint tos) && tos <= byte.MaxValue) p.Ip.Tos = (byte)tos;
        }
        else if (TextScan.TryConsume(ref t, "ttl ") || TextScan.TryConsume(ref t, "hlim "))
        {
            if (TextScan.TryReadUInt32(ref t, out uint ttl) && ttl <= byte.MaxValue) p.Ip.Ttl = (byte)ttl;
        }
        else if (TextScan.TryConsume(ref t, "id "))
        {
            if (TextScan.TryReadUInt16(ref t, out ushort id)) p.Ip.Identification = id;
        }
        else if (TextScan.TryConsume(ref t, "offset "))
        {
            // print-ip.c prints the fragment offset already multiplied by 8 (RFC 791 3.1: units of 8 octets).
            if (TextScan.TryReadUInt32(ref t, out uint offset) && offset <= ushort.MaxValue * 8)
            {
                p.Ip.FragmentOffset = (int)offset;
                if (offset != 0) p.Layers |= PacketLayers.Fragment;
            }
        }
        else if (TextScan.TryConsume(ref t, "flags ["))
        {
            // "DF", "+" (more fragments), "rsvd", joined by ", " (print-ip.c ip_frag_values).
            p.Ip.DontFragment = t.Contains("DF", StringComparison.Ordinal);
            p.Ip.MoreFragments = t.Contains('+');
            if (p.Ip.MoreFragments) p.Layers |= PacketLayers.Fragment;
        }
        else if (TextScan.TryConsume(ref t, "proto ") || TextScan.TryConsume(ref t, "next-header "))
        {
            ReadProtocolNumber(t, p);
        }
        else if (TextScan.TryConsume(ref t, "length "))
        {
            if (TextScan.TryReadUInt32(ref t, out uint length) && length <= ushort.MaxValue) p.Ip.TotalLength = (int)length;
        }
        else if (TextScan.TryConsume(ref t, "flowlabel "))
        {
            if (TextScan.TryReadHex(ref t, out uint label)) p.Ip.FlowLabel = label & 0xFFFFF;
        }
        else if (TextScan.TryConsume(ref t, "options "))
        {
            p.Ip.HasOptions = true;
        }
        if (version == 6)
        {
            // "payload length: 32" follows "next-header ICMPv6 (58)" without a comma in some versions.
            int at = item.IndexOf("payload length", StringComparison.Ordinal);
            if (at >= 0)
            {
                var u = item[(at + "payload length".Length)..];
                TextScan.TryConsume(ref u, ":");
                TextScan.SkipSpaces(ref u);
                if (TextScan.TryReadUInt32(ref u, out uint payload) && payload <= ushort.MaxValue)
                {
                    p.Ip.TotalLength = Ipv6HeaderLength + (int)payload;
                }
            }
        }
    }

    /// <summary>"UDP (17)": the number in parentheses is the protocol.</summary>
    private static void ReadProtocolNumber(ReadOnlySpan<char> t, DecodedPacket p)
    {
        int open = t.IndexOf('(');
        if (open < 0) return;
        var u = t[(open + 1)..];
        if (TextScan.TryReadUInt32(ref u, out uint proto) && proto <= byte.MaxValue) p.Ip.Protocol = (byte)proto;
    }

    /// <summary>Reads "src > dst:" and fills addresses, host names and ports.</summary>
    private static bool TryReadEndpoints(ref ReadOnlySpan<char> s, int version, DecodedPacket p, out bool hasPorts)
    {
        hasPorts = false;
        var t = TextScan.SkipSpaces(s);
        var srcToken = TextScan.ReadToken(ref t);
        TextScan.SkipSpaces(ref t);
        if (!TextScan.TryConsume(ref t, ">")) return false;
        TextScan.SkipSpaces(ref t);
        var dstToken = TextScan.ReadToken(ref t);
        if (dstToken.Length > 1 && dstToken[^1] == ':') dstToken = dstToken[..^1];
        else if (!TextScan.TryConsume(ref t, ":") && !t.IsEmpty) return false;
        if (!Endpoints.TryParse(srcToken, out var src) || !Endpoints.TryParse(dstToken, out var dst)) return false;

        int family = !src.Address.IsNone ? src.Address.Version : !dst.Address.IsNone ? dst.Address.Version : version;
        p.Ip.Version = (byte)family;
        p.Ip.Source = src.Address;
        p.Ip.Destination = dst.Address;
        p.Layers |= family == 6 ? PacketLayers.Ipv6 : PacketLayers.Ipv4;
        if (p.EtherType == 0 || p.EtherType is EtherType.Vlan or EtherType.QinQ or EtherType.QinQOld)
        {
            p.EtherType = family == 6 ? EtherType.Ipv6 : EtherType.Ipv4;
        }
        if (!src.Host.IsEmpty && p.Text.TryAppend(src.Host, out var srcHost)) p.SourceHost = srcHost;
        if (!dst.Host.IsEmpty && p.Text.TryAppend(dst.Host, out var dstHost)) p.DestinationHost = dstHost;
        if (src.HasPort || dst.HasPort)
        {
            p.SourcePort = src.Port;
            p.DestinationPort = dst.Port;
            if (!src.PortName.IsEmpty && p.Text.TryAppend(src.PortName, out var sp)) p.SourcePortName = sp;
            if (!dst.PortName.IsEmpty && p.Text.TryAppend(dst.PortName, out var dp)) p.DestinationPortName = dp;
        }
        hasPorts = src.HasPort || dst.HasPort;
        s = t;
        return true;
    }

    /// <summary>
    /// Reads the packet an ICMP error quotes, as tcpdump -v prints it on the next line
    /// ("IP (tos 0x0, ..., proto UDP (17), length 52) 192.0.2.1.52444 > 203.0.113.2.53: 35084+ A? ...").
    /// </summary>
    public static bool TryReadQuoted(ReadOnlySpan<char> s, ref QuotedPacket q)
    {
        // A quoted packet is read into a scratch packet; one level only (an error quoting an error is not followed).
        if (t_inQuoted) return false;
        int version;
        int at = TextScan.IndexOfWord(s, "IP6");
        int at4 = TextScan.IndexOfWord(s, "IP");
        if (at4 >= 0 && (at < 0 || at4 < at))
        {
            at = at4;
            version = 4;
            s = s[(at + 2)..];
        }
        else if (at >= 0)
        {
            version = 6;
            s = s[(at + 3)..];
        }
        else
        {
            return false;
        }
        var probe = t_scratch ??= new DecodedPacket();
        probe.Reset();
        t_inQuoted = true;
        try
        {
            if (!Parse(s, version, probe) || probe.Ip.Source.IsNone) return false;
        }
        finally
        {
            t_inQuoted = false;
        }
        q.Present = true;
        q.IpVersion = probe.Ip.Version;
        q.Source = probe.Ip.Source;
        q.Destination = probe.Ip.Destination;
        if (probe.Ip.Protocol != 0) q.Protocol = probe.Ip.Protocol;
        if (probe.Ip.TotalLength != 0) q.TotalLength = probe.Ip.TotalLength;
        if (probe.SourcePort != 0 || probe.DestinationPort != 0)
        {
            q.HasPorts = true;
            q.SourcePort = probe.SourcePort;
            q.DestinationPort = probe.DestinationPort;
        }
        if (probe.Has(PacketLayers.Dns))
        {
            q.HasDnsId = true;
            q.DnsId = probe.Dns.Id;
        }
        return true;
    }
}
