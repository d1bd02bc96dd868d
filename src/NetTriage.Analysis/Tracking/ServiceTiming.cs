using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Where the time of a TCP service's connections goes, from the packets wherever the capture was taken: the network
/// round trip (the client's SYN to its ACK of the SYN-ACK: both legs of the path, whatever the capture point), the
/// server's time from the first request byte to the first answer byte less the capture point's round trip to the
/// server (SYN to SYN-ACK), and the client's time from the completed handshake to its first request byte.
/// <para>
/// Each measure keeps a uniform sample of its values (<see cref="Kept"/> of them, Algorithm R with a fixed seed: the
/// same capture gives the same sample) for its median and 90th percentile, and its count: fixed memory a service.
/// </para>
/// </summary>
internal sealed class ServiceTiming
{
    internal const int Kept = 128;

    public TimingSample RoundTrip { get; } = new();
    public TimingSample Server { get; } = new();
    public TimingSample ClientWait { get; } = new();
    /// <summary>Connections whose server spoke first (a banner: SMTP, FTP, SSH): the client's wait is the server's, not counted.</summary>
    public long ServerFirst;
    /// <summary>The first and last SYN of the connections measured.</summary>
    public PacketTimestamp First, Last;
}

/// <summary>A uniform sample of durations in microseconds (reservoir sampling, RFC-free: Vitter's Algorithm R).</summary>
internal sealed class TimingSample
{
    /// <summary>
    /// Grown by doubling to <see cref="ServiceTiming.Kept"/>: most services of a busy capture have a few connections
    /// measured, and three full arrays a service were 2 MB of the heap on 2 GB of browsing traffic.
    /// </summary>
    private int[] _values = [];
    private uint _random = 0x9E37_79B9;

    public long Count { get; private set; }

    public void Add(long nanoseconds)
    {
        if (nanoseconds < 0) return;
        int micros = (int)Math.Min(nanoseconds / 1000, int.MaxValue);
        Count++;
        if (Count <= ServiceTiming.Kept)
        {
            if (Count > _values.Length) Array.Resize(ref _values, Math.Min(ServiceTiming.Kept, Math.Max(8, _values.Length * 2)));
            _values[Count - 1] = micros;
            return;
        }
        // xorshift32: cheap, and the same sequence for the same capture.
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        long slot = _random % Count;
        if (slot < ServiceTiming.Kept) _values[slot] = micros;
    }

    /// <summary>The <paramref name="fraction"/> quantile of the sample, in seconds (nearest rank); null when empty.</summary>
    public double? Quantile(double fraction)
    {
        int n = (int)Math.Min(Count, _values.Length);
        if (n == 0) return null;
        var sorted = _values[..n];
        Array.Sort(sorted);
        int rank = Math.Clamp((int)Math.Ceiling(fraction * n) - 1, 0, n - 1);
        return sorted[rank] / 1e6;
    }
}
