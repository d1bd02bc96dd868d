using NetTriage.Synthetic;
using System.Text.Json.Nodes;
using NetTriage.Capture;
using NetTriage.Capture.Writing;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// Failures are kept in detail only up to a budget; the rest are counted. A finding's numbers must not depend
/// on how many were kept: the same capture analysed with a tiny budget gives the same counts, windows, clients
/// and ICMP senders as with room for everything.
/// </summary>
public sealed class FailureDetailTests
{
    private static readonly Lazy<byte[]> Mixed = new(() =>
    {
        using var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, 80_000, seed: 11, hostCount: 400);
        return stream.ToArray();
    });

    private static AnalysisReport Analyze(AnalysisOptions options)
    {
        var analyzer = new Analyzer(options);
        using var source = CaptureOpener.Open(new MemoryStream(Mixed.Value, writable: false), "mixed.pcap");
        analyzer.Read(source);
        return analyzer.Finish();
    }

    private static AnalysisReport AnalyzeBytes(byte[] bytes, string name, AnalysisOptions options)
    {
        var analyzer = new Analyzer(options);
        using var source = CaptureOpener.Open(new MemoryStream(bytes), name);
        analyzer.Read(source);
        return analyzer.Finish();
    }

    private static string Numbers(Finding f) =>
        string.Join(" | ", f.Kind, f.Server, f.Port, f.Severity, f.Title, f.Attempts, f.Failed, f.EvidenceTotal,
            f.First.Text, f.Last.Text, string.Join(",", f.Clients),
            string.Join(",", f.IcmpSenders.Select(s => $"{s.Address}/{s.Role}/{s.Type}/{s.Code}={s.Count}")));

    [Fact]
    public void Counts_do_not_depend_on_how_many_failures_are_kept_in_detail()
    {
        var all = Analyze(new AnalysisOptions { MaxFailureRecords = 1_000_000, MaxFailureRecordsPerFinding = 1_000_000 });
        var few = Analyze(new AnalysisOptions { MaxFailureRecords = 30, MaxFailureRecordsPerFinding = 12 });

        // The budget really bites: some finding rests on many more failures than the small budget keeps.
        Assert.Contains(all.Findings, f => f.Failed > 100);
        Assert.Equal(all.Findings.Count, few.Findings.Count);
        foreach (var (expected, actual) in all.Findings.Zip(few.Findings)) Assert.True(Numbers(expected) == Numbers(actual), Numbers(expected) + "\n" + Numbers(actual));
        Assert.Equal(all.Incidents.Select(i => (i.Title, i.Failed, i.Attempts)), few.Incidents.Select(i => (i.Title, i.Failed, i.Attempts)));
        // Everything else the report says of its incidents and findings, but the packets it lists, is the same too:
        // causes, what is ruled out, caveats, senders, names.
        Assert.Equal(WithoutListedPackets(all), WithoutListedPackets(few));
        // Kept in detail or not, a finding lists at most the evidence it has.
        Assert.All(few.Findings, f => Assert.InRange(f.Evidence.Count, 1, f.EvidenceTotal));
        Assert.DoesNotContain(few.Caveats, c => c.Kind == "state-capped");
    }

    /// <summary>The report's incidents and findings as JSON, without the packets listed (evidence, timeline).</summary>
    private static string WithoutListedPackets(AnalysisReport report)
    {
        var json = JsonNode.Parse(AnalysisJson.Serialize(report))!;
        var kept = new JsonObject { ["incidents"] = json["incidents"]!.DeepClone(), ["findings"] = json["findings"]!.DeepClone() };
        Strip(kept);
        return kept.ToJsonString();

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                o.Remove("evidence");
                o.Remove("timeline");
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is JsonArray a)
            {
                foreach (var child in a) Strip(child);
            }
        }
    }

    [Fact]
    public void A_finding_whose_kept_failures_are_all_dropped_still_counts_the_others()
    {
        // tcpdump -t text (no time stamps): eight single SYNs that the capture cuts off, then one sent twice. With
        // eight kept per finding, the rule for unanswered SYNs drops every kept one; the ninth, not kept, counts.
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"IP 10.0.0.{i + 1}.4000{i} > 192.0.2.80.80: Flags [S], seq 1, win 64240, length 0\n");
        }
        text.Append("IP 10.0.0.9.40009 > 192.0.2.80.80: Flags [S], seq 1, win 64240, length 0\n");
        text.Append("IP 10.0.0.9.40009 > 192.0.2.80.80: Flags [S], seq 1, win 64240, length 0\n");
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text.ToString());

        AnalysisReport Run(AnalysisOptions options) => AnalyzeBytes(bytes, "syns.txt", options);

        var all = Run(new AnalysisOptions());
        var few = Run(new AnalysisOptions { MaxFailureRecordsPerFinding = 8, MaxFailureRecords = 8 });
        var finding = Assert.Single(all.Findings, f => f.Kind == FindingKind.TcpNoResponse);
        Assert.Equal(1, finding.Failed);
        Assert.Equal(all.Findings.Select(f => (f.Kind, f.Failed, f.Attempts)), few.Findings.Select(f => (f.Kind, f.Failed, f.Attempts)));
    }

    [Fact]
    public void Queries_repeated_within_the_answer_grace_before_the_end_are_not_known_unanswered_kept_or_not()
    {
        // The same query (same id and port) ten times, 50 ms apart, half a second before the capture ends.
        var scenario = new Scenario();
        for (int i = 0; i < 10; i++) scenario.Query("10.0.0.4", 40000, "192.0.2.53", 7, "www.example.com").After(0.05);
        scenario.After(0.5).Bystander();
        byte[] bytes = scenario.Bytes();

        AnalysisReport Run(AnalysisOptions options) => AnalyzeBytes(bytes, "repeated.pcap", options);

        var all = Run(new AnalysisOptions());
        var few = Run(new AnalysisOptions { MaxFailureRecordsPerFinding = 8, MaxFailureRecords = 8 });
        Assert.Equal(10, all.Dns.Unanswered);
        Assert.DoesNotContain(all.Findings, f => f.Kind == FindingKind.DnsNoResponse);
        Assert.DoesNotContain(few.Findings, f => f.Kind == FindingKind.DnsNoResponse);
    }

    [Fact]
    public void Failures_past_the_table_of_findings_are_reported_as_uncounted()
    {
        var report = Analyze(new AnalysisOptions { MaxFailureGroups = 2 });

        // The table bounds the findings of failures; activity (the generator's traceroutes) is found apart.
        Assert.InRange(report.Findings.Count(f => f.Attack is null), 1, 2);
        var caveat = Assert.Single(report.Caveats, c => c.Kind == "failures-uncounted");
        Assert.Contains("past the table of findings (2)", caveat.Text.Text, StringComparison.Ordinal);
    }
}
