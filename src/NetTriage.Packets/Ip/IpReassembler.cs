using System.Buffers;
using System.Buffers.Binary;

namespace NetTriage.Packets.Ip;

/// <summary>
/// Reassembles IPv4 (RFC 791 3.2, RFC 815) and IPv6 (RFC 8200 4.5) fragments into their datagram, so a DNS answer too
/// large for one packet, or a tunnel carried in fragments, is decoded whole. State is bounded: at most
/// <see cref="MaxDatagrams"/> datagrams in progress (the oldest gives way), each at most 65,535 bytes in buffers rented
/// from the shared pool, forgotten <see cref="TimeoutNanos"/> after their first fragment. A fragment that overlaps
/// another with different bounds (RFC 5722, the teardrop attack) drops its datagram and is marked; an exact duplicate is
/// ignored; a datagram longer than IP allows (the ping of death) is dropped and marked. Nothing is allocated per
/// fragment once the pool is warm.
/// </summary>
public sealed class IpReassembler
{
    /// <summary>Datagrams in progress at once (a busy link's fragmented traffic is a handful; an attack is capped).</summary>
    public const int MaxDatagrams = 256;
    /// <summary>Fragment ranges kept per datagram once merged (64 non-adjacent pieces is already hostile).</summary>
    public const int MaxRanges = 64;
    /// <summary>How long a datagram waits for its fragments: 30 s, Linux's ipfrag_time (RFC 8200 4.5 allows 60 s).</summary>
    public const long TimeoutNanos = 30 * PacketTimestamp.NanosPerSecond;
    /// <summary>The largest datagram: IPv4's total length and IPv6's payload length are 16 bits.</summary>
    private const int MaxData = 65_535;
    /// <summary>Headers kept (IPv4's with options; IPv6's with the extension headers before the fragment header).</summary>
    private const int MaxHeader = 512;

    private readonly Dictionary<Key, Datagram> _pending = [];
    private readonly Stack<Datagram> _free = new();
    private readonly byte[] _output = new byte[MaxHeader + MaxData];
    private long _nextExpiry = long.MinValue;

    /// <summary>Datagrams completed, dropped (overlap, too large) and abandoned (timed out or pushed out) so far.</summary>
    public long Completed { get; private set; }
    public long Dropped { get; private set; }
    public long Abandoned { get; private set; }

    private readonly record struct Key(IpAddr Source, IpAddr Destination, uint Id, byte Protocol, byte Version);

    private sealed class Datagram
    {
        /// <summary>Fragments taken into it.</summary>
        public int Fragments;
        public byte[] Header = new byte[MaxHeader];
        public int HeaderLength;
        public byte[]? Data;
        public (int Start, int End)[] Ranges = new (int, int)[MaxRanges];
        public int RangeCount;
        /// <summary>The data length, known once the last fragment (no more fragments) is seen; -1 before.</summary>
        public int Total;
        public bool HaveFirst;
        public bool Broken;
        public long FirstNanos;
        /// <summary>IPv6: where the next-header byte naming the fragment header is, and what the fragment header names.</summary>
        public int NextHeaderAt;
        public byte NextHeader;
    }

    /// <summary>
    /// Adds the fragment <paramref name="packet"/> (decoded from <paramref name="frame"/>). <see cref="FragmentResult.Completed"/>
    /// when it completes its datagram, which is then in <paramref name="datagram"/> (an IP packet, lent until the next
    /// call) made of <paramref name="fragments"/> fragments; <see cref="FragmentResult.Held"/> when it waits for the
    /// others; <see cref="FragmentResult.NotTaken"/> when it cannot be (cut by the snap length, dropped).
    /// </summary>
    public FragmentResult Add(ReadOnlySpan<byte> frame, DecodedPacket packet, out ReadOnlySpan<byte> datagram, out int fragments)
    {
        datagram = default;
        fragments = 0;
        bool done = TryAdd(frame, packet, ref datagram, ref fragments, out bool held);
        return done ? FragmentResult.Completed : held ? FragmentResult.Held : FragmentResult.NotTaken;
    }

