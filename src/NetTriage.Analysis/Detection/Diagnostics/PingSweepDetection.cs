using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection.Diagnostics;

/// <summary>
/// Ping sweeps: echo requests (RFC 792; ICMPv6 128, RFC 4443 4.1) from one source to many hosts, as nmap -sn,
/// fping -g or a monitoring system send them to find which hosts are up. Silent hosts are the point of the sweep,
/// not an outage: it is reported as diagnostic activity (low severity, no incident) with the hosts that answered,
/// and the unreachable errors it drew are counted into it. An analyst who did not run it learns that someone
/// mapped the network.
/// </summary>
internal sealed class PingSweepDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.PingSweep, Name = "ping-sweep", Layer = Layer.Network },
    ];

    /// <summary>Distinct hosts one source sent echo requests to: scan.zeek's address-scan threshold (25 hosts).</summary>
    internal const int MinHosts = 25;

    private const int MaxSources = 1024;
    /// <summary>Hosts remembered a source (a lower bound past it).</summary>
    private const int HostsKept = 4096;
    private const int EvidenceKept = 8;

    private readonly Dictionary<IpAddr, Sweep> _sweeps = new(IpAddrComparer.Instance);
    private readonly EvidenceLines _lines = new();

    private sealed class Sweep(PacketTimestamp first)
    {
        /// <summary>Each host pinged, and whether it answered.</summary>
        public readonly Dictionary<IpAddr, bool> Hosts = new(IpAddrComparer.Instance);
        public long Requests;
        public bool Capped;
        public PacketTimestamp First = first, Last = first;
        public ActivityEvidence? Evidence;
    }

    public override PacketLayers Reads => PacketLayers.Icmp | PacketLayers.Icmpv6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Icmp) && !p.Has(PacketLayers.Icmpv6)) return;
        byte type = p.Icmp.Type;
        if (type == (p.Icmp.IsV6 ? 128 : 8))
        {
            if (p.Ip.Destination.IsMulticast) return; // one request to a group is not a sweep of hosts
            if (!_sweeps.TryGetValue(p.Ip.Source, out var sweep))
            {
                if (_sweeps.Count >= MaxSources) return;
                sweep = new Sweep(p.Timestamp);
                _sweeps[p.Ip.Source] = sweep;
            }
            sweep.Requests++;
            sweep.Last = CaptureClock.Later(sweep.Last, p.Timestamp);
            if (!sweep.Hosts.ContainsKey(p.Ip.Destination))
            {
                if (sweep.Hosts.Count >= HostsKept) sweep.Capped = true;
                else sweep.Hosts[p.Ip.Destination] = false;
                // Evidence from the host that makes it a sweep (ordinary pings stop earlier): as the address scans'.
                if (sweep.Hosts.Count == MinHosts) sweep.Evidence = new ActivityEvidence(EvidenceKept);
                sweep.Evidence?.Add(_lines, p, input, "echo request");
            }
        }
        else if (type == (p.Icmp.IsV6 ? 129 : 0)
            && _sweeps.TryGetValue(p.Ip.Destination, out var asked)
            && asked.Hosts.TryGetValue(p.Ip.Source, out bool answered) && !answered)
        {
            asked.Hosts[p.Ip.Source] = true;
        }
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (source, sweep) in _sweeps)
        {
            if (sweep.Hosts.Count < MinHosts) continue;
            var hosts = sweep.Hosts;
            int up = hosts.Count(h => h.Value);
            var upList = hosts.Where(h => h.Value).Select(h => h.Key).OrderBy(h => h).Take(64).Select(h => h.ToString()).ToList();
            var activity = new DetectedActivity
            {
                Kind = FindingKind.PingSweep,
                Layer = Layer.Network,
                Severity = Severity.Low,
                Protocol = "ICMP",
                Transport = "ICMP",
                Targets = hosts.Keys.OrderBy(h => h).Take(64).ToList(),
                Actors = [source],
                First = sweep.First,
                Last = sweep.Last,
                Attempts = hosts.Count,
                Failed = hosts.Count - up,
                Facts = new AttackFacts
                {
                    Technique = "icmp-echo",
                    Packets = sweep.Requests,
                    Sources = 1,
                    Targets = hosts.Count,
                    Open = up,
                    Filtered = hosts.Count - up,
                    OpenList = upList,
                    RatePerSecond = Scans.ScanDetection.Rate(sweep.Requests, sweep.First, sweep.Last),
                    Capped = sweep.Capped,
                },
                Evidence = sweep.Evidence?.Packets ?? [],
                EvidenceTotal = sweep.Evidence?.Total ?? 0,
                Absorbs = g => g.Key.Kind is FindingKind.HostUnreachable or FindingKind.NetworkUnreachable
                    && hosts.ContainsKey(g.Key.Server) && Scans.ScanDetection.OnlyFrom(g, source),
                FindingTitle = _ => $"Ping sweep from {source}: {Describe.Count(hosts.Count, "host")} pinged, {up} answered",
                IncidentTitle = _ => $"Ping sweep from {source}",
                Summary = _ => $"{source} sent echo requests to {Describe.Count(hosts.Count, "host")} {Describe.Window(sweep.First, sweep.Last)}; {up} answered. Diagnostic activity (finding which hosts are up), not an outage.",
                Causes = _ => [],
            };
            found.Add(activity);
        }
    }
}
