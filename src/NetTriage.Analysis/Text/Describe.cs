using System.Globalization;
using NetTriage.Packets;

namespace NetTriage.Analysis.Text;

/// <summary>Words for what the model holds: times, durations, counts, names (ICMP messages and services are the Packets library's).</summary>
internal static class Describe
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static TimeValue Time(PacketTimestamp t)
    {
        switch (t.Kind)
        {
            case TimestampKind.Absolute:
            {
                var dt = DateTime.UnixEpoch.AddTicks(Math.DivRem(t.Nanoseconds, 100, out long rest));
                string fraction = rest == 0 && t.SubsecondNanos % 1000 == 0
                    ? (t.SubsecondNanos / 1000).ToString("D6", Invariant)
                    : t.SubsecondNanos.ToString("D9", Invariant);
                return new TimeValue
                {
                    Text = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", Invariant) + "." + fraction + "Z",
                    Kind = "absolute",
                    Seconds = t.Nanoseconds / 1e9,
                };
            }
            case TimestampKind.TimeOfDay:
            {
                long ns = t.TimeOfDayNanos;
                long s = ns / PacketTimestamp.NanosPerSecond;
                return new TimeValue
                {
                    Text = string.Create(Invariant, $"{s / 3600:D2}:{s / 60 % 60:D2}:{s % 60:D2}.{ns % PacketTimestamp.NanosPerSecond / 1000:D6}"),
                    Kind = "time-of-day",
                    Seconds = ns / 1e9,
                };
            }
            case TimestampKind.Relative:
                return new TimeValue
                {
                    Text = string.Create(Invariant, $"+{t.Nanoseconds / 1e9:0.000000} s"),
                    Kind = "relative",
                    Seconds = t.Nanoseconds / 1e9,
                };
            default:
                return new TimeValue { Text = "unknown", Kind = "none", Seconds = 0 };
        }
    }

    /// <summary>A short clock time for prose: "13:24:32" (date-free, UTC for absolute times).</summary>
    public static string Clock(PacketTimestamp t) => t.Kind switch
    {
        TimestampKind.Absolute => t.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC",
        TimestampKind.TimeOfDay => Time(t).Text[..8],
        TimestampKind.Relative => string.Create(Invariant, $"+{t.Nanoseconds / 1e9:0.###} s"),
        _ => "an unknown time",
    };

    public static double? Seconds(PacketTimestamp from, PacketTimestamp to) =>
        from.Kind == to.Kind && from.Kind != TimestampKind.None ? (to.Nanoseconds - from.Nanoseconds) / 1e9 : null;

    /// <summary>"4 min 18 s", "3.9 s", "85 ms".</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 1) return string.Create(Invariant, $"{seconds * 1000:0} ms");
        if (seconds < 60) return string.Create(Invariant, $"{seconds:0.#} s");
        if (seconds < 3600) return string.Create(Invariant, $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s");
        return string.Create(Invariant, $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min");
    }

    /// <summary>"between 13:24:32 and 13:25:10 (38 s)", or "at 13:24:32" for an instant.</summary>
    public static string Window(PacketTimestamp first, PacketTimestamp last) => Seconds(first, last) switch
    {
        // Inputs on different clocks (a time-of-day log and a dated capture): no span between them.
        null when first.Kind != last.Kind => $"at {Clock(first)} and at {Clock(last)} (times from inputs on different clocks)",
        { } d when d >= 1 => $"between {Clock(first)} and {Clock(last)} ({Duration(d)})",
        { } d when d > 0 => $"at {Clock(first)}, within {Duration(d)}",
        _ => $"at {Clock(first)}",
    };

    public static string Count(long n, string singular, string? plural = null) =>
        n.ToString(Invariant) + " " + (n == 1 ? singular : plural ?? singular + "s");

    /// <summary>
    /// Text that came off the wire (a path, a reason phrase, a server name) as a report may show it: printable ASCII
    /// only, anything else as '?', spaces kept only when <paramref name="spaces"/>, at most 120 characters.
    /// </summary>
    public static string Wire(ReadOnlySpan<byte> bytes, bool spaces)
    {
        int n = Math.Min(bytes.Length, WireMax);
        var chars = new char[n];
        for (int i = 0; i < n; i++) chars[i] = WireChar(bytes[i], spaces);
        return new string(chars);
    }

    /// <summary>Whether <paramref name="bytes"/> read by <see cref="Wire"/> give <paramref name="text"/>, without allocating.</summary>
    public static bool SameWire(ReadOnlySpan<byte> bytes, string text, bool spaces)
    {
        if (Math.Min(bytes.Length, WireMax) != text.Length) return false;
        for (int i = 0; i < text.Length; i++)
        {
            if (WireChar(bytes[i], spaces) != text[i]) return false;
        }
        return true;
    }

    private const int WireMax = 120;

    private static char WireChar(byte b, bool spaces) => b is >= 0x21 and < 0x7F || (spaces && b == 0x20) ? (char)b : '?';

    /// <summary>The sentence with its first letter upper case.</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>"100%", "33.3%".</summary>
    public static string Percent(double fraction) =>
        Math.Round(fraction * 100, 1).ToString("0.#", Invariant) + "%";

    /// <summary>"980 B", "35.2 KiB", "12 MiB" (<see cref="ByteCount"/>).</summary>
    public static string Bytes(long bytes) => ByteCount.Format(bytes);

    /// <summary>A DNS name for prose: without the root's trailing dot ("example.com", but "." stays).</summary>
    public static string Name(string name) => name.Length > 1 && name[^1] == '.' ? name[..^1] : name;
}
