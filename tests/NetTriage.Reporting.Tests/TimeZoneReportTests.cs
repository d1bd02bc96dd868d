using System.Text;
using NetTriage.Analysis;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// The human reports print absolute times in the zone they are given (the CLI gives the local one, or UTC with
/// --utc) and name it; a time of day alone is printed as read, with its date and zone said to be unknown; the JSON
/// stays UTC. The zones here are made up (fixed offsets), so the tests need no zone data and no machine zone.
/// </summary>
public sealed class TimeZoneReportTests
{
    private static DisplayZone Fixed(string id, int minutes) =>
        DisplayZone.Of(TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromMinutes(minutes), id, id));

    private static TimeValue Absolute(string text) => new() { Text = text, Kind = "absolute", Seconds = 0 };

    [Fact]
    public void Wording_prints_an_absolute_time_in_the_zone_with_its_offset()
    {
        var t = Absolute("2023-03-14T13:24:32.192571Z");
        Assert.Equal("2023-03-14 18:54:32.192571 UTC+05:30", Wording.Time(t, Fixed("Test/Plus0530", 330)));
        Assert.Equal("2023-03-14 03:24:32.192571 UTC-10:00", Wording.Time(t, Fixed("Test/Minus10", -600)));
        Assert.Equal("2023-03-15 03:24:32.192571", Wording.PacketTime(t, Fixed("Test/Plus14", 840)));
        Assert.Equal("UTC+05:30", Wording.ZoneSuffix(t, Fixed("Test/Plus0530", 330)));
        // Nanoseconds are kept as the model wrote them.
        Assert.Equal("2023-03-14 14:24:32.192571001 UTC+01:00", Wording.Time(Absolute("2023-03-14T13:24:32.192571001Z"), Fixed("Test/Plus1", 60)));
        Assert.Equal("2023-03-14 13:24:32.192571 UTC", Wording.Time(t, DisplayZone.Utc));
    }

    [Fact]
    public void A_window_names_the_date_again_when_it_crosses_local_midnight()
    {
        var first = Absolute("2023-03-14T13:24:32.192571Z");
        var last = Absolute("2023-03-14T13:28:50.022967Z");
        var zone = Fixed("Test/Plus1034", 634);
        Assert.Equal("2023-03-14 23:58:32.192571 UTC+10:34 to 2023-03-15 00:02:50.022967 UTC+10:34 (4 min 17 s)",
            Wording.Window(first, last, 257.830396, zone));
        Assert.Equal("2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)", Wording.Window(first, last, 257.830396));
    }

    [Fact]
    public void The_text_report_prints_local_times_and_names_the_zone()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");

        string text = ReportWriter.Write(ReportFormat.Text, report, zone: Fixed("Test/Plus0530", 330));

        Assert.Contains("Capture window:   2023-03-14 18:54:32.192571 UTC+05:30 to 18:58:50.022967 UTC+05:30 (4 min 17 s)", text, StringComparison.Ordinal);
        Assert.Contains("Times:            local time, Test/Plus0530 (UTC+05:30)", text, StringComparison.Ordinal);
        Assert.Contains("(UTC+05:30), the packet.", text, StringComparison.Ordinal);
        Assert.Contains("frame 1  2023-03-14 18:54:32.192571  IP 192.51.100.15.52444", text, StringComparison.Ordinal);
        Assert.DoesNotContain("(UTC)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_timeline_ticks_on_round_local_minutes()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");

        string html = ReportWriter.Write(ReportFormat.Html, report, zone: Fixed("Test/Plus0530", 330));

        // 13:24:32 to 13:28:50 UTC is 18:54:32 to 18:58:50 at UTC+05:30.
        foreach (var label in new[] { "18:55", "18:56", "18:57", "18:58" })
        {
            Assert.Contains($"text-anchor=\"middle\">{label}</text>", html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("text-anchor=\"middle\">13:25</text>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_of_day_log_is_printed_as_read_and_its_date_and_zone_said_unknown_once()
    {
        var report = TestCaptures.Sample("seed-incident.txt");

        string inZone = ReportWriter.Write(ReportFormat.Markdown, report, zone: Fixed("Test/Plus0530", 330));

        const string note = "the time of day as the input gives it; the date and the time zone are unknown";
        Assert.Single(inZone.Split('\n'), line => line.Contains(note, StringComparison.Ordinal));
        Assert.Equal(ReportWriter.Write(ReportFormat.Markdown, report), inZone);
        Assert.Contains("13:24:32.192571 to 13:28:50.022967", inZone, StringComparison.Ordinal);
    }

    [Fact]
    public void Dated_tcpdump_text_is_printed_as_read_and_its_zone_said_unknown()
    {
        // tcpdump -tttt prints dates in the zone it ran in, which the text does not say: never shifted again.
        var lines = File.ReadAllText(Path.Combine(NetTriage.Tests.Shared.TestPaths.Samples, "seed-incident.txt"))
            .Split('\n')
            .Select(l => l.Length > 2 && char.IsDigit(l[0]) && l[2] == ':' ? "2023-03-14 " + l : l);
        var report = TestCaptures.Analyze(Encoding.ASCII.GetBytes(string.Join('\n', lines)), "dated.txt");

        string text = ReportWriter.Write(ReportFormat.Text, report, zone: Fixed("Test/Plus0530", 330));

        Assert.Contains("Capture window:   2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC", text, StringComparison.Ordinal);
        Assert.Contains("Times:            as the tcpdump text gives them, taken as UTC; the text does not say its time zone", text, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC+05:30", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_is_the_same_in_every_zone_while_markdown_follows_it()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");
        var zone = Fixed("Test/Plus0530", 330);

        Assert.Equal(ReportWriter.Write(ReportFormat.Json, report), ReportWriter.Write(ReportFormat.Json, report, zone: zone));
        Assert.NotEqual(ReportWriter.Write(ReportFormat.Markdown, report), ReportWriter.Write(ReportFormat.Markdown, report, zone: zone));
    }

    [Fact]
    public void Utc_names_no_zone_beyond_the_utc_after_each_time()
    {
        // UTC reports are as they were: every time says UTC, and there is no "Times" line.
        string text = ReportWriter.Write(ReportFormat.Text, TestCaptures.Sample("seed-incident.pcap"), zone: DisplayZone.Utc);
        Assert.Contains("Capture window:   2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Times:", text, StringComparison.Ordinal);
    }
}
