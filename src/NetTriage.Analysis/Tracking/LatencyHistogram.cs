using System.Numerics;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Response times in fixed memory, for their median: exact to the microsecond below 2,048 µs, and within 1/1,024
/// (0.1%) above, as a log-linear histogram (the scheme of HdrHistogram). A list of every time would grow with
/// the capture; this is under 300 KB whatever the number of responses.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 10;
    private const int SubCount = 1 << SubBits;
    /// <summary>Ranges above the exact one: enough for 2^(10+35) µs, far past any time a capture holds.</summary>
    private const int Ranges = 35;

    private const int CountsLength = SubCount * (Ranges + 1);

    private readonly long[] _counts = new long[CountsLength];

    public long Count { get; private set; }

    /// <summary>Adds a time (negative ones, from a capture whose clock went back, are not response times).</summary>
    public void Add(long nanoseconds)
    {
        if (nanoseconds < 0) return;
        ulong micros = ((ulong)nanoseconds + 500) / 1000;
        _counts[Index(micros)]++;
        Count++;
    }

    /// <summary>Below 1,024 µs the bucket is the value; above, range r holds [2^(10+r), 2^(11+r)) in 1,024 steps of 2^r µs.</summary>
    private static int Index(ulong micros)
    {
        if (micros < SubCount) return (int)micros;
        int range = BitOperations.Log2(micros) - SubBits; // 0 for 1024..2047 (exact), 1 for 2048..4095 (steps of 2)...
        if (range >= Ranges) return CountsLength - 1;
        return SubCount * (range + 1) + (int)((micros >> range) - SubCount);
    }

    /// <summary>The middle time in milliseconds (the upper one of an even count, as a sorted list's [n/2]), or null without times.</summary>
    public double? MedianMilliseconds()
    {
        if (Count == 0) return null;
        long rank = Count / 2;
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen > rank) return Value(i) / 1000.0;
        }
        return Value(_counts.Length - 1) / 1000.0;
    }

    /// <summary>The microseconds a bucket stands for: its value, or the middle of its step.</summary>
    private static double Value(int index)
    {
        if (index < SubCount) return index;
        int range = index / SubCount - 1;
        ulong low = (ulong)(index % SubCount + SubCount) << range;
        return low + ((1UL << range) - 1) / 2.0;
    }
}
