using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Reporting.Document;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Several inputs in one analysis: every timeline event names the input its frames are in (frame numbers restart
/// in each input), and inputs on different clocks (a time-of-day text log, a dated capture) get no window over all.
/// </summary>
public sealed class MultiInputTests
{
    /// <summary>Three DNS queries to the seed's server, each answered ICMP port unreachable; <paramref name="hoursLater"/> shifts the clock.</summary>
    private static byte[] RefusedQueries(double hoursLater)
    {
        var b = new TestCaptures.Builder();
        b.Advance(hoursLater * 3600);
        for (int i = 0; i < 3; i++)
        {
            var query = b.DnsQuery(TestCaptures.Client, TestCaptures.DnsServer, (ushort)(52000 + i), (ushort)(100 + i), "yummyrecipesforme.com");
            b.Advance(0.002);
            b.IcmpUnreachable(TestCaptures.DnsServer, TestCaptures.Client, 3, query);
            b.Advance(1);
        }
        return b.ToArray();
    }

    private static AnalysisReport Analyze(params (byte[] Bytes, string Name)[] inputs)
    {
        var analyzer = new Analyzer();
        foreach (var (bytes, name) in inputs)
        {
            using var source = CaptureOpener.Open(new MemoryStream(bytes), name);
            analyzer.Read(source);
        }
        return analyzer.Finish();
    }

    [Fact]
    public void Timeline_events_name_the_input_their_frames_are_in()
    {
        var report = Analyze((RefusedQueries(0), "morning.pcap"), (RefusedQueries(1), "later.pcap"));

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsServerUnreachable, incident.Kind);
        Assert.Equal(6, incident.Attempts);
        // Both inputs number their frames 1 to 6: each event's time must be the time of the packet it cites in
        // the input it names.
        Assert.Contains(incident.Timeline, e => e.Input == 0);
        Assert.Contains(incident.Timeline, e => e.Input == 1);
        foreach (var e in incident.Timeline)
        {
            var cited = incident.Evidence.Single(p => p.Input == e.Input && p.Frame == e.Frames[0]);
            Assert.Equal(cited.Time.Text, e.Time.Text);
        }

        // The text report names input 2 for the events an hour later, not input 1's packets of the same number.
        string text = ReportWriter.Write(ReportFormat.Text, report);
        var later = incident.Timeline.Where(e => e.Input == 1).ToList();
        foreach (var e in later)
        {
            string time = e.Time.Text[11..^1];
            // The timeline row: its number, the time, the event, the evidence (the first line of a wrapped row).
            string row = text.Split('\n').Single(l => l.Contains(time + " UTC", StringComparison.Ordinal) && l.Contains(" frame ", StringComparison.Ordinal));
            Assert.Contains($"input 2 frame {e.Frames[0]}", row, StringComparison.Ordinal);
        }

        // The JSON carries the input of each event.
        string json = AnalysisJson.Serialize(report);
        Assert.Contains("\"input\": 1,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_on_different_clocks_get_no_window_over_all()
    {
        var text = File.ReadAllBytes(Path.Combine(TestPaths.Samples, "seed-incident.txt"));
        var report = Analyze((text, "samples/seed-incident.txt"), (RefusedQueries(0), "dated.pcap"));

        // Before: "13:24:32.192571 to 2024-05-06 09:30:02 UTC", a window between a time of day and a date.
        Assert.Null(report.Capture.Start);
        Assert.Null(report.Capture.End);
        Assert.Null(report.Capture.DurationSeconds);
        Assert.Equal("time-of-day", report.Inputs[0].Start?.Kind);
        Assert.Equal("13:24:32.192571", report.Inputs[0].Start?.Text);
        Assert.Equal("absolute", report.Inputs[1].Start?.Kind);
        Assert.Equal("2024-05-06T09:30:00.000000Z", report.Inputs[1].Start?.Text);
        var caveat = Assert.Single(report.Caveats, c => c.Kind == "mixed-clocks");
        Assert.Contains("input 1 has times of day without a date or zone, input 2 has dated times", caveat.Text.Text, StringComparison.Ordinal);

        string rendered = ReportWriter.Write(ReportFormat.Text, report);
        Assert.DoesNotContain("13:24:32.192571 to 2024", rendered, StringComparison.Ordinal);
        Assert.Contains("none over all inputs: their clocks differ", rendered, StringComparison.Ordinal);
        Assert.Contains("13:24:32.192571 to", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_on_one_clock_keep_one_window_over_all()
    {
        var report = Analyze((RefusedQueries(0), "morning.pcap"), (RefusedQueries(1), "later.pcap"));

        Assert.Equal("2024-05-06T09:30:00.000000Z", report.Capture.Start?.Text);
        Assert.Equal(report.Inputs[1].End?.Text, report.Capture.End?.Text);
        Assert.StartsWith("2024-05-06T10:30:02", report.Capture.End?.Text, StringComparison.Ordinal);
        Assert.Equal("2024-05-06T10:30:00.000000Z", report.Inputs[1].Start?.Text);
        Assert.DoesNotContain(report.Caveats, c => c.Kind == "mixed-clocks");
    }
}
