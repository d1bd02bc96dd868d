using System.Text.Json.Serialization;

namespace NetTriage.Analysis;

/// <summary>
/// The result of an analysis: what was read, what failed and why, and the traffic that shows it.
/// This is the incident model every renderer presents and the versioned JSON contract
/// (<c>nettriage analyze --format json</c>); docs/analysis-json.md describes it field by field.
/// Renderers decide nothing: every statement they print is here, with the evidence behind it.
/// </summary>
public sealed record AnalysisReport
{
    public const string SchemaName = "nettriage.analysis";
    public const int CurrentVersion = 1;

    [JsonPropertyOrder(-10)]
    public string Schema { get; init; } = SchemaName;

    [JsonPropertyOrder(-9)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>"incident" when at least one incident was found, else "no-incident".</summary>
    public required string Verdict { get; init; }

    public required IReadOnlyList<InputSummary> Inputs { get; init; }
    public required CaptureSummary Capture { get; init; }
    public required IReadOnlyList<Incident> Incidents { get; init; }
    /// <summary>Every finding, including those grouped into incidents (each incident lists its findings' ids).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required TrafficOverview Overview { get; init; }
    public required DnsStatistics Dns { get; init; }
    public required TcpStatistics Tcp { get; init; }
    /// <summary>Limits of the evidence that hold for the whole capture.</summary>
    public required IReadOnlyList<Caveat> Caveats { get; init; }
    /// <summary>Set by <c>nettriage diagnose</c>: the failure reproduced from this host and which end is at fault (see Reproduction.cs).</summary>
    public Reproduction? Reproduction { get; init; }
    /// <summary>Each service's health per minute of capture time: what the history store records (docs/history.md); not in the JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<ServiceMinute> ServiceMinutes { get; init; } = [];
    /// <summary>Outcomes left out of <see cref="ServiceMinutes"/> because its table was full.</summary>
    [JsonIgnore]
    public long ServiceMinutesDropped { get; init; }
    /// <summary>The addresses names resolved to in the capture, with their TTLs: what the history store keeps of DNS answers; not in the JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<DnsAnswerSeen> DnsAnswers { get; init; } = [];
}

/// <summary>One input as read.</summary>
public sealed record InputSummary
{
    public required string Name { get; init; }
    /// <summary>"pcap", "pcapng" or "tcpdump-text".</summary>
    public required string Format { get; init; }
    public bool Compressed { get; init; }
    public long Packets { get; init; }
    public long Bytes { get; init; }
    /// <summary>Text input: records that could not be read.</summary>
    public long UnparsedRecords { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The input's earliest and latest packet times: its own window, since inputs need not share a clock
    /// (a time-of-day text log has no date). Absent when the input holds no packet.</summary>
    public TimeValue? Start { get; init; }
    public TimeValue? End { get; init; }
    /// <summary>XXH128 of the input's bytes as given, for the history store (not in the JSON: it names the analysis there).</summary>
    [JsonIgnore]
    public string? ContentHash { get; init; }
}

/// <summary>The capture as a whole and the quality of its evidence.</summary>
public sealed record CaptureSummary
{
    /// <summary>The first packet's time over all inputs; absent when the inputs' clocks differ (see the caveat mixed-clocks).</summary>
    public TimeValue? Start { get; init; }
    public TimeValue? End { get; init; }
    public double? DurationSeconds { get; init; }
    public long Packets { get; init; }
    /// <summary>Packets cut short by the snap length or by a header that ended early.</summary>
    public long TruncatedPackets { get; init; }
    /// <summary>Packets with at least one decoding anomaly.</summary>
    public long AnomalousPackets { get; init; }
    /// <summary>Anomalies by name, most frequent first.</summary>
    public IReadOnlyList<NamedCount> Anomalies { get; init; } = [];
    /// <summary>
    /// Packets of protocols no decoder reads (IP protocols, EtherTypes, link types, encrypted 802.11 frames), by what
    /// they are, most first; absent when every packet was decoded. The analysis says nothing of their contents.
    /// </summary>
    public IReadOnlyList<NamedCount>? Undecoded { get; init; }
    /// <summary>True when some input was tcpdump text: only what tcpdump printed is known.</summary>
    public bool FromText { get; init; }
}

/// <summary>A name and how many times it occurred.</summary>
public sealed record NamedCount(string Name, long Count);

/// <summary>
/// A point in capture time. <see cref="Text"/> is what a reader sees: ISO 8601 UTC for absolute times
/// (microseconds, or nanoseconds when they are not zero), "HH:MM:SS.ffffff" when the input held only the
/// time of day, "+S.ffffff s" for times relative to the first packet.
/// </summary>
public sealed record TimeValue
{
    public required string Text { get; init; }
    /// <summary>"absolute", "time-of-day", "relative" or "none".</summary>
    public required string Kind { get; init; }
    /// <summary>Seconds: since the Unix epoch (absolute), since midnight (time-of-day) or since the first packet (relative).</summary>
    public required double Seconds { get; init; }
}

/// <summary>Something the evidence cannot show, and what it costs in certainty.</summary>
public sealed record Caveat(string Kind, Phrase Text);
