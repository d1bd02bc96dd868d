using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// conn.log's rules as Zeek's TCP, UDP and ICMP analyzers and its conn script apply them: the TCP endpoint state
/// machine, the connection state summary, the history letters, the sizes from the sequence space. One home for what a
/// connection looks like in the log; <see cref="ZeekLogWriter"/> keeps the table of live connections.
/// </summary>
internal static class ZeekConnLog
{
    public static readonly ZeekField[] Fields =
    [
        new("ts", "time"), new("uid", "string"),
        new("id.orig_h", "addr"), new("id.orig_p", "port"), new("id.resp_h", "addr"), new("id.resp_p", "port"),
        new("proto", "enum"), new("service", "string"), new("duration", "interval"),
        new("orig_bytes", "count"), new("resp_bytes", "count"), new("conn_state", "string"),
        new("local_orig", "bool"), new("local_resp", "bool"), new("missed_bytes", "count"), new("history", "string"),
        new("orig_pkts", "count"), new("orig_ip_bytes", "count"), new("resp_pkts", "count"), new("resp_ip_bytes", "count"),
        new("tunnel_parents", "set[string]"), new("ip_proto", "count"),
    ];

    /// <summary>
    /// Ports on which the first packet of a connection is taken to come from the server, so the connection is logged the
    /// other way round (Zeek's likely_server_ports: the well-known ports of the protocols it analyses). A flow whose
    /// first captured packet comes from port 53 to an ephemeral port is the answer of a query the capture missed.
    /// </summary>
    private static readonly HashSet<ushort> LikelyServerPorts =
    [
        21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 111, 123, 135, 137, 139, 143, 161, 179, 389, 443, 445, 465, 502, 514,
        587, 636, 993, 995, 1080, 1194, 1433, 1521, 1812, 1813, 2049, 2152, 2123, 3128, 3306, 3389, 3544, 4789, 5060,
        5061, 5072, 5353, 5355, 5432, 6081, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8443, 8888, 9200, 11211, 27017,
    ];

    public static bool IsLikelyServerPort(ushort port) => LikelyServerPorts.Contains(port);

    /// <summary>
    /// The first packet of a TCP or UDP flow came from its server: log it the other way round. TCP: a SYN-ACK always, a
    /// plain SYN never; without a SYN, when the source port is a server's and the destination's is not (both a server's:
    /// the lower one). UDP: the source port a server's, the destination's not.
    /// </summary>
    public static bool ShouldFlip(DecodedPacket p, bool tcp)
    {
        bool fromServer = IsLikelyServerPort(p.SourcePort);
        if (!tcp) return fromServer && !IsLikelyServerPort(p.DestinationPort);
        var flags = p.Tcp.Flags;
        if ((flags & TcpFlags.Syn) != 0) return (flags & TcpFlags.Ack) != 0;
        if (!fromServer) return false;
        return !IsLikelyServerPort(p.DestinationPort) || p.SourcePort < p.DestinationPort;
    }

    /// <summary>Unwraps a 32-bit sequence number relative to <paramref name="start"/> near <paramref name="reference"/>.</summary>
    private static long Relative(uint seq, uint start, long reference)
    {
        uint rel = seq - start;
        return reference + (int)(rel - (uint)reference);
    }

