using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// When the capture's clock has gone backwards: the one rule the tracker and the sensors share.
/// <para>
/// Expiry runs on capture time. A clock that drops far back (captures joined end to end, <c>mergecap -a</c>; a file
/// whose halves were swapped; a host's clock set back during the capture) would otherwise stall every timeout until
/// the clock passes its earlier maximum again, and the tables would grow with everything the stalled stretch brings.
/// A drop of more than <see cref="JumpBackNanos"/> below the latest time seen so far starts a new segment of capture:
/// the tracker ends what is open exactly as at the end of input and restarts its clocks from the new time
/// (<see cref="TrafficTracker"/>), and the sensors start their time windows afresh. A jump forwards needs no rule:
/// everything open times out at the next look, and no expiry walks the gap second by second.
/// </para>
/// </summary>
internal static class CaptureClock
{
    /// <summary>
    /// 30 s. Packets of one capture come out of order by milliseconds, at most a few seconds: interfaces or capture
    /// rings flushed in turn, a pcapng of several interfaces, a host's clock stepped by NTP. Those must not end
    /// anything, and 30 s is ten times the largest of them. A clock going back by a minute or more is another stretch of
    /// capture, and 30 s is half the least such jump. A drop below the threshold stalls the timeouts for at most 30 s of
    /// capture time: less than the DNS pending timeout (60 s) and the TCP SYN timeout (30 s) each hold anyway, so the
    /// tables hold at most about twice what they hold in order.
    /// </summary>
    internal static readonly long JumpBackNanos = 30 * PacketTimestamp.NanosPerSecond;

    /// <summary>
    /// Whether a packet at <paramref name="now"/> starts a new segment after <paramref name="latest"/>, the latest time
    /// of the segment so far (nanoseconds; <see cref="long.MinValue"/>: none yet).
    /// </summary>
    /// <remarks>The difference is taken unsigned: times from a hostile capture can be far enough apart (pcapng's 64-bit
    /// stamps) that the signed subtraction overflows, and a drop must still read as a drop.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool JumpedBack(long latest, long now) => now < latest && unchecked((ulong)latest - (ulong)now) > (ulong)JumpBackNanos;

    /// <summary>
    /// The later of an activity's last time so far and a packet's: what a sensor keeps as an activity's end, so that
    /// a packet of an earlier segment never makes the activity end before it began (a negative duration or rate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PacketTimestamp Later(PacketTimestamp last, PacketTimestamp time) => time.Nanoseconds > last.Nanoseconds ? time : last;
}
