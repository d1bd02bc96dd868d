using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Services;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Floods;

/// <summary>
/// Floods: a surge of packets toward one target, far above its own earlier rate and an absolute floor. SYN floods
/// (RFC 4987) toward a TCP service, most of whose attempts never complete a handshake; UDP floods toward a UDP
/// service (a DNS resolver drowned in queries among them), most of which go unanswered or come from forged sources;
/// ICMP echo floods toward a host. The figures: packets, the busiest second, the rate before the surge, what went
/// unanswered, the share of the capture, distinct sources and whether they look spoofed (each sent one packet:
/// random forged addresses), which tells a DoS from a DDoS.
/// <para>
/// State is one small record per (server, port) that received SYNs, at most <see cref="MaxServices"/>, and the
/// distinct sources of each up to <see cref="SourcesKept"/> (a lower bound past it): an attacker who forges a new
/// source per packet grows nothing without bound.
/// </para>
/// </summary>
internal sealed class FloodDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.SynFlood, Name = "syn-flood", Layer = Layer.Transport },
        new() { Kind = FindingKind.UdpFlood, Name = "udp-flood", Layer = Layer.Transport },
        new() { Kind = FindingKind.IcmpFlood, Name = "icmp-flood", Layer = Layer.Network },
    ];

    /// <summary>
    /// SYNs in one second toward one service below which no surge is a flood: a busy web server takes hundreds of
    /// new connections a second, but they complete (the half-open share below keeps those out); a flood tool sends
    /// thousands (hping3 --flood: tens of thousands).
    /// </summary>
    internal const int FloorPerSecond = 100;
    /// <summary>
    /// Datagrams in one second toward one UDP service: a busy resolver or NTP server answers thousands a second,
    /// so the floor is higher and the unanswered share (or forged sources) decides; a flood tool sends tens of thousands.
    /// </summary>
    internal const int UdpFloorPerSecond = 1000;
    /// <summary>Echo requests in one second toward one host: ping sends one a second, ping -f about a hundred.</summary>
    internal const int IcmpFloorPerSecond = 100;
    /// <summary>Share of a UDP flood's datagrams left unanswered by the service (when its sources are not forged).</summary>
    internal const double UnansweredShare = 0.5;
    /// <summary>Packets toward the target in all: a one-second burst of a few hundred is not a denial of service.</summary>
    internal const int MinPackets = 1000;
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

    private readonly Dictionary<TargetKey, Service> _services = [];

    private readonly EvidenceLines _lines = new();
    private bool _full;

    // A struct held in its table's entry: a packet toward or from a target reads its record where the lookup found it,
    // not in an object elsewhere on the heap.
    private struct Service(PacketTimestamp first)
    {
        /// <summary>Packets toward the target (SYNs, datagrams, echo requests), and the target's answers (SYN-ACKs, datagrams, echo replies).</summary>
        public long Packets, Answers;
        public long Second = long.MinValue, InSecond, Peak;
        public PacketTimestamp First = first, Last = first, PeakTime;
        /// <summary>The first second at or above the floor, and the SYNs before it.</summary>
        public long SurgeSecond = long.MinValue;
        public PacketTimestamp SurgeStart;
        public long PacketsBeforeSurge;
        /// <summary>SYNs from the one that reached the floor on: those whose sources were told apart.</summary>
        public long PacketsSinceSurge;
        /// <summary>Distinct sources since the surge; made at the surge (most services never have one).</summary>
        public HashSet<IpAddr>? Sources;
        public readonly int SourceCount => Sources?.Count ?? 0;
        public readonly IEnumerable<IpAddr> SourceList => Sources ?? Enumerable.Empty<IpAddr>();
        public bool SourcesCapped;
        public ActivityEvidence? Evidence;
    }

    public override PacketLayers Reads => PacketLayers.Tcp | PacketLayers.Udp | PacketLayers.Icmp | PacketLayers.Icmpv6;

    /// <summary>Only SYNs, SYN-ACKs, resets and probes without ACK count here: a connection's segments are skipped.</summary>
    public override bool ReadsTcpSegments => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (p.Has(PacketLayers.Tcp))
        {
            var flags = p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst);
            if (flags == TcpFlags.Syn) Toward(p, input, new TargetKey(p.Ip.Destination, p.DestinationPort, IpProtocol.Tcp), "syn");
            else if (flags == (TcpFlags.Syn | TcpFlags.Ack)) Answered(new TargetKey(p.Ip.Source, p.SourcePort, IpProtocol.Tcp));
        }
        else if (p.Has(PacketLayers.Udp))
        {
            // Toward the lower port is toward the service (a client's port is ephemeral); the other way is its answer.
            // A datagram from a UDP service's port to a port that is none is that service's answer whatever the ports: many of
            // them converging on one host are a reflection (Detection/Reflection), not a flood of that host's port.
            bool answer = p.DestinationPort > p.SourcePort || (ScanDetection.IsUdpServicePort(p.SourcePort) && !ScanDetection.IsUdpServicePort(p.DestinationPort));
            if (!answer) Toward(p, input, new TargetKey(p.Ip.Destination, p.DestinationPort, IpProtocol.Udp), "datagram");
            else Answered(new TargetKey(p.Ip.Source, p.SourcePort, IpProtocol.Udp));
        }
        else if (p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6))
        {
            // Echo request and reply: ICMP 8 and 0 (RFC 792), ICMPv6 128 and 129 (RFC 4443 4).
            byte type = p.Icmp.Type;
            if (type == (p.Icmp.IsV6 ? 128 : 8)) Toward(p, input, new TargetKey(p.Ip.Destination, 0, IpProtocol.Icmp), "echo request");
            else if (type == (p.Icmp.IsV6 ? 129 : 0)) Answered(new TargetKey(p.Ip.Source, 0, IpProtocol.Icmp));
        }
    }

    private void Answered(TargetKey key)
    {
        ref var answered = ref CollectionsMarshal.GetValueRefOrNullRef(_services, key);
        if (!Unsafe.IsNullRef(ref answered)) answered.Answers++;
    }

    private void Toward(DecodedPacket p, int input, TargetKey key, string role)
    {
        if (_services.Count >= MaxServices && !_services.ContainsKey(key) && !Prune()) return;
        ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(_services, key, out bool exists);
        if (!exists) s = new Service(p.Timestamp);
        s.Packets++;
        s.Last = CaptureClock.Later(s.Last, p.Timestamp);
        long before = s.Peak;
        ScanDetection.Tick(ref s.Second, ref s.InSecond, ref s.Peak, p.Timestamp);
        if (s.Peak > before) s.PeakTime = p.Timestamp;
        if (s.SurgeSecond == long.MinValue)
        {
            if (s.InSecond >= Floor(key.Protocol))
            {
                s.SurgeSecond = s.Second;
                s.SurgeStart = p.Timestamp;
                s.PacketsBeforeSurge = s.Packets - s.InSecond;
                s.Evidence = new ActivityEvidence(EvidenceKept);
            }
        }
        // Sources are told apart from the surge on: they are the flood's, and ordinary traffic costs no lookup.
        if (s.SurgeSecond != long.MinValue) s.PacketsSinceSurge++;
        if (s.SurgeSecond != long.MinValue && !s.SourcesCapped)
        {
            var sources = s.Sources ??= new HashSet<IpAddr>(IpAddrComparer.Instance);
            if (!sources.Contains(p.Ip.Source))
            {
                if (sources.Count >= SourcesKept) s.SourcesCapped = true;
                else sources.Add(p.Ip.Source);
            }
        }
        s.Evidence?.Add(_lines, p, input, role);
    }

    /// <summary>Drops the services with one or two SYNs (each new forged destination makes one); false when that frees nothing.</summary>
    private bool Prune()
    {
        if (_full) return false;
        int before = _services.Count;
        foreach (var (key, s) in _services)
        {
            if (s.Packets <= 2) _services.Remove(key);
        }
        _full = before - _services.Count < MaxServices / 4;
        return !_full || _services.Count < MaxServices;
    }

    private static int Floor(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => FloorPerSecond,
        IpProtocol.Udp => UdpFloorPerSecond,
        _ => IcmpFloorPerSecond,
    };

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, s) in _services)
        {
            var (server, port, protocol) = key;
            if (s.Packets < MinPackets || s.Peak < Floor(protocol)) continue;
            double? baseline = Baseline(s);
            if (baseline is { } b && s.Peak < b * SurgeFactor) continue;
            if (protocol == IpProtocol.Tcp)
            {
                long attempts = traffic.TcpAttemptsTo(server, port) ?? s.Packets;
                long completed = traffic.TcpCompletedTo(server, port);
                long halfOpen = Math.Max(0, attempts - completed);
                if (attempts == 0 || halfOpen < attempts * HalfOpenShare) continue;
                found.Add(Flood(server, port, s, baseline, attempts, halfOpen, traffic.Packets));
            }
            else
            {
                long unanswered = Math.Max(0, s.Packets - s.Answers);
                // An ICMP echo flood is one whether answered or not; a UDP service that answers most of what real
                // clients send it is busy, not flooded, unless the senders are forged.
                if (protocol == IpProtocol.Udp && unanswered < s.Packets * UnansweredShare && !LooksSpoofed(s)) continue;
                found.Add(PacketFlood(server, port, protocol, s, baseline, unanswered, traffic.Packets));
            }
        }
    }

    private static bool LooksSpoofed(Service s)
    {
        long tracked = s.SourcesCapped ? SourcesKept : s.PacketsSinceSurge;
        return s.SourceCount >= DistributedSources && s.SourceCount >= tracked * SpoofedSourcesPerSyn;
    }

    private static double? Baseline(Service s)
    {
        if (s.SurgeSecond == long.MinValue) return null;
        double seconds = (s.SurgeStart.Nanoseconds - s.First.Nanoseconds) / (double)PacketTimestamp.NanosPerSecond;
        return seconds >= BaselineSeconds ? Math.Round(s.PacketsBeforeSurge / seconds, 2) : null;
    }

    private static DetectedActivity Flood(IpAddr server, ushort port, Service s, double? baseline, long attempts, long halfOpen, long capturePackets)
    {
        long sources = s.SourceCount;
        bool spoofed = LooksSpoofed(s);
        bool overwhelmed = s.Answers < s.Packets * 0.9;
        var facts = new AttackFacts
        {
            Technique = "syn",
            Packets = s.Packets,
            Sources = sources,
            Targets = 1,
            HalfOpen = halfOpen,
            PeakPerSecond = s.Peak,
            RatePerSecond = ScanDetection.Rate(s.Packets, s.First, s.Last),
            BaselinePerSecond = baseline,
            ShareOfTraffic = capturePackets > 0 ? Math.Round((double)s.Packets / capturePackets, 3) : null,
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
            Actors = s.SourceList.Take(16).ToList(),
            First = s.First,
            Last = s.Last,
            Attempts = attempts,
            Failed = halfOpen,
            Facts = facts,
            Evidence = s.Evidence?.Packets ?? [],
            EvidenceTotal = s.Evidence?.Total ?? 0,
            Absorbs = g => g.Key.Server == server && g.Key.Port == port && g.Key.Transport == IpProtocol.Tcp,
            FindingTitle = a => $"{Describe.Count(s.Packets, "SYN")} toward {server} port {port}, at most {s.Peak} in one second; {Describe.Count(halfOpen, "attempt")} never completed a handshake",
            IncidentTitle = a => $"{(Distributed(a) ? "Distributed SYN flood" : "SYN flood")} against {server} port {port}{(service.Protocol is { } proto ? $" ({proto})" : "")}",
            Summary = a => Summary(a, server, port, s.Answers),
            Causes = a => Causes(a, server, port, s.Answers),
        };
        activity.Moments.Add((s.First, $"First SYN toward {server} port {port}."));
        if (s.SurgeSecond != long.MinValue) activity.Moments.Add((s.SurgeStart, $"The rate passes {FloorPerSecond} SYNs a second: the surge begins."));
        activity.Moments.Add((s.PeakTime, $"Busiest second: {s.Peak} SYNs."));
        activity.Moments.Add((s.Last, $"Last SYN ({Describe.Count(s.Packets, "SYN")} in all)."));
        return activity;
    }

    /// <summary>A UDP flood toward a service or an ICMP echo flood toward a host.</summary>
    private static DetectedActivity PacketFlood(IpAddr server, ushort port, byte protocol, Service s, double? baseline, long unanswered, long capturePackets)
    {
        bool udp = protocol == IpProtocol.Udp;
        bool spoofed = LooksSpoofed(s);
        var service = udp ? WellKnownServices.Of(port, tcp: false) : default;
        string target = udp ? $"{server} port {port}" : server.ToString();
        string what = udp ? "datagram" : "echo request";
        var facts = new AttackFacts
        {
            Technique = udp ? "udp" : "icmp-echo",
            Packets = s.Packets,
            Sources = s.SourceCount,
            Targets = 1,
            PeakPerSecond = s.Peak,
            RatePerSecond = ScanDetection.Rate(s.Packets, s.First, s.Last),
            BaselinePerSecond = baseline,
            ShareOfTraffic = capturePackets > 0 ? Math.Round((double)s.Packets / capturePackets, 3) : null,
            SpoofedSources = spoofed,
            Capped = s.SourcesCapped,
        };
        var kind = udp ? FindingKind.UdpFlood : FindingKind.IcmpFlood;
        string name = udp ? (service.Protocol is { } proto ? $"{proto} (UDP) flood" : "UDP flood") : "ICMP echo flood";
        var activity = new DetectedActivity
        {
            Kind = kind,
            Layer = udp ? Layer.Transport : Layer.Network,
            Severity = unanswered >= s.Packets * UnansweredShare ? Severity.High : Severity.Medium,
            Protocol = udp ? service.Protocol ?? "UDP" : "ICMP",
            Transport = udp ? "UDP" : "ICMP",
            Port = udp ? port : null,
            Targets = [server],
            Actors = s.SourceList.Take(16).ToList(),
            First = s.First,
            Last = s.Last,
            Attempts = s.Packets,
            Failed = unanswered,
            Facts = facts,
            Evidence = s.Evidence?.Packets ?? [],
            EvidenceTotal = s.Evidence?.Total ?? 0,
            Absorbs = g => g.Key.Server == server && g.Key.Transport == protocol && (!udp || g.Key.Port == port),
            FindingTitle = _ => $"{Describe.Count(s.Packets, what)} toward {target}, at most {s.Peak} in one second; {unanswered} unanswered",
            IncidentTitle = a => $"{(a.Facts!.SpoofedSources == true || a.Facts.Sources >= DistributedSources ? "Distributed " + name : name)} against {target}",
            Summary = a => $"{Describe.Count(s.Packets, what)} toward {target} {Describe.Window(a.First, a.Last)} (at most {s.Peak} a second"
                + (baseline is { } b ? $", against {b.ToString("0.##", CultureInfo.InvariantCulture)} a second before the surge" : "") + $"), {Sources(a.Facts!)}; {server} answered {s.Answers}."
                + (a.AbsorbedTotal > 0 ? $" The {Describe.Count(a.AbsorbedTotal, "failure")} toward {target} are counted here." : ""),
            Causes = a =>
            [
                Make(udp ? "udp-flood" : "icmp-flood", $"A {(spoofed || s.SourceCount >= DistributedSources ? "distributed " : "")}denial-of-service attack: a {name} against {target}",
                    0.8,
                    [$"{Describe.Count(s.Packets, what)}, at most {s.Peak} in one second" + (baseline is { } b2 ? $", {b2.ToString("0.##", CultureInfo.InvariantCulture)} a second before the surge." : ".")],
                    ["A legitimate burst (a backup, a monitoring storm) also surges: check who sends it."],
                    [
                        spoofed
                            ? "Ask the upstream provider to filter the flood (the sources are forged); rate-limit it at the edge."
                            : Phrase.Of($"Block or rate-limit the sources at the edge (`iptables -I INPUT -d {server} -p {(udp ? "udp" : "icmp")} -m hashlimit ...`)."),
                        $"Check {server}'s load and drops during the surge, and whether legitimate clients were still answered.",
                    ]),
            ],
        };
        activity.Moments.Add((s.First, $"First {what} toward {target}."));
        if (s.SurgeSecond != long.MinValue) activity.Moments.Add((s.SurgeStart, $"The rate passes {Floor(protocol)} a second: the surge begins."));
        activity.Moments.Add((s.PeakTime, $"Busiest second: {s.Peak} {what}s."));
        activity.Moments.Add((s.Last, $"Last {what} ({Describe.Count(s.Packets, what)} in all)."));
        return activity;
    }

    private static bool Distributed(DetectedActivity a) => a.Facts!.SpoofedSources == true || a.Facts.Sources >= DistributedSources;

    private static string Sources(AttackFacts f) =>
        f.SpoofedSources == true
            ? $"from {(f.Capped ? "at least " : "")}{f.Sources.ToString(CultureInfo.InvariantCulture)} sources that look forged (nearly one SYN each, none completed a handshake)"
            : $"from {Describe.Count(f.Sources, "source")}";

    private static Phrase Summary(DetectedActivity a, IpAddr server, ushort port, long synAcks)
    {
        var f = a.Facts!;
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
        var f = a.Facts!;
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
