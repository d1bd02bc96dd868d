using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Every service's health minute by minute of capture time: attempts, how they ended, DNS rcodes, response times
/// and distinct clients, per (server, port, transport). This is what the history store keeps of a capture
/// (docs/history.md): enough to say, weeks later, whether a service worked at a given time, never a payload.
/// <para>
/// Fed once per ended transaction (a DNS query decided, a TCP attempt closed), not per packet. Bounded: at most
/// <see cref="MaxBuckets"/> service-minutes (a day of 14 busy services, or a scan of 20,000 ports in one minute);
/// past it new ones are counted in <see cref="Dropped"/> and the store says the record is partial.
/// </para>
/// </summary>
internal sealed class ServiceMinutes
{
    /// <summary>Service-minutes kept at most (each about 180 bytes, plus its clients and response times when it has them).</summary>
    internal const int MaxBuckets = 20_000;

    private readonly Dictionary<Key, Bucket> _buckets = [];

    /// <summary>Outcomes not recorded because the table was full.</summary>
    public long Dropped { get; private set; }

    internal readonly record struct Key(IpAddr Server, ushort Port, byte Transport, long Minute);

    internal sealed class Bucket
    {
        public long Attempts, Successes, Refused, Unanswered, IcmpErrors, Pending;
        /// <summary>DNS answers by rcode, made at a bucket's first answer: most buckets are TCP services' and have none.</summary>
        public Rcodes? Answers;
        public ResponseTimes? Times;
        /// <summary>
        /// The distinct IPv4 clients, sorted: 4 bytes a client where a set of addresses took 32 and more, in an array that
        /// grows with them (a day of busy service-minutes held 140 MB of client sets; 64-bit keys for every client were
        /// still 6.5 MB of 2 GB of browsing traffic's 80 MB heap).
        /// </summary>
        public uint[]? V4Clients;
        /// <summary>The distinct IPv6 clients as sorted 63-bit hashes (<see cref="ClientKey"/>).</summary>
        public ulong[]? V6Clients;
        public int V4Count, V6Count;
        public int ClientCount => V4Count + V6Count;
        public bool ClientsCapped;
        /// <summary>The client added last: most attempts in a minute come from the client before them, and need no set lookup.</summary>
        public IpAddr LastClient;
    }

    internal sealed class Rcodes
    {
        public long NoError, NxDomain, ServFail, Refused, Other;
    }

    /// <summary>Distinct clients kept per service-minute: past it the count is a lower bound.</summary>
    internal const int MaxClients = 256;
    private const int FirstClientsHeld = 4;

    /// <summary>A TCP connection attempt (a SYN seen) ended as <paramref name="outcome"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Tcp(TcpConnection conn, TcpOutcome outcome)
    {
        var b = Find(conn.Server, conn.ServerPort, 6, conn.First.Time);
        if (b is null) return;
        b.Attempts++;
        switch (outcome)
        {
            case TcpOutcome.Established or TcpOutcome.Closed or TcpOutcome.ResetAfterEstablished:
                b.Successes++;
                if (conn.SynAckAt != 0) Time(b, conn.SynAckAt - conn.First.Time.Nanoseconds);
                break;
            case TcpOutcome.Refused:
                b.Refused++;
                break;
            case TcpOutcome.IcmpRejected:
                b.IcmpErrors++;
                break;
            case TcpOutcome.Unanswered:
                if (conn.AtCaptureEnd) b.Pending++;
                else b.Unanswered++;
                break;
        }
        Client(b, conn.Client);
    }

    /// <summary>A DNS query over UDP was decided (over TCP its connection is counted instead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Dns(DnsAttempt attempt)
    {
        var b = Find(attempt.Server, attempt.ServerPort, 17, attempt.Query.Time);
        if (b is null) return;
        b.Attempts++;
        switch (attempt.Outcome)
        {
            case DnsOutcome.Answered:
                // NXDOMAIN is the server working: it answered that the name does not exist.
                var answers = b.Answers ??= new Rcodes();
                switch (attempt.Rcode)
                {
                    case 0: answers.NoError++; b.Successes++; break;
                    case 3: answers.NxDomain++; b.Successes++; break;
                    case 2: answers.ServFail++; break;
                    case 5: answers.Refused++; break;
                    default: answers.Other++; break;
                }
                if (attempt.Response is { } response && response.Time.Kind == attempt.Query.Time.Kind)
                {
                    Time(b, response.Time.Nanoseconds - attempt.Query.Time.Nanoseconds);
                }
                break;
            case DnsOutcome.IcmpError:
                b.IcmpErrors++;
                break;
            case DnsOutcome.Unanswered:
                if (attempt.AtCaptureEnd) b.Pending++;
                else b.Unanswered++;
                break;
        }
        Client(b, attempt.Client);
    }

    private Bucket? Find(IpAddr server, ushort port, byte transport, PacketTimestamp time)
    {
        long minute = time.Kind == TimestampKind.None ? 0 : Math.DivRem(time.Nanoseconds, 60 * PacketTimestamp.NanosPerSecond, out long rem) - (rem < 0 ? 1 : 0);
        var key = new Key(server, port, transport, minute);
        ref var bucket = ref CollectionsMarshal.GetValueRefOrNullRef(_buckets, key);
        if (!Unsafe.IsNullRef(ref bucket)) return bucket;
        if (_buckets.Count >= MaxBuckets)
        {
            Dropped++;
            return null;
        }
        var created = new Bucket();
        _buckets[key] = created;
        return created;
    }

    private static void Time(Bucket b, long nanoseconds)
    {
        if (nanoseconds < 0) return;
        (b.Times ??= new ResponseTimes()).Add(nanoseconds);
    }

