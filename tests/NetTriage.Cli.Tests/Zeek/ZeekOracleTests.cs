using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTriage.Tests.Shared;
using Xunit.Abstractions;

namespace NetTriage.Cli.Tests.Zeek;

/// <summary>
/// Zeek as the oracle for `nettriage logs`: every trace of Zeek's test suite listed in MAP.tsv
/// (../shared/corpus/zeek) goes through the command, and the conn.log/dns.log we write are compared with the
/// ones Zeek wrote for that test (see <see cref="ZeekOracle"/>). The output is a table: agreement per field,
/// overall field and row agreement, rows matched per test, skipped tests and why, and example differences.
/// </summary>
public sealed class ZeekOracleTests(ITestOutputHelper output) : IDisposable
{
    // Measured 99.2% of fields (8,473/8,545) and 100% of rows (536/536) (docs/zeek-logs.md says where the rest differ and why).
    // Raised as agreement improves; target 0.99 (issue: Zeek-compatible logs)
    private const double FieldAgreementFloor = 0.991;
    // Raised as agreement improves; target 0.99 (issue: Zeek-compatible logs)
    private const double RowAgreementFloor = 1.0;

    private const int ExamplesShown = 120;
    private const string CorpusAbsent = "the Zeek corpus (../shared/corpus/zeek beside the repository) is absent";

    /// <summary>The logs the command writes; each one written is checked against Zeek's TSV format.</summary>
    private static readonly string[] WrittenLogs = ["conn", "dns", "notice", "weird"];

    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-zeek-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record MapEntry(string Test, string Log, string Trace);

    private sealed record TraceRun(int ExitCode, string FirstStderrLine, string OutputDir);

    private static string? Corpus
    {
        get
        {
            if (TestPaths.Shared is not { } shared) return null;
            var corpus = Path.Combine(shared, "corpus", "zeek");
            return File.Exists(Path.Combine(corpus, "MAP.tsv")) ? corpus : null;
        }
    }

    private static List<MapEntry> ReadMap(string corpus) =>
        File.ReadLines(Path.Combine(corpus, "MAP.tsv"))
            .Select(l => l.Split('\t'))
            .Where(f => f.Length >= 3 && f[1] is "conn" or "dns")
            .Select(f => new MapEntry(f[0], f[1], f[2]))
            .ToList();

