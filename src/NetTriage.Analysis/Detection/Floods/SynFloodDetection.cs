using System.Globalization;
using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Services;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Floods;

/// <summary>
/// SYN floods (RFC 4987): a surge of connection attempts toward one service, far above its own earlier rate and an
/// absolute floor, most of which never complete a handshake. The figures: SYNs, the busiest second, the rate before
/// the surge, half-open attempts, the share of the capture, distinct sources and whether they look spoofed (each sent
/// one SYN and none completed a handshake: random forged addresses), which tells a DoS from a DDoS.
/// <para>
/// State is one small record per (server, port) that received SYNs, at most <see cref="MaxServices"/>, and the
/// distinct sources of each up to <see cref="SourcesKept"/> (a lower bound past it): an attacker who forges a new
/// source per packet grows nothing without bound.
/// </para>
/// </summary>
internal sealed class SynFloodDetection : IActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.SynFlood, Name = "syn-flood", Layer = Layer.Transport },
    ];

    /// <summary>
    /// SYNs in one second toward one service below which no surge is a flood: a busy web server takes hundreds of
    /// new connections a second, but they complete (the half-open share below keeps those out); a flood tool sends
    /// thousands (hping3 --flood: tens of thousands).
    /// </summary>
    internal const int FloorPerSecond = 100;
    /// <summary>SYNs toward the service in all: a one-second burst of a few hundred is not a denial of service.</summary>
    internal const int MinSyns = 1000;
    /// <summary>The busiest second must be this many times the service's own rate before the surge (when the capture saw one).</summary>
    internal const double SurgeFactor = 10;
    /// <summary>Seconds of traffic before the surge needed for an earlier rate to mean anything.</summary>
    internal const double BaselineSeconds = 10;
    /// <summary>Share of the attempts that never completed a handshake: a flood's SYNs are not followed by ACKs (RFC 4987 2).</summary>
    internal const double HalfOpenShare = 0.5;
    /// <summary>Sources per SYN above which the sources look forged: nearly every SYN from a new address.</summary>
    internal const double SpoofedSourcesPerSyn = 0.8;
    /// <summary>Distinct sources from which the attack counts as distributed, when they do not look forged.</summary>
    internal const int DistributedSources = 20;

    internal const int MaxServices = 16_384;
    internal const int SourcesKept = 4096;
    private const int EvidenceKept = 12;

    private readonly Dictionary<ServiceKey, Service> _services = [];

    private readonly record struct ServiceKey(IpAddr Server, ushort Port)
    {
        public bool Equals(ServiceKey other) => Port == other.Port && Server == other.Server;

        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Server) ^ ((uint)Port << 16));
    }
    private readonly EvidenceLines _lines = new();
    private bool _full;

    private sealed class Service(PacketTimestamp first)
    {
        public long Syns, SynAcks;
        public long Second = long.MinValue, InSecond, Peak;
        public PacketTimestamp First = first, Last = first, PeakTime;
        /// <summary>The first second at or above the floor, and the SYNs before it.</summary>
        public long SurgeSecond = long.MinValue;
        public PacketTimestamp SurgeStart;
        public long SynsBeforeSurge;
        /// <summary>SYNs from the one that reached the floor on: those whose sources were told apart.</summary>
        public long SynsSinceSurge;
        public readonly HashSet<IpAddr> Sources = new(IpAddrComparer.Instance);
        public bool SourcesCapped;
        public ActivityEvidence? Evidence;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Tcp)) return;
        var flags = p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst);
        if (flags == TcpFlags.Syn) Syn(p, input);
        else if (flags == (TcpFlags.Syn | TcpFlags.Ack) && _services.TryGetValue(new ServiceKey(p.Ip.Source, p.SourcePort), out var answered)) answered.SynAcks++;
    }

    private void Syn(DecodedPacket p, int input)
    {
        var key = new ServiceKey(p.Ip.Destination, p.DestinationPort);
        if (!_services.TryGetValue(key, out var s))
        {
            if (_services.Count >= MaxServices && !Prune()) return;
            s = new Service(p.Timestamp);
            _services[key] = s;
        }
        s.Syns++;
        s.Last = p.Timestamp;
        long before = s.Peak;
        ScanDetection.Tick(ref s.Second, ref s.InSecond, ref s.Peak, p.Timestamp);
        if (s.Peak > before) s.PeakTime = p.Timestamp;
        if (s.SurgeSecond == long.MinValue)
        {
            if (s.InSecond >= FloorPerSecond)
            {
                s.SurgeSecond = s.Second;
                s.SurgeStart = p.Timestamp;
                s.SynsBeforeSurge = s.Syns - s.InSecond;
                s.Evidence = new ActivityEvidence(EvidenceKept);
            }
        }
        // Sources are told apart from the surge on: they are the flood's, and ordinary traffic costs no lookup.
        if (s.SurgeSecond != long.MinValue) s.SynsSinceSurge++;
        if (s.SurgeSecond != long.MinValue && !s.SourcesCapped && !s.Sources.Contains(p.Ip.Source))
        {
            if (s.Sources.Count >= SourcesKept) s.SourcesCapped = true;
            else s.Sources.Add(p.Ip.Source);
        }
        s.Evidence?.Add(_lines, p, input, "syn");
    }

    /// <summary>Drops the services with one or two SYNs (each new forged destination makes one); false when that frees nothing.</summary>
    private bool Prune()
    {
        if (_full) return false;
        int before = _services.Count;
        foreach (var (key, s) in _services)
        {
            if (s.Syns <= 2) _services.Remove(key);
        }
        _full = before - _services.Count < MaxServices / 4;
        return !_full || _services.Count < MaxServices;
    }

    public void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var ((server, port), s) in _services)
        {
            if (s.Syns < MinSyns || s.Peak < FloorPerSecond) continue;
            double? baseline = Baseline(s);
            if (baseline is { } b && s.Peak < b * SurgeFactor) continue;
            long attempts = traffic.TcpAttemptsTo(server, port) ?? s.Syns;
            long completed = traffic.TcpCompletedTo(server, port);
            long halfOpen = Math.Max(0, attempts - completed);
            if (attempts == 0 || halfOpen < attempts * HalfOpenShare) continue;
            found.Add(Flood(server, port, s, baseline, attempts, halfOpen, traffic.Packets));
        }
    }

    private static double? Baseline(Service s)
    {
        if (s.SurgeSecond == long.MinValue) return null;
        double seconds = (s.SurgeStart.Nanoseconds - s.First.Nanoseconds) / (double)PacketTimestamp.NanosPerSecond;
        return seconds >= BaselineSeconds ? Math.Round(s.SynsBeforeSurge / seconds, 2) : null;
    }

    private static DetectedActivity Flood(IpAddr server, ushort port, Service s, double? baseline, long attempts, long halfOpen, long capturePackets)
    {
        long sources = s.Sources.Count;
        // The SYNs over which the sources were told apart (from the surge on, up to the set's bound).
        long tracked = s.SourcesCapped ? SourcesKept : s.SynsSinceSurge;
        bool spoofed = sources >= DistributedSources && sources >= tracked * SpoofedSourcesPerSyn;
        bool overwhelmed = s.SynAcks < s.Syns * 0.9;
        var facts = new AttackFacts
        {
            Technique = "syn",
            Packets = s.Syns,
            Sources = sources,
            Targets = 1,
            HalfOpen = halfOpen,
            PeakPerSecond = s.Peak,
            RatePerSecond = ScanDetection.Rate(s.Syns, s.First, s.Last),
            BaselinePerSecond = baseline,
            ShareOfTraffic = capturePackets > 0 ? Math.Round((double)s.Syns / capturePackets, 3) : null,
            SpoofedSources = spoofed,
            Capped = s.SourcesCapped,
        };
        var service = WellKnownServices.Of(port, tcp: true);
        var activity = new DetectedActivity
        {
            Kind = FindingKind.SynFlood,
            Layer = Layer.Transport,
            Severity = overwhelmed ? Severity.High : Severity.Medium,
            Protocol = service.Protocol ?? "TCP",
            Transport = "TCP",
            Port = port,
            Targets = [server],
            Actors = s.Sources.Take(16).ToList(),
            First = s.First,
            Last = s.Last,
            Attempts = attempts,
            Failed = halfOpen,
            Facts = facts,
            Evidence = s.Evidence?.Packets ?? [],
            EvidenceTotal = s.Evidence?.Total ?? 0,
            Absorbs = g => g.Key.Server == server && g.Key.Port == port && g.Key.Transport == IpProtocol.Tcp,
            FindingTitle = a => $"{Describe.Count(s.Syns, "SYN")} toward {server} port {port}, at most {s.Peak} in one second; {Describe.Count(halfOpen, "attempt")} never completed a handshake",
            IncidentTitle = a => $"{(Distributed(a) ? "Distributed SYN flood" : "SYN flood")} against {server} port {port}{(service.Protocol is { } proto ? $" ({proto})" : "")}",
            Summary = a => Summary(a, server, port, s.SynAcks),
            Causes = a => Causes(a, server, port, s.SynAcks),
        };
        activity.Moments.Add((s.First, $"First SYN toward {server} port {port}."));
        if (s.SurgeSecond != long.MinValue) activity.Moments.Add((s.SurgeStart, $"The rate passes {FloorPerSecond} SYNs a second: the surge begins."));
        activity.Moments.Add((s.PeakTime, $"Busiest second: {s.Peak} SYNs."));
        activity.Moments.Add((s.Last, $"Last SYN ({Describe.Count(s.Syns, "SYN")} in all)."));
        return activity;
    }

    private static bool Distributed(DetectedActivity a) => a.Facts.SpoofedSources == true || a.Facts.Sources >= DistributedSources;

    private static string Sources(AttackFacts f) =>
        f.SpoofedSources == true
            ? $"from {(f.Capped ? "at least " : "")}{f.Sources.ToString(CultureInfo.InvariantCulture)} sources that look forged (nearly one SYN each, none completed a handshake)"
            : $"from {Describe.Count(f.Sources, "source")}";

    private static Phrase Summary(DetectedActivity a, IpAddr server, ushort port, long synAcks)
    {
        var f = a.Facts;
        string rate = $"at most {f.PeakPerSecond} a second" + (f.BaselinePerSecond is { } b ? $", against {b.ToString("0.##", CultureInfo.InvariantCulture)} a second before the surge" : "");
        string share = f.ShareOfTraffic is { } sh ? $" They are {(sh * 100).ToString("0.#", CultureInfo.InvariantCulture)}% of the capture's packets." : "";
        string answered = synAcks >= f.Packets * 0.9
            ? $" {server} answered the SYNs ({synAcks} SYN-ACKs): it is holding, at the cost of half-open connections."
            : $" {server} answered only {synAcks} of them with a SYN-ACK: it is overwhelmed, or a filter drops the flood.";
        string absorbed = a.AbsorbedTotal > 0 ? $" The {Describe.Count(a.AbsorbedTotal, "failed connection attempt")} toward the service are counted here." : "";
        return $"{Describe.Count(f.Packets, "SYN")} toward {server} port {port} {Describe.Window(a.First, a.Last)} ({rate}), {Sources(f)}; {Describe.Count(f.HalfOpen, "attempt")} never completed a handshake.{share}{answered}{absorbed}";
    }

    private static List<Cause> Causes(DetectedActivity a, IpAddr server, ushort port, long synAcks)
    {
        var f = a.Facts;
        var forFlood = new List<Phrase>
        {
            $"{Describe.Count(f.Packets, "SYN")}, at most {f.PeakPerSecond} in one second, and {Describe.Count(f.HalfOpen, "attempt")} of {a.Attempts} never completed a handshake.",
        };
        if (f.BaselinePerSecond is { } b) forFlood.Add($"Before the surge the service received {b.ToString("0.##", CultureInfo.InvariantCulture)} SYNs a second.");
        if (f.SpoofedSources == true) forFlood.Add($"{f.Sources} distinct sources, nearly one SYN each: forged addresses, which no real client population produces.");
        var steps = new List<Phrase>
        {
            Phrase.Of($"On {server}, check the SYN backlog and whether SYN cookies are on (`sysctl net.ipv4.tcp_syncookies`, `nstat -az TcpExtListenOverflows TcpExtSyncookiesSent`)."),
            f.SpoofedSources == true
                ? "Ask the upstream provider to filter the flood (the sources are forged: blocking them by address does not help); rate-limit SYNs to the port at the edge."
                : Phrase.Of($"Block or rate-limit the sources at the edge (`iptables -I INPUT -p tcp --dport {port} --syn -m hashlimit ...`)."),
            "Compare with the service's usual rate of new connections at this hour, and watch whether legitimate clients still connect.",
        };
        return
        [
            Make("syn-flood", $"A {(Distributed(a) ? "distributed " : "")}denial-of-service attack: a SYN flood exhausting {server}'s connection backlog on port {port}",
                0.85, forFlood,
                ["A flash crowd of real clients also sends many SYNs, but its handshakes complete."], steps),
        ];
    }
}
