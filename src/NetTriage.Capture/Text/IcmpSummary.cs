using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// ICMP (print-icmp.c, RFC 792) and ICMPv6 (print-icmp6.c, RFC 4443, RFC 4861) summaries mapped back to type and code.
/// For errors the quoted packet is rebuilt from what tcpdump names: the quoted destination, protocol and port;
/// the quoted source is the host the error was sent to (the outer destination). With -v, tcpdump prints the quoted
/// packet itself on the next line and its addresses and ports are read from there.
/// </summary>
internal static class IcmpSummary
{
    private const byte EchoReply = 0, Unreachable = 3, SourceQuench = 4, Redirect = 5, Echo = 8, RouterAdvert = 9,
        RouterSolicit = 10, TimeExceeded = 11, ParamProblem = 12, TimestampRequest = 13, TimestampReply = 14,
        InfoRequest = 15, InfoReply = 16, MaskRequest = 17, MaskReply = 18, ExtendedEcho = 42, ExtendedEchoReply = 43;

    /// <summary>Suffixes of print-icmp.c unreach2str after "X unreachable", with their codes (RFC 792, RFC 1812 5.2.7.1).</summary>
    private static readonly (string Suffix, byte NetCode, byte HostCode)[] UnreachableSuffixes =
    [
        (" - admin prohibited filter", 13, 13),
        (" - admin prohibited", 9, 10),
        (" - tos prohibited", 11, 12),
        (" - unknown", 6, 7),
        (" - host precedence violation", 14, 14),
        (" - precedence cutoff", 15, 15),
    ];

    /// <summary>ICMP message names of print-icmp.c icmp2str and the printer's own phrases, longest first where one prefixes another.</summary>
    private static readonly (string Phrase, byte Type, byte Code)[] V4Phrases =
    [
        ("echo request", Echo, 0),
        ("echo reply", EchoReply, 0),
        ("extended echo request", ExtendedEcho, 0),
        ("extended echo reply", ExtendedEchoReply, 0),
        ("time exceeded in-transit", TimeExceeded, 0),
        ("ip reassembly time exceeded", TimeExceeded, 1),
        ("source quench", SourceQuench, 0),
        ("router solicitation", RouterSolicit, 0),
        ("router advertisement", RouterAdvert, 0),
        ("time stamp query", TimestampRequest, 0),
        ("time stamp request", TimestampRequest, 0),
        ("time stamp reply", TimestampReply, 0),
        ("information request", InfoRequest, 0),
        ("information reply", InfoReply, 0),
        ("address mask request", MaskRequest, 0),
        ("address mask is", MaskReply, 0),
    ];

    /// <summary>print-icmp6.c icmp6_type_values (RFC 4443 2.1, RFC 4861 4, RFC 3810, RFC 4286, RFC 8335).</summary>
    private static readonly (string Phrase, byte Type)[] V6Types =
    [
        ("destination unreachable", 1),
        ("packet too big", 2),
        ("time exceeded in-transit", 3),
        ("time exceeded", 3),
        ("parameter problem", 4),
        ("echo request", 128),
        ("echo reply", 129),
        ("multicast listener query", 130),
        ("multicast listener report v2", 143),
        ("multicast listener report", 131),
        ("multicast listener done", 132),
        ("router solicitation", 133),
        ("router advertisement", 134),
        ("neighbor solicitation", 135),
        ("neighbor advertisement", 136),
        ("redirect", 137),
        ("router renumbering", 138),
        ("node information query", 139),
        ("node information reply", 140),
        ("inverse neighbor solicitation", 141),
        ("inverse neighbor advertisement", 142),
        ("ha discovery request", 144),
        ("ha discovery reply", 145),
        ("mobile router solicitation", 146),
        ("mobile router advertisement", 147),
        ("RPL", 155),
        ("extended echo request", 160),
        ("extended echo reply", 161),
        ("mtrace response", 200),
        ("mtrace message", 201),
    ];

    /// <summary>print-icmp6.c icmp6_dst_unreach_code_values (RFC 4443 3.1).</summary>
    private static readonly (string Phrase, byte Code)[] V6UnreachableCodes =
    [
        ("unreachable route", 0),
        ("unreachable prohibited", 1),
        ("beyond scope", 2),
        ("unreachable address", 3),
        ("unreachable port", 4),
    ];

    /// <summary>print-icmp6.c parameter problem phrases (RFC 4443 3.4, RFC 7112).</summary>
    private static readonly (string Phrase, byte Code)[] V6ParamCodes =
    [
        ("erroneous - octet ", 0),
        ("next header - octet ", 1),
        ("option - octet ", 2),
        ("incomplete header chain - octet ", 3),
    ];

