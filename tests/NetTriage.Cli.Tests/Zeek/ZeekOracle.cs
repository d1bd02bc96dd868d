using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace NetTriage.Cli.Tests.Zeek;

/// <summary>How often one field agreed with Zeek's baseline.</summary>
internal sealed class FieldTally
{
    public int Agreed { get; set; }
    public int Compared { get; set; }
}

/// <summary>One disagreement kept for diagnosis. Field "(row)" is a row present on one side only.</summary>
internal sealed record ZeekDifference(string Test, string Key, string Field, string Baseline, string Ours);

/// <summary>
/// The outcome of comparing our logs with Zeek's, for one test or added up over many (<see cref="Add"/>).
/// Rows: matched (flipped included), in the baseline, in ours; rows compared are their union.
/// Fields: agreed/compared per field, in the order first met, including the pseudo-field "direction".
/// </summary>
internal sealed class ZeekOracleResult(int maxExamples)
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, FieldTally> _fields = new(StringComparer.Ordinal);
    private readonly List<ZeekDifference> _examples = [];
    private readonly SortedDictionary<string, int> _excluded = new(StringComparer.Ordinal);

    public int MaxExamples { get; } = maxExamples;
    public int RowsMatched { get; private set; }
    public int RowsFlipped { get; private set; }
    public int BaselineRows { get; private set; }
    public int OurRows { get; private set; }

    /// <summary>Rows on either side: a row missing from ours or missing from the baseline each counts once.</summary>
    public int RowsCompared => BaselineRows + OurRows - RowsMatched;
    public int BaselineOnlyRows => BaselineRows - RowsMatched;
    public int OurOnlyRows => OurRows - RowsMatched;

    public IEnumerable<(string Field, FieldTally Tally)> Fields => _order.Select(f => (f, _fields[f]));
    public IReadOnlyList<ZeekDifference> Examples => _examples;

    /// <summary>Fields not compared because the test's Zeek options make them incomparable, by reason.</summary>
    public IReadOnlyDictionary<string, int> Excluded => _excluded;

    internal void Exclude(string reason, int count = 1) => _excluded[reason] = _excluded.GetValueOrDefault(reason) + count;
    public int FieldsAgreed => _fields.Values.Sum(t => t.Agreed);
    public int FieldsCompared => _fields.Values.Sum(t => t.Compared);

    public static double Ratio(int part, int whole) => whole == 0 ? 0.0 : (double)part / whole;
    public double FieldAgreement => Ratio(FieldsAgreed, FieldsCompared);
    public double RowAgreement => Ratio(RowsMatched, RowsCompared);

    internal void CountRows(int baseline, int ours, int matched, int flipped)
    {
        BaselineRows += baseline;
        OurRows += ours;
        RowsMatched += matched;
        RowsFlipped += flipped;
    }

    internal void Tally(string field, bool agreed, int count = 1)
    {
        if (!_fields.TryGetValue(field, out var tally))
        {
            tally = new FieldTally();
            _fields[field] = tally;
            _order.Add(field);
        }
        tally.Compared += count;
        if (agreed) tally.Agreed += count;
    }

    /// <summary>Examples kept per field, so one field's many differences do not hide the others'.</summary>
    private const int ExamplesPerField = 4;

    internal void Example(ZeekDifference difference)
    {
        if (_examples.Count >= MaxExamples) return;
        int sameField = 0;
        foreach (var e in _examples) if (e.Field == difference.Field) sameField++;
        if (sameField < ExamplesPerField) _examples.Add(difference);
    }

    /// <summary>Adds another result into this one (examples kept while there is room).</summary>
    public void Add(ZeekOracleResult other)
    {
        CountRows(other.BaselineRows, other.OurRows, other.RowsMatched, other.RowsFlipped);
        foreach (var (field, tally) in other.Fields)
        {
            Tally(field, agreed: true, tally.Agreed);
            Tally(field, agreed: false, tally.Compared - tally.Agreed);
        }
        foreach (var example in other.Examples) Example(example);
        foreach (var (reason, count) in other.Excluded) Exclude(reason, count);
    }
}

