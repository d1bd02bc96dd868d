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
    /// <summary>
    /// A connection closed both ways (a FIN from each side) is forgotten after this long without packets; its outcome
    /// is kept. Zeek's tcp_close_delay (5 s): all that follows a close is a retransmitted last FIN or ACK, seconds at
    /// most. TIME-WAIT's 2 MSL (RFC 9293 3.6, 60 s on Linux) guards the endpoints against old segments, which the
    /// tracker does not need, and holding every closed connection for it held a busy link's last minute of
    /// connections (18,000 at 1 GB of browsing traffic, 7.7 MB) for nothing.
    /// </summary>
    public TimeSpan TcpClosingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public int MaxPendingDnsQueries { get; init; } = 100_000;
    public int MaxTcpConnections { get; init; } = 200_000;
    public int MaxHosts { get; init; } = 100_000;
    public int MaxFlows { get; init; } = 200_000;
    /// <summary>
    /// Failed transactions and ICMP errors kept in detail as evidence, over all findings; the rest are counted
    /// exactly (number, window, clients, ICMP senders) but not listed. Each finding keeps its first few whatever
    /// this says, so each has evidence to show.
    /// </summary>
    public int MaxFailureRecords { get; init; } = 5_000;
    /// <summary>Failures kept in detail per finding (kind and service).</summary>
    public int MaxFailureRecordsPerFinding { get; init; } = 500;
    /// <summary>Findings (kind and service) tracked; failures of others past this are only counted in total.</summary>
    public int MaxFailureGroups { get; init; } = 4_096;
    /// <summary>Clients, names and ICMP senders remembered of the failures not kept in detail, over all findings.</summary>
    public int MaxFailureSummaryEntries { get; init; } = 100_000;
    /// <summary>Resolved (client, address) pairs kept (over the last one to two minutes) to check whether a failed connection went to an address its client resolved.</summary>
    public int MaxResolutions { get; init; } = 100_000;
    /// <summary>(client, name) pairs resolved successfully, remembered for the whole capture (11 to 21 bytes each, 16 MB at most) to tell a search-list miss from a name that does not exist.</summary>
    public int MaxResolvedNames { get; init; } = 1_000_000;
    /// <summary>Evidence packets listed per finding (all are counted).</summary>
    public int MaxEvidencePerFinding { get; init; } = 24;
    public int TopTalkers { get; init; } = 10;

    /// <summary>
    /// Threads for reading: 1 reads, decodes and tracks on the calling thread; 2 read and decode on a second thread
    /// while the calling thread tracks, the activity sensors shared between the two; 3 or more run the sensors on
    /// threads of their own, between reading and tracking (up to 4 of them: 6 threads in all); 0 (the default) takes
    /// one a processor, up to 3. The results are the same whatever the number.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// Tests only: on two threads, which sensor families each batch leaves to the tracking thread (given the batch's
    /// number from 0 and the number of families, the first family that runs there), in place of the pump's own balance.
    /// </summary>
    internal Func<long, int, int>? SensorSplitSchedule { get; init; }
}
