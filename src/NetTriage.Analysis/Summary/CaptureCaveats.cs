using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;

namespace NetTriage.Analysis.Summary;

/// <summary>The limits of the evidence that hold for the whole capture: what was read from text, cut short, or past a table.</summary>
internal static class CaptureCaveats
{
    public static List<Caveat> For(TrafficTracker t, FailureTable failures, IReadOnlyList<InputSummary> inputs)
    {
        var list = new List<Caveat>();
        if (t.TextPackets > 0)
        {
            list.Add(new Caveat("text-input",
                "Read from tcpdump text, not a capture: only what tcpdump printed is known (no payload bytes, no link layer unless -e was used); lengths and fields are as printed."));
        }
        if (t.Tcp.AnsweredUnseen > 0 && t.Tcp.AnsweredUnseenExample is { } example)
        {
            // The clients' own acknowledgments prove the answers the capture lacks (RFC 9293 3.5).
            bool one = t.Tcp.AnsweredUnseen == 1;
            list.Add(new Caveat("one-way-capture",
                $"{Describe.Count(t.Tcp.AnsweredUnseen, "TCP connection")} ({(one ? "" : "the first ")}from {example.Client} to {example.Server} port {example.Port}) {(one ? "was" : "were")} answered, as {(one ? "its client's acknowledgments show" : "their clients' acknowledgments show")}, but the capture holds no packet of {(one ? "its server" : "their servers")}: it misses one direction of the traffic (a one-way tap, asymmetric routing, or a filter). {(one ? "It counts" : "They count")} as answered. Whatever else went unanswered in that direction, such as connection attempts without an acknowledgment or DNS queries without an answer, may have been answered out of sight."));
        }
        if (t.Icmp.InferredJoins > 0)
        {
            list.Add(new Caveat("icmp-join-inferred",
                $"{Describe.Count(t.Icmp.InferredJoins, "ICMP error")} named no protocol or port (tcpdump prints the quoted packet only with -v): each was joined to the DNS query or connection attempt its receiver had pending to the same address, by addresses and timing. That is an inference; tcpdump -v shows the quoted query."));
        }
        if (TrafficStatistics.MixedClocks(inputs) is { } clocks)
        {
            string Clock(string kind) => kind switch
            {
                "absolute" => "dated times",
                "time-of-day" => "times of day without a date or zone",
                _ => "times relative to its first packet",
            };
            var described = clocks.Select(c => $"input {c.Input + 1} has {Clock(c.Kind)}").ToList();
            list.Add(new Caveat("mixed-clocks",
                $"The inputs do not share a clock ({string.Join(", ", described)}): they cannot be placed on one timeline, so the report gives each input's own window and no window over all. Events of different inputs are not ordered against each other."));
        }
        long unparsed = inputs.Sum(i => i.UnparsedRecords);
        if (unparsed > 0)
        {
            list.Add(new Caveat("unparsed-text", $"{Describe.Count(unparsed, "text record")} could not be read and took no part in the analysis."));
        }
        if (t.TruncatedPackets > 0)
        {
            list.Add(new Caveat("truncated-packets",
                $"{Describe.Count(t.TruncatedPackets, "packet")} were cut short (snap length or a header ending early): what they carried past the cut is unknown."));
        }
        foreach (var input in inputs.Where(i => i.Warnings.Count > 0))
        {
            list.Add(new Caveat("input-warning", $"{input.Name}: {input.Warnings[0]}"));
        }
        if (t.First is null && t.Packets > 0)
        {
            list.Add(new Caveat("no-timestamps", "The input has no time stamps: durations and the timeline cannot be given."));
        }
        if (t.Capped || failures.Uncounted > 0 || failures.SummaryCapped)
        {
            list.Add(new Caveat("state-capped",
                "Some tables reached their limits (hosts, flows, pending queries, connections, resolutions or failure summaries): counts stay exact but some details were not kept."));
        }
        if (failures.Uncounted > 0)
        {
            list.Add(new Caveat("failures-uncounted",
                $"{Describe.Count(failures.Uncounted, "failure")} toward services past the table of findings ({t.Options.MaxFailureGroups}) belong to no finding."));
        }
        if (t.Packets == 0)
        {
            list.Add(new Caveat("empty", "The input holds no packets."));
        }
        return list;
    }
}