/// <summary>
/// Compares a Zeek baseline log with ours. Rows are matched by key (conn: proto and the four id.* fields;
/// dns: those plus trans_id and query); rows sharing a key pair up in ts order (file order when ts is
/// masked). A baseline row left over is then tried with originator and responder swapped: such a row is
/// matched, compared with our orig/resp fields swapped back, and counted as a disagreement of "direction".
/// Every field both logs have is compared except uid, the key itself (its agreement is the row match) and
/// values the baseline masks (XXXXXXXXXX.XXXXXX). time and interval agree within 1 µs, sets as sets,
/// vectors element by element, anything else as exact text.
/// </summary>
internal static class ZeekOracle
{
    public const string Direction = "direction";
    private const decimal TimeTolerance = 0.000001m;

    /// <summary>Runs of ten X's or more: btest's canonifiers mask timestamps, uids and long payloads that way.</summary>
    private static readonly Regex MaskRun = new("X{10,}", RegexOptions.CultureInvariant);
    private static readonly Regex MaskOnly = new(@"^[X.:\- ]*X[X.:\- ]*$", RegexOptions.CultureInvariant);

    private static readonly string[] ConnectionKey = ["proto", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"];

    /// <summary>The fields that identify a row of the given log (conn or dns).</summary>
    public static IReadOnlyList<string> KeyFields(string log) => log switch
    {
        "dns" => [.. ConnectionKey, "trans_id", "query"],
        _ => ConnectionKey,
    };

    /// <summary>A baseline value hidden by btest: only X's and punctuation, or a long run of X's within it.</summary>
    public static bool IsMasked(string value) => MaskOnly.IsMatch(value) || MaskRun.IsMatch(value);

    public static ZeekOracleResult Compare(string test, string log, ZeekTsvLog baseline, ZeekTsvLog ours, int maxExamples = 60, ZeekTestScript? script = null)
    {
        script ??= ZeekTestScript.Plain;
        var result = new ZeekOracleResult(maxExamples);
        var key = KeyFields(log);

        // Our rows by key, each queue in ts order.
        var available = new Dictionary<string, Queue<ZeekRow>>(StringComparer.Ordinal);
        foreach (var group in InTimeOrder(ours.Rows).GroupBy(r => KeyOf(ours, r, key, swapped: false), StringComparer.Ordinal))
        {
            available[group.Key] = new Queue<ZeekRow>(group);
        }

        var pairs = new List<(ZeekRow Baseline, ZeekRow Ours, bool Flipped)>();
        var leftover = new List<ZeekRow>();
        foreach (var row in InTimeOrder(baseline.Rows))
        {
            if (available.TryGetValue(KeyOf(baseline, row, key, swapped: false), out var queue) && queue.Count > 0)
                pairs.Add((row, queue.Dequeue(), false));
            else
                leftover.Add(row);
        }
        var missing = new List<ZeekRow>();
        foreach (var row in leftover)
        {
            if (available.TryGetValue(KeyOf(baseline, row, key, swapped: true), out var queue) && queue.Count > 0)
                pairs.Add((row, queue.Dequeue(), true));
            else
                missing.Add(row);
        }

        int flipped = pairs.Count(p => p.Flipped);
        result.CountRows(baseline.Rows.Count, ours.Rows.Count, pairs.Count, flipped);

        var compared = baseline.Fields
            .Where(f => f != "uid" && !key.Contains(f) && ours.Has(f))
            .ToArray();
        foreach (var (b, o, isFlipped) in pairs.OrderBy(p => p.Baseline.Line))
        {
            var rowKey = Describe(b, key);
            result.Tally(Direction, !isFlipped);
            if (isFlipped) result.Example(new ZeekDifference(test, rowKey, Direction, "as in baseline", "orig/resp swapped"));
            foreach (var field in compared)
            {
                if (!b.Raw.TryGetValue(field, out var braw)) continue;
                var oursField = isFlipped ? SwappedName(ours, field) : field;
                if (!o.Raw.TryGetValue(oursField, out var oraw)) continue;
                if (IsMasked(b.Values[field])) continue;
                if (script.Excluded.TryGetValue(field, out var why))
                {
                    result.Exclude($"{field}: {why}");
                    continue;
                }
                if (field == "service" && script.BareServices is { } named && OnlyUnloaded(baseline, braw, ours, oraw, named))
                {
                    result.Exclude("service: a protocol whose scripts the test's bare run (zeek -b) did not load");
                    continue;
                }
                if (field == "service" && script.RemovedServicesTracked && OnlyRemovedServices(baseline, braw, ours, oraw))
                {
                    result.Exclude("service: a removed service kept as \"name,-name\" (DPD::track_removed_services_in_connection=T)");
                    continue;
                }
                if (field == "service" && script.RedefinedService is var (service, option) && OnlyDiffersIn(baseline, braw, ours, oraw, service))
                {
                    result.Exclude($"service: {service}, named as the test's {option} has it");
                    continue;
                }
                if (isFlipped && field == "history") oraw = SwapCase(oraw);
                var type = baseline.TypeOf(field) ?? ours.TypeOf(field) ?? "string";
                bool agreed = field == "tunnel_parents"
                    ? SameParents(baseline, braw, ours, oraw)
                    : Agree(type, baseline, braw, ours, oraw);
                result.Tally(field, agreed);
                if (!agreed)
                {
                    result.Example(new ZeekDifference(test, rowKey, field, Show(baseline, braw), Show(ours, oraw)));
                }
            }
        }

        foreach (var row in missing)
        {
            result.Example(new ZeekDifference(test, Describe(row, key), "(row)", "present", "absent"));
        }
        foreach (var row in available.Values.SelectMany(q => q).OrderBy(r => r.Line))
        {
            result.Example(new ZeekDifference(test, Describe(row, key), "(row)", "absent", "present"));
        }
        return result;
    }

    /// <summary>Rows in ts order, or in file order when any ts is masked or absent.</summary>
    private static IEnumerable<ZeekRow> InTimeOrder(IReadOnlyList<ZeekRow> rows)
    {
        var times = new decimal[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            if (!rows[i].Values.TryGetValue("ts", out var ts)
                || !decimal.TryParse(ts, NumberStyles.Float, CultureInfo.InvariantCulture, out times[i]))
            {
                return rows;
            }
        }
        return rows.Select((r, i) => (r, i)).OrderBy(p => times[p.i]).ThenBy(p => p.i).Select(p => p.r);
    }

    private static string KeyOf(ZeekTsvLog log, ZeekRow row, IReadOnlyList<string> key, bool swapped)
    {
        var parts = new string[key.Count];
        for (int i = 0; i < key.Count; i++)
        {
            var field = swapped ? Swap(key[i]) : key[i];
            parts[i] = KeyPart(log, row, field);
        }
        // Connections of other IP protocols all have ports 0/0: their protocol number tells them apart.
        if (parts.Length > 0 && parts[0] == "unknown_transport" && row.Values.TryGetValue("ip_proto", out var number)) return string.Join('\u0001', parts) + '\u0001' + number;
        return string.Join('\u0001', parts);
    }

    private static string KeyPart(ZeekTsvLog log, ZeekRow row, string field)
    {
        if (!row.Raw.TryGetValue(field, out var raw)) return "<absent>";
        if (log.IsUnset(raw)) return "<unset>";
        if (log.IsEmpty(raw)) return "<empty>";
        var value = row.Values[field];
        return field switch
        {
            "proto" => value.ToLowerInvariant(),
            "id.orig_h" or "id.resp_h" when IPAddress.TryParse(value, out var a) => a.ToString(),
            "id.orig_p" or "id.resp_p" or "trans_id" when ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                => n.ToString(CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    /// <summary>"orig" and "resp" exchanged in a field name: id.orig_h and id.resp_h, orig_bytes and resp_bytes, local_orig and local_resp.</summary>
    private static string Swap(string field)
    {
        if (field.Contains("orig", StringComparison.Ordinal)) return field.Replace("orig", "resp", StringComparison.Ordinal);
        if (field.Contains("resp", StringComparison.Ordinal)) return field.Replace("resp", "orig", StringComparison.Ordinal);
        return field;
    }

    private static string SwappedName(ZeekTsvLog ours, string field)
    {
        var swapped = Swap(field);
        return ours.Has(swapped) ? swapped : field;
    }

    /// <summary>History letters are upper case for the originator, lower case for the responder.</summary>
    private static string SwapCase(string history) =>
        new(history.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());

    private static bool Agree(string type, ZeekTsvLog baseline, string braw, ZeekTsvLog ours, string oraw)
    {
        bool bUnset = baseline.IsUnset(braw), oUnset = ours.IsUnset(oraw);
        if (bUnset || oUnset) return bUnset == oUnset;
        if (type.StartsWith("set[", StringComparison.Ordinal))
        {
            return new HashSet<string>(baseline.Elements(braw), StringComparer.Ordinal)
                .SetEquals(ours.Elements(oraw));
        }
        if (type.StartsWith("vector[", StringComparison.Ordinal))
        {
            var element = type["vector[".Length..^1];
            var be = baseline.Elements(braw);
            var oe = ours.Elements(oraw);
            return be.Count == oe.Count && be.Zip(oe).All(p => Same(element, p.First, p.Second));
        }
        bool bEmpty = baseline.IsEmpty(braw), oEmpty = ours.IsEmpty(oraw);
        if (bEmpty || oEmpty) return bEmpty == oEmpty;
        return Same(type, ZeekTsvLog.Unescape(braw), ZeekTsvLog.Unescape(oraw));
    }

    /// <summary>
    /// Ours names a service the bare run could not (its protocol's scripts not loaded), and without it ours is Zeek's.
    /// </summary>
    private static bool OnlyUnloaded(ZeekTsvLog baseline, string braw, ZeekTsvLog ours, string oraw, IReadOnlySet<string> named)
    {
        var mine = Services(ours, oraw);
        var kept = mine.Where(named.Contains).ToList();
        return kept.Count < mine.Count && new HashSet<string>(kept, StringComparer.Ordinal).SetEquals(Services(baseline, braw));
    }

    /// <summary>Zeek's list differs from ours only by services it kept as "name,-name" where ours dropped them.</summary>
    private static bool OnlyRemovedServices(ZeekTsvLog baseline, string braw, ZeekTsvLog ours, string oraw)
    {
        var b = Services(baseline, braw);
        var removed = b.Where(s => s.StartsWith('-')).Select(s => s[1..]).ToHashSet(StringComparer.Ordinal);
        if (removed.Count == 0) return false;
        var kept = b.Where(s => !s.StartsWith('-') && !removed.Contains(s)).ToHashSet(StringComparer.Ordinal);
        return kept.SetEquals(Services(ours, oraw));
    }

    /// <summary>The two service lists differ, and only in <paramref name="service"/>.</summary>
    private static bool OnlyDiffersIn(ZeekTsvLog baseline, string braw, ZeekTsvLog ours, string oraw, string service)
    {
        var b = new HashSet<string>(Services(baseline, braw), StringComparer.Ordinal);
        var o = new HashSet<string>(Services(ours, oraw), StringComparer.Ordinal);
        if (b.SetEquals(o)) return false;
        b.Remove(service);
        o.Remove(service);
        return b.SetEquals(o);
    }

    private static IReadOnlyList<string> Services(ZeekTsvLog log, string raw) => log.IsUnset(raw) || log.IsEmpty(raw) ? [] : ZeekTsvLog.Unescape(raw).Split(',');

    /// <summary>
    /// Tunnel parents are uids: Zeek's and ours are different numbers for the same tunnel, so two logs agree when they
    /// name as many parents (none, one, or both directions of a UDP tunnel).
    /// </summary>
    private static bool SameParents(ZeekTsvLog baseline, string braw, ZeekTsvLog ours, string oraw)
    {
        int Count(ZeekTsvLog log, string raw) => log.IsUnset(raw) || log.IsEmpty(raw) ? 0 : log.Elements(raw).Count;
        return Count(baseline, braw) == Count(ours, oraw);
    }

    private static bool Same(string type, string baseline, string ours)
    {
        if (type is "time" or "interval"
            && decimal.TryParse(baseline, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            && decimal.TryParse(ours, NumberStyles.Float, CultureInfo.InvariantCulture, out var o))
        {
            return Math.Abs(b - o) <= TimeTolerance;
        }
        return string.Equals(baseline, ours, StringComparison.Ordinal);
    }

    private static string Describe(ZeekRow row, IReadOnlyList<string> key)
    {
        string Get(string f) => row.Values.TryGetValue(f, out var v) ? v : "?";
        var text = $"{Get("proto")} {Get("id.orig_h")}:{Get("id.orig_p")} > {Get("id.resp_h")}:{Get("id.resp_p")}";
        if (key.Contains("trans_id")) text += $" #{Get("trans_id")} {Clip(Get("query"), 40)}";
        return $"{text} (line {row.Line})";
    }

    private static string Show(ZeekTsvLog log, string raw) =>
        log.IsUnset(raw) ? "(unset)" : Clip(ZeekTsvLog.Unescape(raw), 80);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 3)] + "...";
}