    private bool TryAdd(ReadOnlySpan<byte> frame, DecodedPacket packet, ref ReadOnlySpan<byte> datagram, ref int fragments, out bool held)
    {
        held = false;
        ref readonly var ip = ref packet.Ip;
        long now = packet.Timestamp.Nanoseconds;
        if (now >= _nextExpiry)
        {
            Expire(now);
            _nextExpiry = now + PacketTimestamp.NanosPerSecond;
        }
        if (!Slice(frame, ip, out var header, out var data, out byte nextHeader)) return false;

        var key = new Key(ip.Source, ip.Destination, ip.FragmentId, ip.Version == 4 ? ip.Protocol : (byte)0, ip.Version);
        if (!_pending.TryGetValue(key, out var d))
        {
            if (_pending.Count >= MaxDatagrams) EvictOldest();
            d = _free.Count > 0 ? _free.Pop() : new Datagram();
            d.HeaderLength = 0;
            d.RangeCount = 0;
            d.Total = -1;
            d.HaveFirst = false;
            d.Broken = false;
            d.Fragments = 0;
            d.FirstNanos = now;
            _pending[key] = d;
        }
        if (d.Broken) return false;

        int start = ip.FragmentOffset;
        int end = start + data.Length;
        bool last = !ip.MoreFragments;
        if (end > MaxData || (d.Total >= 0 && end > d.Total) || (last && d.Total >= 0 && end != d.Total))
        {
            packet.AddAnomaly(end > MaxData ? AnomalyKind.FragmentTooLarge : AnomalyKind.FragmentOverlap);
            Break(d);
            return false;
        }
        switch (AddRange(d, start, end))
        {
            case RangeResult.Duplicate:
                held = true;
                return false;
            case RangeResult.Overlap:
                packet.AddAnomaly(AnomalyKind.FragmentOverlap);
                Break(d);
                return false;
        }
        if (last)
        {
            // Past the last fragment's end nothing may have been seen.
            if (d.Ranges[d.RangeCount - 1].End > end)
            {
                packet.AddAnomaly(AnomalyKind.FragmentOverlap);
                Break(d);
                return false;
            }
            d.Total = end;
        }
        if (start == 0)
        {
            d.HaveFirst = true;
            header.CopyTo(d.Header);
            d.HeaderLength = header.Length;
            d.NextHeaderAt = ip.FragmentNextHeaderOffset;
            d.NextHeader = nextHeader;
        }
        EnsureCapacity(d, end);
        data.CopyTo(d.Data.AsSpan(start));
        d.Fragments++;
        held = true;

        if (!d.HaveFirst || d.Total < 0 || d.RangeCount != 1 || d.Ranges[0].Start != 0 || d.Ranges[0].End != d.Total) return false;
        datagram = Build(d, ip.Version);
        fragments = d.Fragments;
        _pending.Remove(key);
        Release(d);
        Completed++;
        return true;
    }

    /// <summary>The header to keep and the fragment's data, from the frame and the decoded IP fields.</summary>
    private static bool Slice(ReadOnlySpan<byte> frame, in IpInfo ip, out ReadOnlySpan<byte> header, out ReadOnlySpan<byte> data, out byte nextHeader)
    {
        header = data = default;
        nextHeader = 0;
        int at = ip.HeaderOffset;
        int packetEnd = at + ip.TotalLength;
        if (at < 0 || packetEnd > frame.Length) return false; // cut by the snap length: not reassembled
        var packet = frame[at..packetEnd];
        if (ip.Version == 4)
        {
            if (ip.HeaderLength > MaxHeader || ip.HeaderLength > packet.Length) return false;
            header = packet[..ip.HeaderLength];
            data = packet[ip.HeaderLength..];
            return true;
        }
        int fragmentHeader = ip.FragmentHeaderOffset;
        if (fragmentHeader < 40 || fragmentHeader > MaxHeader || fragmentHeader + 8 > packet.Length) return false;
        header = packet[..fragmentHeader];
        nextHeader = packet[fragmentHeader];
        data = packet[(fragmentHeader + 8)..];
        return true;
    }

    private enum RangeResult { Added, Duplicate, Overlap }

