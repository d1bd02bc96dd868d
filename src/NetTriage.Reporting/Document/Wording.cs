using System.Globalization;
using NetTriage.Analysis;

namespace NetTriage.Reporting.Document;

/// <summary>How the report words numbers, times and durations: invariant culture, the same in every format.</summary>
public static class Wording
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"2023-03-14 13:24:32.192571 UTC" for absolute times; other kinds as the model gives them.</summary>
    public static string Time(TimeValue t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Kind == "absolute" && IsIsoUtc(t.Text) ? t.Text[..10] + " " + t.Text[11..^1] + " UTC" : t.Text;
    }

    /// <summary>The time as tcpdump prints it: "13:24:32.192571", or "2023-03-14 13:24:32.192571" (UTC) for absolute times (tcpdump -tttt).</summary>
    public static string PacketTime(TimeValue t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Kind == "absolute" && IsIsoUtc(t.Text) ? t.Text[..10] + " " + t.Text[11..^1] : t.Text;
    }

    /// <summary>The time of day alone when the date is the one of <paramref name="sameDayAs"/>, else <see cref="Time"/>.</summary>
    public static string TimeAfter(TimeValue t, TimeValue sameDayAs)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(sameDayAs);
        if (t.Kind == "absolute" && sameDayAs.Kind == "absolute" && IsIsoUtc(t.Text) && IsIsoUtc(sameDayAs.Text)
            && string.CompareOrdinal(t.Text, 0, sameDayAs.Text, 0, 10) == 0)
        {
            return t.Text[11..^1] + " UTC";
        }
        return Time(t);
    }

    /// <summary>"2023-03-14 13:24:32.192571 UTC to 13:28:50.022967 UTC (4 min 17 s)".</summary>
    public static string Window(TimeValue first, TimeValue last, double? seconds)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(last);
        if (first.Kind != last.Kind)
        {
            // Inputs on different clocks (a time-of-day log and a dated capture): two times, no span.
            return Time(first) + " and " + Time(last) + " (inputs on different clocks: no span between them)";
        }
        string text = Time(first) + " to " + TimeAfter(last, first);
        return seconds is { } s ? text + " (" + Duration(s) + ")" : text;
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
