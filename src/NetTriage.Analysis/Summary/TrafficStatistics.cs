using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis.Summary;

/// <summary>The capture and its traffic in figures, from the trackers' counters: what the report's overview shows.</summary>
internal static class TrafficStatistics
{
    /// <summary>
    /// The capture as a whole. Its window spans every input only when they share a kind of clock: a time of day
    /// without a date (tcpdump's default text) cannot be placed against a dated capture, so then there is no
    /// window over all (each input keeps its own, and the caveat mixed-clocks says why).
    /// </summary>
    public static CaptureSummary CaptureSummary(TrafficTracker t, IReadOnlyList<InputSummary> inputs)
    {
        bool oneClock = MixedClocks(inputs) is null;
        return new()
        {
            Start = oneClock && t.First is { } f ? Describe.Time(f) : null,
            End = oneClock && t.Last is { } l ? Describe.Time(l) : null,
            DurationSeconds = oneClock && t.First is { } a && t.Last is { } b ? Describe.Seconds(a, b) : null,
            Packets = t.Packets,
            TruncatedPackets = t.TruncatedPackets,
            AnomalousPackets = t.AnomalousPackets,
            Anomalies = t.AnomalyCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
                .Select(kv => new NamedCount(AnomalyNames.Get(kv.Key), kv.Value)).ToList(),
            FromText = t.TextPackets > 0,
            Undecoded = t.Undecoded.Summary(),
        };
    }

    /// <summary>The kinds of clock of the inputs (in input order) when they differ, else null.</summary>
    public static IReadOnlyList<(int Input, string Kind)>? MixedClocks(IReadOnlyList<InputSummary> inputs)
    {
        var clocks = inputs.Select((input, i) => (Input: i, Kind: input.Start?.Kind ?? "none"))
            .Where(c => c.Kind != "none").ToList();
        return clocks.Select(c => c.Kind).Distinct(StringComparer.Ordinal).Skip(1).Any() ? clocks : null;
    }

    public static TrafficOverview Overview(TrafficTracker t) => new()
    {
        Packets = t.Packets,
        Bytes = t.Bytes,
        Protocols = t.Protocols.OrderByDescending(kv => kv.Value.Packets).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ProtocolCount(kv.Key, kv.Value.Packets, kv.Value.Bytes)).ToList(),
        TopTalkers = t.Hosts.OrderByDescending(kv => kv.Value.PacketsSent + kv.Value.PacketsReceived).ThenBy(kv => kv.Key)
            .Take(t.Options.TopTalkers)
            .Select(kv => new Talker
            {
                Address = kv.Key.ToString(),
                PacketsSent = kv.Value.PacketsSent,
                PacketsReceived = kv.Value.PacketsReceived,
                BytesSent = kv.Value.BytesSent,
                BytesReceived = kv.Value.BytesReceived,
            }).ToList(),
        Hosts = t.Hosts.Count,
        Flows = t.FlowCount,
    };

    public static DnsStatistics DnsStatistics(TrafficTracker t)
    {
        var dns = t.Dns;
        long errors = dns.ErrorRcodes.Values.Sum();
        long failed = dns.IcmpAnswered + dns.Unanswered + errors;
        double? median = dns.ResponseTimes.MedianMilliseconds();
        return new DnsStatistics
        {
            Queries = dns.Queries,
            Answered = dns.Answered,
            AnsweredNoError = dns.AnsweredNoError,
            ErrorResponses = dns.ErrorRcodes.OrderByDescending(kv => kv.Value)
                .Select(kv => new NamedCount(DnsNames.RcodeName(kv.Key), kv.Value)).ToList(),
            IcmpAnswered = dns.IcmpAnswered,
            Unanswered = dns.Unanswered,
            UnansweredAtCaptureEnd = dns.UnansweredAtEnd,
            Retransmissions = dns.Retransmissions,
            UnmatchedResponses = dns.UnmatchedResponses,
            MedianResponseMilliseconds = median is { } m ? Math.Round(m, 3) : null,
            FailureRate = dns.Queries == 0 ? 0 : Math.Round((double)failed / dns.Queries, 4),
            Servers = dns.Servers.OrderByDescending(kv => kv.Value.Queries).ThenBy(kv => kv.Key).Take(20)
                .Select(kv => new DnsServerStatistics
                {
                    Server = kv.Key.ToString(),
                    Queries = kv.Value.Queries,
                    Answered = kv.Value.Answered,
                    Errors = kv.Value.Errors,
                    IcmpAnswered = kv.Value.IcmpAnswered,
                    Unanswered = kv.Value.Unanswered,
                    Clients = kv.Value.Clients.Count,
                }).ToList(),
            Operations = dns.Operations.Count == 0 ? null : dns.Operations
                .Select(kv => new DnsOperationStatistics
                {
                    Opcode = OpcodeName(kv.Key),
                    Sent = kv.Value.Sent,
                    Answered = kv.Value.Rcodes.Select(r => new NamedCount(DnsNames.RcodeName(r.Key), r.Value)).ToList(),
                    IcmpAnswered = kv.Value.IcmpAnswered,
                    Unanswered = kv.Value.Unanswered,
                }).ToList(),
        };
    }

    private static string OpcodeName(int opcode) => opcode switch
    {
        DnsOpcode.IQuery => "IQUERY",
        DnsOpcode.Status => "STATUS",
        DnsOpcode.Notify => "NOTIFY",
        DnsOpcode.Update => "UPDATE",
        _ => "opcode " + opcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static TcpStatistics TcpStatistics(TrafficTracker t)
    {
        var tcp = t.Tcp;
        long Get(TcpOutcome o) => tcp.Outcomes.GetValueOrDefault(o);
        return new TcpStatistics
        {
            Attempts = tcp.Attempts,
            Established = Get(TcpOutcome.Established) + Get(TcpOutcome.Closed) + Get(TcpOutcome.ResetAfterEstablished),
            Refused = Get(TcpOutcome.Refused),
            Unanswered = Get(TcpOutcome.Unanswered),
            IcmpRejected = Get(TcpOutcome.IcmpRejected),
            ResetAfterEstablished = Get(TcpOutcome.ResetAfterEstablished),
            Closed = Get(TcpOutcome.Closed),
            MidStream = tcp.MidStream,
            Services = tcp.Services.OrderByDescending(kv => kv.Value.Attempts).ThenBy(kv => kv.Key.Server).ThenBy(kv => kv.Key.Port).Take(20)
                .Select(kv => new ServiceOutcome
                {
                    Server = kv.Key.Server.ToString(),
                    Port = kv.Key.Port,
                    Attempts = kv.Value.Attempts,
                    Established = kv.Value.Established,
                    Refused = kv.Value.Refused,
                    Unanswered = kv.Value.Unanswered,
                    IcmpRejected = kv.Value.IcmpRejected,
                }).ToList(),
        };
    }
}
