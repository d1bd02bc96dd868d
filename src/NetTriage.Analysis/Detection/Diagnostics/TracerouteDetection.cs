using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Icmp;

namespace NetTriage.Analysis.Detection.Diagnostics;

/// <summary>
/// Traceroutes (RFC 1393's method as traceroute and mtr use it): probes with rising TTLs toward one destination,
/// each answered by ICMP time exceeded from the router where its TTL ran out. Those errors are the tool's whole
/// point, not an outage: the traceroute is reported as diagnostic activity (low severity, no incident), with the
/// routers it found, and the time-exceeded errors it drew are counted into it.
/// <para>
/// A routing loop also draws time exceeded, but from the one or two routers of the loop; a traceroute draws it
/// from one router per hop. <see cref="MinRouters"/> tells them apart.
/// </para>
/// </summary>
internal sealed class TracerouteDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.Traceroute, Name = "traceroute", Layer = Layer.Network },
    ];

    /// <summary>Distinct routers answering time exceeded for one (source, destination): three hops, where a loop has one or two.</summary>
    internal const int MinRouters = 3;
    /// <summary>The port range of classic UDP traceroute probes (33434 and up, one port per probe).</summary>
    internal const int FirstProbePort = 33434;
    internal const int LastProbePort = 33534;

    private const int MaxTraces = 4096;
    private const int RoutersKept = 64;
    /// <summary>Time-exceeded errors kept as evidence a trace (the first hops).</summary>
    private const int EvidenceKept = 6;

    private readonly Dictionary<(IpAddr Source, IpAddr Destination), Trace> _traces = new(IpAddrPairComparer.Instance);
    private readonly EvidenceLines _lines = new();

    private sealed class Trace(PacketTimestamp first)
    {
        public readonly List<IpAddr> Routers = [];
        public long Errors;
        public byte Protocol;
        public PacketTimestamp First = first, Last = first;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Icmp | PacketLayers.Icmpv6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if ((!p.Has(PacketLayers.Icmp) && !p.Has(PacketLayers.Icmpv6)) || !p.Icmp.IsError) return;
        if (IcmpMessages.Meaning(p.Icmp.IsV6, p.Icmp.Type, p.Icmp.Code) != IcmpMeaning.TtlExceeded || !p.Icmp.Quoted.Present) return;
        var q = p.Icmp.Quoted;
        var key = (q.Source, q.Destination);
        if (!_traces.TryGetValue(key, out var trace))
        {
            if (_traces.Count >= MaxTraces) return;
            trace = new Trace(p.Timestamp) { Protocol = q.Protocol };
            _traces[key] = trace;
        }
        trace.Errors++;
        trace.Last = CaptureClock.Later(trace.Last, p.Timestamp);
        trace.Evidence.Add(_lines, p, input, "icmp-error");
        if (trace.Routers.Count < RoutersKept && !trace.Routers.Contains(p.Ip.Source)) trace.Routers.Add(p.Ip.Source);
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        // The sources that traced each destination: errors for one destination are grouped over all its clients, and
        // several hosts tracing one destination (a monitoring target, mtr from many places) are still traceroutes.
        var tracers = new Dictionary<IpAddr, HashSet<IpAddr>>();
        foreach (var ((source, destination), trace) in _traces)
        {
            if (trace.Routers.Count < MinRouters) continue;
            if (!tracers.TryGetValue(destination, out var sources)) tracers[destination] = sources = [];
            sources.Add(source);
        }
        foreach (var ((source, destination), trace) in _traces)
        {
            if (trace.Routers.Count < MinRouters) continue;
            var tracersOfDestination = tracers[destination];
            string transport = trace.Protocol switch { IpProtocol.Udp => "UDP", IpProtocol.Tcp => "TCP", _ => "ICMP" };
            var routers = trace.Routers;
            var activity = new DetectedActivity
            {
                Kind = FindingKind.Traceroute,
                Layer = Layer.Network,
                Severity = Severity.Low,
                Protocol = transport,
                Transport = transport,
                Targets = [destination],
                Actors = [source],
                First = trace.First,
                Last = trace.Last,
                Attempts = trace.Errors,
                Failed = 0,
                Facts = new AttackFacts { Technique = transport.ToLowerInvariant(), Packets = trace.Errors, Sources = 1, Targets = 1 },
                Evidence = trace.Evidence.Packets,
                EvidenceTotal = trace.Evidence.Total,
                Absorbs = g => g.Key.Server == destination
                    && (g.Key.Kind == FindingKind.TtlExceeded
                        || (g.Key.Transport == IpProtocol.Udp && g.Key.Port is >= FirstProbePort and <= LastProbePort))
                    && Scans.ScanDetection.OnlyFrom(g, tracersOfDestination),
                FindingTitle = _ => $"Traceroute from {source} to {destination}: {Describe.Count(routers.Count, "router")} answered time exceeded ({string.Join(", ", routers.Take(8))}{(routers.Count > 8 ? ", ..." : "")})",
                IncidentTitle = _ => $"Traceroute from {source} to {destination}",
                Summary = _ => $"A traceroute from {source} to {destination} {Describe.Window(trace.First, trace.Last)}: diagnostic activity, not an outage.",
                Causes = _ => [],
            };
            found.Add(activity);
        }
    }
}
