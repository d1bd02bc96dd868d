namespace NetTriage.Analysis;

/// <summary>
/// Findings about the same service and time, diagnosed: what failed, where, since when, what is ruled out,
/// the likely causes ranked with evidence for and against, next steps, and the limits of the evidence.
/// </summary>
public sealed record Incident
{
    /// <summary>"INC-1", "INC-2", ... in order of severity then time.</summary>
    public required string Id { get; init; }
    /// <summary>The kind of the incident's main finding.</summary>
    public required FindingKind Kind { get; init; }
    public required Severity Severity { get; init; }
    public required string Title { get; init; }
    /// <summary>A short summary a manager can read in ten seconds.</summary>
    public required Phrase Summary { get; init; }
    /// <summary>"application", "transport", "network" or "link".</summary>
    public required Layer Layer { get; init; }
    public required string Protocol { get; init; }
    public required string Transport { get; init; }
    public string? Service { get; init; }
    public int? Port { get; init; }
    /// <summary>What the port is used for ("DNS: resolving names to addresses").</summary>
    public Phrase? ServiceDescription { get; init; }
    public required IReadOnlyList<string> Servers { get; init; }
    public required IReadOnlyList<string> Clients { get; init; }
    public required TimeValue First { get; init; }
    public required TimeValue Last { get; init; }
    public double? DurationSeconds { get; init; }
    public long Attempts { get; init; }
    public long Failed { get; init; }
    /// <summary>Ids of the findings grouped here.</summary>
    public required IReadOnlyList<string> Findings { get; init; }
    public required IReadOnlyList<RuledOut> RuledOut { get; init; }
    /// <summary>Likely causes, most likely first.</summary>
    public required IReadOnlyList<Cause> Causes { get; init; }
    public required IReadOnlyList<Phrase> NextSteps { get; init; }
    public required IReadOnlyList<Caveat> Caveats { get; init; }
    public required IReadOnlyList<TimelineEvent> Timeline { get; init; }
    public required IReadOnlyList<EvidencePacket> Evidence { get; init; }
    /// <summary>Which end the failure lies at, with its confidence and why (the analysts' first question).</summary>
    public AtFault? AtFault { get; init; }
    /// <summary>The service in the history of earlier captures (the history store); absent when nothing is recorded.</summary>
    public Trend? Trend { get; init; }
}

/// <summary>
/// The end an incident lies at: this host, a client, the network (a router, a filter, a gateway), the DNS server,
/// the name, the web server or another server, or an attacker (<see cref="FaultEnds"/>), from the capture and, when
/// given, from the case (who else fails, whether the team reproduced it).
/// </summary>
public sealed record AtFault
{
    /// <summary>One of <see cref="FaultEnds"/>.</summary>
    public required string End { get; init; }
    /// <summary>The address of that end when the capture names one (the server, the router that answered, the source).</summary>
    public string? Address { get; init; }
    public required Confidence Confidence { get; init; }
    /// <summary>Why, from the capture.</summary>
    public required Phrase Reason { get; init; }
    /// <summary>What the case context adds: the parties that fail alike, a reproduction (empty without a case).</summary>
    public IReadOnlyList<Phrase> FromCase { get; init; } = [];
}

/// <summary>Something the evidence rules out, and why.</summary>
public sealed record RuledOut(string Item, Phrase Reason);

/// <summary>A likely cause with its confidence and the evidence for and against it.</summary>
public sealed record Cause
{
    /// <summary>Stable identifier of the cause ("service-not-listening", "firewall-reject", ...).</summary>
    public required string Id { get; init; }
    public required Phrase Title { get; init; }
    /// <summary>"high", "medium" or "low".</summary>
    public required Confidence Confidence { get; init; }
    /// <summary>0..1, the ranking score behind the confidence.</summary>
    public required double Score { get; init; }
    public required IReadOnlyList<Phrase> For { get; init; }
    public required IReadOnlyList<Phrase> Against { get; init; }
    public required IReadOnlyList<Phrase> NextSteps { get; init; }
}
