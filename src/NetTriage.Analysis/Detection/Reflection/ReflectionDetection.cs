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

namespace NetTriage.Analysis.Detection.Reflection;

/// <summary>
/// Reflection attacks: the attacker sends queries or SYNs with the victim's address as their source to thousands
/// of servers, whose answers converge on the victim. Seen at the victim, they are answers it never asked for, from
/// many reflectors: DNS answers (amplified: a 60-byte ANY or TXT query draws kilobytes, fragmented), NTP, SSDP,
/// memcached, CLDAP, SNMP or chargen answers (by source port), or SYN-ACKs from web servers (SYN-ACK reflection).
/// Seen where the queries pass too, the answers were "asked" by the forged source, and the amplification factor
/// (answer bytes over query bytes) tells them apart from a busy client.
/// <para>
/// State: what was asked is a set of flow hashes in two generations (the older dropped when the newer fills), so
/// memory is fixed and an answer seconds after its question is still matched; victims are recorded on their first
/// unasked answer (or first large one), at most <see cref="MaxVictims"/>, with at most <see cref="ReflectorsKept"/>
/// distinct reflectors each.
/// </para>
/// </summary>
internal sealed class ReflectionDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.DnsAmplification, Name = "dns-amplification", Layer = Layer.Application },
        new() { Kind = FindingKind.UdpReflection, Name = "udp-reflection", Layer = Layer.Transport },
        new() { Kind = FindingKind.SynAckReflection, Name = "syn-ack-reflection", Layer = Layer.Transport },
    ];

    /// <summary>Answers toward one victim in all: the floods' floor (a few hundred stray answers are no denial of service).</summary>
    internal const int MinAnswers = 1000;
    /// <summary>
    /// Answers in the busiest second: a flood's floor of 100 a second. A client's own lookups come a few at a time;
    /// a reflection attack converges thousands of servers' answers.
    /// </summary>
    internal const int FloorPerSecond = 100;
    /// <summary>
    /// Distinct reflectors: the floods' threshold for a distributed attack. One server sending many unasked answers
    /// is a spoofing attempt or a misdirected reply stream, not a reflection.
    /// </summary>
    internal const int MinReflectors = 20;
    /// <summary>Share of the answers nobody asked for, where the capture holds no query (it was taken at the victim).</summary>
    internal const double UnaskedShare = 0.5;
    /// <summary>
    /// Answer bytes over query bytes, where the queries are in the capture (taken at the reflector or upstream): an
    /// ordinary DNS answer is 2 to 4 times its query; ANY, TXT and DNSSEC abuse reaches 30 to 100 (US-CERT TA14-017A
    /// lists DNS at 28 to 54, NTP 556, memcached tens of thousands).
    /// </summary>
    internal const double AmplificationFactor = 10;
    /// <summary>UDP payload above which a DNS answer is large: the classic 512-byte limit (RFC 1035 4.2.1).</summary>
    private const int LargeAnswer = 512;

    internal const int MaxVictims = 4096;
    internal const int ReflectorsKept = 4096;
    /// <summary>Flow hashes in one generation of the asked set: a busy link's questions of the last seconds.</summary>
    private const int AskedPerGeneration = 65_536;
    private const int EvidenceKept = 12;

    // Grown as questions come (a short capture needs no 2 MB of slots), then reused from one generation to the next.
    private FlowFingerprints _asked = new(AskedPerGeneration, grow: true), _askedBefore = new(AskedPerGeneration, grow: true);
    /// <summary>By victim and reflected service: the reflectors' UDP port, or port 0 for SYN-ACKs from any port.</summary>
    private readonly Dictionary<TargetKey, Victim> _victims = [];
    private readonly EvidenceLines _lines = new();


    private sealed class Victim(PacketTimestamp first)
    {
        public long Answers, Unasked, AnswerBytes, Fragments, FragmentBytes, Queries, QueryBytes, Resets;
        public long Second = long.MinValue, InSecond, Peak;
        public PacketTimestamp First = first, Last = first, PeakTime;
        public readonly HashSet<IpAddr> Reflectors = new(IpAddrComparer.Instance);
        public bool ReflectorsCapped;
        public readonly Dictionary<ushort, long> ServerPorts = [];
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Udp | PacketLayers.Tcp | PacketLayers.Fragment;

    /// <summary>Only SYNs, SYN-ACKs, resets and probes without ACK count here: a connection's segments are skipped.</summary>
    public override bool ReadsTcpSegments => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (p.Has(PacketLayers.Udp))
        {
            if (ScanDetection.IsUdpServicePort(p.DestinationPort) && p.SourcePort != p.DestinationPort) Asked(p, IpProtocol.Udp);
            else if (IsReflectedPort(p.SourcePort) && p.SourcePort != p.DestinationPort) Answer(p, input, p.SourcePort, IpProtocol.Udp);
        }
        else if (p.Has(PacketLayers.Tcp))
        {
            var flags = p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst);
            if (flags == TcpFlags.Syn) Asked(p, IpProtocol.Tcp);
            else if (flags == (TcpFlags.Syn | TcpFlags.Ack)) Answer(p, input, 0, IpProtocol.Tcp);
            else if ((flags & TcpFlags.Rst) != 0 && _victims.Count > 0 && _victims.TryGetValue(new TargetKey(p.Ip.Source, 0, IpProtocol.Tcp), out var v)) v.Resets++;
        }
        else if (p.Ip.IsFragment && p.Ip.FragmentOffset != 0 && !p.FragmentHeld && _victims.Count > 0)
        {
            // A later fragment carries no port: a large answer's tail, counted whole with the victim it goes to (one
            // held for reassembly is counted with its datagram instead).
            if (_victims.TryGetValue(new TargetKey(p.Ip.Destination, 53, IpProtocol.Udp), out var v))
            {
                v.Fragments++;
                v.FragmentBytes += p.Ip.TotalLength;
            }
        }
    }

    /// <summary>Ports whose answers reflectors send: the UDP services abused for amplification, mDNS and NetBIOS aside (link-local chatter).</summary>
    private static bool IsReflectedPort(ushort port) => port is 19 or 53 or 123 or 161 or 389 or 1900 or 11211;

    private static ulong FlowHash(IpAddr client, IpAddr server, ushort serverPort, ushort clientPort, byte protocol) =>
        ((ulong)(uint)KeyHash.Finish(KeyHash.Of(client) ^ ((uint)clientPort << 16) ^ protocol) << 32)
        | (uint)KeyHash.Finish(KeyHash.Of(server) ^ ((uint)serverPort * 0x9E37_79B9u));

    private void Asked(DecodedPacket p, byte protocol)
    {
        // UDP questions are matched by the server's port only: a client may answer from another port than it asked.
        ushort clientPort = protocol == IpProtocol.Tcp ? p.SourcePort : (ushort)0;
        ulong hash = FlowHash(p.Ip.Source, p.Ip.Destination, p.DestinationPort, clientPort, protocol);
        if (_asked.Count >= AskedPerGeneration)
        {
            (_asked, _askedBefore) = (_askedBefore, _asked);
            _asked.Clear();
        }
        _asked.Add(hash);
        if (_victims.Count > 0 && _victims.TryGetValue(new TargetKey(p.Ip.Source, protocol == IpProtocol.Tcp ? (ushort)0 : p.DestinationPort, protocol), out var v))
        {
            v.Queries++;
            v.QueryBytes += p.Ip.TotalLength;
        }
    }

    private void Answer(DecodedPacket p, int input, ushort port, byte protocol)
    {
        ushort clientPort = protocol == IpProtocol.Tcp ? p.DestinationPort : (ushort)0;
        ulong hash = FlowHash(p.Ip.Destination, p.Ip.Source, p.SourcePort, clientPort, protocol);
        bool asked = _asked.Contains(hash) || _askedBefore.Contains(hash);
        var key = new TargetKey(p.Ip.Destination, port, protocol);
        if (!_victims.TryGetValue(key, out var v))
        {
            // Ordinary answers make no record: only an unasked one, or a large one that could be amplified.
            if (asked && (protocol == IpProtocol.Tcp || p.PayloadLength <= LargeAnswer)) return;
            if (_victims.Count >= MaxVictims && !Prune()) return;
            v = new Victim(p.Timestamp);
            _victims[key] = v;
        }
        v.Answers++;
        if (!asked) v.Unasked++;
        // A datagram reassembled from fragments is one answer; its other fragments are counted as such (its bytes are
        // the datagram's, the extra fragments' IP headers aside).
        if (p.ReassembledFragments > 1) v.Fragments += p.ReassembledFragments - 1;
        v.AnswerBytes += p.Ip.TotalLength;
        v.Last = CaptureClock.Later(v.Last, p.Timestamp);
        long before = v.Peak;
        ScanDetection.Tick(ref v.Second, ref v.InSecond, ref v.Peak, p.Timestamp);
        if (v.Peak > before) v.PeakTime = p.Timestamp;
        if (!v.ReflectorsCapped && !v.Reflectors.Contains(p.Ip.Source))
        {
            if (v.Reflectors.Count >= ReflectorsKept) v.ReflectorsCapped = true;
            else v.Reflectors.Add(p.Ip.Source);
        }
        if (protocol == IpProtocol.Tcp)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(v.ServerPorts, p.SourcePort, out _)++;
        }
        v.Evidence.Add(_lines, p, input, asked ? "answer" : "unasked answer");
    }

    /// <summary>Drops victims with a handful of answers (a client's few large DNS answers); false when that frees nothing.</summary>
    private bool Prune()
    {
        int before = _victims.Count;
        foreach (var (key, v) in _victims)
        {
            if (v.Answers < 10) _victims.Remove(key);
        }
        return _victims.Count < before;
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, v) in _victims)
        {
            if (v.Answers < MinAnswers || v.Peak < FloorPerSecond || v.Reflectors.Count < MinReflectors) continue;
            double? factor = v.Queries > 0 && v.QueryBytes > 0 ? Math.Round((v.AnswerBytes + v.FragmentBytes) / (double)v.QueryBytes, 1) : null;
            bool unasked = v.Unasked >= v.Answers * UnaskedShare;
            bool amplified = factor >= AmplificationFactor;
            if (!unasked && !amplified) continue;
            found.Add(Build(key, v, factor, traffic.Packets));
        }
    }

    private static DetectedActivity Build(TargetKey key, Victim v, double? factor, long capturePackets)
    {
        var (victim, port, protocol) = key;
        bool tcp = protocol == IpProtocol.Tcp;
        var kind = tcp ? FindingKind.SynAckReflection : port == 53 ? FindingKind.DnsAmplification : FindingKind.UdpReflection;
        var service = tcp ? default : WellKnownServices.Of(port, tcp: false);
        string what = tcp ? "SYN-ACK" : $"{service.Protocol ?? "UDP"} answer";
        string via = tcp ? "SYN-ACKs" : $"{service.Protocol ?? $"UDP port {port}"} answers";
        long bytes = v.AnswerBytes + v.FragmentBytes;
        var ports = v.ServerPorts.OrderByDescending(e => e.Value).Select(e => $"{e.Key}/tcp").Take(8).ToList();
        var facts = new AttackFacts
        {
            Technique = tcp ? "syn-ack" : $"udp/{port}",
            Packets = v.Answers,
            Sources = v.Reflectors.Count,
            Targets = 1,
            PeakPerSecond = v.Peak,
            RatePerSecond = ScanDetection.Rate(v.Answers, v.First, v.Last),
            ShareOfTraffic = capturePackets > 0 ? Math.Round((double)(v.Answers + v.Fragments) / capturePackets, 3) : null,
            Unasked = v.Unasked,
            Bytes = bytes,
            Fragments = v.Fragments > 0 ? v.Fragments : null,
            AmplificationFactor = factor,
            OpenList = ports,
            Capped = v.ReflectorsCapped,
        };
        string name = tcp ? "SYN-ACK reflection" : port == 53 ? "DNS amplification" : $"{service.Protocol ?? $"UDP port {port}"} reflection";
        string askedText = v.Unasked == v.Answers ? "none of which it asked for" : $"{Describe.Count(v.Unasked, "answer")} of which it never asked for";
        var activity = new DetectedActivity
        {
            Kind = kind,
            Layer = kind == FindingKind.DnsAmplification ? Layer.Application : Layer.Transport,
            Severity = Severity.High,
            Protocol = tcp ? "TCP" : service.Protocol ?? "UDP",
            Transport = tcp ? "TCP" : "UDP",
            Port = tcp ? null : port,
            Targets = [victim],
            Actors = v.Reflectors.OrderBy(r => r).Take(16).ToList(),
            First = v.First,
            Last = v.Last,
            Attempts = v.Answers,
            Failed = v.Unasked,
            Facts = facts,
            Evidence = v.Evidence.Packets,
            EvidenceTotal = v.Evidence.Total,
            // The victim's own failures toward the reflectors (their answers jam its link) are the attack's effect.
            Absorbs = g => v.Reflectors.Contains(g.Key.Server),
            FindingTitle = _ => $"{Describe.Count(v.Answers, what)} toward {victim} from {Describe.Count(v.Reflectors.Count, "reflector")}, at most {v.Peak} in one second; {Describe.Count(v.Unasked, "answer")} nobody asked for",
            IncidentTitle = _ => $"{name} against {victim} from {(v.ReflectorsCapped ? "at least " : "")}{Describe.Count(v.Reflectors.Count, "reflector")}",
            Summary = a => $"{victim} received {Describe.Count(v.Answers, what)} ({Describe.Bytes(bytes)}{(v.Fragments > 0 ? $", {v.Fragments} more fragments counted in" : "")}) from {Describe.Count(v.Reflectors.Count, "server")} {Describe.Window(a.First, a.Last)}, {askedText}; at most {v.Peak} a second."
                + (factor is { } f ? $" The queries that drew them are in the capture: the answers are {f.ToString("0.#", CultureInfo.InvariantCulture)} times their size." : "")
                + (tcp && v.Resets > 0 ? $" {victim} answered {v.Resets} of them with a reset, as a host does a SYN-ACK it never asked for." : "")
                + $" Someone sends {(tcp ? "SYNs" : "queries")} with {victim}'s address as their source, and the servers answer it: the attack's traffic is the {via}, and its real source is not in them.",
            Causes = _ => Causes(victim, v, tcp, name, via, factor),
        };
        activity.Moments.Add((v.First, Phrase.Of($"First {what} toward {victim}.")));
        activity.Moments.Add((v.PeakTime, Phrase.Of($"Busiest second: {v.Peak} {via}.")));
        activity.Moments.Add((v.Last, Phrase.Of($"Last {what} ({Describe.Count(v.Answers, what)} in all).")));
        return activity;
    }

    private static List<Cause> Causes(IpAddr victim, Victim v, bool tcp, string name, string via, double? factor)
    {
        var forReflection = new List<Phrase>
        {
            $"{Describe.Count(v.Reflectors.Count, "server")} sent {victim} {Describe.Count(v.Answers, "answer")}, at most {v.Peak} in one second.",
        };
        if (v.Unasked > 0) forReflection.Add($"{Describe.Count(v.Unasked, "answer")} match no {(tcp ? "SYN" : "query")} {victim} sent in the capture.");
        if (factor is { } f) forReflection.Add($"The answers are {f.ToString("0.#", CultureInfo.InvariantCulture)} times the size of the queries: an amplifier's signature.");
        return
        [
            Make(tcp ? "syn-ack-reflection" : "amplification", $"A reflected denial-of-service attack: {name} toward {victim}", 0.85, forReflection,
                [tcp
                    ? "A host that lost its connection state (a reboot, a failover) also gets SYN-ACKs it does not expect, but from the few servers it was talking to."
                    : "A host whose resolver answers arrive after it closed its socket also gets unasked answers, but from one or two servers."],
                [
                    tcp
                        ? "Ask the upstream provider to filter SYN-ACKs toward the victim that belong to no connection it opened; a stateful edge firewall drops them."
                        : Phrase.Of($"Ask the upstream provider to filter {via} toward {victim} (source port filtering at the edge); the reflectors are open servers, not the attacker."),
                    "The attacker forges the victim's address: report the reflectors to their operators (open resolvers, NTP monlist, exposed memcached) so that they close.",
                    $"Check whether {victim}'s link was saturated during the attack (interface counters, the provider's graphs).",
                ]),
        ];
    }
}
