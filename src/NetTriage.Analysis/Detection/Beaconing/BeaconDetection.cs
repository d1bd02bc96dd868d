using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Services;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Beaconing;

/// <summary>
/// Beaconing: one host opening connections to the same service at regular intervals, with sessions of the same size,
/// as implants check in with their command-and-control server (Cobalt Strike, Sliver, Metasploit's reverse HTTP).
/// Scored as RITA scores Zeek's conn.log: the intervals' skew (Bowley's quartile skewness: a regular timer has
/// none) and spread (median absolute deviation over the median), and the same two for the sessions' bytes.
/// <para>
/// Scheduled jobs look the same on the wire (monitoring checks, update polls, heartbeats), so a beacon to an
/// internal address is listed as activity (low severity, in the overview); one to an address on the internet is an
/// incident, with both readings as causes.
/// </para>
/// </summary>
internal sealed class BeaconDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.Beaconing, Name = "beaconing", Layer = Layer.Transport },
    ];

    /// <summary>
    /// Connections from one host to one service: ten give nine intervals, enough for a median and quartiles that
    /// mean something; a one-minute beacon shows ten in a ten-minute capture.
    /// </summary>
    internal const int MinConnections = 10;
    /// <summary>
    /// The median interval: a beacon sleeps between check-ins (seconds to hours). Connections less than a second apart
    /// are a program's loop or a page's resources, which busy captures are full of.
    /// </summary>
    internal static readonly long MinIntervalNanos = PacketTimestamp.NanosPerSecond;
    /// <summary>
    /// The score (0 to 1, the mean of the skew and spread scores of the intervals and of the sizes) at and above which
    /// a series is a beacon. RITA calls 0.8 and above a likely beacon; a timer with 20% jitter and sessions of one
    /// size scores about 0.85, people browsing score under 0.5.
    /// </summary>
    internal const double MinScore = 0.8;

    private const int MaxPairs = 8192;
    private const int MaxSamples = 512;
    private const int EvidenceKept = 8;
    private const int FilterBits = 1 << 18;

    private readonly record struct PairKey(IpAddr Client, IpAddr Server, ushort Port)
    {
        public bool Equals(PairKey other) => Port == other.Port && Client == other.Client && Server == other.Server;
        public override int GetHashCode() => Hash(KeyHash.Of(Client), KeyHash.Of(Server), Port);

        /// <summary>The key's hash from its addresses' <see cref="KeyHash.Of"/>: a packet hashes each address once for both directions.</summary>
        public static int Hash(uint client, uint server, ushort port) => KeyHash.Finish(client * 31 + server + port);
    }

    /// <summary>
    /// One (client, service): a struct in its table, so the many pairs seen once or twice cost no object; the samples
    /// and evidence are made at the third connection, and pairs that have them are never pruned (no churn).
    /// </summary>
    private struct Pair
    {
        public long Connections;
        public ushort LastClientPort;
        public PacketTimestamp First, LastStart;
        public int FirstIntervalMs;
        public Samples? Samples;
    }

    private sealed class Samples
    {
        public readonly List<int> IntervalsMs = [];
        public readonly List<long> Sizes = [];
        public long CurrentBytes;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    private readonly Dictionary<PairKey, Pair> _pairs = [];
    /// <summary>
    /// Which pairs have their bytes counted: a bit per hash, so that the many packets of other pairs cost a hash and a
    /// bit test, not a table lookup. A collision only costs a lookup that finds nothing.
    /// </summary>
    private readonly ulong[] _counted = new ulong[FilterBits / 64];
    private int _counting;
    private readonly EvidenceLines _lines = new();
    private bool _capped, _full;

    public override PacketLayers Reads => PacketLayers.Tcp;

    /// <summary>A segment that carries nothing adds no bytes to a session (nor starts one).</summary>
    public override bool ReadsBareSegments => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Tcp)) return;
        var flags = p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst);
        if (flags == TcpFlags.Syn)
        {
            Start(p, input);
            return;
        }
        if (_counting == 0) return;
        // The length the packet claimed: a capture cut at a snap length, or tcpdump's text, still tells it.
        int bytes = Math.Max(p.PayloadLength, p.PayloadClaimedLength);
        if (bytes <= 0) return;
        // Bytes both ways, for the pairs being counted.
        uint source = KeyHash.Of(p.Ip.Source), destination = KeyHash.Of(p.Ip.Destination);
        if (Counted(PairKey.Hash(source, destination, p.DestinationPort))) Add(new PairKey(p.Ip.Source, p.Ip.Destination, p.DestinationPort), bytes);
        if (Counted(PairKey.Hash(destination, source, p.SourcePort))) Add(new PairKey(p.Ip.Destination, p.Ip.Source, p.SourcePort), bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Counted(int hash)
    {
        int bit = hash & (FilterBits - 1);
        return (_counted[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private void Add(in PairKey key, int bytes)
    {
        ref var pair = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, key);
        if (!Unsafe.IsNullRef(ref pair) && pair.Samples is { } samples) samples.CurrentBytes += bytes;
    }

    private void Start(DecodedPacket p, int input)
    {
        var key = new PairKey(p.Ip.Source, p.Ip.Destination, p.DestinationPort);
        ref var pair = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, key);
        if (Unsafe.IsNullRef(ref pair))
        {
            if (_pairs.Count >= MaxPairs && !Prune()) { _capped = true; return; }
            _pairs[key] = new Pair { Connections = 1, LastClientPort = p.SourcePort, First = p.Timestamp, LastStart = p.Timestamp };
            return;
        }
        // A SYN again from the same port is a retransmission, not a new check-in.
        if (p.SourcePort == pair.LastClientPort) return;
        long interval = p.Timestamp.Nanoseconds - pair.LastStart.Nanoseconds;
        if (interval < 0) return;
        int ms = (int)Math.Min(interval / 1_000_000, int.MaxValue);
        pair.Connections++;
        pair.LastClientPort = p.SourcePort;
        pair.LastStart = p.Timestamp;
        if (pair.Connections == 2)
        {
            pair.FirstIntervalMs = ms;
            return;
        }
        if (pair.Samples is not { } samples)
        {
            samples = pair.Samples = new Samples();
            samples.IntervalsMs.Add(pair.FirstIntervalMs);
            int bit = key.GetHashCode() & (FilterBits - 1);
            _counted[bit >> 6] |= 1UL << (bit & 63);
            _counting++;
        }
        else
        {
            // The session that just ended (the previous connection's bytes both ways).
            if (samples.Sizes.Count < MaxSamples) samples.Sizes.Add(samples.CurrentBytes);
            samples.CurrentBytes = 0;
        }
        if (samples.IntervalsMs.Count < MaxSamples) samples.IntervalsMs.Add(ms);
        samples.Evidence.Add(_lines, p, input, "connection attempt");
    }

    /// <summary>
    /// Drops the pairs with fewer than three connections; false when that frees little, and from then on (a table of
    /// pairs with samples stays as it is: scanning it at every new pair would cost a pass per packet).
    /// </summary>
    private bool Prune()
    {
        if (_full) return false;
        int before = _pairs.Count;
        foreach (var (key, pair) in _pairs)
        {
            if (pair.Samples is null) _pairs.Remove(key);
        }
        if (before - _pairs.Count < MaxPairs / 4) _full = true;
        return _pairs.Count < MaxPairs;
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, pair) in _pairs)
        {
            if (pair.Connections < MinConnections || pair.Samples is not { } samples) continue;
            // The last session's bytes, if the capture saw it end.
            if (samples.Sizes.Count < MaxSamples && samples.CurrentBytes > 0) samples.Sizes.Add(samples.CurrentBytes);
            var score = Score(samples.IntervalsMs, samples.Sizes);
            if (score.MedianMs * 1_000_000L < MinIntervalNanos || score.Total < MinScore) continue;
            // A tool's steady pace against a service already reported as an attack (hydra's guesses, a slow scan) is
            // that attack, not a second finding: the families before this one in ActivitySensors have reported.
            if (found.Exists(a => a.Actors.Contains(key.Client) && a.Targets.Contains(key.Server) && (a.Port is null || a.Port == key.Port))) continue;
            found.Add(Build(key, pair, score, _capped));
        }
    }

    internal readonly record struct BeaconScore(double Total, double MedianMs, double IntervalSpread, double IntervalSkew, double? MedianBytes, double? SizeSpread);

    /// <summary>
    /// RITA's four scores, each 0 to 1: 1 - |Bowley skew| and 1 - spread for the intervals and for the sizes, where
    /// spread is the median absolute deviation over the median (capped at 1). Sizes count only when at least half the
    /// sessions were measured.
    /// </summary>
    internal static BeaconScore Score(IReadOnlyList<int> intervalsMs, IReadOnlyList<long>? sizes)
    {
        var iv = intervalsMs.Select(x => (double)x).ToArray();
        var (median, spread, skew) = Shape(iv);
        var parts = new List<double> { 1 - Math.Abs(skew), 1 - spread };
        double? medianBytes = null, sizeSpread = null;
        if (sizes is { Count: > 0 } && sizes.Count * 2 >= intervalsMs.Count)
        {
            var (m, s, k) = Shape(sizes.Select(x => (double)x).ToArray());
            parts.Add(1 - Math.Abs(k));
            parts.Add(1 - s);
            medianBytes = m;
            sizeSpread = s;
        }
        return new BeaconScore(Math.Round(parts.Average(), 3), median, Math.Round(spread, 3), Math.Round(skew, 3), medianBytes, sizeSpread is { } z ? Math.Round(z, 3) : null);
    }

    private static (double Median, double Spread, double Skew) Shape(double[] values)
    {
        Array.Sort(values);
        double q1 = Quantile(values, 0.25), q2 = Quantile(values, 0.5), q3 = Quantile(values, 0.75);
        // Quartiles within 1% of the median are a timer's scheduling noise: their skew says nothing (a few milliseconds
        // either way would swing it from -1 to 1), so it counts as none.
        double skew = q3 - q1 > 0.01 * Math.Abs(q2) ? (q3 + q1 - 2 * q2) / (q3 - q1) : 0;
        var deviations = values.Select(v => Math.Abs(v - q2)).ToArray();
        Array.Sort(deviations);
        double mad = Quantile(deviations, 0.5);
        double spread = q2 > 0 ? Math.Min(1, mad / q2) : (mad > 0 ? 1 : 0);
        return (q2, spread, skew);
    }

    private static double Quantile(double[] sorted, double q)
    {
        double position = (sorted.Length - 1) * q;
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>Addresses that stay inside an organisation: RFC 1918, loopback, link-local, shared (RFC 6598), ULA (RFC 4193).</summary>
    internal static bool IsInternal(IpAddr a)
    {
        if (a.IsV4)
        {
            uint v = a.V4Value;
            return (v >> 24) == 10 || (v >> 20) == 0xAC1 || (v >> 16) == 0xC0A8 || (v >> 24) == 127
                || (v >> 16) == 0xA9FE || (v >> 22) == (100u << 2 | 1);
        }
        string text = a.ToString();
        return text == "::1" || text.StartsWith("fc", StringComparison.OrdinalIgnoreCase) || text.StartsWith("fd", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("fe8", StringComparison.OrdinalIgnoreCase) || text.StartsWith("fe9", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("fea", StringComparison.OrdinalIgnoreCase) || text.StartsWith("feb", StringComparison.OrdinalIgnoreCase);
    }

    private static DetectedActivity Build(PairKey key, Pair pair, BeaconScore score, bool capped)
    {
        var (client, server, port) = (key.Client, key.Server, key.Port);
        bool external = !IsInternal(server);
        var service = WellKnownServices.Of(port, tcp: true);
        string period = Describe.Duration(score.MedianMs / 1000);
        string sizes = score.MedianBytes is { } bytes
            ? $"; sessions of {Describe.Bytes((long)bytes)} typically, spread {Describe.Percent(score.SizeSpread ?? 0)}"
            : "";
        var facts = new AttackFacts
        {
            Technique = "periodic-connections",
            Packets = pair.Connections,
            Sources = 1,
            Targets = 1,
            RatePerSecond = ScanDetection.Rate(pair.Connections, pair.First, pair.LastStart),
            IntervalSeconds = Math.Round(score.MedianMs / 1000, 3),
            IntervalSpread = score.IntervalSpread,
            TypicalBytes = score.MedianBytes is { } b ? (long)b : null,
            SizeSpread = score.SizeSpread,
            BeaconScore = score.Total,
            Capped = capped,
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.Beaconing,
            Layer = Layer.Transport,
            Severity = external ? Severity.Medium : Severity.Low,
            Protocol = service.Protocol ?? "TCP",
            Transport = "TCP",
            Port = port,
            Targets = [server],
            Actors = [client],
            First = pair.First,
            Last = pair.LastStart,
            Attempts = pair.Connections,
            Failed = 0,
            Facts = facts,
            Evidence = pair.Samples!.Evidence.Packets,
            EvidenceTotal = pair.Samples.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{client} connected to {server} port {port} {Describe.Count(pair.Connections, "time")}, every {period} (spread {Describe.Percent(score.IntervalSpread)}{sizes}); beacon score {score.Total:0.00}",
            IncidentTitle = _ => $"Regular check-ins from {client} to {server} port {port}",
            Summary = a => $"{client} opened {Describe.Count(pair.Connections, "connection")} to {server} port {port} {Describe.Window(a.First, a.Last)}, one every {period} (median; half the intervals within {Describe.Percent(score.IntervalSpread)} of it{sizes}). A timer, not a person: beacon score {score.Total:0.00} of 1, as RITA scores regularity."
                + (external ? $" {server} is on the internet: an implant checking in with its controller looks exactly like this." : $" {server} is an internal address: most often a scheduled job (monitoring, backups, updates)."),
            Causes = _ =>
            [
                Make("c2-beacon", $"Malware on {client} checks in with a command-and-control server at {server}", external ? 0.6 : 0.25,
                    [
                        $"{Describe.Count(pair.Connections, "connection")} every {period}, with a spread of {Describe.Percent(score.IntervalSpread)}{(score.SizeSpread is { } s ? $" and sessions of one size (spread {Describe.Percent(s)})" : "")}.",
                        external ? $"{server} is outside the organisation's addresses." : $"{server} is internal; implants also call internal relays.",
                    ],
                    ["Scheduled software (update checks, telemetry, monitoring agents) calls home on timers too."],
                    [
                        Phrase.Of($"Find the process on {client} that opens them (`ss -tp dst {server}`) and what it sends."),
                        Phrase.Of($"Look {server} up in threat intelligence, and see which other hosts call it."),
                    ]),
                Make("scheduled-job", $"A scheduled job or agent on {client} (monitoring, backup, update, heartbeat) calls {server}", external ? 0.4 : 0.7,
                    [$"A timer every {period} is what monitoring checks and heartbeats use."],
                    [external ? $"{server} is outside the organisation." : "Nothing in the traffic names the program."],
                    [Phrase.Of($"Check the scheduled tasks and agents on {client} (cron, systemd timers, the task scheduler) for one every {period}.")]),
            ],
        };
        activity.Moments.Add((pair.First, Phrase.Of($"First connection from {client} to {server} port {port}.")));
        return activity;
    }
}