    /// <summary>
    /// The trace file of a MAP.tsv entry. A few tests name a capture that is stored as pcapng or gzip
    /// (x.pcap for x.pcapng); those are tried in turn. Null when none exists.
    /// </summary>
    private static string? ResolveTrace(string corpus, string trace)
    {
        var path = Path.Combine(corpus, "Traces", trace);
        foreach (var candidate in new[] { path, path + "ng", path + ".gz", path + "ng.gz" })
        {
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private TraceRun RunLogs(string trace, int index, params string[] extra)
    {
        var dir = Path.Combine(_dir, index.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var result = CliRunner.Run(["logs", trace, "--output-dir", dir, .. extra]);
        var first = result.StderrLines.FirstOrDefault() ?? "";
        return new TraceRun(result.ExitCode, first, dir);
    }

    [SkippableFact]
    public void Conn_and_dns_logs_agree_with_Zeek()
    {
        var corpus = Corpus;
        Skip.If(corpus is null, CorpusAbsent);

        var entries = ReadMap(corpus);
        var runs = new Dictionary<string, TraceRun>(StringComparer.Ordinal);
        var skipped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var failures = new List<(string Test, TraceRun Run)>();
        var perTest = new List<(MapEntry Entry, ZeekOracleResult Result)>();
        var formatProblems = new List<string>();
        var total = new ZeekOracleResult(ExamplesShown);

        void Skipped(string reason, MapEntry entry)
        {
            if (!skipped.TryGetValue(reason, out var tests)) skipped[reason] = tests = [];
            tests.Add($"{entry.Test} ({entry.Log})");
        }

        foreach (var entry in entries)
        {
            var baselinePath = Path.Combine(corpus, "Baseline", entry.Test, entry.Log + ".log");
            if (!File.Exists(baselinePath))
            {
                Skipped("baseline missing", entry);
                continue;
            }
            var trace = ResolveTrace(corpus, entry.Trace);
            if (trace is null)
            {
                Skipped("trace missing", entry);
                continue;
            }
            var baseline = ZeekTsvLog.Load(baselinePath);
            if (!ZeekOracle.KeyFields(entry.Log).All(baseline.Has))
            {
                // Logging-framework tests rename the columns (src, id_orig_h); zeek-cut baselines keep a few.
                Skipped(baseline.IsCut ? "columns cut by zeek-cut (no id.* fields)" : "renamed (no id.* fields)", entry);
                continue;
            }

            // The test's own conditions: its packet filter applied to the trace, -C as --ignore-checksums.
            var script = ZeekTestScript.Of(entry.Test);
            if (script.Filter is { } filter)
            {
                var (header, records) = PcapRecord.Read(trace);
                trace = Path.Combine(_dir, entry.Test + ".pcap");
                if (!File.Exists(trace)) PcapRecord.Write(trace, header, filter(records));
            }
            string[] options = script.IgnoreChecksums ? ["--ignore-checksums"] : [];
            string runKey = trace + "\u0001" + string.Join(' ', options);
            if (!runs.TryGetValue(runKey, out var run))
            {
                run = RunLogs(trace, runs.Count, options);
                runs[runKey] = run;
                if (run.ExitCode == ExitCodes.Success) formatProblems.AddRange(CheckFormat(entry.Trace, run.OutputDir));
            }
            if (run.ExitCode != ExitCodes.Success)
            {
                failures.Add((entry.Test, run));
                continue;
            }

            // Zeek writes no log for a stream without entries; a log we did not write has no rows.
            var oursPath = Path.Combine(run.OutputDir, entry.Log + ".log");
            var ours = File.Exists(oursPath) ? ZeekTsvLog.Load(oursPath) : ZeekTsvLog.Empty;
            var result = ZeekOracle.Compare(entry.Test, entry.Log, baseline, ours, ExamplesShown, script);
            perTest.Add((entry, result));
            total.Add(result);
        }

        Report(entries.Count, runs.Count, skipped, failures, perTest, formatProblems, total);

        int badInput = failures.Count(f => f.Run.ExitCode == ExitCodes.BadInput);
        Assert.True(failures.Count == 0,
            $"{failures.Count} test(s) whose trace did not exit 0 ({badInput} with exit code 2); see the output");
        Assert.Equal(0, badInput);
        Assert.True(total.FieldAgreement >= FieldAgreementFloor,
            $"field agreement {total.FieldAgreement:P2} is below the floor {FieldAgreementFloor:P2}");
        Assert.True(total.RowAgreement >= RowAgreementFloor,
            $"row agreement {total.RowAgreement:P2} is below the floor {RowAgreementFloor:P2}");
        Assert.True(formatProblems.Count == 0,
            $"{formatProblems.Count} log(s) break Zeek's TSV format; first: {formatProblems.FirstOrDefault()}");
    }

    /// <summary>Every log written for one trace checked with <see cref="ZeekTsvLog.Check"/>; one line per bad log.</summary>
    private static IEnumerable<string> CheckFormat(string trace, string dir)
    {
        foreach (var log in WrittenLogs)
        {
            var path = Path.Combine(dir, log + ".log");
            if (!File.Exists(path)) continue;
            var problems = ZeekTsvLog.Check(File.ReadAllText(path));
            if (problems.Count == 0) continue;
            var more = problems.Count > 3 ? $" (+{problems.Count - 3} more)" : "";
            yield return $"{trace} {log}.log: {string.Join("; ", problems.Take(3))}{more}";
        }
    }

    private void Report(
        int entries,
        int traces,
        SortedDictionary<string, List<string>> skipped,
        List<(string Test, TraceRun Run)> failures,
        List<(MapEntry Entry, ZeekOracleResult Result)> perTest,
        List<string> formatProblems,
        ZeekOracleResult total)
    {
        static string Pct(int part, int whole) =>
            $"{part}/{whole} ({ZeekOracleResult.Ratio(part, whole).ToString("P1", CultureInfo.InvariantCulture)})";

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"MAP.tsv: {entries} conn/dns baselines; {perTest.Count} compared, {failures.Count} failed, {skipped.Values.Sum(s => s.Count)} skipped; {traces} trace(s) run");
        foreach (var (reason, tests) in skipped)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  skipped, {reason}: {tests.Count}: {string.Join(", ", tests)}");
        }

        text.AppendLine();
        text.AppendLine("Field agreement (uid, the key fields and masked values not compared):");
        foreach (var (field, tally) in total.Fields)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {field,-16} {Pct(tally.Agreed, tally.Compared)}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Overall fields: {Pct(total.FieldsAgreed, total.FieldsCompared)}");
        foreach (var (reason, count) in total.Excluded)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  not compared, the test's Zeek options: {count} {reason}");
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Overall rows:   {Pct(total.RowsMatched, total.RowsCompared)} matched/compared; baseline {total.BaselineRows}, ours {total.OurRows}, flipped {total.RowsFlipped}, only in baseline {total.BaselineOnlyRows}, only in ours {total.OurOnlyRows}");

        text.AppendLine();
        text.AppendLine("Rows per test: matched/baseline, ours, flipped, fields agreed:");
        foreach (var (entry, result) in perTest)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {entry.Test} ({entry.Log}): {result.RowsMatched}/{result.BaselineRows}, ours {result.OurRows}, flipped {result.RowsFlipped}, fields {Pct(result.FieldsAgreed, result.FieldsCompared)}");
        }

        if (failures.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Tests whose trace failed ({failures.Count}; exit code 2: {failures.Count(f => f.Run.ExitCode == ExitCodes.BadInput)}):");
            foreach (var (test, run) in failures)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {test}: exit {run.ExitCode}: {run.FirstStderrLine}");
            }
        }