    private static void Client(Bucket b, IpAddr client)
    {
        if (b.ClientsCapped || (b.ClientCount > 0 && b.LastClient == client)) return;
        b.LastClient = client;
        if (client.IsV6) Insert(ref b.V6Clients, ref b.V6Count, ClientKey(client), b);
        else Insert(ref b.V4Clients, ref b.V4Count, client.V4Value, b);
    }

    /// <summary>Adds <paramref name="key"/> to one of a bucket's sorted arrays unless it is there; past <see cref="MaxClients"/> in all, the bucket is capped.</summary>
    private static void Insert<T>(ref T[]? keys, ref int count, T key, Bucket b) where T : IComparable<T>
    {
        keys ??= new T[FirstClientsHeld];
        int at = Array.BinarySearch(keys, 0, count, key);
        if (at >= 0) return;
        if (b.ClientCount >= MaxClients)
        {
            b.ClientsCapped = true;
            return;
        }
        at = ~at;
        if (count == keys.Length) Array.Resize(ref keys, Math.Min(MaxClients, keys.Length * 2));
        Array.Copy(keys, at, keys, at + 1, count - at);
        keys[at] = key;
        count++;
    }

    /// <summary>
    /// A client as 64 bits: an IPv4 address exactly (top bit set), an IPv6 address by a 63-bit hash of its bytes (two
    /// clients of one service-minute share one with a chance of about one in 10^16).
    /// </summary>
    internal static ulong ClientKey(IpAddr client)
    {
        if (!client.IsV6) return (1UL << 63) | client.V4Value;
        Span<byte> bytes = stackalloc byte[16];
        client.WriteBytes(bytes);
        return System.IO.Hashing.XxHash3.HashToUInt64(bytes) & ~(1UL << 63);
    }

    /// <summary>The service-minutes in order of service then minute, in the report's words.</summary>
    public List<ServiceMinute> ToList(TimestampKind kind)
    {
        var list = new List<ServiceMinute>(_buckets.Count);
        foreach (var (key, b) in _buckets.OrderBy(e => e.Key.Server).ThenBy(e => e.Key.Port).ThenBy(e => e.Key.Transport).ThenBy(e => e.Key.Minute))
        {
            list.Add(new ServiceMinute
            {
                Server = key.Server.ToString(),
                Port = key.Port,
                Transport = key.Transport == 6 ? "TCP" : "UDP",
                MinuteStart = kind == TimestampKind.None ? 0 : key.Minute * 60,
                Attempts = b.Attempts,
                Successes = b.Successes,
                Refused = b.Refused,
                Unanswered = b.Unanswered,
                IcmpErrors = b.IcmpErrors,
                Pending = b.Pending,
                NoError = b.Answers?.NoError ?? 0,
                NxDomain = b.Answers?.NxDomain ?? 0,
                ServFail = b.Answers?.ServFail ?? 0,
                RcodeRefused = b.Answers?.Refused ?? 0,
                OtherRcode = b.Answers?.Other ?? 0,
                P50Milliseconds = b.Times?.Percentile(0.50),
                P90Milliseconds = b.Times?.Percentile(0.90),
                P99Milliseconds = b.Times?.Percentile(0.99),
                Clients = b.ClientCount,
                ClientsCapped = b.ClientsCapped,
            });
        }
        return list;
    }

    /// <summary>
    /// Response times of one service-minute in bounded memory: buckets half an octave wide from 1 µs to 2^24 µs (about
    /// 17 s; slower ones share the last), each with its count and the sum of its times. A percentile is the mean of the
    /// times in the bucket that holds it: exact when they are alike (one server answering in about the same time, the
    /// common case), and never further off than the bucket is wide (a factor of 1.41). Only the buckets that have times
    /// are held, in order: a minute's answers fall in two to six of the 48, so a service-minute holds about 100 bytes
    /// where a full histogram held 620, and a day of busy services (20,000 service-minutes) 2 MB where it held 12.
    /// </summary>
    internal sealed class ResponseTimes
    {
        private const int Buckets = 48;
        private const int FirstHeld = 4;

        private struct Held
        {
            public byte Index;
            public int Count;
            public long Sum;
        }

        private Held[] _held = new Held[FirstHeld];
        private int _used;
        private long _count;

        public void Add(long nanoseconds)
        {
            long micros = Math.Max(1L, nanoseconds / 1000);
            // Half octaves: 2 * log2, and whether the value is in the upper half of its octave.
            int log = BitOperations.Log2((ulong)micros);
            int half = log >= 1 ? (int)((micros >> (log - 1)) & 1) : 0;
            byte index = (byte)Math.Min(Buckets - 1, log * 2 + half);
            int i = 0;
            while (i < _used && _held[i].Index < index) i++;
            if (i == _used || _held[i].Index != index)
            {
                if (_used == _held.Length) Array.Resize(ref _held, Math.Min(Buckets, _held.Length * 2));
                Array.Copy(_held, i, _held, i + 1, _used - i);
                _held[i] = new Held { Index = index };
                _used++;
            }
            _held[i].Count++;
            _held[i].Sum += micros;
            _count++;
        }

        /// <summary>The time below which <paramref name="fraction"/> of the times fall, in milliseconds.</summary>
        public double Percentile(double fraction)
        {
            long rank = Math.Max(1, (long)Math.Ceiling(fraction * _count));
            long seen = 0;
            for (int i = 0; i < _used; i++)
            {
                seen += _held[i].Count;
                if (seen >= rank) return Math.Round((double)_held[i].Sum / _held[i].Count / 1000.0, 3);
            }
            return 0;
        }
    }
}
