namespace NetTriage.Packets.Formatting;

/// <summary>How <see cref="TcpdumpLineFormatter"/> prints the time of an absolute timestamp.</summary>
public enum TimestampStyle : byte
{
    /// <summary><c>13:24:32.192571</c>: time of day, in <see cref="TcpdumpLineOptions.Zone"/> (tcpdump's default).</summary>
    TimeOfDay = 0,
    /// <summary><c>2020-06-10 09:21:03.720289</c>: date and time, in <see cref="TcpdumpLineOptions.Zone"/> (tcpdump -tttt).</summary>
    DateTime = 1,
    /// <summary><c>1591780863.720289</c>: seconds since the Unix epoch (tcpdump -tt).</summary>
    Epoch = 2,
    /// <summary>No time at all (tcpdump -t).</summary>
    None = 3,
}

/// <summary>Options of <see cref="TcpdumpLineFormatter"/>.</summary>
public sealed class TcpdumpLineOptions
{
    /// <summary>Style of absolute times. Text input whose time is only a time of day, relative, or
    /// absent is printed as what it is, whatever the style.</summary>
    public TimestampStyle TimestampStyle { get; init; } = TimestampStyle.TimeOfDay;

    /// <summary>
    /// The zone that absolute times are printed in (tcpdump prints the local one): UTC unless the caller
    /// chooses. Times of day, relative times and epoch seconds are printed as they are.
    /// </summary>
    public DisplayZone Zone { get; init; } = DisplayZone.Utc;

    /// <summary>Nine fractional digits instead of six (tcpdump --nano).</summary>
    public bool Nanoseconds { get; init; }

    /// <summary>Start each line with the frame number right-aligned in five columns (tcpdump -#).</summary>
    public bool FrameNumbers { get; init; } = true;

    /// <summary>Print TCP sequence numbers as read (tcpdump -S) instead of relative to the connection.</summary>
    public bool AbsoluteSequenceNumbers { get; init; }

    /// <summary>
    /// Append what tcpdump does not print but NetTriage knows: anomalies as <c>[anomaly-name]</c> and the
    /// TLS server name as <c>[TLS ClientHello SNI name]</c>.
    /// </summary>
    public bool Annotations { get; init; } = true;

    /// <summary>
    /// Print the outer headers of a packet that came through a tunnel before it, as tcpdump does
    /// (<c>IP a > b: GREv0, length 65: IP c > d: ...</c>); without, the line is the inner packet's alone.
    /// </summary>
    public bool Tunnels { get; init; }

    /// <summary>Most TCP connections remembered for relative sequence numbers (oldest forgotten first).</summary>
    public int MaxTrackedConnections { get; init; } = 65536;
}
