namespace NetTriage.Analysis;

/// <summary>The traffic as a whole, so a reader can see why there is (or is not) an incident.</summary>
public sealed record TrafficOverview
{
    public long Packets { get; init; }
    public long Bytes { get; init; }
    public required IReadOnlyList<ProtocolCount> Protocols { get; init; }
    public required IReadOnlyList<Talker> TopTalkers { get; init; }
    public long Hosts { get; init; }
    public long Flows { get; init; }
    /// <summary>Activity that is not an outage (a traceroute, a ping sweep, beaconing to an internal host): reported here, never as an incident. Absent when none.</summary>
    public IReadOnlyList<ActivityNote>? Activities { get; init; }
}

/// <summary>A diagnostic activity: its kind, its finding and what it was.</summary>
public sealed record ActivityNote(FindingKind Kind, string Finding, string Text);

public sealed record ProtocolCount(string Protocol, long Packets, long Bytes);

public sealed record Talker
{
    public required string Address { get; init; }
    public long PacketsSent { get; init; }
    public long PacketsReceived { get; init; }
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }
}

/// <summary>
/// DNS counted honestly: a query is answered only by a response; a query answered by an ICMP error or by
/// nothing is a failure, never "No error" (what counting the rcode field of the queries would say).
/// </summary>
public sealed record DnsStatistics
{
    /// <summary>Query packets sent (each retransmission counts).</summary>
    public long Queries { get; init; }
    /// <summary>Queries answered by a DNS response (any rcode).</summary>
    public long Answered { get; init; }
    /// <summary>Of the answered, those with rcode NOERROR.</summary>
    public long AnsweredNoError { get; init; }
    /// <summary>Answered with an error rcode, by rcode name.</summary>
    public required IReadOnlyList<NamedCount> ErrorResponses { get; init; }
    /// <summary>Queries answered by an ICMP error instead of DNS.</summary>
    public long IcmpAnswered { get; init; }
    /// <summary>Queries with no answer at all.</summary>
    public long Unanswered { get; init; }
    /// <summary>Of the unanswered, those sent so shortly before the capture ended that an answer may have come later.</summary>
    public long UnansweredAtCaptureEnd { get; init; }
    /// <summary>Queries that repeat an earlier unanswered one (same client, server and question).</summary>
    public long Retransmissions { get; init; }
    /// <summary>Responses that matched no query seen (the query was before the capture, or elsewhere).</summary>
    public long UnmatchedResponses { get; init; }
    /// <summary>Median time from query to response, over answered queries.</summary>
    public double? MedianResponseMilliseconds { get; init; }
    /// <summary>Failed queries (ICMP-answered, unanswered, error rcodes) over all queries.</summary>
    public double FailureRate { get; init; }
    public required IReadOnlyList<DnsServerStatistics> Servers { get; init; }
    /// <summary>
    /// Requests that are not queries (NOTIFY, UPDATE, IQUERY, STATUS), by opcode; absent when the capture has none.
    /// Counted apart: the figures above are name resolution's.
    /// </summary>
    public IReadOnlyList<DnsOperationStatistics>? Operations { get; init; }
}

/// <summary>Requests of one opcode other than QUERY and what became of them.</summary>
public sealed record DnsOperationStatistics
{
    /// <summary>The opcode's name as RFC 1035, 1996 and 2136 spell it: NOTIFY, UPDATE, IQUERY, STATUS.</summary>
    public required string Opcode { get; init; }
    public long Sent { get; init; }
    /// <summary>Answered by a DNS response, by rcode (NOERROR included).</summary>
    public required IReadOnlyList<NamedCount> Answered { get; init; }
    public long IcmpAnswered { get; init; }
    public long Unanswered { get; init; }
}

public sealed record DnsServerStatistics
{
    public required string Server { get; init; }
    public long Queries { get; init; }
    public long Answered { get; init; }
    public long Errors { get; init; }
    public long IcmpAnswered { get; init; }
    public long Unanswered { get; init; }
    public long Clients { get; init; }
}

/// <summary>TCP connection attempts (a SYN seen) by outcome, and connections seen only mid-stream.</summary>
public sealed record TcpStatistics
{
    public long Attempts { get; init; }
    public long Established { get; init; }
    public long Refused { get; init; }
    public long Unanswered { get; init; }
    public long IcmpRejected { get; init; }
    /// <summary>Established, then reset.</summary>
    public long ResetAfterEstablished { get; init; }
    /// <summary>Established, then closed with FIN.</summary>
    public long Closed { get; init; }
    /// <summary>Connections whose SYN was not in the capture.</summary>
    public long MidStream { get; init; }
    public required IReadOnlyList<ServiceOutcome> Services { get; init; }
}

/// <summary>Connection attempts to one server port, by outcome.</summary>
public sealed record ServiceOutcome
{
    public required string Server { get; init; }
    public required int Port { get; init; }
    public long Attempts { get; init; }
    public long Established { get; init; }
    public long Refused { get; init; }
    public long Unanswered { get; init; }
    public long IcmpRejected { get; init; }
}
