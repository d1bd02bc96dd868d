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
        // Kept in detail or not, a finding lists at most the evidence it has.
        Assert.All(few.Findings, f => Assert.InRange(f.Evidence.Count, 1, f.EvidenceTotal));
        Assert.DoesNotContain(few.Caveats, c => c.Kind == "state-capped");
    }

    [Fact]
    public void Failures_past_the_table_of_findings_are_reported_as_uncounted()
    {
        var report = Analyze(new AnalysisOptions { MaxFailureGroups = 2 });

        Assert.InRange(report.Findings.Count, 1, 2);
        var caveat = Assert.Single(report.Caveats, c => c.Kind == "failures-uncounted");
        Assert.Contains("past the table of findings (2)", caveat.Text, StringComparison.Ordinal);
    }
}