    /// <summary>
    /// Reads the text after "ICMP ". The message's own "length N" is the first one: -v prints the quoted packet and
    /// options, with lengths of their own, after it.
    /// </summary>
    public static void ParseV4(ReadOnlySpan<char> s, DecodedPacket p)
    {
        TransportSummary.SetProtocol(p, IpProtocol.Icmp);
        if (TextScan.TryFindLength(s, out int length)) p.PayloadClaimedLength = length;
        NoteTruncation(s, p, AnomalyKind.IcmpTruncated);
        p.Icmp.IsV6 = false;
        if (!ReadV4Message(ref s, p))
        {
            // A message this reader cannot name: the ICMP layer stays unset rather than look like an echo reply (type 0).
            p.Icmp = default;
            return;
        }
        p.Layers |= PacketLayers.Icmp;
        if (p.Icmp.IsError) ReadQuotedFromVerbose(s, p);
    }

    /// <summary>tcpdump's "[|icmp]" / "[|icmp6]": the capture ended inside the message.</summary>
    private static void NoteTruncation(ReadOnlySpan<char> s, DecodedPacket p, AnomalyKind kind)
    {
        if (s.Contains("[|icmp", StringComparison.Ordinal))
        {
            p.Truncated = true;
            p.AddAnomaly(kind);
        }
    }

    private static bool ReadV4Message(ref ReadOnlySpan<char> s, DecodedPacket p)
    {
        foreach (var (phrase, type, code) in V4Phrases)
        {
            var t = s;
            if (!TextScan.TryConsume(ref t, phrase)) continue;
            if (!t.IsEmpty && char.IsAsciiLetter(t[0])) continue;
            p.Icmp.Type = type;
            p.Icmp.Code = code;
            ReadIdSeq(ref t, p);
            if (type == MaskReply)
            {
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryReadHex(ref t, out uint mask)) p.Icmp.Parameter = mask;
            }
            if (p.Icmp.IsError) StartQuote(p, 4, default);
            s = t;
            return true;
        }

