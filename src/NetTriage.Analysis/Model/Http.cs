namespace NetTriage.Analysis;

/// <summary>The error answers of one HTTP service, each counted from the responses in the capture.</summary>
public sealed record HttpFacts
{
    /// <summary>HTTP responses the service sent, and of them server errors (5xx) and client errors (4xx, logins' 401, 403 and 407 aside).</summary>
    public required long Responses { get; init; }
    public required long ServerErrors { get; init; }
    public required long ClientErrors { get; init; }
    /// <summary>The error statuses, most frequent first: "503 Service Unavailable: 40".</summary>
    public required IReadOnlyList<string> Statuses { get; init; }
    /// <summary>The paths asked for whose answers were errors, most errors first: "/api/orders: 12 of 12".</summary>
    public required IReadOnlyList<string> Paths { get; init; }
    /// <summary>Errors over responses.</summary>
    public required double ErrorShare { get; init; }
}

/// <summary>The TLS handshakes of one service that failed, each counted from the packets of the capture.</summary>
public sealed record TlsFacts
{
    /// <summary>ClientHellos sent to the service, and the handshakes that ended in a fatal alert or a reset before the server answered.</summary>
    public required long Handshakes { get; init; }
    public required long Failed { get; init; }
    /// <summary>The fatal alerts by side and name, most first: "client: unknown_ca (48): 5".</summary>
    public required IReadOnlyList<string> Alerts { get; init; }
    /// <summary>Handshakes the server reset right after the ClientHello, before any answer.</summary>
    public long Resets { get; init; }
    /// <summary>The server names (SNI) the failed handshakes asked for, the first ones.</summary>
    public required IReadOnlyList<string> ServerNames { get; init; }
}

/// <summary>
/// Where the time of a TCP service's connections went, in seconds (median and 90th percentile of a uniform sample,
/// with the number of connections measured): the network round trip, the server's time to its first answer byte
/// (less the capture point's round trip to it), the client's time from the handshake to its first request byte.
/// </summary>
public sealed record TimingFacts
{
    /// <summary>"network", "server" or "client": the part that is slow (the largest over its threshold).</summary>
    public required string Slowest { get; init; }
    public required long Connections { get; init; }
    public double? RoundTripMedian { get; init; }
    public double? RoundTripP90 { get; init; }
    public long ServerMeasured { get; init; }
    public double? ServerMedian { get; init; }
    public double? ServerP90 { get; init; }
    public long ClientMeasured { get; init; }
    public double? ClientWaitMedian { get; init; }
    public double? ClientWaitP90 { get; init; }
}

/// <summary>Connections of a TCP service stuck at a zero window, or whose data was sent again and again and never acknowledged.</summary>
public sealed record StallFacts
{
    /// <summary>Connections affected.</summary>
    public required long Connections { get; init; }
    /// <summary>Which side stopped: "client" or "server" (the receiver at a zero window; the peer that never acknowledged).</summary>
    public required string Side { get; init; }
    /// <summary>Zero window: the longest time a receiver advertised a window of 0, in seconds, and the probes sent into it.</summary>
    public double? LongestZeroWindowSeconds { get; init; }
    public long? Probes { get; init; }
    /// <summary>Stall: retransmissions never acknowledged, and the longest time over which one stretch of data was resent, in seconds.</summary>
    public long? Retransmissions { get; init; }
    public double? LongestStallSeconds { get; init; }
    /// <summary>The first connection affected: "10.0.0.5:40000 at 09:00:01.2".</summary>
    public required string Example { get; init; }
}
