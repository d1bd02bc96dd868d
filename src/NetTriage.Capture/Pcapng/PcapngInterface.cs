using NetTriage.Packets;

namespace NetTriage.Capture.Pcapng;

/// <summary>
/// One interface of a pcapng section, from its Interface Description Block (draft-ietf-opsawg-pcapng
/// section 4.2), with the timestamp unit of its packets worked out once.
/// </summary>
internal readonly struct PcapngInterface
{
    /// <summary>if_tsresol when the option is absent: 10^-6 (section 4.2).</summary>
    public const byte DefaultResolution = 6;

    private static readonly long[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ];

    private readonly long _multiplier;
    private readonly ulong _fastLimit;
    private readonly bool _fast;

    public PcapngInterface(LinkType linkType, uint snapLength, byte resolution, long offsetSeconds)
    {
        LinkType = linkType;
        SnapLength = snapLength;
        Resolution = resolution;
        OffsetSeconds = offsetSeconds;
        // Common case: a decimal unit of 10^-9 or coarser and no offset, where nanoseconds = units * 10^(9-n).
        if ((resolution & 0x80) == 0 && resolution <= 9 && offsetSeconds == 0)
        {
            _multiplier = PowersOfTen[9 - resolution];
            _fastLimit = (ulong)(long.MaxValue / _multiplier);
            _fast = true;
        }
    }

    public LinkType LinkType { get; }
    /// <summary>Snap length; 0 means no limit (section 4.2).</summary>
    public uint SnapLength { get; }
    /// <summary>Raw if_tsresol: high bit clear, units of 10^-n seconds; set, units of 2^-n seconds.</summary>
    public byte Resolution { get; }
    /// <summary>if_tsoffset: seconds added to every timestamp (section 4.2, option 14).</summary>
    public long OffsetSeconds { get; }

    /// <summary>
    /// Converts a 64-bit timestamp in this interface's units to nanoseconds since the epoch, exactly
    /// (rounded down below a nanosecond for binary units finer than 2^-9), saturating at the range of long.
    /// </summary>
    public long ToNanoseconds(ulong units)
    {
        if (_fast && units <= _fastLimit)
        {
            return (long)units * _multiplier;
        }
        return ToNanosecondsSlow(units);
    }

    private long ToNanosecondsSlow(ulong units)
    {
        int exponent = Resolution & 0x7F;
        Int128 nanos;
        if ((Resolution & 0x80) != 0)
        {
            // units * 10^9 / 2^n: the product is below 2^94, so UInt128 holds it.
            nanos = (Int128)(((UInt128)units * PacketTimestamp.NanosPerSecond) >> exponent);
        }
        else if (exponent <= 9)
        {
            nanos = (Int128)units * PowersOfTen[9 - exponent];
        }
        else
        {
            // Finer than a nanosecond: divide by 10^(n-9); 10^20 exceeds every 64-bit value.
            int down = exponent - 9;
            nanos = down >= 20 ? 0 : (Int128)(units / Pow10(down));
        }

        nanos += (Int128)OffsetSeconds * PacketTimestamp.NanosPerSecond;
        if (nanos > long.MaxValue)
        {
            return long.MaxValue;
        }
        return nanos < long.MinValue ? long.MinValue : (long)nanos;
    }

    private static ulong Pow10(int exponent)
    {
        ulong value = 1;
        for (int i = 0; i < exponent; i++)
        {
            value *= 10;
        }
        return value;
    }
}