        var u = s;
        if (TextScan.TryConsume(ref u, "time exceeded-#"))
        {
            p.Icmp.Type = TimeExceeded;
            if (TextScan.TryReadUInt32(ref u, out uint c) && c <= byte.MaxValue) p.Icmp.Code = (byte)c;
            StartQuote(p, 4, default);
            s = u;
            return true;
        }
        if (TextScan.TryConsume(ref u, "parameter problem - "))
        {
            p.Icmp.Type = ParamProblem;
            if (TextScan.TryConsume(ref u, "octet ") && TextScan.TryReadUInt32(ref u, out uint pointer)) p.Icmp.Parameter = pointer;
            else if (TextScan.TryConsume(ref u, "code ") && TextScan.TryReadUInt32(ref u, out uint code) && code <= byte.MaxValue) p.Icmp.Code = (byte)code;
            StartQuote(p, 4, default);
            s = u;
            return true;
        }
        if (TextScan.TryConsume(ref u, "type-#"))
        {
            if (TextScan.TryReadUInt32(ref u, out uint type) && type <= byte.MaxValue) p.Icmp.Type = (byte)type;
            s = u;
            return true;
        }
        return TryReadRedirect(ref s, p) || TryReadUnreachable(ref s, p);
    }

    /// <summary>", id N, seq N" of echo and extended echo; "id N seq N" of time stamps.</summary>
    private static void ReadIdSeq(ref ReadOnlySpan<char> t, DecodedPacket p)
    {
        var u = t;
        TextScan.TryConsume(ref u, ",");
        TextScan.SkipSpaces(ref u);
        if (!TextScan.TryConsume(ref u, "id ") || !TextScan.TryReadUInt16(ref u, out ushort id)) return;
        p.Icmp.Identifier = id;
        TextScan.TryConsume(ref u, ",");
        TextScan.SkipSpaces(ref u);
        if (TextScan.TryConsume(ref u, "seq ") && TextScan.TryReadUInt16(ref u, out ushort seq)) p.Icmp.Sequence = seq;
        t = u;
    }

    /// <summary>"redirect X to net Y", "redirect X to host Y", "redirect-tos X to net|host Y", "redirect-#N X to Y" (RFC 792 p.12).</summary>
    private static bool TryReadRedirect(ref ReadOnlySpan<char> s, DecodedPacket p)
    {
        var t = s;
        bool tos = false;
        int code = -1;
        if (TextScan.TryConsume(ref t, "redirect-tos ")) tos = true;
        else if (TextScan.TryConsume(ref t, "redirect-#"))
        {
            if (!TextScan.TryReadUInt32(ref t, out uint c) || c > byte.MaxValue || !TextScan.TryConsume(ref t, " ")) return false;
            code = (int)c;
        }
        else if (!TextScan.TryConsume(ref t, "redirect ")) return false;

        var target = TextScan.ReadToken(ref t);
        TextScan.SkipSpaces(ref t);
        if (!TextScan.TryConsume(ref t, "to ")) return false;
        bool host = false;
        if (code < 0)
        {
            if (TextScan.TryConsume(ref t, "host ")) host = true;
            else if (!TextScan.TryConsume(ref t, "net ")) return false;
            code = (tos ? 2 : 0) + (host ? 1 : 0);
        }
        var gateway = TextScan.ReadToken(ref t);
        if (gateway.Length > 0 && gateway[^1] == ',') gateway = gateway[..^1];
        p.Icmp.Type = Redirect;
        p.Icmp.Code = (byte)code;
        if (Endpoints.TryParseAddress(gateway, out var gw)) p.Icmp.Gateway = gw;
        Endpoints.TryParseAddress(target, out var dst);
        StartQuote(p, 4, dst);
        s = t;
        return true;
    }

    /// <summary>
    /// print-icmp.c destination unreachable forms (RFC 792 p.4, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1):
    /// "net X unreachable" (0), "host X unreachable" (1), "X protocol N unreachable" (2),
    /// "X udp|tcp port P unreachable" and "X protocol N port P unreachable" (3), "X unreachable - need to frag (mtu N)" (4),
    /// "X unreachable - source route failed" (5), "- unknown" (6/7), "X unreachable - source host isolated" (8),
    /// "- admin prohibited" (9/10), "- tos prohibited" (11/12), "- admin prohibited filter" (13),
    /// "- host precedence violation" (14), "- precedence cutoff" (15), "#N X unreachable" (N).
    /// </summary>
    private static bool TryReadUnreachable(ref ReadOnlySpan<char> s, DecodedPacket p)
    {
        var t = s;
        var first = TextScan.ReadToken(ref t);
        TextScan.SkipSpaces(ref t);
        int kind; // 0 net, 1 host, 2 other
        int code = -1;
        ReadOnlySpan<char> target;
        if (first is "net" or "host")
        {
            kind = first is "net" ? 0 : 1;
            target = TextScan.ReadToken(ref t);
            TextScan.SkipSpaces(ref t);
        }
        else if (first.Length > 1 && first[0] == '#' && TextScan.TryParseUInt32(first[1..], out uint numbered) && numbered <= byte.MaxValue)
        {
            kind = 2;
            code = (int)numbered;
            target = TextScan.ReadToken(ref t);
            TextScan.SkipSpaces(ref t);
        }
        else
        {
            kind = 2;
            target = first;
        }
        if (!Endpoints.TryParse(target, out var dst) || dst.HasPort) return false;

        byte protocol = 0;
        bool hasPort = false;
        ushort port = 0;
        if (kind == 2 && code < 0)
        {
            if (TryReadPortPhrase(ref t, out protocol))
            {
                hasPort = true;
                port = ReadPort(ref t);
                TextScan.SkipSpaces(ref t);
                code = 3;
            }
            else if (TextScan.TryConsume(ref t, "protocol "))
            {
                if (!TextScan.TryReadUInt32(ref t, out uint proto) || proto > byte.MaxValue) return false;
                protocol = (byte)proto;
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryConsume(ref t, "port "))
                {
                    hasPort = TextScan.TryReadUInt16(ref t, out port);
                    TextScan.SkipSpaces(ref t);
                    code = 3;
                }
                else
                {
                    code = 2;
                }
            }
        }
        if (!TextScan.TryConsume(ref t, "unreachable")) return false;

        if (code < 0)
        {
            code = kind;
            if (TextScan.StartsWith(t, " - need to frag"))
            {
                code = 4;
                t = t[" - need to frag".Length..];
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryConsume(ref t, "(mtu ") && TextScan.TryReadUInt32(ref t, out uint mtu)) p.Icmp.Parameter = mtu;
            }
            else if (TextScan.StartsWith(t, " - source route failed")) code = 5;
            else if (TextScan.StartsWith(t, " - source host isolated")) code = 8;
            else
            {
                foreach (var (suffix, netCode, hostCode) in UnreachableSuffixes)
                {
                    if (TextScan.StartsWith(t, suffix))
                    {
                        code = kind == 0 ? netCode : hostCode;
                        break;
                    }
                }
            }
            if (code == 2) return false;
        }

        p.Icmp.Type = Unreachable;
        p.Icmp.Code = (byte)code;
        StartQuote(p, 4, dst.Address);
        if (protocol != 0) p.Icmp.Quoted.Protocol = protocol;
        if (hasPort)
        {
            p.Icmp.Quoted.HasPorts = true;
            p.Icmp.Quoted.DestinationPort = port;
        }
        s = t;
        return true;
    }

    /// <summary>"udp port " or "tcp port ": the quoted packet's protocol.</summary>
    private static bool TryReadPortPhrase(ref ReadOnlySpan<char> t, out byte protocol)
    {
        protocol = TextScan.TryConsume(ref t, "udp port ") ? IpProtocol.Udp
            : TextScan.TryConsume(ref t, "tcp port ") ? IpProtocol.Tcp : (byte)0;
        return protocol != 0;
    }

    /// <summary>A port printed as a number or a service name (0 when the name is unknown).</summary>
    private static ushort ReadPort(ref ReadOnlySpan<char> t)
    {
        var token = TextScan.ReadToken(ref t);
        if (token.Length > 0 && token[^1] == ',') token = token[..^1];
        if (TextScan.TryParseUInt32(token, out uint n) && n <= ushort.MaxValue) return (ushort)n;
        return ServicePorts.TryGetPort(token, out ushort named) ? named : (ushort)0;
    }

    /// <summary>
    /// The quoted packet as far as the one-line summary tells: the original went from the host the error was sent
    /// to (the outer destination) towards <paramref name="destination"/>.
    /// </summary>
    private static void StartQuote(DecodedPacket p, byte version, IpAddr destination)
    {
        ref var q = ref p.Icmp.Quoted;
        q.Present = true;
        q.IpVersion = version;
        q.Source = p.Ip.Destination;
        q.Destination = destination;
        // Only what was printed is known: the quote's ports beyond the destination port are not.
        q.Truncated = false;
    }

    /// <summary>With -v, tcpdump prints the quoted packet after the ICMP summary; read its addresses, ports and DNS id.</summary>
    private static void ReadQuotedFromVerbose(ReadOnlySpan<char> s, DecodedPacket p)
    {
        var quoted = p.Icmp.Quoted;
        if (!IpSummary.TryReadQuoted(s, ref quoted)) return;
        p.Icmp.Quoted = quoted;
    }

    /// <summary>Reads the text after "ICMP6, ".</summary>
    public static void ParseV6(ReadOnlySpan<char> s, DecodedPacket p)
    {
        TransportSummary.SetProtocol(p, IpProtocol.Icmpv6);
        NoteTruncation(s, p, AnomalyKind.Icmpv6Truncated);
        p.Icmp.IsV6 = true;
        s = TextScan.SkipSpaces(s);
        if (TextScan.TryFindLength(s, out int length)) p.PayloadClaimedLength = length;
        var t = s;
        bool known = false;
        foreach (var (phrase, type) in V6Types)
        {
            var u = s;
            if (!TextScan.TryConsume(ref u, phrase)) continue;
            if (!u.IsEmpty && char.IsAsciiLetter(u[0])) continue;
            p.Icmp.Type = type;
            t = u;
            known = true;
            break;
        }
        if (!known)
        {
            var u = s;
            if (TextScan.TryConsume(ref u, "unknown icmp6 type (") && TextScan.TryReadUInt32(ref u, out uint type) && type <= byte.MaxValue)
            {
                p.Icmp.Type = (byte)type;
                t = u;
                known = true;
            }
        }
        if (!known)
        {
            p.Icmp = default;
            return;
        }
        p.Layers |= PacketLayers.Icmpv6;
        ReadV6Detail(ref t, p);
        if (p.Icmp.IsError) ReadQuotedFromVerbose(t, p);
    }

    private static void ReadV6Detail(ref ReadOnlySpan<char> t, DecodedPacket p)
    {
        switch (p.Icmp.Type)
        {
            case 1:
                ReadV6Unreachable(ref t, p);
                break;
            case 2:
                StartQuote(p, 6, default);
                if (TrySkipTo(ref t, "mtu ") && TextScan.TryReadUInt32(ref t, out uint mtu)) p.Icmp.Parameter = mtu;
                break;
            case 3:
                StartQuote(p, 6, default);
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryConsume(ref t, "for "))
                {
                    var target = TextScan.ReadToken(ref t);
                    if (target.Length > 0 && target[^1] == ',') target = target[..^1];
                    if (Endpoints.TryParseAddress(target, out var dst)) p.Icmp.Quoted.Destination = dst;
                }
                else if (TextScan.StartsWith(t, "(reassembly)"))
                {
                    p.Icmp.Code = 1;
                }
                else if (TrySkipTo(ref t, "unknown code (") && TextScan.TryReadUInt32(ref t, out uint code) && code <= byte.MaxValue)
                {
                    p.Icmp.Code = (byte)code;
                }
                break;
            case 4:
                StartQuote(p, 6, default);
                TextScan.TryConsume(ref t, ", ");
                foreach (var (phrase, code) in V6ParamCodes)
                {
                    if (TextScan.TryConsume(ref t, phrase))
                    {
                        p.Icmp.Code = code;
                        if (TextScan.TryReadUInt32(ref t, out uint pointer)) p.Icmp.Parameter = pointer;
                        return;
                    }
                }
                if (TextScan.TryConsume(ref t, "code-#") && TextScan.TryReadUInt32(ref t, out uint other) && other <= byte.MaxValue)
                {
                    p.Icmp.Code = (byte)other;
                }
                break;
            case 128:
            case 129:
            case 160:
            case 161:
                ReadIdSeq(ref t, p);
                break;
            case 135:
                // -v puts ", length N" before the target.
                if (TrySkipTo(ref t, "who has ")) ReadNdTarget(ref t, p);
                break;
            case 136:
                if (TrySkipTo(ref t, "tgt is ")) ReadNdTarget(ref t, p);
                break;
            case 137:
                // "redirect, X to Y": X is the redirected destination, Y the better first hop (RFC 4861 4.5).
                TextScan.TryConsume(ref t, ", ");
                TextScan.ReadToken(ref t);
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryConsume(ref t, "to ")) ReadNdTarget(ref t, p);
                break;
        }
    }

    /// <summary>The target of a neighbor solicitation/advertisement (RFC 4861 4.3, 4.4), kept in <see cref="IcmpInfo.Gateway"/>.</summary>
    private static void ReadNdTarget(ref ReadOnlySpan<char> t, DecodedPacket p)
    {
        var target = TextScan.ReadToken(ref t);
        if (target.Length > 0 && target[^1] == ',') target = target[..^1];
        if (Endpoints.TryParseAddress(target, out var address)) p.Icmp.Gateway = address;
    }

    /// <summary>
    /// "destination unreachable, unreachable port, 2001:db8::1 udp port 53", ", unreachable route 2001:db8::1",
    /// ", beyond scope X, source address Y", ", X protocol N port P unreachable" (RFC 4443 3.1 codes).
    /// </summary>
    private static void ReadV6Unreachable(ref ReadOnlySpan<char> t, DecodedPacket p)
    {
        StartQuote(p, 6, default);
        TextScan.TryConsume(ref t, ",");
        TextScan.SkipSpaces(ref t);
        bool found = false;
        foreach (var (phrase, code) in V6UnreachableCodes)
        {
            if (TextScan.TryConsume(ref t, phrase))
            {
                p.Icmp.Code = code;
                found = true;
                break;
            }
        }
        if (!found)
        {
            if (TextScan.TryConsume(ref t, "unknown unreach code (") && TextScan.TryReadUInt32(ref t, out uint c) && c <= byte.MaxValue)
            {
                p.Icmp.Code = (byte)c;
            }
            return;
        }
        TextScan.TryConsume(ref t, ",");
        TextScan.SkipSpaces(ref t);
        var target = TextScan.ReadToken(ref t);
        if (target.Length > 0 && target[^1] == ',') target = target[..^1];
        if (Endpoints.TryParseAddress(target, out var dst)) p.Icmp.Quoted.Destination = dst;
        TextScan.SkipSpaces(ref t);
        ref var q = ref p.Icmp.Quoted;
        if (TryReadPortPhrase(ref t, out byte protocol))
        {
            q.Protocol = protocol;
            q.DestinationPort = ReadPort(ref t);
            q.HasPorts = true;
        }
        else if (TextScan.TryConsume(ref t, "protocol "))
        {
            if (TextScan.TryReadUInt32(ref t, out uint proto) && proto <= byte.MaxValue) q.Protocol = (byte)proto;
            TextScan.SkipSpaces(ref t);
            if (TextScan.TryConsume(ref t, "port ") && TextScan.TryReadUInt16(ref t, out ushort port))
            {
                q.DestinationPort = port;
                q.HasPorts = true;
            }
        }
    }

    private static bool TrySkipTo(ref ReadOnlySpan<char> t, ReadOnlySpan<char> marker)
    {
        int at = t.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return false;
        t = t[(at + marker.Length)..];
        return true;
    }
}
