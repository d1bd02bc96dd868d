using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Services;

namespace NetTriage.Analysis.Detection.Scans;

/// <summary>
/// Port scans (one source, many ports of one host) and address scans (one source, one TCP port, many hosts), as
/// Zeek's scan.zeek defines them, from the probes and what answered them: SYN (half-open or connect), FIN, NULL and
/// Xmas probes (RFC 9293 3.10.7.1: a closed port answers them with RST, an open one stays silent) and UDP probes
/// (a closed port answers ICMP port unreachable, RFC 1122 4.1.3.1).
/// <para>
/// Only failed probes make a scan: ports (or hosts) that never answered open. A client that uses many ports or many
/// servers that answer (passive FTP, a browser, a NAT gateway, a proxy) is not scanning, as scan.zeek counts only
/// failed connections. The window is the whole capture, not scan.zeek's 5 minutes, so a slow scan (one probe a
/// minute) is caught as well as a fast one.
/// </para>
/// <para>
/// State is bounded whatever the input: at most <see cref="MaxPairs"/> (source, host) pairs and
/// <see cref="MaxSweeps"/> (source, port) sweeps; pairs hold up to 8 ports inline, and only
/// <see cref="MaxWidePairs"/> get exact 24 KiB port maps. When a table fills, the pairs and sweeps with one or two
/// ports or hosts (ordinary traffic, spoofed floods) are dropped first; what cannot be followed is said.
/// </para>
/// </summary>
internal sealed class ScanDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.PortScan, Name = "port-scan", Layer = Layer.Transport },
        new() { Kind = FindingKind.AddressScan, Name = "address-scan", Layer = Layer.Network },
    ];

    /// <summary>Distinct ports of one host that failed (never answered open): scan.zeek's port_scan_threshold.</summary>
    internal const int PortScanPorts = 15;
    /// <summary>Distinct hosts on one port that failed (never answered open): scan.zeek's addr_scan_threshold.</summary>
    internal const int AddressScanHosts = 25;
    /// <summary>
    /// An address scan also needs most of the hosts it tried to have failed: a NAT gateway or proxy talking to
    /// thousands of web servers meets a few dozen dead ones, but they are a small share of the hosts it reached.
    /// </summary>
    internal const double AddressScanFailedShare = 0.5;
    /// <summary>
    /// UDP probes that drew ICMP time exceeded are a traceroute's (rising TTLs, RFC 1393), not a scan's: a pair with
    /// this share of such answers is left to the traceroute's reading.
    /// </summary>
    internal const double TracerouteShare = 0.1;

    /// <summary>
    /// (source, host) pairs followed at once. Ordinary traffic seldom probes more than two ports of one host, so a
    /// full table is pruned to the pairs that do; a scan of one host needs one pair, a sweep one pair a host (the
    /// hosts probed since the last pruning are the ones whose answers are known). About 200 bytes a pair: 3.5 MB.
    /// </summary>
    internal const int MaxPairs = 16_384;
    internal const int MaxWidePairs = 256;
    internal const int MaxSweeps = 4_096;
    /// <summary>Hosts remembered over all sweeps (8 to 16 bytes each, an IPv4 host; see <see cref="AddressSet"/>).</summary>
    internal const int MaxSweepHosts = 131_072;
    private const int EvidenceKept = 12;
    private const int OpenListed = 64;

    private readonly Dictionary<PairKey, Pair> _pairs = [];
    private readonly Dictionary<SweepKey, Sweep> _sweeps = [];
    private readonly EvidenceLines _lines = new();
    private int _wideBudget = MaxWidePairs;
    private int _sweepHosts;
    private bool _pairsFull, _sweepsFull, _sweepHostsFull;
    private Func<int>? _prunePairs, _pruneSweeps;

    // Keys hash as the tracker's do (KeyHash): the default record hashing costs several times more per packet.
    private readonly record struct PairKey(IpAddr Scanner, IpAddr Target, byte Protocol)
    {
        public bool Equals(PairKey other) => Protocol == other.Protocol && Scanner == other.Scanner && Target == other.Target;

        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Scanner) * 31 + KeyHash.Of(Target) + Protocol);
    }

    private readonly record struct SweepKey(IpAddr Scanner, ushort Port)
    {
        public bool Equals(SweepKey other) => Port == other.Port && Scanner == other.Scanner;

        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Scanner) ^ ((uint)Port << 16));
    }

    // Pairs and sweeps are structs held in their tables' entries: a new pair or sweep allocates nothing, and the
    // stream of one-packet pairs that ordinary traffic and forged floods make leaves no garbage behind.
    private struct Pair(PacketTimestamp first)
    {
        public PortSet Ports;
        public long Probes;
        /// <summary>ICMP time exceeded for the probes (a traceroute's answers).</summary>
        public long TimeExceeded;
        /// <summary>The techniques seen, and <see cref="Seen.HalfOpen"/>: only whether each was, never how often.</summary>
        public Seen Seen;
        public PacketTimestamp First = first, Last = first;
        public PacketTimestamp? FirstOpen;
        public long Second = long.MinValue, InSecond, Peak;
        public ActivityEvidence? Evidence;
    }

    private const byte HostOpen = 1, HostClosed = 2, HostUnknown = 4;

    private struct Sweep(PacketTimestamp first, IpAddr host)
    {
        /// <summary>The first host probed; the only one until a second makes <see cref="Hosts"/>.</summary>
        public readonly IpAddr FirstHost = host;
        /// <summary>
        /// Each host probed: one lookup a packet. Made at the second host: most sweeps (a client and its server) have one.
        /// </summary>
        public AddressSet? Hosts;
        /// <summary>
        /// What each host answered (<see cref="HostOpen"/>, <see cref="HostClosed"/>, <see cref="HostUnknown"/>), read
        /// from the pairs when the capture ends, for the sweeps wide enough to be judged.
        /// </summary>
        public Dictionary<IpAddr, byte>? States;
        public readonly int HostCount => Hosts?.Count ?? 1;
        public readonly bool Probed(IpAddr host) => Hosts?.Contains(host) ?? host == FirstHost;
        public readonly IEnumerable<IpAddr> AllHosts => Hosts?.All() ?? [FirstHost];
        public readonly IEnumerable<IpAddr> Open => (States ?? []).Where(h => (h.Value & HostOpen) != 0).Select(h => h.Key);
        public readonly int OpenCount => (States ?? []).Count(h => (h.Value & HostOpen) != 0);
        public readonly int ClosedCount => (States ?? []).Count(h => h.Value == HostClosed);
        /// <summary>Hosts whose answers are known (their pair was kept): the only ones a judgement counts.</summary>
        public readonly int KnownCount => (States ?? []).Count(h => h.Value != HostUnknown);
        public long Probes;
        public bool Capped;
        public PacketTimestamp First = first, Last = first;
        public PacketTimestamp? FirstOpen;
        public long Second = long.MinValue, InSecond, Peak;
        public ActivityEvidence? Evidence;
    }

    // ---- per packet ------------------------------------------------------------------------------

    public override PacketLayers Reads => PacketLayers.Tcp | PacketLayers.Udp | PacketLayers.Icmp | PacketLayers.Icmpv6;

    /// <summary>Only SYNs, SYN-ACKs, resets and probes without ACK count here: a connection's segments are skipped.</summary>
    public override bool ReadsTcpSegments => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (p.Has(PacketLayers.Tcp))
        {
            var flags = p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst | TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg);
            if ((flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn) Probe(p, input, IpProtocol.Tcp, Technique.Syn);
            else if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack)) Answer(p, input, open: true);
            else if ((flags & TcpFlags.Rst) != 0) Reset(p, input);
            else if ((flags & (TcpFlags.Ack | TcpFlags.Syn)) == 0)
            {
                // No ACK and no SYN: nothing a connection sends (RFC 9293 3.10.7). FIN, NULL and Xmas probes.
                var technique = flags == TcpFlags.None ? Technique.Null
                    : flags == (TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg) ? Technique.Xmas
                    : Technique.Fin;
                Probe(p, input, IpProtocol.Tcp, technique);
            }
        }
        else if (p.Has(PacketLayers.Udp))
        {
            // A UDP packet from a port the other side probed is an answer, not a probe (a DNS server's replies go
            // to as many client ports as there were queries). Answers come from the lower port (a service's) to the
            // higher (a client's) almost always, so only those are looked up as answers first: one table lookup a
            // datagram in ordinary traffic.
            if (p.SourcePort < p.DestinationPort)
            {
                ref var reverse = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, new PairKey(p.Ip.Destination, p.Ip.Source, IpProtocol.Udp));
                if (!Unsafe.IsNullRef(ref reverse) && reverse.Ports.Contains(p.SourcePort))
                {
                    reverse.Ports.Answer(p.SourcePort, open: true);
                    reverse.FirstOpen ??= p.Timestamp;
                    reverse.Evidence?.Add(_lines, p, input, "answer");
                    return;
                }
            }
            // A datagram from a UDP service's port to a client's port is that service answering (or a reflector's
            // answer in a reflection attack, which the victim never asked for): it probes nothing.
            if (IsUdpServicePort(p.SourcePort) && p.DestinationPort >= FirstClientPort) return;
            Probe(p, input, IpProtocol.Udp, Technique.Udp);
        }
        else if ((p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6)) && p.Icmp.IsError && p.Icmp.Quoted is { Present: true, HasPorts: true } q)
        {
            IcmpAnswer(p, input, q);
        }
    }

    /// <summary>Ports below this are services' (IANA's system ports, RFC 6335 6); clients send from above them.</summary>
    private const ushort FirstClientPort = 1024;

    /// <summary>
    /// UDP services whose answers reach clients' ports, and which reflection attacks abuse: chargen 19, DNS 53, NTP
    /// 123, NetBIOS 137, SNMP 161, CLDAP 389, SSDP 1900, mDNS 5353, memcached 11211.
    /// </summary>
    internal static bool IsUdpServicePort(ushort port) => port is 19 or 53 or 123 or 137 or 161 or 389 or 1900 or 5353 or 11211;

    private enum Technique : byte { Syn, Fin, Null, Xmas, Udp }

    /// <summary>What a pair's probes were, one bit each, and whether the scanner reset a port that answered open.</summary>
    [Flags]
    private enum Seen : byte
    {
        None = 0,
        Syn = 1 << Technique.Syn,
        Fin = 1 << Technique.Fin,
        Null = 1 << Technique.Null,
        Xmas = 1 << Technique.Xmas,
        Udp = 1 << Technique.Udp,
        /// <summary>A bare RST (no ACK) from the scanner to a port that answered open: half-open (SYN) scanning.</summary>
        HalfOpen = 1 << 5,
    }

    private void Probe(DecodedPacket p, int input, byte protocol, Technique technique)
    {
        var key = new PairKey(p.Ip.Source, p.Ip.Destination, protocol);
        if (_pairs.Count >= MaxPairs && !_pairs.ContainsKey(key) && !Room(ref _pairsFull, _pairs.Count, MaxPairs, _prunePairs ??= PrunePairs)) return;
        ref var pair = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairs, key, out bool exists);
        if (!exists) pair = new Pair(p.Timestamp);
        pair.Probes++;
        pair.Seen |= (Seen)(1 << (int)technique);
        pair.Last = CaptureClock.Later(pair.Last, p.Timestamp);
        Tick(ref pair.Second, ref pair.InSecond, ref pair.Peak, p.Timestamp);
        bool wasWide = pair.Ports.IsWide;
        pair.Ports.Add(p.DestinationPort, ref _wideBudget);
        if (!wasWide && pair.Ports.IsWide) pair.Evidence = new ActivityEvidence(EvidenceKept);
        pair.Evidence?.Add(_lines, p, input, ProbeRole(technique));

        if (technique == Technique.Syn) SweepProbe(p, input);
    }

    /// <summary>A SYN toward a port: the source's sweep of that port over hosts.</summary>
    private void SweepProbe(DecodedPacket p, int input)
    {
        var key = new SweepKey(p.Ip.Source, p.DestinationPort);
        if (_sweeps.Count >= MaxSweeps && !_sweeps.ContainsKey(key) && !Room(ref _sweepsFull, _sweeps.Count, MaxSweeps, _pruneSweeps ??= PruneSweeps)) return;
        ref var sweep = ref CollectionsMarshal.GetValueRefOrAddDefault(_sweeps, key, out bool exists);
        if (!exists)
        {
            sweep = new Sweep(p.Timestamp, p.Ip.Destination);
            _sweepHosts++;
        }
        sweep.Probes++;
        sweep.Last = CaptureClock.Later(sweep.Last, p.Timestamp);
        Tick(ref sweep.Second, ref sweep.InSecond, ref sweep.Peak, p.Timestamp);
        if (!sweep.Probed(p.Ip.Destination))
        {
            // Pruning here could move the entry: it is done without the reference, which is then taken again.
            if (_sweepHosts >= MaxSweepHosts && !sweep.Capped)
            {
                bool room = PruneSweepHosts();
                sweep = ref CollectionsMarshal.GetValueRefOrNullRef(_sweeps, key);
                if (Unsafe.IsNullRef(ref sweep)) return;
                if (!room)
                {
                    sweep.Capped = true;
                    return;
                }
            }
            if (sweep.Capped) return;
            if (sweep.Hosts is null)
            {
                sweep.Hosts = new AddressSet();
                sweep.Hosts.Add(sweep.FirstHost);
            }
            sweep.Hosts.Add(p.Ip.Destination);
            _sweepHosts++;
            // Evidence from the host that makes the sweep wide enough to be a scan: a busy client reaches a handful of
            // servers on one port, and formatting the evidence of every such sweep was a fifth of the analysis's
            // garbage on a busy capture (4,096 sweeps of 12 lines held to the end, for none that became a scan).
            if (sweep.Hosts.Count == AddressScanHosts) sweep.Evidence = new ActivityEvidence(EvidenceKept);
        }
        sweep.Evidence?.Add(_lines, p, input, "syn");
    }

    /// <summary>
    /// A SYN-ACK or a reset: the port is open or closed to whoever probed it. Recorded in the pair only; what each
    /// host of a sweep answered is read from its pair when the capture ends (one lookup an answer, not two).
    /// </summary>
    private void Answer(DecodedPacket p, int input, bool open)
    {
        ref var pair = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, new PairKey(p.Ip.Destination, p.Ip.Source, IpProtocol.Tcp));
        if (!Unsafe.IsNullRef(ref pair) && pair.Ports.Contains(p.SourcePort))
        {
            pair.Ports.Answer(p.SourcePort, open);
            if (open) pair.FirstOpen ??= p.Timestamp;
            pair.Evidence?.Add(_lines, p, input, open ? "open" : "closed");
        }
    }

    /// <summary>What each host of a sweep answered, from its (scanner, host) pair; a host whose pair was dropped stays unknown.</summary>
    private void ResolveAnswers(SweepKey key, ref Sweep sweep)
    {
        if (sweep.Hosts is null) return;
        var states = sweep.States = new Dictionary<IpAddr, byte>(sweep.Hosts.Count, IpAddrComparer.Instance);
        foreach (var host in sweep.Hosts.All())
        {
            if (!_pairs.TryGetValue(new PairKey(key.Scanner, host, IpProtocol.Tcp), out var pair))
            {
                states[host] = HostUnknown;
                continue;
            }
            byte state = 0;
            if (pair.Ports.IsOpen(key.Port))
            {
                state |= HostOpen;
                if (pair.FirstOpen is { } t && (sweep.FirstOpen is not { } f || t.Nanoseconds < f.Nanoseconds)) sweep.FirstOpen = t;
            }
            if (pair.Ports.IsClosed(key.Port)) state |= HostClosed;
            states[host] = state;
        }
    }

    /// <summary>
    /// A reset: from a probed port it says closed. From the scanner to a port that answered open, a bare RST (no ACK)
    /// is half-open scanning: the SYN-ACK is refused before any handshake completes (nmap -sS crafts it). A connect
    /// scan completes the handshake and its kernel aborts with RST and ACK.
    /// </summary>
    private void Reset(DecodedPacket p, int input)
    {
        ref var mine = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, new PairKey(p.Ip.Source, p.Ip.Destination, IpProtocol.Tcp));
        if (!Unsafe.IsNullRef(ref mine) && mine.Ports.IsOpen(p.DestinationPort))
        {
            if ((p.Tcp.Flags & TcpFlags.Ack) == 0) mine.Seen |= Seen.HalfOpen;
            return;
        }
        Answer(p, input, open: false);
    }

    private void IcmpAnswer(DecodedPacket p, int input, QuotedPacket q)
    {
        ref var pair = ref CollectionsMarshal.GetValueRefOrNullRef(_pairs, new PairKey(q.Source, q.Destination, q.Protocol));
        if (Unsafe.IsNullRef(ref pair) || !pair.Ports.Contains(q.DestinationPort)) return;
        var meaning = NetTriage.Packets.Icmp.IcmpMessages.Meaning(p.Icmp.IsV6, p.Icmp.Type, p.Icmp.Code);
        if (meaning == NetTriage.Packets.Icmp.IcmpMeaning.PortUnreachable && p.Ip.Source == q.Destination)
        {
            pair.Ports.Answer(q.DestinationPort, open: false);
            pair.Evidence?.Add(_lines, p, input, "closed");
        }
        else if (meaning == NetTriage.Packets.Icmp.IcmpMeaning.TtlExceeded)
        {
            pair.TimeExceeded++;
        }
        else
        {
            pair.Evidence?.Add(_lines, p, input, "filtered");
        }
    }

    private static string ProbeRole(Technique technique) => technique switch
    {
        Technique.Syn => "syn",
        Technique.Fin => "fin probe",
        Technique.Null => "null probe",
        Technique.Xmas => "xmas probe",
        _ => "udp probe",
    };

    /// <summary>Counts a packet into its second, keeping the busiest second.</summary>
    internal static void Tick(ref long second, ref long inSecond, ref long peak, PacketTimestamp time)
    {
        long s = time.Nanoseconds / PacketTimestamp.NanosPerSecond;
        if (s != second)
        {
            second = s;
            inSecond = 0;
        }
        if (++inSecond > peak) peak = inSecond;
    }

    // ---- bounds ------------------------------------------------------------------------------------

    /// <summary>Whether a new entry fits; a full table is pruned once, and past that new sources are not followed.</summary>
    private static bool Room(ref bool full, int count, int max, Func<int> prune)
    {
        if (count < max) return true;
        if (!full && prune() > max / 4) return true;
        // Pruning freed little: the table holds real candidates (said as "capped" in the findings).
        full = true;
        return false;
    }

    private int PrunePairs()
    {
        int before = _pairs.Count;
        foreach (var (key, pair) in _pairs)
        {
            if (!pair.Ports.IsWide && pair.Ports.Count <= 2) _pairs.Remove(key);
        }
        return before - _pairs.Count;
    }

    private int PruneSweeps()
    {
        int before = _sweeps.Count;
        foreach (var (key, sweep) in _sweeps)
        {
            if (sweep.HostCount <= 2)
            {
                _sweepHosts -= sweep.HostCount;
                _sweeps.Remove(key);
            }
        }
        return before - _sweeps.Count;
    }

    /// <summary>Makes room for a host; once pruning frees nothing, it is not tried again (each try walks the table).</summary>
    private bool PruneSweepHosts()
    {
        if (_sweepHostsFull) return false;
        if (PruneSweeps() > 0 && _sweepHosts < MaxSweepHosts) return true;
        _sweepHostsFull = true;
        return false;
    }

    // ---- judgement ---------------------------------------------------------------------------------

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        var portScans = _pairs.Where(kv => IsPortScan(kv.Value)).GroupBy(kv => kv.Key.Scanner).ToList();
        var portScanners = new HashSet<IpAddr>(portScans.Select(g => g.Key));
        foreach (var scanner in portScans)
        {
            found.Add(PortScan(scanner.Key, scanner.OrderByDescending(kv => kv.Value.Ports.Count).ThenBy(kv => kv.Key.Target).ToList()));
        }
        foreach (var key in _sweeps.Keys.ToList())
        {
            ref var sweep = ref CollectionsMarshal.GetValueRefOrNullRef(_sweeps, key);
            if (sweep.HostCount >= AddressScanHosts) ResolveAnswers(key, ref sweep);
        }
        foreach (var scanner in _sweeps.Where(kv => IsAddressScan(kv.Value) && !portScanners.Contains(kv.Key.Scanner)).GroupBy(kv => kv.Key.Scanner))
        {
            found.Add(AddressScan(scanner.Key, scanner.OrderByDescending(kv => kv.Value.HostCount).ThenBy(kv => kv.Key.Port).ToList()));
        }
    }

    private static bool IsPortScan(Pair pair)
    {
        long failed = pair.Ports.Count - pair.Ports.OpenCount;
        if (failed < PortScanPorts) return false;
        if ((pair.Seen & Seen.Udp) != 0 && pair.TimeExceeded >= pair.Probes * TracerouteShare) return false;
        return true;
    }

    private static bool IsAddressScan(Sweep sweep)
    {
        if (sweep.HostCount < AddressScanHosts) return false;
        long failed = sweep.KnownCount - sweep.OpenCount;
        return failed >= AddressScanHosts && failed >= sweep.KnownCount * AddressScanFailedShare;
    }

    private DetectedActivity PortScan(IpAddr scanner, List<KeyValuePair<PairKey, Pair>> pairs)
    {
        var targets = pairs.Select(kv => kv.Key.Target).Distinct().ToList();
        var targetSet = new HashSet<IpAddr>(targets);
        bool udpOnly = pairs.All(kv => kv.Key.Protocol == IpProtocol.Udp);
        long probes = pairs.Sum(kv => kv.Value.Probes);
        long ports = pairs.Sum(kv => kv.Value.Ports.Count);
        long open = pairs.Sum(kv => kv.Value.Ports.OpenCount);
        long closed = pairs.Sum(kv => kv.Value.Ports.ClosedCount);
        long silent = pairs.Sum(kv => kv.Value.Ports.Silent);
        var first = pairs.Select(kv => kv.Value.First).MinBy(t => t.Nanoseconds);
        var last = pairs.Select(kv => kv.Value.Last).MaxBy(t => t.Nanoseconds);
        var openList = pairs
            .SelectMany(kv => kv.Value.Ports.OpenPorts(OpenListed).Select(port => (kv.Key.Target, kv.Key.Protocol, Port: port)))
            .Take(OpenListed)
            .Select(x => (targets.Count > 1 ? x.Target + ":" : "") + x.Port.ToString(CultureInfo.InvariantCulture) + "/" + (x.Protocol == IpProtocol.Tcp ? "tcp" : "udp"))
            .ToList();
        var evidence = pairs.Where(kv => kv.Value.Evidence is not null).SelectMany(kv => kv.Value.Evidence!.Packets).Take(EvidenceKept * 2).ToList();
        var facts = new AttackFacts
        {
            Technique = TechniqueOf(pairs.Select(kv => kv.Value)),
            Packets = probes,
            Sources = 1,
            Targets = targets.Count,
            Ports = ports,
            Open = open,
            Closed = closed,
            Filtered = silent,
            OpenList = openList,
            PeakPerSecond = pairs.Max(kv => kv.Value.Peak),
            RatePerSecond = Rate(probes, first, last),
            Capped = pairs.Any(kv => kv.Value.Ports.Overflowed) || _pairsFull,
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.PortScan,
            Layer = Layer.Transport,
            Severity = Severity.Medium,
            Protocol = udpOnly ? "UDP" : "TCP",
            Transport = udpOnly ? "UDP" : "TCP",
            Targets = targets,
            Actors = [scanner],
            First = first,
            Last = last,
            Attempts = probes,
            Failed = ports - open,
            Facts = facts,
            Evidence = evidence,
            EvidenceTotal = pairs.Sum(kv => kv.Value.Evidence?.Total ?? 0),
            Absorbs = g => targetSet.Contains(g.Key.Server) && OnlyFrom(g, scanner),
            FindingTitle = a => $"{scanner} probed {Describe.Count(a.Facts!.Ports, "port")} on {TargetText(a)}: {a.Facts.Open} open, {a.Facts.Closed} closed, {a.Facts.Filtered} silent",
            IncidentTitle = a => $"Port scan of {TargetText(a)} from {scanner}",
            Summary = a => ScanSummary(a, scanner, "port"),
            Causes = a => ScanCauses.Of(a, scanner),
        };
        activity.Moments.Add((first, Phrase.Of($"First probe from {Phrase.Address(scanner.ToString())}.")));
        var opens = pairs.Select(kv => kv.Value.FirstOpen).OfType<PacketTimestamp>().OrderBy(t => t.Nanoseconds).ToList();
        if (opens.Count > 0) activity.Moments.Add((opens[0], "First port answered open: the scanner learned something."));
        activity.Moments.Add((last, $"Last probe ({Describe.Count(probes, "probe")} in all)."));
        return activity;
    }

    private DetectedActivity AddressScan(IpAddr scanner, List<KeyValuePair<SweepKey, Sweep>> sweeps)
    {
        var main = sweeps[0];
        var hosts = new HashSet<IpAddr>(sweeps.SelectMany(kv => kv.Value.AllHosts));
        var targets = hosts.OrderBy(h => h).Take(64).ToList();
        var ports = sweeps.Select(kv => kv.Key.Port).ToHashSet();
        long probes = sweeps.Sum(kv => kv.Value.Probes);
        long open = sweeps.Sum(kv => kv.Value.OpenCount);
        long closed = sweeps.Sum(kv => kv.Value.ClosedCount);
        long hostProbes = sweeps.Sum(kv => kv.Value.KnownCount);
        var first = sweeps.Select(kv => kv.Value.First).MinBy(t => t.Nanoseconds);
        var last = sweeps.Select(kv => kv.Value.Last).MaxBy(t => t.Nanoseconds);
        var openList = sweeps
            .SelectMany(kv => kv.Value.Open.OrderBy(h => h).Select(h => h + ":" + kv.Key.Port.ToString(CultureInfo.InvariantCulture)))
            .Take(OpenListed)
            .ToList();
        var facts = new AttackFacts
        {
            Technique = "syn",
            Packets = probes,
            Sources = 1,
            Targets = hosts.Count,
            Ports = ports.Count,
            Open = open,
            Closed = closed,
            Filtered = hostProbes - open - closed,
            OpenList = openList,
            PeakPerSecond = sweeps.Max(kv => kv.Value.Peak),
            RatePerSecond = Rate(probes, first, last),
            Capped = sweeps.Any(kv => kv.Value.Capped) || _sweepsFull,
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.AddressScan,
            Layer = Layer.Network,
            Severity = Severity.Medium,
            Protocol = ports.Count == 1 ? ServiceProtocol(main.Key.Port) : "TCP",
            Transport = "TCP",
            Port = ports.Count == 1 ? main.Key.Port : null,
            Targets = targets,
            Actors = [scanner],
            First = first,
            Last = last,
            Attempts = hostProbes,
            Failed = hostProbes - open,
            Facts = facts,
            Evidence = sweeps.Where(kv => kv.Value.Evidence is not null).SelectMany(kv => kv.Value.Evidence!.Packets).Take(EvidenceKept * 2).ToList(),
            EvidenceTotal = sweeps.Sum(kv => kv.Value.Evidence?.Total ?? 0),
            Absorbs = g => hosts.Contains(g.Key.Server) && ports.Contains(g.Key.Port) && OnlyFrom(g, scanner),
            FindingTitle = a => $"{scanner} probed {PortsText(ports)} on {Describe.Count(a.Facts!.Targets, "host")}: {a.Facts.Open} answered open, {a.Facts.Closed} refused, {a.Facts.Filtered} silent",
            IncidentTitle = a => $"Address scan of {PortsText(ports)} on {Describe.Count(a.Facts!.Targets, "host")} from {scanner}",
            Summary = a => ScanSummary(a, scanner, "host"),
            Causes = a => ScanCauses.Of(a, scanner),
        };
        activity.Moments.Add((first, Phrase.Of($"First probe from {Phrase.Address(scanner.ToString())}.")));
        var opens = sweeps.Select(kv => kv.Value.FirstOpen).OfType<PacketTimestamp>().OrderBy(t => t.Nanoseconds).ToList();
        if (opens.Count > 0) activity.Moments.Add((opens[0], "First host answered open."));
        activity.Moments.Add((last, $"Last probe ({Describe.Count(probes, "probe")} in all)."));
        return activity;
    }

    /// <summary>Every failure of the group came from <paramref name="actor"/> (those not kept in detail included).</summary>
    /// <summary>Every failure of the group, kept in detail or not, came from one of <paramref name="actors"/>.</summary>
    internal static bool OnlyFrom(FailureGroup g, IReadOnlySet<IpAddr> actors) =>
        g.Tcp.TrueForAll(c => actors.Contains(c.Client))
        && g.Dns.TrueForAll(a => actors.Contains(a.Client))
        && g.Icmp.TrueForAll(e => actors.Contains(e.Client))
        && g.UnkeptClients.All(actors.Contains);

    internal static bool OnlyFrom(FailureGroup g, IpAddr actor) =>
        g.Tcp.TrueForAll(c => c.Client == actor)
        && g.Dns.TrueForAll(a => a.Client == actor)
        && g.Icmp.TrueForAll(e => e.Client == actor)
        && g.UnkeptClients.All(c => c == actor);

    private static string TechniqueOf(IEnumerable<Pair> pairs)
    {
        var seen = Seen.None;
        foreach (var pair in pairs) seen |= pair.Seen;
        var parts = new List<string>();
        if ((seen & Seen.Syn) != 0) parts.Add((seen & Seen.HalfOpen) != 0 ? "syn" : "connect");
        if ((seen & Seen.Fin) != 0) parts.Add("fin");
        if ((seen & Seen.Null) != 0) parts.Add("null");
        if ((seen & Seen.Xmas) != 0) parts.Add("xmas");
        if ((seen & Seen.Udp) != 0) parts.Add("udp");
        return string.Join("+", parts);
    }

    /// <summary>Packets a second over the window, taken as one second at least (a burst within one second is its count).</summary>
    internal static double Rate(long packets, PacketTimestamp first, PacketTimestamp last)
    {
        double seconds = (last.Nanoseconds - first.Nanoseconds) / (double)PacketTimestamp.NanosPerSecond;
        return Math.Round(packets / Math.Max(seconds, 1), 1);
    }

    private static string TargetText(DetectedActivity a) =>
        a.Targets.Count == 1 ? a.Targets[0].ToString() : $"{a.Targets[0]} and {Describe.Count(a.Targets.Count - 1, "other host")}";

    private static string PortsText(IReadOnlyCollection<ushort> ports) =>
        ports.Count == 1 ? $"port {ports.First()}" : $"{ports.Count} ports";

    private static string ServiceProtocol(ushort port) => WellKnownServices.Of(port, tcp: true).Protocol ?? "TCP";

    private static Phrase ScanSummary(DetectedActivity a, IpAddr scanner, string unit)
    {
        var f = a.Facts!;
        string window = Describe.Window(a.First, a.Last);
        string what = unit == "port"
            ? $"{scanner} probed {Describe.Count(f.Ports, "port")} on {TargetText(a)} {window}"
            : $"{scanner} probed {(a.Port is { } port ? $"port {port}" : "several ports")} on {Describe.Count(f.Targets, "host")} {window}";
        string how = $", with {TechniqueWords(f.Technique)} ({Describe.Count(f.Packets, "probe")}, {f.RatePerSecond.ToString("0.#", CultureInfo.InvariantCulture)} a second, at most {f.PeakPerSecond} in one second).";
        string answers = unit == "port"
            ? $" {f.Open} answered open, {f.Closed} closed, {f.Filtered} never answered."
            : $" {f.Open} answered open, {f.Closed} refused, {f.Filtered} never answered.";
        string learned = f.OpenList.Count > 0 ? $" What the scanner learned: {string.Join(", ", f.OpenList)} {(f.OpenList.Count == 1 ? "is" : "are")} open." : " It found nothing open.";
        string absorbed = a.AbsorbedTotal > 0
            ? $" The {Describe.Count(a.AbsorbedTotal, "failed attempt")} it caused are counted here, not as outages."
            : "";
        return what + how + answers + learned + absorbed;
    }

    private static string TechniqueWords(string technique) => string.Join(" and ", technique.Split('+').Select(t => t switch
    {
        "syn" => "half-open SYN probes",
        "connect" => "SYN probes",
        "fin" => "FIN probes",
        "null" => "NULL probes (no flag set)",
        "xmas" => "Xmas probes (FIN, PSH, URG)",
        "udp" => "UDP probes",
        _ => t,
    }));
}
