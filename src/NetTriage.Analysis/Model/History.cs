namespace NetTriage.Analysis;

/// <summary>
/// One service's health in one minute of capture time: what the history store keeps of a capture (docs/history.md).
/// A success is a TCP handshake answered or a DNS answer with NOERROR or NXDOMAIN (the server working); a failure
/// is a reset, an ICMP error, no answer, or a DNS error rcode. Attempts still unanswered when the capture ended
/// are <see cref="Pending"/>, neither.
/// </summary>
public sealed record ServiceMinute
{
    public required string Server { get; init; }
    public required int Port { get; init; }
    /// <summary>"TCP" or "UDP".</summary>
    public required string Transport { get; init; }
    /// <summary>The minute's start in the capture's time (seconds since the epoch, or since midnight or the first packet when that is all the input held).</summary>
    public long MinuteStart { get; init; }
    public long Attempts { get; init; }
    public long Successes { get; init; }
    public long Refused { get; init; }
    public long Unanswered { get; init; }
    public long IcmpErrors { get; init; }
    public long Pending { get; init; }
    public long NoError { get; init; }
    public long NxDomain { get; init; }
    public long ServFail { get; init; }
    public long RcodeRefused { get; init; }
    public long OtherRcode { get; init; }
    public double? P50Milliseconds { get; init; }
    public double? P90Milliseconds { get; init; }
    public double? P99Milliseconds { get; init; }
    /// <summary>Distinct clients (a lower bound when <see cref="ClientsCapped"/>).</summary>
    public int Clients { get; init; }
    public bool ClientsCapped { get; init; }

    public long Failures => Refused + Unanswered + IcmpErrors + ServFail + RcodeRefused + OtherRcode;
}

/// <summary>
/// An incident's service in the history of earlier captures (by capture time), from the history store:
/// whether it was established, new, or already failing, and what changed. Absent when nothing is recorded
/// (<c>--no-store</c>). docs/history.md gives the rules.
/// </summary>
public sealed record Trend
{
    /// <summary>"new" (seen working before, never failing), "recurring" (failed before, worked since, fails again), "ongoing" (failing at its last observation before this one) or "unknown" (never seen before).</summary>
    public required string Status { get; init; }
    /// <summary>The service the trend is about ("203.0.113.2 UDP port 53").</summary>
    public required string Service { get; init; }
    /// <summary>One or two sentences that say what the history shows.</summary>
    public required Phrase Text { get; init; }
    /// <summary>Earlier captures that saw the service, and the other analyses in the store.</summary>
    public int EarlierCaptures { get; init; }
    public int CapturesInStore { get; init; }
    /// <summary>The last minute the service was seen working before this capture, and the capture that shows it.</summary>
    public TrendPoint? LastWorking { get; init; }
    /// <summary>The first minute it was seen failing, ever (before this capture).</summary>
    public TrendPoint? FirstFailed { get; init; }
    /// <summary>For an ongoing failure: the first failing minute after it last worked.</summary>
    public TrendPoint? FailingSince { get; init; }
    /// <summary>Failed attempts over all attempts in earlier captures.</summary>
    public double? EarlierFailureRate { get; init; }
    public long EarlierAttempts { get; init; }
    /// <summary>What the store knows changed: a new resolver, a service never seen on this network, a failure rate that jumped.</summary>
    public IReadOnlyList<Phrase> Changes { get; init; } = [];
}

/// <summary>A name resolved to an address in a capture: the lowest and highest TTL the answers gave, and how many gave it.</summary>
public sealed record DnsAnswerSeen(string Name, string Address, uint MinTtl, uint MaxTtl, long Answers);

/// <summary>A minute of an earlier capture.</summary>
public sealed record TrendPoint
{
    public required TimeValue Time { get; init; }
    /// <summary>The capture that shows it: its input names.</summary>
    public required string Capture { get; init; }
    /// <summary>Its analysis in the store (the content hash of its inputs).</summary>
    public required string Analysis { get; init; }
}
