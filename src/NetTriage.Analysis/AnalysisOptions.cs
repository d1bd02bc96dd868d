namespace NetTriage.Analysis;

/// <summary>
/// Limits and time constants of the analysis. Every table an attacker can grow is capped here; a cap that
/// drops anything is reported as a caveat. Times are capture time, never wall time.
/// </summary>
public sealed record AnalysisOptions
{
    /// <summary>How long a DNS query waits for its answer (or an ICMP error) before it counts as unanswered.</summary>
    public TimeSpan DnsPendingTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>An unanswered query sent less than this before the capture ended may have been answered later.</summary>
    public TimeSpan DnsAnswerGrace { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A query repeating an unanswered one (same client, server, question) within this is a retransmission.</summary>
    public TimeSpan DnsRetryWindow { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>A SYN with no reply for this long is unanswered.</summary>
    public TimeSpan TcpSynTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A connection idle this long is forgotten (its outcome is kept).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(600);
    /// <summary>A SYN sent less than this before the capture ended may have been answered later.</summary>
    public TimeSpan TcpAnswerGrace { get; init; } = TimeSpan.FromSeconds(3);

    public int MaxPendingDnsQueries { get; init; } = 100_000;
    public int MaxTcpConnections { get; init; } = 200_000;
    public int MaxHosts { get; init; } = 100_000;
    public int MaxFlows { get; init; } = 200_000;
    /// <summary>Failed transactions and ICMP errors kept in detail (the rest are counted).</summary>
    public int MaxFailureRecords { get; init; } = 100_000;
    /// <summary>Resolved (client, address) pairs kept to check whether a client used what it resolved.</summary>
    public int MaxResolutions { get; init; } = 100_000;
    /// <summary>Evidence packets listed per finding (all are counted).</summary>
    public int MaxEvidencePerFinding { get; init; } = 24;
    public int TopTalkers { get; init; } = 10;
}
