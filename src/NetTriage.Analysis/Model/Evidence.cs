namespace NetTriage.Analysis;

/// <summary>
/// A packet cited as evidence: where to find it (input, frame number, and for text input the line), when,
/// and the packet as a tcpdump -n style line a reader can hold against tcpdump.
/// </summary>
public sealed record EvidencePacket
{
    /// <summary>Index into <see cref="AnalysisReport.Inputs"/>.</summary>
    public int Input { get; init; }
    public long Frame { get; init; }
    /// <summary>Text input: the line the record starts on.</summary>
    public long? Line { get; init; }
    public required TimeValue Time { get; init; }
    /// <summary>What the packet is in the incident: "query", "icmp-error", "response", "syn", "rst", ...</summary>
    public required string Role { get; init; }
    /// <summary>The packet in tcpdump -n style (capture text, escaped by every renderer).</summary>
    public required string Summary { get; init; }
}

/// <summary>An event of an incident's timeline.</summary>
public sealed record TimelineEvent
{
    public required TimeValue Time { get; init; }
    public required Phrase Event { get; init; }
    /// <summary>Index into <see cref="AnalysisReport.Inputs"/> of the input that holds <see cref="Frames"/>.</summary>
    public int Input { get; init; }
    /// <summary>The evidence packets of the event, by frame number in their input.</summary>
    public IReadOnlyList<long> Frames { get; init; } = [];
}
