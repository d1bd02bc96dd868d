using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace NetTriage.Cli.Tests.History;

/// <summary>
/// The history store end to end, on SQLite and PostgreSQL with the same scenarios: captures of one DNS service
/// healthy, failing, recovered and failing again, analysed in any order, give the same trends; a capture analysed
/// twice is stored once; stores that cannot be used leave the report whole and say why.
/// </summary>
public sealed class HistoryTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static (int Code, JsonElement Report, string Stderr) Analyze(string store, params string[] inputs)
    {
        var result = CliRunner.Run(["analyze", "--format", "json", "--store", store, "--sensor", "lab", .. inputs]);
        Assert.True(result.Stdout.Length > 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return (result.ExitCode, json.RootElement.Clone(), result.Stderr);
    }

    private static JsonElement Trend(JsonElement report) => report.GetProperty("incidents")[0].GetProperty("trend");

    private static string Status(JsonElement report) => Trend(report).GetProperty("status").GetString()!;

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void Healthy_failing_recovered_failing_gives_the_same_trends_in_any_order(string kind)
    {
        using var forward = TestStore.Create(kind);
        using var backward = TestStore.Create(kind);
        string healthy1 = HistoryScenario.Write(forward.Folder, Day1, healthy: true);
        string failing2 = HistoryScenario.Write(forward.Folder, Day1.AddDays(1), healthy: false);
        string healthy3 = HistoryScenario.Write(forward.Folder, Day1.AddDays(2), healthy: true);
        string failing4 = HistoryScenario.Write(forward.Folder, Day1.AddDays(3), healthy: false);
        string failing5 = HistoryScenario.Write(forward.Folder, Day1.AddDays(4), healthy: false);
        string[] captures = [healthy1, failing2, healthy3, failing4, failing5];

        foreach (var capture in captures)
        {
            Assert.Equal(0, Analyze(forward.Store, capture).Code);
        }
        foreach (var capture in captures.Reverse())
        {
            Assert.Equal(0, Analyze(backward.Store, capture).Code);
        }

        foreach (var store in new[] { forward.Store, backward.Store })
        {
            // Analysed again: the store is not changed, and the trends are computed from the other captures.
            var second = Analyze(store, failing2).Report;
            Assert.Equal("new", Status(second));
            Assert.Equal(healthy1, Trend(second).GetProperty("lastWorking").GetProperty("capture").GetString());
            Assert.Equal(0, Trend(second).GetProperty("earlierFailureRate").GetDouble());

            var fourth = Analyze(store, failing4).Report;
            Assert.Equal("recurring", Status(fourth));
            Assert.Equal(failing2, Trend(fourth).GetProperty("firstFailed").GetProperty("capture").GetString());
            Assert.Equal(healthy3, Trend(fourth).GetProperty("lastWorking").GetProperty("capture").GetString());
            // Day 1 and day 3 answered all 9 queries, day 2 failed all 9: 9 of 27.
            Assert.Equal(27, Trend(fourth).GetProperty("earlierAttempts").GetInt64());
            Assert.Equal(Math.Round(9.0 / 27, 4), Trend(fourth).GetProperty("earlierFailureRate").GetDouble());

            var fifth = Analyze(store, failing5).Report;
            Assert.Equal("ongoing", Status(fifth));
            Assert.Equal(failing4, Trend(fifth).GetProperty("failingSince").GetProperty("capture").GetString());
            Assert.StartsWith($"{Day1.AddDays(3):yyyy-MM-dd}T09:00", Trend(fifth).GetProperty("failingSince").GetProperty("time").GetProperty("text").GetString());
        }
        Assert.Equal(Listing(forward.Store), Listing(backward.Store));
    }

    /// <summary>The analyses a store lists, as JSON without the times they were recorded (which differ).</summary>
    private static string Listing(string store)
    {
        var result = CliRunner.Run("history", "--store", store, "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        return string.Join("\n", json.RootElement.GetProperty("analyses").EnumerateArray()
            .Select(a => $"{a.GetProperty("id")} {a.GetProperty("capture")} {a.GetProperty("verdict")} {a.GetProperty("incidents").GetArrayLength()}"));
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void A_service_never_seen_is_unknown_and_an_established_one_ranks_down_higher(string kind)
    {
        using var store = TestStore.Create(kind);
        string failing = HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false);
        var alone = Analyze(store.Store, failing).Report;
        Assert.Equal("unknown", Status(alone));
        var causesAlone = alone.GetProperty("incidents")[0].GetProperty("causes").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("score").GetDouble());

        string healthy = HistoryScenario.Write(store.Folder, Day1, healthy: true);
        Analyze(store.Store, healthy);
        var established = Analyze(store.Store, failing).Report;
        Assert.Equal("new", Status(established));
        var causes = established.GetProperty("incidents")[0].GetProperty("causes").EnumerateArray().ToList();
        var down = causes.Single(c => c.GetProperty("id").GetString() == "service-not-listening");
        Assert.Equal(Math.Round(causesAlone["service-not-listening"] + 0.1, 2), down.GetProperty("score").GetDouble());
        Assert.Contains(down.GetProperty("for").EnumerateArray(), f => f.GetString()!.Contains("established service", StringComparison.Ordinal));
        var scores = causes.Select(c => c.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void The_same_capture_twice_is_stored_once(string kind)
    {
        using var store = TestStore.Create(kind);
        string capture = HistoryScenario.Write(store.Folder, Day1, healthy: false);
        var first = Analyze(store.Store, capture);
        var copy = Path.Combine(store.Folder, "renamed-copy.pcap");
        File.Copy(capture, copy);
        var second = Analyze(store.Store, copy);
        Assert.Equal(0, first.Code);
        Assert.Equal(0, second.Code);
        Assert.Equal("", second.Stderr);
        var list = CliRunner.Run("history", "--store", store.Store);
        Assert.Contains("(1 analysis)", list.Stdout, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(capture), list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("renamed-copy", list.Stdout, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void Parallel_analyses_all_land(string kind)
    {
        using var store = TestStore.Create(kind);
        var captures = Enumerable.Range(0, 6).Select(i => HistoryScenario.Write(store.Folder, Day1.AddDays(i), healthy: i % 2 == 0)).ToList();
        var results = captures.AsParallel().WithDegreeOfParallelism(6)
            .Select(c => CliRunner.RunProcess(null, "analyze", "--store", store.Store, "--sensor", "lab", c)).ToList();
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        var list = CliRunner.Run("history", "--store", store.Store, "--format", "json");
        using var json = JsonDocument.Parse(list.Stdout);
        Assert.Equal(6, json.RootElement.GetProperty("analyses").GetArrayLength());
        // Newest capture first.
        var ids = json.RootElement.GetProperty("analyses").EnumerateArray().Select(a => a.GetProperty("capture").GetString()!).ToList();
        Assert.Equal(ids.OrderByDescending(c => c, StringComparer.Ordinal), ids);
    }

    [Fact]
    public void A_corrupt_sqlite_file_is_not_touched_and_the_report_is_still_written()
    {
        using var store = TestStore.Create("sqlite");
        var bytes = new byte[8192];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(store.Store, bytes);
        string capture = HistoryScenario.Write(store.Folder, Day1, healthy: false);
        var result = CliRunner.Run("analyze", "--store", store.Store, capture);
        Assert.Equal(ExitCodes.NotRecorded, result.ExitCode);
        Assert.Contains("Incident report", result.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("nettriage: analysis not recorded in the history: cannot open the SQLite store", line, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(store.Store));
    }

    [Fact]
    public void A_foreign_sqlite_database_is_not_written_to()
    {
        using var store = TestStore.Create("sqlite");
        using (var connection = new SqliteConnection($"Data Source={store.Store};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('alice')";
            command.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(store.Store);
        var result = CliRunner.Run("analyze", "--store", store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: false));
        Assert.Equal(ExitCodes.NotRecorded, result.ExitCode);
        Assert.Contains("database of something else", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(store.Store));
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void A_store_from_a_newer_version_is_refused_and_kept(string kind)
    {
        using var store = TestStore.Create(kind);
        string first = HistoryScenario.Write(store.Folder, Day1, healthy: true);
        Assert.Equal(0, Analyze(store.Store, first).Code);
        const string bump = "INSERT INTO nt_schema (version) VALUES (999)";
        if (kind == "sqlite")
        {
            using var connection = new SqliteConnection($"Data Source={store.Store};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = bump;
            command.ExecuteNonQuery();
        }
        else
        {
            store.PostgresScalar(bump + " RETURNING version");
        }
        var result = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false));
        Assert.Equal(ExitCodes.NotRecorded, result.Code);
        Assert.Contains("schema version 999, newer than this program's", result.Stderr, StringComparison.Ordinal);
        Assert.False(result.Report.GetProperty("incidents")[0].TryGetProperty("trend", out _));
        long analyses = kind == "sqlite" ? SqliteCount(store.Store) : store.PostgresScalar("SELECT count(*) FROM nt_analyses");
        Assert.Equal(1, analyses);
    }

    private static long SqliteCount(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM nt_analyses";
        return (long)command.ExecuteScalar()!;
    }

    [Theory]
    [InlineData("postgresql://nettriage@127.0.0.1:1/history", "cannot open the PostgreSQL store postgresql://nettriage@127.0.0.1:1/history")]
    public void A_postgresql_server_that_is_down_costs_one_line_and_exit_3(string url, string expected)
    {
        using var folder = TestStore.Create("sqlite");
        var result = CliRunner.Run("analyze", "--store", url, HistoryScenario.Write(folder.Folder, Day1, healthy: false));
        Assert.Equal(ExitCodes.NotRecorded, result.ExitCode);
        Assert.Contains("Incident report", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_postgresql_login_refused_costs_one_line_and_exit_3()
    {
        string? admin = Environment.GetEnvironmentVariable(TestStore.PostgresVariable);
        Skip.If(string.IsNullOrEmpty(admin), $"{TestStore.PostgresVariable} is not set");
        var uri = new Uri(admin!);
        string url = $"postgresql://no_such_role_{Guid.NewGuid():N}@{uri.Authority[(uri.Authority.IndexOf('@', StringComparison.Ordinal) + 1)..]}/postgres";
        using var folder = TestStore.Create("sqlite");
        var result = CliRunner.Run("analyze", "--store", url, HistoryScenario.Write(folder.Folder, Day1, healthy: false));
        Assert.Equal(ExitCodes.NotRecorded, result.ExitCode);
        Assert.Contains("Incident report", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql:///history")]
    [InlineData("postgresql://analyst@db.example/history?sslmod=require")]
    public void A_store_url_that_cannot_be_read_is_a_usage_error_before_any_input_is_read(string url)
    {
        // The input does not exist: the store's option is checked first, so the error is the URL's.
        var result = CliRunner.Run("analyze", "--store", url, "missing-capture.pcap");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("nettriage: --store: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void No_store_records_nothing_and_prints_no_trend()
    {
        using var store = TestStore.Create("sqlite");
        var result = CliRunner.Run("analyze", "--no-store", "--store", store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: false));
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("Previous trends", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(store.Store));
    }

    [Fact]
    public void Every_format_has_the_previous_trends()
    {
        using var store = TestStore.Create("sqlite");
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: true));
        string failing = HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false);
        foreach (var format in new[] { "text", "md", "html" })
        {
            var result = CliRunner.Run("analyze", "--store", store.Store, "--format", format, failing);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Previous trends", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("was established: it worked in 1 earlier capture", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_service_history_shows_each_period_and_an_html_chart()
    {
        using var store = TestStore.Create("sqlite");
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: true));
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false));
        var text = CliRunner.Run("history", "--store", store.Store, "--service", HistoryScenario.Service, "--period", "day");
        Assert.Equal(0, text.ExitCode);
        var rows = text.StdoutLines.Where(l => l.StartsWith("2026-11-0", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Matches(@"^2026-11-02 00:00\s+9\s+9\s+0\s+0%", rows[0]);
        Assert.Matches(@"^2026-11-03 00:00\s+9\s+0\s+9\s+100%", rows[1]);
        var html = CliRunner.Run("history", "--store", store.Store, "--service", HistoryScenario.Service, "--format", "html");
        Assert.Contains("<svg", html.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html.Stdout, "fill=\"#c0392b\"").Count);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void A_name_that_now_resolves_elsewhere_is_a_change(string kind)
    {
        using var store = TestStore.Create(kind);
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: true, ttl: 300));
        // The next day the same name resolves to another address, whose port 80 refuses every connection.
        var moved = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: true, answer: "198.51.100.66", refusedConnect: true)).Report;
        var incident = moved.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("servers")[0].GetString() == "198.51.100.66");
        var changes = incident.GetProperty("trend").GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains(changes, c => c.StartsWith("The DNS answer for intranet.example changed: 198.51.100.66 in this capture, 10.20.1.80 in ", StringComparison.Ordinal));

        // The day after, the old address again with its TTL raised from 300 to 86,400 s: the same address, a raised TTL.
        var raised = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(2), healthy: true, ttl: 86_400, refusedConnect: true)).Report;
        var again = raised.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("servers")[0].GetString() == "10.20.1.80");
        var changed = again.GetProperty("trend").GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains(changed, c => c.StartsWith("The DNS answer for intranet.example changed: 10.20.1.80 in this capture, 198.51.100.66 in ", StringComparison.Ordinal));

        // A failing resolver: the name had an address before and has none now.
        var failing = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(3), healthy: false)).Report;
        var lost = Trend(failing).GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains(lost, c => c.StartsWith("intranet.example resolved to 10.20.1.80 in ", StringComparison.Ordinal) && c.EndsWith("in this capture no answer gave it an address.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_store_of_an_older_version_is_migrated_and_keeps_its_analyses()
    {
        using var store = TestStore.Create("sqlite");
        string first = HistoryScenario.Write(store.Folder, Day1, healthy: true);
        Analyze(store.Store, first);
        // Back to version 1, as the first program that wrote stores left them: no DNS answers table.
        Sql(store.Store, "DROP TABLE nt_dns_answers; DELETE FROM nt_schema WHERE version > 1");
        var result = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false));
        Assert.Equal(0, result.Code);
        Assert.Equal("new", Status(result.Report));
        Assert.Equal(2, SqliteCount(store.Store));
        Assert.Equal(2, Sql(store.Store, "SELECT max(version) FROM nt_schema"));
    }

    private static long Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void A_resolver_never_seen_before_is_a_new_resolver_and_ranks_misconfiguration_higher(string kind)
    {
        using var store = TestStore.Create(kind);
        string failing = HistoryScenario.Write(store.Folder, Day1.AddDays(2), healthy: false, resolver: "10.20.0.54");
        var alone = Analyze(store.Store, failing).Report;
        var scoresAlone = alone.GetProperty("incidents")[0].GetProperty("causes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("score").GetDouble());

        // Two earlier days on which the clients used another resolver, which answered.
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: true));
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: true));
        var report = Analyze(store.Store, failing).Report;
        var trend = Trend(report);
        Assert.Equal("unknown", trend.GetProperty("status").GetString());
        Assert.StartsWith("None of the 2 earlier captures in the history saw 10.20.0.54 UDP port 53", trend.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(trend.GetProperty("changes").EnumerateArray(),
            c => c.GetString() == "A new resolver: 10.20.0.54 was never seen answering before; earlier captures used 10.20.0.53.");
        var firewall = report.GetProperty("incidents")[0].GetProperty("causes").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "firewall-reject");
        Assert.Equal(Math.Round(scoresAlone["firewall-reject"] + 0.1, 2), firewall.GetProperty("score").GetDouble());
        Assert.Contains(firewall.GetProperty("for").EnumerateArray(), f => f.GetString()!.Contains("never saw this service before", StringComparison.Ordinal));
    }

    [Fact]
    public void History_filters_by_sensor_and_time()
    {
        using var store = TestStore.Create("sqlite");
        Assert.Equal(0, CliRunner.Run("analyze", "--store", store.Store, "--sensor", "branch", HistoryScenario.Write(store.Folder, Day1, healthy: true)).ExitCode);
        Assert.Equal(0, CliRunner.Run("analyze", "--store", store.Store, "--sensor", "hq", HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: false)).ExitCode);
        var hq = CliRunner.Run("history", "--store", store.Store, "--sensor", "hq");
        Assert.Contains("(1 analysis of sensor hq)", hq.Stdout, StringComparison.Ordinal);
        Assert.Contains("2026-11-03", hq.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-11-02", hq.Stdout, StringComparison.Ordinal);
        var since = CliRunner.Run("history", "--store", store.Store, "--since", "2026-11-03");
        Assert.Contains("(1 analysis)", since.Stdout, StringComparison.Ordinal);
        var until = CliRunner.Run("history", "--store", store.Store, "--until", "2026-11-03T00:00");
        Assert.Contains("2026-11-02", until.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-11-03", until.Stdout, StringComparison.Ordinal);
        var bad = CliRunner.Run("history", "--store", store.Store, "--since", "yesterday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("nettriage: --since: write the time as 2026-12-01 or 2026-12-01T13:00 (UTC)", Assert.Single(bad.StderrLines));
        var badService = CliRunner.Run("history", "--store", store.Store, "--service", "10.20.0.53");
        Assert.Equal(2, badService.ExitCode);
        Assert.Single(badService.StderrLines);
    }

    [Fact]
    public void A_raised_ttl_is_a_change()
    {
        using var store = TestStore.Create("sqlite");
        Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1, healthy: true, ttl: 300));
        var raised = Analyze(store.Store, HistoryScenario.Write(store.Folder, Day1.AddDays(1), healthy: true, ttl: 86_400, refusedConnect: true)).Report;
        var changes = raised.GetProperty("incidents")[0].GetProperty("trend").GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains(changes, c => c.StartsWith("The TTL of intranet.example was raised: 86400 s in this capture, at most 300 s in ", StringComparison.Ordinal));
    }

    [Fact]
    public void History_of_a_missing_store_says_so_without_creating_it()
    {
        using var store = TestStore.Create("sqlite");
        var result = CliRunner.Run("history", "--store", store.Store);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No analysis recorded yet", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(store.Store));
    }
}
