using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Tunneling;

/// <summary>
/// ICMP tunnels (ptunnel, icmptunnel, icmpsh, hans): a data channel carried in echo requests and replies, which many
/// firewalls let through. Ping repeats one pattern after its timestamp, at one size; a channel's data changes with
/// every message. The decoder fingerprints each echo message's data (<see cref="IcmpInfo.EchoDataHash"/>); a pair of
/// hosts whose requests mostly change it, carrying enough bytes, is a tunnel.
/// </summary>
internal sealed class IcmpTunnelDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.IcmpTunneling, Name = "icmp-tunneling", Layer = Layer.Network },
    ];

    /// <summary>Echo requests from one host to another: half a minute of ping at its default rate carries nothing.</summary>
    internal const int MinRequests = 30;
    /// <summary>
    /// Share of the requests whose data differs from the previous request's: ping (Linux, BSD, Windows, fping) repeats
    /// its pattern and varies only the timestamp, which is not fingerprinted, so its share is 0; a channel's is near 1.
    /// </summary>
    internal const double ChangedShare = 0.5;
    /// <summary>Data carried in echo requests and replies together: 10 kB is more than any monitoring ping sends in its checks' lifetime here, and a few seconds of a tunnel.</summary>
    internal const long MinBytes = 10_000;

    private const int MaxPairs = 4096;
    private const int EvidenceKept = 8;

    private readonly Dictionary<(IpAddr Client, IpAddr Server), Channel> _channels = new(IpAddrPairComparer.Instance);
    private readonly EvidenceLines _lines = new();

    private sealed class Channel(PacketTimestamp first)
    {
        public long Requests, Replies, Changed, BytesOut, BytesIn;
        public uint LastHash;
        public int MinSize = int.MaxValue, MaxSize;
        public PacketTimestamp First = first, Last = first;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Icmp | PacketLayers.Icmpv6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Icmp) && !p.Has(PacketLayers.Icmpv6)) return;
        byte type = p.Icmp.Type;
        bool request = type == (p.Icmp.IsV6 ? 128 : 8);
        if (!request && type != (p.Icmp.IsV6 ? 129 : 0)) return;
        if (p.Ip.Destination.IsMulticast) return;
        int data = Math.Max(0, p.PayloadLength - 8); // the echo header: type, code, checksum, identifier, sequence
        if (request)
        {
            var key = (p.Ip.Source, p.Ip.Destination);
            if (!_channels.TryGetValue(key, out var c))
            {
                if (_channels.Count >= MaxPairs && !Prune()) return;
                c = new Channel(p.Timestamp);
                _channels[key] = c;
            }
            c.Requests++;
            if (c.Requests > 1 && p.Icmp.EchoDataHash != c.LastHash) c.Changed++;
            c.LastHash = p.Icmp.EchoDataHash;
            c.BytesOut += data;
            c.MinSize = Math.Min(c.MinSize, data);
            c.MaxSize = Math.Max(c.MaxSize, data);
            c.Last = CaptureClock.Later(c.Last, p.Timestamp);
            c.Evidence.Add(_lines, p, input, "echo request");
        }
        else if (_channels.TryGetValue((p.Ip.Destination, p.Ip.Source), out var c))
        {
            c.Replies++;
            c.BytesIn += data;
            c.Last = CaptureClock.Later(c.Last, p.Timestamp);
        }
    }

    /// <summary>Drops the pairs with a few requests; false when that frees nothing.</summary>
    private bool Prune()
    {
        int before = _channels.Count;
        foreach (var (key, c) in _channels)
        {
            if (c.Requests < 5) _channels.Remove(key);
        }
        return _channels.Count < before;
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var ((client, server), c) in _channels)
        {
            if (c.Requests < MinRequests || c.Changed < (c.Requests - 1) * ChangedShare || c.BytesOut + c.BytesIn < MinBytes) continue;
            found.Add(Build(client, server, c));
        }
    }

    private static DetectedActivity Build(IpAddr client, IpAddr server, Channel c)
    {
        double changed = c.Requests > 1 ? Math.Round(c.Changed / (double)(c.Requests - 1), 3) : 0;
        var facts = new AttackFacts
        {
            Technique = "icmp-echo",
            Packets = c.Requests + c.Replies,
            Sources = 1,
            Targets = 1,
            RatePerSecond = ScanDetection.Rate(c.Requests, c.First, c.Last),
            BytesOut = c.BytesOut,
            BytesIn = c.BytesIn,
            ChangedShare = changed,
        };
        string sizes = c.MinSize == c.MaxSize ? $"all of {c.MinSize} bytes" : $"of {c.MinSize} to {c.MaxSize} bytes";
        var activity = new DetectedActivity
        {
            Kind = FindingKind.IcmpTunneling,
            Layer = Layer.Network,
            Severity = Severity.High,
            Protocol = "ICMP",
            Transport = "ICMP",
            Targets = [server],
            Actors = [client],
            First = c.First,
            Last = c.Last,
            Attempts = c.Requests,
            Failed = 0,
            Facts = facts,
            Evidence = c.Evidence.Packets,
            EvidenceTotal = c.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{client} sent {server} {Describe.Count(c.Requests, "echo request")} whose data changed {Describe.Percent(changed)} of the time ({sizes}): {Describe.Bytes(c.BytesOut)} out, {Describe.Bytes(c.BytesIn)} back",
            IncidentTitle = _ => $"ICMP tunnel from {client} to {server}",
            Summary = a => $"{client} sent {server} {Describe.Count(c.Requests, "echo request")} {Describe.Window(a.First, a.Last)} and got {Describe.Count(c.Replies, "reply", "replies")}; the data of {Describe.Percent(changed)} of the requests differs from the one before ({sizes}), where ping repeats one pattern. {Describe.Bytes(c.BytesOut)} went out and {Describe.Bytes(c.BytesIn)} came back inside them: a data channel hidden in ping.",
            Causes = _ =>
            [
                Make("icmp-tunnel", $"A tunnel (ptunnel, icmptunnel, icmpsh) carries data between {client} and {server} inside echo messages", 0.8,
                    [
                        $"{Describe.Count(c.Changed, "request")} of {c.Requests} carry different data from the one before; ping's data is one repeated pattern.",
                        $"{Describe.Bytes(c.BytesOut + c.BytesIn)} in all: more than reachability checks carry.",
                    ],
                    ["Some monitoring tools send random payloads to test a path for corruption; they say so in their configuration and keep to a few packets a minute."],
                    [
                        Phrase.Of($"Find the process on {client} that sends them (`ss -a -p -w`, or the raw sockets in `/proc/net/icmp`) and what it carries."),
                        "Limit echo messages at the edge to a small size and rate (most networks need no more than 64 bytes of data).",
                    ]),
            ],
        };
        activity.Moments.Add((c.First, Phrase.Of($"First echo request from {client} to {server}.")));
        return activity;
    }
}
