using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal enum TcpOutcome : byte
{
    SynSent,
    Established,
    Refused,
    Unanswered,
    IcmpRejected,
    ResetAfterEstablished,
    Closed,
    /// <summary>First seen mid-stream: no SYN in the capture.</summary>
    MidStream,
}

/// <summary>
/// One TCP connection, from its first SYN (or first packet when the SYN was not captured). Reused like
/// <see cref="DnsAttempt"/>: a failed attempt is kept as evidence, any other goes back to the pool when it ends.
/// </summary>
internal sealed class TcpConnection
{
    public IpAddr Client { get; set; }
    public ushort ClientPort { get; set; }
    public IpAddr Server { get; set; }
    public ushort ServerPort { get; set; }
    public PacketRef First { get; set; }
    public bool IsV6 { get; set; }
    /// <summary>The tunnel the connection's first packet came through ("in GRE between A and B"), or null.</summary>
    public string? Tunnel { get; set; }
    /// <summary>The hardware address the client's first packet was framed to (its first hop), or zero without Ethernet.</summary>
    public MacAddress NextHop { get; set; }
    public uint InitialSequence { get; set; }
    public ushort Window { get; set; }
    public int Syns { get; set; }
    public PacketRef Last { get; set; }
    public TcpOutcome Outcome { get; set; }
    public PacketRef? OutcomePacket { get; set; }
    /// <summary>The tcpdump line of what refused the attempt (kept attempts only).</summary>
    public string? OutcomeSummary => OutcomeLine.IsEmpty ? null : OutcomeLine.ToString();
    internal PacketLine OutcomeLine;
    public IcmpErrorRecord? Icmp { get; set; }
    public bool Finished { get; set; }
    public bool AtCaptureEnd { get; set; }
    /// <summary>A FIN was seen once the connection was established (either side).</summary>
    public bool SawFin { get; set; }
    /// <summary>The client acknowledged the server's SYN-ACK: the three-way handshake completed (RFC 9293 3.5).</summary>
    public bool ClientAcked { get; set; }
    /// <summary>FINs from both sides: the connection is closed, only its last ACKs may follow (RFC 9293 3.6).</summary>
    public bool ClosedBothWays => FinFromClient && FinFromServer;
    public bool FinFromClient { get; set; }
    public bool FinFromServer { get; set; }

    /// <summary>
    /// Times of the handshake and the first exchange (capture nanoseconds, 0 when not seen): the SYN-ACK, the client's
    /// ACK of it, the first request byte, the first answer byte after it; whether the server spoke first (a banner).
    /// </summary>
    internal long SynAckAt, AckAt, RequestAt, ResponseAt;
    /// <summary>The server's initial sequence number, from its SYN-ACK: the client's ACK of it acknowledges this plus one.</summary>
    internal uint ServerIsn;
    internal bool ServerSpokeFirst;
    /// <summary>The client acknowledged a SYN-ACK the capture has not shown (yet): no packet from the server so far.</summary>
    internal bool AnswerUnseen;

    /// <summary>Each side's data: the end of the highest sequence sent (once it sent any).</summary>
    internal SendState ClientSent, ServerSent;
    /// <summary>
    /// Zero windows and retransmissions, made at a connection's first of either: most connections have neither, and
    /// the bookkeeping would otherwise take about 80 bytes in each of the thousands open at once in a long capture.
    /// </summary>
    internal FlowTrouble? Trouble;
    /// <summary>When each side last sent a segment once the connection was established (0: never in the capture).</summary>
    internal long LastFromClient, LastFromServer;

    internal struct SendState
    {
        public uint MaxEnd;
        public bool Started;
    }

    /// <summary>A side's retransmissions not yet acknowledged: the first one's sequence, how many, the first and last times.</summary>
    internal struct Resent
    {
        public uint Seq;
        public int Count;
        public long First, Last;
    }

    /// <summary>A connection's zero windows and unacknowledged retransmissions, once it has any.</summary>
    internal sealed class FlowTrouble
    {
        /// <summary>
        /// Zero windows (RFC 9293 3.8.6.1): since when each side has advertised a window of 0 (0 when it has not), the
        /// longest such period so far, and the segments the other side sent into it (window probes).
        /// </summary>
        public long ClientZeroSince, ServerZeroSince, ClientZeroLongest, ServerZeroLongest;
        public int ZeroProbes;
        /// <summary>Each side's data sent again and not yet acknowledged: data sent again and again and never acknowledged is a stall.</summary>
        public Resent ClientResent, ServerResent;
    }

    public bool IsAttempt => Outcome != TcpOutcome.MidStream;
    public bool Failed => Outcome is TcpOutcome.Refused or TcpOutcome.Unanswered or TcpOutcome.IcmpRejected;

    /// <summary>The hosts' traffic counters (null for a host past the table's cap), so its packets need no lookup.</summary>
    internal HostCounters? ClientCounters, ServerCounters;
    /// <summary>The generation of flows in which the connection's flow was last counted.</summary>
    internal int FlowEpoch = -1;
    /// <summary>Kept as evidence of a failure: never reused.</summary>
    internal bool Kept;
    /// <summary>Its entry in the timing wheel of deadlines, or -1.</summary>
    internal int TimerSlot = -1;
    /// <summary>Bumped each time the object is reused, so that a timer set for it earlier can tell it is stale.</summary>
    internal int Generation;

    /// <summary>Clears what a new connection does not set itself.</summary>
    internal void Recycle()
    {
        Generation++;
        InitialSequence = 0;
        Window = 0;
        Syns = 0;
        OutcomePacket = null;
        OutcomeLine = default;
        Icmp = null;
        Finished = false;
        AtCaptureEnd = false;
        SawFin = false;
        ClientAcked = false;
        SynAckAt = AckAt = RequestAt = ResponseAt = 0;
        ServerSpokeFirst = false;
        AnswerUnseen = false;
        Trouble = null;
        ClientSent = default;
        ServerSent = default;
        LastFromClient = LastFromServer = 0;
        FinFromClient = false;
        FinFromServer = false;
        ClientCounters = ServerCounters = null;
        FlowEpoch = -1;
        TimerSlot = -1;
    }
}
