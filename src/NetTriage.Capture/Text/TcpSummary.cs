using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// TCP as print-tcp.c prints it: "Flags [S.], cksum 0x... (correct), seq 1:59, ack 1, win 5785, urg 0,
/// options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 58", then what the payload's printer adds.
/// </summary>
internal static class TcpSummary
{
    private const int MaxItems = 16;
    private const int MaxOptions = 40;

    /// <summary>Reads the text after "Flags [".</summary>
    public static void Parse(ReadOnlySpan<char> s, DecodedPacket p, bool hasPorts)
    {
        TransportSummary.SetProtocol(p, IpProtocol.Tcp);
        p.Layers |= PacketLayers.Tcp;
        int close = s.IndexOf(']');
        if (close < 0) return;
        p.Tcp.Flags = ReadFlags(s[..close]);
        s = s[(close + 1)..];

        bool sawLength = false;
        for (int i = 0; i < MaxItems; i++)
        {
            if (!TextScan.TryConsume(ref s, ", ")) break;
            if (TextScan.TryConsume(ref s, "length "))
            {
                if (TextScan.TryReadUInt32(ref s, out uint length)) p.PayloadClaimedLength = (int)Math.Min(length, int.MaxValue);
                sawLength = true;
                break;
            }
            var rest = s;
            TextScan.SkipToComma(ref rest);
            ReadItem(s[..(s.Length - rest.Length)], p);
            s = rest;
        }
        if (!sawLength)
        {
            if (s.Contains("[|tcp]", StringComparison.Ordinal))
            {
                p.Truncated = true;
                p.AddAnomaly(AnomalyKind.TcpHeaderTruncated);
            }
            return;
        }
        ReadPayload(s, p, hasPorts);
    }

    /// <summary>Flag letters of print-tcp.c tcp_flag_values: F S R P . U E W, and e for AE; "none" when none is set.</summary>
    public static TcpFlags ReadFlags(ReadOnlySpan<char> letters)
    {
        var flags = TcpFlags.None;
        if (letters is "none") return flags;
        foreach (char c in letters)
        {
            flags |= c switch
            {
                'F' => TcpFlags.Fin,
                'S' => TcpFlags.Syn,
                'R' => TcpFlags.Rst,
                'P' => TcpFlags.Psh,
                '.' => TcpFlags.Ack,
                'U' => TcpFlags.Urg,
                'E' => TcpFlags.Ece,
                'W' => TcpFlags.Cwr,
                'e' => TcpFlags.Ae,
                _ => TcpFlags.None,
            };
        }
        return flags;
    }

    private static void ReadItem(ReadOnlySpan<char> item, DecodedPacket p)
    {
        var t = item;
        if (TextScan.TryConsume(ref t, "seq "))
        {
            // "seq 1:59": first sequence number and the one after the last byte.
            if (TextScan.TryReadUInt32(ref t, out uint seq)) p.Tcp.Sequence = seq;
        }
        else if (TextScan.TryConsume(ref t, "ack "))
        {
            if (TextScan.TryReadUInt32(ref t, out uint ack)) p.Tcp.Acknowledgment = ack;
        }
        else if (TextScan.TryConsume(ref t, "win "))
        {
            if (TextScan.TryReadUInt32(ref t, out uint win)) p.Tcp.Window = (ushort)Math.Min(win, ushort.MaxValue);
        }
        else if (TextScan.TryConsume(ref t, "urg "))
        {
            if (TextScan.TryReadUInt16(ref t, out ushort urg)) p.Tcp.UrgentPointer = urg;
        }
        else if (TextScan.TryConsume(ref t, "options ["))
        {
            int close = TextScan.MatchingClose(item, item.Length - t.Length - 1);
            var list = close > 0 ? item[(item.Length - t.Length)..close] : t;
            ReadOptions(list, p);
        }
    }

