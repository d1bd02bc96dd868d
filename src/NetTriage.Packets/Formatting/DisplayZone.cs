using System.Globalization;

namespace NetTriage.Packets.Formatting;

/// <summary>
/// The time zone that human-readable output (the <c>show</c> lines, the text, Markdown and HTML reports) prints
/// absolute times in: the local zone by default, as tcpdump does (it follows the TZ environment variable), or UTC.
/// Times kept for machines (the JSON) stay UTC whatever the zone. The one place that names a zone and finds its
/// offset at a given time, so that every output says the same thing.
/// </summary>
public sealed class DisplayZone
{
    private DisplayZone(TimeZoneInfo zone, bool isUtc, bool isLocal, string? fallback)
    {
        Zone = zone;
        IsUtc = isUtc;
        IsLocal = isLocal;
        Fallback = fallback;
    }

    /// <summary>UTC, as asked for (<c>--utc</c>), and the default of the libraries.</summary>
    public static DisplayZone Utc { get; } = new(TimeZoneInfo.Utc, isUtc: true, isLocal: false, fallback: null);

    public TimeZoneInfo Zone { get; }

    /// <summary>True when times are printed in UTC (asked for, the local zone is UTC, or the local zone could not be read).</summary>
    public bool IsUtc { get; }

    /// <summary>True when the zone is the machine's local one (TZ, else /etc/localtime).</summary>
    public bool IsLocal { get; }

    /// <summary>Why the times are UTC although the local zone was asked for ("the time zone TZ=... could not be read"), or null.</summary>
    public string? Fallback { get; }

    /// <summary>
    /// The local zone as tcpdump finds it: the TZ environment variable, else /etc/localtime. When TZ names a zone
    /// whose data this machine lacks (or a POSIX rule, which .NET does not read), the zone is UTC and
    /// <see cref="Fallback"/> says why.
    /// </summary>
    public static DisplayZone Local()
    {
        TimeZoneInfo local;
        try
        {
            local = TimeZoneInfo.Local;
        }
        catch (Exception ex) when (ex is InvalidTimeZoneException or IOException or UnauthorizedAccessException)
        {
            return new DisplayZone(TimeZoneInfo.Utc, true, true, "the local time zone could not be read");
        }
        if (!IsPlainUtc(local)) return new DisplayZone(local, isUtc: false, isLocal: true, fallback: null);
        // .NET falls back to UTC, silently, when the zone TZ names cannot be loaded.
        string? tz = Environment.GetEnvironmentVariable("TZ");
        if (tz is { Length: > 0 } && !OperatingSystem.IsWindows())
        {
            string name = tz[0] == ':' ? tz[1..] : tz;
            if (!NamesUtc(name) && !ZoneFileExists(name))
            {
                return new DisplayZone(TimeZoneInfo.Utc, true, true, $"the time zone TZ={tz} could not be read");
            }
        }
        return new DisplayZone(TimeZoneInfo.Utc, isUtc: true, isLocal: true, fallback: null);
    }

    /// <summary>A given zone (tests; a zone chosen by a caller).</summary>
    public static DisplayZone Of(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return IsPlainUtc(zone) ? Utc : new DisplayZone(zone, isUtc: false, isLocal: false, fallback: null);
    }

    /// <summary>The zone's offset from UTC at <paramref name="unixSeconds"/> (zero for UTC).</summary>
    public TimeSpan OffsetAt(long unixSeconds)
    {
        if (IsUtc) return TimeSpan.Zero;
        // DateTime covers years 1 to 9999; a time stamp outside keeps the offset of the nearest end.
        long seconds = Math.Clamp(unixSeconds, -62_135_596_800L, 253_402_300_799L);
        return Zone.GetUtcOffset(DateTime.UnixEpoch.AddSeconds(seconds));
    }

    /// <summary>What follows a time: "UTC", or the offset of the local zone at that time ("UTC+01:00").</summary>
    public string Suffix(TimeSpan offset) => IsUtc ? "UTC" : OffsetName(offset);

    /// <summary>"UTC+01:00", "UTC-05:00", "UTC+05:45", "UTC+00:00".</summary>
    public static string OffsetName(TimeSpan offset)
    {
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture,
            $"UTC{(offset < TimeSpan.Zero ? '-' : '+')}{(int)abs.TotalHours:D2}:{abs.Minutes:D2}");
    }

    /// <summary>
    /// The zone in words, with its offset at <paramref name="unixSeconds"/> when known: "UTC",
    /// "local time, Europe/Paris (UTC+01:00)", "UTC (the time zone TZ=Mars/Base could not be read)".
    /// </summary>
    public string Describe(long? unixSeconds = null)
    {
        if (IsUtc) return Fallback is { } why ? $"UTC ({why})" : "UTC";
        string name = Zone.Id is { Length: > 0 } id && id != "Local" ? ", " + id : "";
        return unixSeconds is { } s ? $"local time{name} ({OffsetName(OffsetAt(s))})" : $"local time{name}";
    }

    private static bool IsPlainUtc(TimeZoneInfo zone) =>
        zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime && zone.GetAdjustmentRules().Length == 0;

    private static bool NamesUtc(string name) =>
        name is "UTC" or "UCT" or "GMT" or "Zulu" or "Universal" or "Etc/UTC" or "Etc/UCT" or "Etc/GMT" or "Etc/Zulu"
            or "Etc/Universal" or "UTC0" or "GMT0" or "Etc/GMT0" or "Etc/GMT+0" or "Etc/GMT-0" or "GMT+0" or "GMT-0";

    /// <summary>Where .NET looks for TZ's zone: the path itself, or a name under TZDIR (default /usr/share/zoneinfo).</summary>
    private static bool ZoneFileExists(string name)
    {
        if (name.StartsWith('/')) return File.Exists(name);
        string dir = Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } d ? d : "/usr/share/zoneinfo";
        return File.Exists(Path.Combine(dir, name));
    }
}