    /// <summary>One TCP segment from the side <paramref name="fromOrig"/> says.</summary>
    public static void Tcp(ZeekConnection c, DecodedPacket p, bool fromOrig)
    {
        ref var e = ref fromOrig ? ref c.Orig : ref c.Resp;
        ref var peer = ref fromOrig ? ref c.Resp : ref c.Orig;
        var flags = p.Tcp.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
        bool fin = (flags & TcpFlags.Fin) != 0, rst = (flags & TcpFlags.Rst) != 0;
        int len = rst ? 0 : p.PayloadClaimedLength;
        uint seq = p.Tcp.Sequence;

        // Sequence space: the start is the SYN's number, or one before the first segment's (as if a SYN had come). Set
        // again while the side is inactive (its first packets, or a start the peer's acknowledgments guessed), as Zeek's
        // init_endpoint does.
        if (!e.SeqKnown || e.State == TcpEndpointState.Inactive)
        {
            e.SeqKnown = true;
            e.StartSeq = syn ? seq : seq - 1;
            e.AckedByPeer = -1;
            e.HighestEnd = 0;
            e.Holes = 0;
        }
        long rel = Relative(seq, e.StartSeq, e.HighestEnd);
        long dataStart = rel + (syn ? 1 : 0);
        long end = dataStart + len + (fin ? 1 : 0);
        bool retransmit = false;
        if (e.State != TcpEndpointState.Reset)
        {
            if (len > 0)
            {
                if (dataStart < e.HighestEnd)
                {
                    // Below what was seen: a hole being filled, or a retransmission. Zeek counts either as a
                    // retransmission when the segment ends at or before the highest seen (its update_last_seq).
                    FillHole(ref e, dataStart, dataStart + len);
                    if (end <= e.HighestEnd) retransmit = true;
                }
                else if (dataStart > e.HighestEnd && e.HighestEnd > 0)
                {
                    OpenHole(ref e, e.HighestEnd, dataStart);
                }
            }
            else if (fin && !syn && dataStart > e.HighestEnd && e.HighestEnd > 0)
            {
                // A FIN past the data seen: what it closes was sent and never captured.
                OpenHole(ref e, e.HighestEnd, dataStart);
            }
            if (end > e.HighestEnd) e.HighestEnd = end;
        }
        if (ack && peer.State == TcpEndpointState.Inactive)
        {
            // The peer's data is acknowledged while the peer is not seen: its sequence space starts at each such
            // acknowledgment (Zeek's init_peer), so a side never captured (a half-duplex capture) has sent nothing.
            peer.SeqKnown = true;
            peer.StartSeq = p.Tcp.Acknowledgment - 1;
            peer.AckedByPeer = -1;
            peer.HighestEnd = 1;
        }
        else if (ack && !rst)
        {
            long acked = Relative(p.Tcp.Acknowledgment, peer.StartSeq, peer.HighestEnd);
            if (acked > peer.AckedByPeer)
            {
                peer.AckedByPeer = acked;
                if (!fin && c.Service is not null && !c.Partial && Gap(ref peer, acked)) c.AddCounted('G', !fromOrig, ref peer.Gaps);
            }
        }

        // Zeek's is_partial (the capture missed the start): set by each side's first segment, the originator's unless it
        // is a plain SYN, the responder's unless it is a SYN; undone when a pure ACK completes a handshake whose SYN was
        // missed (a SYN-ACK, then the originator's ACK).
        if (fromOrig && (c.Orig.Packets == 1)) c.Partial = !syn || ack;
        else if (!fromOrig && c.Resp.Packets == 1 && !c.Partial) c.Partial = !syn;
        var before = e.State;
        History(c, ref e, peer, p, fromOrig, syn, ack, fin, rst, len, rel, retransmit);
        UpdateState(ref e, ref peer, fromOrig, syn, ack, fin, rst, len);
        if (before == TcpEndpointState.Inactive && e.State == TcpEndpointState.Established && !syn) c.Partial = false;
        if (fin) e.FinSeen = true;
        if (fin || rst) e.FinOrReset = true;
        if (syn && !ack) e.SynSeen = true;
    }