    /// <summary>Adds [start, end) to the sorted, merged ranges; touching ranges merge.</summary>
    private static RangeResult AddRange(Datagram d, int start, int end)
    {
        var ranges = d.Ranges;
        int n = d.RangeCount;
        int i = 0;
        while (i < n && ranges[i].End <= start) i++;
        if (i < n && ranges[i].Start < end && ranges[i].End > start)
        {
            // A fragment wholly inside what was received is taken for a duplicate (a copy the capture or the network
            // repeated; the first is kept, as the receiving host kept it); one that reaches past it (the teardrop
            // attack's shape) overlaps.
            return ranges[i].Start <= start && ranges[i].End >= end ? RangeResult.Duplicate : RangeResult.Overlap;
        }
        if (n == MaxRanges) return RangeResult.Overlap;
        // Insert at i, then merge with touching neighbours.
        Array.Copy(ranges, i, ranges, i + 1, n - i);
        ranges[i] = (start, end);
        n++;
        if (i + 1 < n && ranges[i].End == ranges[i + 1].Start)
        {
            ranges[i] = (ranges[i].Start, ranges[i + 1].End);
            Array.Copy(ranges, i + 2, ranges, i + 1, n - i - 2);
            n--;
        }
        if (i > 0 && ranges[i - 1].End == ranges[i].Start)
        {
            ranges[i - 1] = (ranges[i - 1].Start, ranges[i].End);
            Array.Copy(ranges, i + 1, ranges, i, n - i - 1);
            n--;
        }
        d.RangeCount = n;
        return RangeResult.Added;
    }

    private static void EnsureCapacity(Datagram d, int end)
    {
        if (d.Data is { } data && data.Length >= end) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(end, 2048));
        if (d.Data is { } old)
        {
            old.AsSpan().CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(old);
        }
        d.Data = bigger;
    }

    private ReadOnlySpan<byte> Build(Datagram d, byte version)
    {
        var output = _output.AsSpan();
        d.Header.AsSpan(0, d.HeaderLength).CopyTo(output);
        d.Data.AsSpan(0, d.Total).CopyTo(output[d.HeaderLength..]);
        int length = d.HeaderLength + d.Total;
        if (version == 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output[2..], (ushort)Math.Min(length, ushort.MaxValue));
            // No more fragments, offset 0; DF kept.
            output[6] &= 0x40;
            output[7] = 0;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)Math.Min(length - 40, ushort.MaxValue));
            if (d.NextHeaderAt < d.HeaderLength) output[d.NextHeaderAt] = d.NextHeader;
        }
        return output[..length];
    }

    private void Break(Datagram d)
    {
        if (d.Broken) return;
        d.Broken = true;
        Dropped++;
    }

    private void Release(Datagram d)
    {
        if (d.Data is { } data)
        {
            ArrayPool<byte>.Shared.Return(data);
            d.Data = null;
        }
        _free.Push(d);
    }

    private void Expire(long now)
    {
        if (_pending.Count == 0) return;
        List<Key>? old = null;
        foreach (var (key, d) in _pending)
        {
            if (now - d.FirstNanos > TimeoutNanos) (old ??= []).Add(key);
        }
        if (old is null) return;
        foreach (var key in old) Abandon(key);
    }

    private void EvictOldest()
    {
        Key oldest = default;
        long first = long.MaxValue;
        foreach (var (key, d) in _pending)
        {
            if (d.FirstNanos < first)
            {
                first = d.FirstNanos;
                oldest = key;
            }
        }
        Abandon(oldest);
    }

    private void Abandon(Key key)
    {
        if (!_pending.Remove(key, out var d)) return;
        if (!d.Broken) Abandoned++;
        Release(d);
    }
}

/// <summary>What became of a fragment given to <see cref="IpReassembler.Add"/>.</summary>
public enum FragmentResult
{
    /// <summary>Not part of any datagram in progress (cut by the snap length, or its datagram was dropped).</summary>
    NotTaken,
    /// <summary>Kept until the rest of its datagram arrives.</summary>
    Held,
    /// <summary>It completed its datagram.</summary>
    Completed,
}
