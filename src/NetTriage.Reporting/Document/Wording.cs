using System.Globalization;
using NetTriage.Analysis;
using NetTriage.Packets.Formatting;

namespace NetTriage.Reporting.Document;

/// <summary>How the report words numbers, times and durations: invariant culture, the same in every format.</summary>
public static class Wording
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// "2023-03-14 13:24:32.192571 UTC" for absolute times, or in the local zone with its offset
    /// ("2023-03-14 14:24:32.192571 UTC+01:00"); other kinds as the model gives them. Without a zone, UTC.
    /// </summary>
    public static string Time(TimeValue t, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Clock(t, zone) is { } c ? c.Date + " " + c.Time + " " + c.Suffix : t.Text;
    }

    /// <summary>
    /// The time as tcpdump prints it: "13:24:32.192571", or "2023-03-14 13:24:32.192571" for absolute times
    /// (tcpdump -tttt), in <paramref name="zone"/> (UTC without one) and without the zone's name.
    /// </summary>
    public static string PacketTime(TimeValue t, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Clock(t, zone) is { } c ? c.Date + " " + c.Time : t.Text;
    }

    /// <summary>The time of day alone when the date (in the zone) is the one of <paramref name="sameDayAs"/>, else <see cref="Time"/>.</summary>
    public static string TimeAfter(TimeValue t, TimeValue sameDayAs, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(sameDayAs);
        if (Clock(t, zone) is { } c && Clock(sameDayAs, zone) is { } day && c.Date == day.Date)
        {
            return c.Time + " " + c.Suffix;
        }
        return Time(t, zone);
    }

    /// <summary>"2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)".</summary>
    public static string Window(TimeValue first, TimeValue last, double? seconds, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(last);
        if (first.Kind != last.Kind)
        {
            // Inputs on different clocks (a time-of-day log and a dated capture): two times, no span.
            return Time(first, zone) + " and " + Time(last, zone) + " (inputs on different clocks: no span between them)";
        }
        string text = Time(first, zone) + " to " + TimeAfter(last, first, zone);
        return seconds is { } s ? text + " (" + Duration(s) + ")" : text;
    }

    /// <summary>What follows an absolute time in <paramref name="zone"/>: "UTC" or the offset then ("UTC+01:00").</summary>
    public static string ZoneSuffix(TimeValue t, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Clock(t, zone)?.Suffix ?? "UTC";
    }

    /// <summary>
    /// The date, the time of day and the zone's name of an absolute time (ISO 8601 UTC in the model) in
    /// <paramref name="zone"/>; null for the other kinds. The fraction is kept as the model wrote it.
    /// </summary>
    private static (string Date, string Time, string Suffix)? Clock(TimeValue t, DisplayZone? zone)
    {
        if (t.Kind != "absolute" || !IsIsoUtc(t.Text)) return null;
        zone ??= DisplayZone.Utc;
        if (zone.IsUtc) return (t.Text[..10], t.Text[11..^1], "UTC");
        if (!DateTime.TryParseExact(t.Text.AsSpan(0, 19), "yyyy'-'MM'-'dd'T'HH':'mm':'ss", Invariant,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return null;
        }
        var offset = zone.OffsetAt((long)(utc - DateTime.UnixEpoch).TotalSeconds);
        long ticks = utc.Ticks + offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return (t.Text[..10], t.Text[11..^1], "UTC");
        var local = new DateTime(ticks, DateTimeKind.Unspecified);
        return (local.ToString("yyyy'-'MM'-'dd", Invariant), local.ToString("HH':'mm':'ss", Invariant) + t.Text[19..^1], zone.Suffix(offset));
    }

    /// <summary>"85 ms", "3.9 s", "4 min 17 s", "2 h 5 min".</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0) return "unknown";
        if (seconds < 1) return string.Create(Invariant, $"{seconds * 1000:0} ms");
        if (seconds < 60) return string.Create(Invariant, $"{seconds:0.#} s");
        if (seconds < 3600) return string.Create(Invariant, $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s");
        return string.Create(Invariant, $"{(long)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min");
    }

    /// <summary>"1,234".</summary>
    public static string Number(long n) => n.ToString("#,0", Invariant);

    /// <summary>"1 packet", "6 packets".</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        Number(n) + " " + (n == 1 ? singular : plural ?? singular + "s");

    /// <summary>"100%", "33.3%".</summary>
    public static string Percent(double fraction) =>
        (fraction * 100).ToString(fraction * 100 % 1 == 0 ? "0" : "0.#", Invariant) + "%";

    /// <summary>A ranking score: "0.80".</summary>
    public static string Score(double score) => score.ToString("0.00", Invariant);

    /// <summary>"570 B", "1.5 KiB", "3.2 MiB".</summary>
    public static string Bytes(long bytes) => NetTriage.Analysis.Text.ByteCount.Format(bytes);

    /// <summary>"a, b and c"; more than <paramref name="max"/> items end with "and N more".</summary>
    public static string Join(IReadOnlyList<string> items, int max = 10)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return "";
        if (items.Count > max)
        {
            return string.Join(", ", items.Take(max)) + " and " + Number(items.Count - max) + " more";
        }
        return items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];
    }

    private static bool IsIsoUtc(string text) =>
        text.Length > 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[^1] == 'Z';
}