    private static void History(ZeekConnection c, ref ZeekEndpoint e, in ZeekEndpoint peer, DecodedPacket p, bool fromOrig, bool syn, bool ack, bool fin, bool rst, int len, long rel, bool retransmit)
    {
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1)
        {
            var flag = fin && rst ? HistoryFlags.Inconsistent : HistoryFlags.MultiFlag;
            if ((e.Once & flag) == 0)
            {
                e.Once |= flag;
                c.AddHistory(flag == HistoryFlags.Inconsistent ? 'I' : 'Q', fromOrig);
            }
        }
        else if (syn)
        {
            if (!e.SynLetter || e.LastSynSeq != rel) c.AddHistory(ack ? 'H' : 'S', fromOrig);
            e.SynLetter = true;
            e.LastSynSeq = rel;
        }
        else if (fin)
        {
            long at = rel + len;
            if (!e.FinLetter || e.LastFinSeq != at) c.AddHistory('F', fromOrig);
            e.FinLetter = true;
            e.LastFinSeq = at;
        }
        else if (rst)
        {
            if (!e.RstLetter || e.LastRstSeq != rel) c.AddHistory('R', fromOrig);
            e.RstLetter = true;
            e.LastRstSeq = rel;
        }
        else if (len > 0)
        {
            if ((e.Once & HistoryFlags.Data) == 0)
            {
                e.Once |= HistoryFlags.Data;
                c.AddHistory('D', fromOrig);
            }
        }
        else if (ack && (e.Once & HistoryFlags.Ack) == 0)
        {
            e.Once |= HistoryFlags.Ack;
            c.AddHistory('A', fromOrig);
        }
        if (retransmit) c.AddCounted('T', fromOrig, ref e.Retransmits);
        if (p.Tcp.Window == 0 && !rst && !peer.FinOrReset && e.State != TcpEndpointState.Reset) c.AddCounted('W', fromOrig, ref e.ZeroWindows);
    }

    /// <summary>Zeek's TCP endpoint state machine, for the states conn_state reads.</summary>
    private static void UpdateState(ref ZeekEndpoint e, ref ZeekEndpoint peer, bool fromOrig, bool syn, bool ack, bool fin, bool rst, int len)
    {
        var before = e.State;
        switch (e.State)
        {
            case TcpEndpointState.Inactive:
                if (syn)
                {
                    if (fromOrig)
                    {
                        e.State = ack ? TcpEndpointState.SynAckSent : TcpEndpointState.SynSent;
                    }
                    else
                    {
                        // The responder's SYN answers the originator's: both are established.
                        if (peer.State == TcpEndpointState.SynSent) peer.State = TcpEndpointState.Established;
                        e.State = TcpEndpointState.Established;
                    }
                }
                if (fin) e.State = TcpEndpointState.Closed;
                else if (rst) e.State = TcpEndpointState.Reset;
                else if (e.State == TcpEndpointState.Inactive)
                {
                    if (!fromOrig && len == 0 && peer.State == TcpEndpointState.SynSent)
                    {
                        // An early acknowledgment: still inactive.
                    }
                    else if (ack && peer.State == TcpEndpointState.Established) e.State = TcpEndpointState.Established;
                    else e.State = TcpEndpointState.Partial;
                }
                break;
            case TcpEndpointState.SynSent:
            case TcpEndpointState.SynAckSent:
                if (fin) e.State = TcpEndpointState.Closed;
                else if (rst) e.State = TcpEndpointState.Reset;
                break;
            case TcpEndpointState.Partial:
            case TcpEndpointState.Established:
                if (syn && !ack && e.State == TcpEndpointState.Partial && peer.State == TcpEndpointState.Inactive) e.State = TcpEndpointState.SynSent;
                if (rst) e.State = TcpEndpointState.Reset;
                else if (fin) e.State = TcpEndpointState.Closed;
                break;
            case TcpEndpointState.Closed:
                if (rst && peer.State != TcpEndpointState.Closed) e.State = TcpEndpointState.Reset;
                break;
            case TcpEndpointState.Reset:
                break;
        }
        if (e.State != before) e.PreviousState = before;
    }

    /// <summary>
    /// An acknowledgment up to <paramref name="acked"/> reveals data of the side never captured (a hole it covers, or
    /// data past the highest seen) not yet reported: a content gap, as Zeek's reassembler reports one when the peer
    /// acknowledges what it never delivered (the history's G, scaled; only where an analyzer reads the stream, and not
    /// at a FIN, where gaps are unreliable).
    /// </summary>
    private static bool Gap(ref ZeekEndpoint e, long acked)
    {
        long from = e.GapReportedTo;
        if (acked <= from) return false;
        e.GapReportedTo = acked;
        bool gap = acked > e.HighestEnd && e.HighestEnd > 0 && Math.Max(from, e.HighestEnd) < acked;
        if (e.Holes > 0 && e.Hole0Start < acked && e.Hole0End > from && e.Hole0End > e.Hole0Start) gap = true;
        if (e.Holes > 1 && e.Hole1Start < acked && e.Hole1End > from && e.Hole1End > e.Hole1Start) gap = true;
        return gap;
    }

    private static void OpenHole(ref ZeekEndpoint e, long start, long end)
    {
        switch (e.Holes)
        {
            case 0:
                e.Hole0Start = start;
                e.Hole0End = end;
                e.Holes = 1;
                break;
            case 1:
                e.Hole1Start = start;
                e.Hole1End = end;
                e.Holes = 2;
                break;
            default:
                // Past the holes kept: counted as missed now (a capture losing this much is losing it for good).
                e.MissedBytes += end - start;
                break;
        }
    }

    /// <summary>A segment below the highest seen: true when it falls in a hole (and fills it, wholly or partly).</summary>
    private static bool FillHole(ref ZeekEndpoint e, long start, long end)
    {
        bool filled = Fill(ref e.Hole0Start, ref e.Hole0End, start, end) | Fill(ref e.Hole1Start, ref e.Hole1End, start, end);
        return filled;

        static bool Fill(ref long holeStart, ref long holeEnd, long start, long end)
        {
            if (holeEnd <= holeStart || end <= holeStart || start >= holeEnd) return false;
            // Keep the larger remaining part (a partial fill in the middle leaves two pieces; the other is counted later
            // as missed only if never filled: keeping one is a bounded approximation).
            long left = Math.Max(0, start - holeStart), right = Math.Max(0, holeEnd - end);
            if (left >= right) holeEnd = holeStart + left;
            else holeStart = end;
            return true;
        }
    }

    /// <summary>Bytes a side sent as its sequence space shows them (Zeek's *_bytes): SYN and FIN not counted.</summary>
    public static long Size(in ZeekEndpoint e, in ZeekEndpoint peer)
    {
        if (!e.SeqKnown) return 0;
        if (e.PreviousState == TcpEndpointState.SynSent && e.State == TcpEndpointState.Reset && peer.State == TcpEndpointState.Inactive) return 0;
        long last = Math.Max(e.HighestEnd, e.AckedByPeer);
        long size = last;
        if (size > 0) size--;
        if (e.FinSeen && size > 0) size--;
        return size;
    }

    public static long Missed(in ZeekEndpoint e)
    {
        long missed = e.MissedBytes;
        if (e.Holes > 0) missed += Math.Max(0, e.Hole0End - e.Hole0Start);
        if (e.Holes > 1) missed += Math.Max(0, e.Hole1End - e.Hole1Start);
        // Data the peer acknowledged past what was captured: sent, received, never seen.
        if (e.Packets > 0 && e.AckedByPeer > e.HighestEnd && e.HighestEnd > 0) missed += e.AckedByPeer - e.HighestEnd;
        return missed;
    }

    /// <summary>Zeek's conn_state: the connection's outcome from both endpoints' states.</summary>
    public static string State(ZeekConnection c)
    {
        if (c.Protocol == IpProtocol.Udp)
        {
            bool o = c.Orig.Packets > 0, r = c.Resp.Packets > 0;
            return o ? (r ? "SF" : "S0") : (r ? "SHR" : "OTH");
        }
        if (c.Protocol != IpProtocol.Tcp) return "OTH";
        var os = c.Orig.State;
        var rs = c.Resp.State;
        bool oInactive = os is TcpEndpointState.Inactive or TcpEndpointState.Partial;
        bool rInactive = rs is TcpEndpointState.Inactive or TcpEndpointState.Partial;
        if (rs == TcpEndpointState.Reset)
        {
            if (os is TcpEndpointState.SynSent or TcpEndpointState.SynAckSent
                || (os == TcpEndpointState.Reset && Size(c.Orig, c.Resp) == 0 && Size(c.Resp, c.Orig) == 0))
            {
                return "REJ";
            }
            return oInactive ? "RSTRH" : "RSTR";
        }
        if (os == TcpEndpointState.Reset)
        {
            if (rInactive) return IsSynThenReset(c.History) ? "RSTOS0" : "OTH";
            return "RSTO";
        }
        if (rs == TcpEndpointState.Closed && os == TcpEndpointState.Closed) return "SF";
        if (os == TcpEndpointState.Closed) return rInactive ? "SH" : "S2";
        if (rs == TcpEndpointState.Closed) return oInactive ? "SHR" : "S3";
        if (os == TcpEndpointState.SynSent && rs == TcpEndpointState.Inactive) return "S0";
        if (os == TcpEndpointState.Established && rs == TcpEndpointState.Established) return "S1";
        return "OTH";
    }

    /// <summary>The history reads ^?S[^HAFGIQ]*R: a SYN, then a reset, with no answer between.</summary>
    private static bool IsSynThenReset(ReadOnlySpan<byte> history)
    {
        int i = 0;
        if (i < history.Length && history[i] == '^') i++;
        if (i >= history.Length || history[i] != 'S') return false;
        for (i++; i < history.Length; i++)
        {
            char h = (char)history[i];
            if (h == 'R') return true;
            if (h is 'H' or 'A' or 'F' or 'G' or 'I' or 'Q') return false;
        }
        return false;
    }
}
