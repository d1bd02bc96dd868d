namespace NetTriage.Analysis;

/// <summary>
/// A fact about a failure, detected from tracked traffic: a stable kind, the service and hosts involved,
/// the time window, counts, and the evidence packets.
/// </summary>
public sealed record Finding
{
    /// <summary>Stable within one report ("F1", "F2", ...).</summary>
    public required string Id { get; init; }
    public required FindingKind Kind { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>One sentence saying what happened, with the counts.</summary>
    public required Phrase Title { get; init; }
    /// <summary>Application protocol ("DNS", "HTTP", "HTTPS", ...) or the transport when none is known.</summary>
    public required string Protocol { get; init; }
    /// <summary>"UDP", "TCP", "ICMP"...</summary>
    public required string Transport { get; init; }
    /// <summary>Service name of the port ("domain", "http", ...), or null.</summary>
    public string? Service { get; init; }
    public int? Port { get; init; }
    /// <summary>The server (the destination of the failed traffic).</summary>
    public required string Server { get; init; }
    public required IReadOnlyList<string> Clients { get; init; }
    public required TimeValue First { get; init; }
    public required TimeValue Last { get; init; }
    public double? DurationSeconds { get; init; }
    /// <summary>Attempts toward the service in the finding's window (queries, connection attempts, packets).</summary>
    public long Attempts { get; init; }
    /// <summary>Of those, the ones that failed in the way the kind names.</summary>
    public long Failed { get; init; }
    /// <summary>The names queried (DNS kinds), at most a few.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    /// <summary>Who sent the ICMP errors of this finding, with type/code: the target itself or a router.</summary>
    public IReadOnlyList<IcmpSender> IcmpSenders { get; init; } = [];
    /// <summary>
    /// The tunnels the failed traffic came through ("in GRE between A and B"), of the failures kept in detail; absent when
    /// none did. A failure inside a tunnel may be the tunnel's: its endpoints are where to look.
    /// </summary>
    public IReadOnlyList<string>? Tunnels { get; init; }
    public required IReadOnlyList<EvidencePacket> Evidence { get; init; }
    /// <summary>Evidence packets in all (the list above is capped).</summary>
    public long EvidenceTotal { get; init; }
    /// <summary>Attack and scan kinds: the figures of the activity (technique, sources, targets, ports, rates).</summary>
    public AttackFacts? Attack { get; init; }
    /// <summary>Path failures: the element of the path the failures share, and what went through it.</summary>
    public PathFacts? Path { get; init; }
    /// <summary>Scattered failures: how many services, attempts and failures, and the worst services.</summary>
    public SpreadFacts? Spread { get; init; }
    /// <summary>HTTP errors: the error statuses the service answered, and for which paths.</summary>
    public HttpFacts? Http { get; init; }
    /// <summary>TLS failures: the handshakes that failed, their alerts and server names.</summary>
    public TlsFacts? Tls { get; init; }
    /// <summary>Slowness: where the time of the service's connections went.</summary>
    public TimingFacts? Timing { get; init; }
    /// <summary>Zero windows and stalls: the connections stuck, which side, for how long.</summary>
    public StallFacts? Stall { get; init; }
}

/// <summary>A sender of ICMP errors in a finding.</summary>
public sealed record IcmpSender
{
    public required string Address { get; init; }
    /// <summary>"target" when the sender is the destination of the quoted packet, else "router".</summary>
    public required string Role { get; init; }
    public required int Type { get; init; }
    public required int Code { get; init; }
    /// <summary>The message in words, as tcpdump and RFC 792 / RFC 4443 name it.</summary>
    public required string Description { get; init; }
    public long Count { get; init; }
}
