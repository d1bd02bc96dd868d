using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>
/// `show` and the human reports print times in the local time zone, as tcpdump does, and say which zone; --utc prints
/// UTC; a time of day alone is shown as read, with its date and zone said to be unknown; the JSON stays UTC. Each
/// test runs nettriage (and tcpdump) as a child process with its own TZ, whatever the machine's zone.
/// </summary>
public sealed class TimeZoneTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.Samples, name);

    private static Dictionary<string, string> Tz(string zone) => new() { ["TZ"] = zone };

    /// <summary>.NET and tcpdump read the zone from the system's zone data (tzdata).</summary>
    private static void SkipWithoutZoneData(string zone) =>
        Skip.IfNot(File.Exists(Path.Combine("/usr/share/zoneinfo", zone)), $"no zone data for {zone} (install tzdata)");

    [SkippableFact]
    public void Show_in_Paris_prints_the_times_tcpdump_prints_there_and_names_the_zone_on_stderr()
    {
        SkipWithoutZoneData("Europe/Paris");

        var result = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "show", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        // 13:24:32 UTC on 2023-03-14 is 14:24:32 in Paris (CET, UTC+01:00).
        Assert.StartsWith("    1  14:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A?", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal("nettriage: times are local time, Europe/Paris (UTC+01:00); --utc prints UTC", Assert.Single(result.StderrLines));

        var tcpdump = CliRunner.RunToolWith(Tz("Europe/Paris"), "tcpdump", "-n", "-#", "-r", Sample("seed-incident.pcap"));
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");
        Assert.Equal(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries), result.StdoutLines);
    }

    [SkippableFact]
    public void Show_with_the_date_in_a_zone_past_midnight_prints_the_local_date_as_tcpdump_tttt_does()
    {
        SkipWithoutZoneData("Pacific/Kiritimati");

        var result = CliRunner.RunProcessWith(Tz("Pacific/Kiritimati"), null, "show", "--date", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        // UTC+14:00: the next day.
        Assert.StartsWith("    1  2023-03-15 03:24:32.192571 IP ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("Pacific/Kiritimati (UTC+14:00)", Assert.Single(result.StderrLines), StringComparison.Ordinal);

        var tcpdump = CliRunner.RunToolWith(Tz("Pacific/Kiritimati"), "tcpdump", "-n", "-#", "-tttt", "-r", Sample("seed-incident.pcap"));
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");
        Assert.Equal(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries), result.StdoutLines);
    }

    [SkippableFact]
    public void Show_utc_prints_utc_in_any_zone_and_says_nothing()
    {
        SkipWithoutZoneData("Europe/Paris");

        var result = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "show", "--utc", "--date", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("    1  2023-03-14 13:24:32.192571 IP ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Empty(result.StderrLines);
    }

    [SkippableFact]
    public void Show_of_a_time_of_day_log_prints_it_as_read_and_says_the_date_and_zone_are_unknown()
    {
        SkipWithoutZoneData("Europe/Paris");

        var result = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "show", Sample("seed-incident.txt"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("    1  13:24:32.192571 IP ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.EndsWith("seed-incident.txt: times are the time of day as the input gives it; the date and the time zone are unknown",
            Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Show_reads_back_tcpdump_tttt_text_without_shifting_its_times_again()
    {
        SkipWithoutZoneData("Europe/Paris");
        var text = CliRunner.RunToolWith(Tz("Europe/Paris"), "tcpdump", "-n", "-tttt", "-r", Sample("seed-incident.pcap"));
        Skip.If(text is null, "tcpdump is not installed (.ci/run installs it)");

        var result = CliRunner.RunProcessWith(Tz("Europe/Paris"), System.Text.Encoding.ASCII.GetBytes(text!), "show", "--date", "-");

        Assert.Equal(0, result.ExitCode);
        // The text says 14:24:32 (Paris); it is shown as read, not taken for UTC and moved to 15:24:32.
        Assert.StartsWith("    1  2023-03-14 14:24:32.192571 IP ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("the text does not say its time zone", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_zone_without_data_falls_back_to_utc_and_says_so()
    {
        var result = CliRunner.RunProcessWith(Tz("No_Such/Zone"), null, "show", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("    1  13:24:32.192571 IP ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal("nettriage: times are UTC (the time zone TZ=No_Such/Zone could not be read)", Assert.Single(result.StderrLines));
    }

    [SkippableFact]
    public void The_text_report_in_Paris_prints_local_times_and_names_the_zone_and_utc_prints_utc()
    {
        SkipWithoutZoneData("Europe/Paris");

        var local = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "analyze", "--no-store", Sample("seed-incident.pcap"));
        var utc = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "analyze", "--no-store", "--utc", Sample("seed-incident.pcap"));

        Assert.Equal(0, local.ExitCode);
        Assert.Contains("Capture window:   2023-03-14 14:24:32.192571 UTC+01:00 to 14:28:50.022967 UTC+01:00 (4 min 17 s)", local.Stdout, StringComparison.Ordinal);
        Assert.Contains("Times:            local time, Europe/Paris (UTC+01:00)", local.Stdout, StringComparison.Ordinal);
        Assert.Contains("frame 1  2023-03-14 14:24:32.192571  IP 192.51.100.15.52444", local.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("(UTC)", local.Stdout, StringComparison.Ordinal);
        Assert.Empty(local.StderrLines);

        Assert.Equal(0, utc.ExitCode);
        Assert.Contains("Capture window:   2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)", utc.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Times:", utc.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC+01:00", utc.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_report_of_a_time_of_day_log_says_once_that_the_date_and_zone_are_unknown()
    {
        SkipWithoutZoneData("Europe/Paris");

        var result = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "analyze", "--no-store", "--format", "md", Sample("seed-incident.txt"));

        Assert.Equal(0, result.ExitCode);
        const string note = "the time of day as the input gives it; the date and the time zone are unknown";
        Assert.Single(result.Stdout.Split('\n'), line => line.Contains(note, StringComparison.Ordinal));
        Assert.Contains("13:24:32.192571 to 13:28:50.022967", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_json_stays_utc_while_the_markdown_follows_the_zone()
    {
        SkipWithoutZoneData("Europe/Paris");
        var input = Sample("seed-incident.pcap");

        var jsonParis = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "analyze", "--no-store", "--format", "json", input);
        var jsonUtc = CliRunner.RunProcessWith(Tz("UTC"), null, "analyze", "--no-store", "--format", "json", input);
        var mdParis = CliRunner.RunProcessWith(Tz("Europe/Paris"), null, "analyze", "--no-store", "--format", "md", input);
        var mdUtc = CliRunner.RunProcessWith(Tz("UTC"), null, "analyze", "--no-store", "--format", "md", input);

        Assert.Equal(jsonUtc.Stdout, jsonParis.Stdout);
        Assert.Contains("\"2023-03-14T13:24:32.192571Z\"", jsonParis.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(mdUtc.Stdout, mdParis.Stdout);
        Assert.Contains("14:24:32.192571 UTC+01:00", mdParis.Stdout, StringComparison.Ordinal);
    }
}