        if (formatProblems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Logs not in Zeek's TSV format ({formatProblems.Count}):");
            foreach (var problem in formatProblems) text.AppendLine(CultureInfo.InvariantCulture, $"  {problem}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"First {total.Examples.Count} differences (test | row | field | Zeek | ours):");
        foreach (var d in total.Examples)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {d.Test} | {d.Key} | {d.Field} | {d.Baseline} | {d.Ours}");
        }
        output.WriteLine(text.ToString());
    }

    /// <summary>The harness on Zeek's real baselines: each one compared with itself matches every row and field.</summary>
    [SkippableFact]
    public void Every_baseline_agrees_with_itself()
    {
        var corpus = Corpus;
        Skip.If(corpus is null, CorpusAbsent);

        var total = new ZeekOracleResult(ExamplesShown);
        int compared = 0;
        foreach (var entry in ReadMap(corpus))
        {
            var path = Path.Combine(corpus, "Baseline", entry.Test, entry.Log + ".log");
            if (!File.Exists(path)) continue;
            var baseline = ZeekTsvLog.Load(path);
            if (!ZeekOracle.KeyFields(entry.Log).All(baseline.Has)) continue;
            total.Add(ZeekOracle.Compare(entry.Test, entry.Log, baseline, ZeekTsvLog.Load(path), ExamplesShown));
            compared++;
        }
        output.WriteLine($"{compared} baselines: rows {total.RowsMatched}/{total.RowsCompared}, fields {total.FieldsAgreed}/{total.FieldsCompared}");

        Assert.True(compared > 0);
        Assert.Equal(total.BaselineRows, total.RowsMatched);
        Assert.Equal(0, total.RowsFlipped);
        Assert.Equal(total.FieldsCompared, total.FieldsAgreed);
        Assert.Empty(total.Examples);
    }

    /// <summary>Traces for the JSON check: plain TCP, DNS over IPv6, VLAN tags, a gzip file.</summary>
    private static readonly string[] JsonTraces =
        ["http/get.pcap", "ipv6-fragmented-dns.pcap", "q-in-q.pcap", "wikipedia.pcap", "http/iso-download.pcap.gz"];

    private static readonly string[] JsonConnKeys = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"];

    [SkippableFact]
    public void Json_conn_log_has_one_object_per_line_with_the_connection_fields()
    {
        var corpus = Corpus;
        Skip.If(corpus is null, CorpusAbsent);
        var traces = JsonTraces.Select(t => ResolveTrace(corpus, t)).OfType<string>().ToList();
        Skip.If(traces.Count == 0, "none of the JSON check's traces is in the Zeek corpus");

        int index = 0;
        foreach (var trace in traces)
        {
            var run = RunLogs(trace, index++, "--format", "json");
            var name = Path.GetFileName(trace);
            Assert.True(run.ExitCode == ExitCodes.Success, $"{name}: exit {run.ExitCode}: {run.FirstStderrLine}");
            var conn = Path.Combine(run.OutputDir, "conn.log");
            Assert.True(File.Exists(conn), $"{name}: no conn.log written");

            var lines = File.ReadAllLines(conn).Where(l => l.Length > 0).ToList();
            Assert.True(lines.Count > 0, $"{name}: conn.log is empty");
            for (int i = 0; i < lines.Count; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                Assert.True(doc.RootElement.ValueKind == JsonValueKind.Object, $"{name} conn.log line {i + 1} is not a JSON object");
                foreach (var key in JsonConnKeys)
                {
                    Assert.True(doc.RootElement.TryGetProperty(key, out _), $"{name} conn.log line {i + 1} has no \"{key}\"");
                }
            }
            output.WriteLine($"{name}: {lines.Count} conn.log lines");
        }
    }
}
