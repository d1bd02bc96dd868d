using System.Text;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>A packet's tcpdump line as kept for evidence: UTF-8 (half the memory of a string), a string when shown.</summary>
internal readonly struct PacketLine(byte[] utf8)
{
    private readonly byte[]? _utf8 = utf8;

    public bool IsEmpty => _utf8 is null;

    public override string ToString() => _utf8 is null ? "" : Encoding.UTF8.GetString(_utf8);
}

internal enum DnsOutcome : byte
{
    Pending,
    Answered,
    IcmpError,
    Unanswered,
}

/// <summary>An ICMP error as observed, with who sent it and what it quoted.</summary>
internal sealed class IcmpErrorRecord
{
    public PacketRef Packet { get; set; }
    public IpAddr Sender { get; set; }
    public bool IsV6 { get; set; }
    public byte Type { get; set; }
    public byte Code { get; set; }
    public byte QuotedProtocol { get; set; }
    /// <summary>The sender of the quoted packet: the host that got the error.</summary>
    public IpAddr Client { get; set; }
    public ushort ClientPort { get; set; }
    /// <summary>The destination of the quoted packet: where the failed traffic was going.</summary>
    public IpAddr Target { get; set; }
    public ushort TargetPort { get; set; }
    /// <summary>The error's tcpdump line.</summary>
    public string Summary => Line.ToString();
    internal PacketLine Line;
    /// <summary>What it was joined to: "dns", "tcp" or null.</summary>
    public string? JoinedTo { get; set; }

    /// <summary>The target itself sent the error (its IP stack is up), rather than a router on the way.</summary>
    public bool FromTarget => Sender == Target;

    public IcmpErrorRecord Clone() => (IcmpErrorRecord)MemberwiseClone();
}

/// <summary>
/// One DNS query packet and what became of it. The tracker reuses these objects: one that ended well is
/// only counted and goes back to its pool; a failed one is kept as evidence (<see cref="Kept"/>) and never reused.
/// </summary>
internal sealed class DnsAttempt
{
    public PacketRef Query { get; set; }
    public IpAddr Client { get; set; }
    public ushort ClientPort { get; set; }
    public IpAddr Server { get; set; }
    public ushort ServerPort { get; set; }
    public ushort Id { get; set; }
    public ushort QType { get; set; }
    public string QName { get; set; } = "";
    public bool RecursionDesired { get; set; }
    public int MessageLength { get; set; }
    public bool OverTcp { get; set; }
    public bool IsV6 { get; set; }
    public bool IsRetransmission { get; set; }
    /// <summary>The client sent the question again before any answer: its own timeout expired on this attempt.</summary>
    public bool Superseded { get; set; }

    public DnsOutcome Outcome { get; set; }
    public PacketRef? Response { get; set; }
    public int Rcode { get; set; }
    public int AnswerCount { get; set; }
    /// <summary>The tcpdump line of a response that reported an error (kept attempts only).</summary>
    public string? ResponseSummary => ResponseLine.IsEmpty ? null : ResponseLine.ToString();
    internal PacketLine ResponseLine;
    public IcmpErrorRecord? Icmp { get; set; }
    /// <summary>Unanswered, but sent so shortly before the capture ended that the answer may have come later.</summary>
    public bool AtCaptureEnd { get; set; }

    public bool Failed => Outcome is DnsOutcome.IcmpError or DnsOutcome.Unanswered
        || (Outcome == DnsOutcome.Answered && Rcode != 0);

    public DnsExchangeKey ExchangeKey => new(Client, ClientPort, Server, ServerPort, Id);

    public DnsQuestionKey QuestionKey => new(Client, Server, QType, QName);

    /// <summary>Bumped each time the object is reused, so that a reference taken earlier can tell it is stale.</summary>
    internal int Generation;
    /// <summary>Kept as evidence of a failure: never reused.</summary>
    internal bool Kept;

    /// <summary>Clears what a new query does not set itself.</summary>
    internal void Recycle()
    {
        Generation++;
        QName = "";
        IsRetransmission = false;
        Superseded = false;
        Outcome = DnsOutcome.Pending;
        Response = null;
        Rcode = 0;
        AnswerCount = 0;
        ResponseLine = default;
        Icmp = null;
        AtCaptureEnd = false;
    }
}

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
    /// <summary>FINs from both sides: the connection is closed, only its last ACKs may follow (RFC 9293 3.6).</summary>
    public bool ClosedBothWays => FinFromClient && FinFromServer;
    public bool FinFromClient { get; set; }
    public bool FinFromServer { get; set; }

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
        FinFromClient = false;
        FinFromServer = false;
        ClientCounters = ServerCounters = null;
        FlowEpoch = -1;
        TimerSlot = -1;
    }
}

/// <summary>
/// What the diagnosis asks of a client's connection attempts, in a few words whatever their number: when it last
/// tried to connect (was anything attempted after a failure?), and how many of its connections succeeded, with
/// the servers of the first few (did it reach hosts other than the failing one?).
/// </summary>
internal sealed class ClientAttempts
{
    private const int ServersKept = 8;
    private readonly IpAddr[] _servers = new IpAddr[ServersKept];
    private readonly long[] _counts = new long[ServersKept];
    private int _kept;

    /// <summary>The latest attempt's start (the latest by capture time).</summary>
    public PacketTimestamp? Latest { get; private set; }
    /// <summary>Connections that got established, to any server.</summary>
    public long Established { get; private set; }
    /// <summary>Of those, the ones to servers past the first <see cref="ServersKept"/> (not told apart).</summary>
    public long EstablishedUntracked { get; private set; }

    public void Attempted(PacketTimestamp time)
    {
        if (time.Kind == TimestampKind.None) return;
        if (Latest is not { } latest || time.Kind != latest.Kind || time.Nanoseconds >= latest.Nanoseconds) Latest = time;
    }

    public void Connected(IpAddr server)
    {
        Established++;
        for (int i = 0; i < _kept; i++)
        {
            if (_servers[i] == server)
            {
                _counts[i]++;
                return;
            }
        }
        if (_kept < ServersKept)
        {
            _servers[_kept] = server;
            _counts[_kept++] = 1;
            return;
        }
        EstablishedUntracked++;
    }

    /// <summary>Established connections to servers other than <paramref name="server"/>, at least (those to untracked servers may include it).</summary>
    public long EstablishedToOthers(IpAddr server)
    {
        long others = Established - EstablishedUntracked;
        for (int i = 0; i < _kept; i++)
        {
            if (_servers[i] == server) others -= _counts[i];
        }
        return others;
    }
}

/// <summary>Traffic counters of one host.</summary>
internal sealed class HostCounters
{
    public long PacketsSent;
    public long PacketsReceived;
    public long BytesSent;
    public long BytesReceived;
}