    /// <summary>Options as print-tcp.c names them (RFC 9293 3.2 MSS, RFC 7323 wscale and TS, RFC 2018 sackOK and sack).</summary>
    private static void ReadOptions(ReadOnlySpan<char> list, DecodedPacket p)
    {
        for (int i = 0; i < MaxOptions && !list.IsEmpty; i++)
        {
            var o = TextScan.NextItem(ref list);
            if (TextScan.TryConsume(ref o, "mss "))
            {
                if (TextScan.TryReadUInt16(ref o, out ushort mss))
                {
                    p.Tcp.HasMss = true;
                    p.Tcp.Mss = mss;
                }
            }
            else if (TextScan.TryConsume(ref o, "wscale "))
            {
                if (TextScan.TryReadUInt32(ref o, out uint ws) && ws <= byte.MaxValue)
                {
                    p.Tcp.HasWindowScale = true;
                    p.Tcp.WindowScale = (byte)ws;
                }
            }
            else if (o is "sackOK")
            {
                p.Tcp.SackPermitted = true;
            }
            else if (TextScan.TryConsume(ref o, "TS val "))
            {
                if (TextScan.TryReadUInt32(ref o, out uint val))
                {
                    p.Tcp.HasTimestamp = true;
                    p.Tcp.TsValue = val;
                    if (TextScan.TryConsume(ref o, " ecr ") && TextScan.TryReadUInt32(ref o, out uint ecr)) p.Tcp.TsEcho = ecr;
                }
            }
            else if (TextScan.TryConsume(ref o, "sack "))
            {
                if (TextScan.TryReadUInt32(ref o, out uint blocks)) p.Tcp.SackBlockCount = (byte)Math.Min(blocks, byte.MaxValue);
            }
        }
    }

    /// <summary>After "length N": DNS over TCP (no colon), or ": " and the application printer's summary.</summary>
    private static void ReadPayload(ReadOnlySpan<char> s, DecodedPacket p, bool hasPorts)
    {
        bool colon = TextScan.TryConsume(ref s, ":");
        s = TextScan.SkipSpaces(s);
        if (s.IsEmpty) return;
        if (TextScan.StartsWith(s, "[|tcp]"))
        {
            p.Truncated = true;
            p.AddAnomaly(AnomalyKind.TcpHeaderTruncated);
            return;
        }
        bool dnsPort = TransportSummary.IsDnsPort(p.SourcePort) || TransportSummary.IsDnsPort(p.DestinationPort);
        if (!colon && hasPorts && TextScan.IsDigit(s[0]) && (dnsPort || DnsSummary.LooksLikeDns(s)))
        {
            if (DnsSummary.Parse(s, p, overTcp: true, strict: !dnsPort) && p.Dns.Incomplete) p.Truncated = true;
            return;
        }
        if (colon && TextScan.StartsWith(s, "HTTP"))
        {
            HttpSummary.Parse(s, p);
        }
    }

    /// <summary>
    /// The format of tcpdump before 4.0: "S 928549246:928549246(0) win 32767 &lt;mss 16396&gt;",
    /// ". ack 1 win 8192", "P 1:203(202) ack 1 win 8192".
    /// </summary>
    public static bool TryParseClassic(ReadOnlySpan<char> s, DecodedPacket p)
    {
        var t = s;
        var flags = TextScan.ReadToken(ref t);
        if (flags.IsEmpty || flags.Length > 8) return false;
        foreach (char c in flags)
        {
            if (c is not ('S' or 'F' or 'R' or 'P' or 'U' or 'E' or 'W' or '.')) return false;
        }
        TextScan.SkipSpaces(ref t);
        var u = t;
        uint length = 0;
        bool hasSeq = TextScan.TryReadUInt32(ref u, out uint seq) && TextScan.TryConsume(ref u, ":")
            && TextScan.TryReadUInt32(ref u, out _) && TextScan.TryConsume(ref u, "(")
            && TextScan.TryReadUInt32(ref u, out length) && TextScan.TryConsume(ref u, ")");
        if (!hasSeq && !TextScan.StartsWith(t, "ack ") && !TextScan.StartsWith(t, "win ")) return false;

        TransportSummary.SetProtocol(p, IpProtocol.Tcp);
        p.Layers |= PacketLayers.Tcp;
        // The old printer wrote "." for a segment with no flag but ACK, and the ACK flag as "ack N".
        p.Tcp.Flags = ReadFlags(flags is "." ? "" : flags);
        if (hasSeq)
        {
            p.Tcp.Sequence = seq;
            p.PayloadClaimedLength = (int)Math.Min(length, int.MaxValue);
            t = u;
        }
        for (int i = 0; i < MaxItems; i++)
        {
            TextScan.SkipSpaces(ref t);
            if (TextScan.TryConsume(ref t, "ack "))
            {
                if (TextScan.TryReadUInt32(ref t, out uint ack))
                {
                    p.Tcp.Acknowledgment = ack;
                    p.Tcp.Flags |= TcpFlags.Ack;
                }
            }
            else if (TextScan.TryConsume(ref t, "win "))
            {
                if (TextScan.TryReadUInt32(ref t, out uint win)) p.Tcp.Window = (ushort)Math.Min(win, ushort.MaxValue);
            }
            else if (t.Length > 0 && t[0] == '<')
            {
                int close = t.IndexOf('>');
                if (close < 0) break;
                ReadOptions(t[1..close], p);
                t = t[(close + 1)..];
            }
            else
            {
                break;
            }
        }
        return true;
    }
}
