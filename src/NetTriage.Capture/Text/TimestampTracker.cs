using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// Turns printed times into packet time stamps, keeping what the style needs across records:
/// the day count for time-of-day stamps that pass midnight, and the running sum for deltas.
/// </summary>
internal sealed class TimestampTracker
{
    /// <summary>A time of day this far below the previous one means the capture passed midnight.</summary>
    private const long RolloverThreshold = PacketTimestamp.NanosPerDay / 2;

    private bool _haveTimeOfDay;
    private long _previousTimeOfDay;
    private long _dayOffset;

    private long _deltaCount;
    private long _deltaSum;
    private long _previousDelta;
    private bool _deltaSincePrevious;

    /// <summary>
    /// The delta style was found to be -ttt (since the previous packet): a printed delta smaller than the one before
    /// cannot be a time since the first packet. Until then deltas are read as -ttttt (since the first packet).
    /// </summary>
    public bool DeltaIsSincePrevious => _deltaSincePrevious;

    public PacketTimestamp Convert(in RecordHeader header)
    {
        switch (header.Style)
        {
            case TimeStyle.TimeOfDay:
                return new PacketTimestamp(TimeOfDay(header.Nanoseconds), TimestampKind.TimeOfDay);
            case TimeStyle.Epoch:
            case TimeStyle.DateTime:
                return new PacketTimestamp(header.Nanoseconds, TimestampKind.Absolute);
            case TimeStyle.Delta:
                return new PacketTimestamp(Delta(header.Nanoseconds), TimestampKind.Relative);
            default:
                return new PacketTimestamp(0, TimestampKind.None);
        }
    }

    /// <summary>Nanoseconds since midnight of the first record's day: a drop of more than half a day adds a day.</summary>
    private long TimeOfDay(long nanos)
    {
        long value = nanos + _dayOffset;
        if (_haveTimeOfDay && value < _previousTimeOfDay - RolloverThreshold)
        {
            _dayOffset += PacketTimestamp.NanosPerDay;
            value += PacketTimestamp.NanosPerDay;
        }
        _haveTimeOfDay = true;
        _previousTimeOfDay = value;
        return value;
    }

    /// <summary>
    /// -ttt prints the time since the previous packet, -ttttt since the first; both look alike. Both give the same
    /// value for the first two packets; after that, a delta smaller than the previous one proves -ttt, from which
    /// point the running sum is used. A -ttt log whose deltas only grow is read as -ttttt until then.
    /// </summary>
    private long Delta(long nanos)
    {
        _deltaSum += nanos;
        if (_deltaCount > 0 && !_deltaSincePrevious && nanos < _previousDelta)
        {
            _deltaSincePrevious = true;
        }
        _deltaCount++;
        _previousDelta = nanos;
        return _deltaSincePrevious ? _deltaSum : nanos;
    }
}
