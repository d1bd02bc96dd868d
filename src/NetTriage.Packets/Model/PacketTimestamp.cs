using System.Runtime.InteropServices;

namespace NetTriage.Packets;

/// <summary>What a timestamp's value means; text input may lack the date or be relative.</summary>
public enum TimestampKind : byte
{
    /// <summary>Nanoseconds since the Unix epoch, UTC.</summary>
    Absolute = 0,
    /// <summary>Time of day only (tcpdump's default style): nanoseconds since midnight of an unknown day.</summary>
    TimeOfDay = 1,
    /// <summary>Nanoseconds since the first packet (tcpdump -ttt / -ttttt input, or -t with no time at all).</summary>
    Relative = 2,
    /// <summary>No time is known (tcpdump -t).</summary>
    None = 3,
}

/// <summary>
/// A packet time in nanoseconds. Binary captures are always <see cref="TimestampKind.Absolute"/>;
/// the tcpdump text source keeps whatever its input carried.
/// </summary>
/// <remarks>
/// Packed to 9 bytes rather than padded to 16 (and 10 rather than 24 as a nullable): the trackers and sensors hold
/// several times in every connection, pair and tally they follow.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct PacketTimestamp(long Nanoseconds, TimestampKind Kind)
{
    public const long NanosPerSecond = 1_000_000_000;
    public const long NanosPerDay = 86_400 * NanosPerSecond;

    public static PacketTimestamp FromUnix(long seconds, long nanoseconds) =>
        new((seconds * NanosPerSecond) + nanoseconds, TimestampKind.Absolute);

    public long Seconds => Math.DivRem(Nanoseconds, NanosPerSecond, out long rem) - (rem < 0 ? 1 : 0);
    public long SubsecondNanos => ((Nanoseconds % NanosPerSecond) + NanosPerSecond) % NanosPerSecond;

    /// <summary>Nanoseconds since midnight UTC.</summary>
    public long TimeOfDayNanos => ((Nanoseconds % NanosPerDay) + NanosPerDay) % NanosPerDay;

    public DateTime ToDateTime() => DateTime.UnixEpoch.AddTicks(Nanoseconds / 100);
}
