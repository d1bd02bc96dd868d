using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal enum DnsOutcome : byte
{
    Pending,
    Answered,
    IcmpError,
    Unanswered,
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
    /// <summary>The request's opcode: a query (name resolution), or a zone's maintenance (NOTIFY, UPDATE) or an obsolete one.</summary>
    public int Opcode { get; set; }
    public ushort QType { get; set; }
    public string QName { get; set; } = "";
    public bool RecursionDesired { get; set; }
    public int MessageLength { get; set; }
    public bool OverTcp { get; set; }
    public bool IsV6 { get; set; }
    /// <summary>The tunnel the query came through ("in GRE between A and B"), or null.</summary>
    public string? Tunnel { get; set; }
    /// <summary>The hardware address the query was framed to (its first hop), or zero without Ethernet.</summary>
    public MacAddress NextHop { get; set; }
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
