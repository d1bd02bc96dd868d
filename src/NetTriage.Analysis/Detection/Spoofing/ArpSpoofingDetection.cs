using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Spoofing;

/// <summary>
/// ARP cache poisoning (arpspoof, ettercap, bettercap): a second hardware address claims an IP address that
/// another one owns, with ARP replies nobody asked for (RFC 826 lets any reply overwrite a cache entry), so that
/// the victims send that address's traffic to the attacker. Every ARP message's sender fields are a claim
/// (RFC 826; RFC 5227's probes, whose sender address is 0.0.0.0, claim nothing).
/// <para>
/// A binding that changes once is a host replaced or renumbered (a DHCP lease given to another machine, a failover
/// that moved for good). Poisoning flips back and forth, because the real owner keeps answering the requests it
/// gets while the attacker keeps re-poisoning: <see cref="MinFlips"/> changes of the binding make it.
/// </para>
/// </summary>
internal sealed class ArpSpoofingDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.ArpSpoofing, Name = "arp-spoofing", Layer = Layer.Link },
    ];

    /// <summary>Changes of an address's hardware address: away and back again. One change is a replacement.</summary>
    internal const int MinFlips = 2;
    /// <summary>
    /// Replies aimed at other hosts that no request asked for, from the claimant. A poisoner must keep repeating them
    /// (arpspoof every 2 s, ettercap every 10 s) or the caches go back to the owner within a minute (Linux's
    /// reachable time is 15 to 45 s); a host answers requests, and announces itself with gratuitous messages.
    /// </summary>
    internal const int MinUnasked = 3;
    /// <summary>
    /// A reply within this time of a request for the address answers it; later, it was not asked for. A host answers an
    /// ARP request in microseconds to milliseconds; a second leaves room for a loaded host and a slow capture clock.
    /// </summary>
    internal static readonly long AskedWithin = PacketTimestamp.NanosPerSecond;

    private const int MaxAddresses = 4096;
    /// <summary>Requests remembered: a sweep of requests (arp-scan, nmap -PR) must not grow the table without bound.</summary>
    private const int MaxAsked = 16_384;
    private const int MacsKept = 4;
    private const int VictimsKept = 64;
    private const int EvidenceKept = 12;

    private readonly Dictionary<IpAddr, Binding> _bindings = new(IpAddrComparer.Instance);
    private readonly Dictionary<IpAddr, PacketTimestamp> _asked = new(IpAddrComparer.Instance);
    private readonly EvidenceLines _lines = new();

    private sealed class Claimant(MacAddress mac, PacketTimestamp first)
    {
        public readonly MacAddress Mac = mac;
        /// <summary>Messages about the address this hardware address sent; replies of those nobody asked for.</summary>
        public long Sent, Unsolicited;
        public PacketTimestamp First = first, Last = first;
        public readonly HashSet<IpAddr> Victims = new(IpAddrComparer.Instance);
    }

    private sealed class Binding
    {
        public readonly List<Claimant> Claimants = [];
        public MacAddress Current;
        public long Flips;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Arp;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Arp)) return;
        ref readonly var arp = ref p.Arp;
        if (arp.Operation == 1)
        {
            // Only the last second's requests answer a reply: when the table fills, what it held is older or a sweep's.
            if (_asked.Count >= MaxAsked && !_asked.ContainsKey(arp.TargetIp)) _asked.Clear();
            _asked[arp.TargetIp] = p.Timestamp;
        }
        // A claim needs a hardware address: tcpdump's text of a request does not print it, and RFC 5227's
        // probes (sender 0.0.0.0) claim nothing.
        if (arp.Operation is not (1 or 2) || !arp.SenderIp.IsV4 || arp.SenderIp.V4Value == 0 || arp.SenderMac.Value == 0) return;

        if (!_bindings.TryGetValue(arp.SenderIp, out var binding))
        {
            if (_bindings.Count >= MaxAddresses) return;
            binding = new Binding { Current = arp.SenderMac };
            _bindings[arp.SenderIp] = binding;
        }
        var mac = arp.SenderMac;
        Claimant? claimant = null;
        foreach (var c in binding.Claimants)
        {
            if (c.Mac == mac) { claimant = c; break; }
        }
        if (claimant is null)
        {
            if (binding.Claimants.Count >= MacsKept) return;
            claimant = new Claimant(arp.SenderMac, p.Timestamp);
            binding.Claimants.Add(claimant);
        }
        // The frame's sender, not the address the message claims, is who sent it: arpspoof restores a cache by
        // sending the owner's hardware address from its own, and those replies are its doing as well.
        var sender = claimant;
        if (p.SourceMac != mac && p.SourceMac.Value != 0)
        {
            foreach (var c in binding.Claimants)
            {
                if (c.Mac == p.SourceMac) { sender = c; break; }
            }
        }
        sender.Sent++;
        sender.Last = CaptureClock.Later(sender.Last, p.Timestamp);
        if (arp.Operation == 2)
        {
            // Only a reply aimed at another host poisons: a gratuitous one (target address = sender address, RFC
            // 5227's announcement, a failover's takeover) tells everyone and is left to the binding's changes.
            if (arp.TargetIp.IsV4 && arp.TargetIp.V4Value != 0 && arp.TargetIp != arp.SenderIp)
            {
                bool asked = _asked.TryGetValue(arp.SenderIp, out var when) && Math.Abs(p.Timestamp.Nanoseconds - when.Nanoseconds) <= AskedWithin;
                if (!asked)
                {
                    sender.Unsolicited++;
                    if (sender.Victims.Count < VictimsKept) sender.Victims.Add(arp.TargetIp);
                }
            }
        }
        if (binding.Current != arp.SenderMac)
        {
            binding.Flips++;
            binding.Current = arp.SenderMac;
        }
        if (binding.Claimants.Count > 1) binding.Evidence.Add(_lines, p, input, arp.Operation == 2 ? "arp reply" : "arp request");
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (address, binding) in _bindings)
        {
            if (binding.Claimants.Count < 2 || binding.Flips < MinFlips) continue;
            // The owner is the first to claim the address; the attacker the one with the most replies nobody asked for.
            var owner = binding.Claimants[0];
            var attacker = binding.Claimants.Skip(1).OrderByDescending(c => c.Unsolicited).ThenBy(c => c.First.Nanoseconds).First();
            if (owner.Unsolicited > attacker.Unsolicited)
            {
                (owner, attacker) = (attacker, owner);
            }
            if (attacker.Unsolicited < MinUnasked) continue;
            // The attacker's own address: another address its hardware address claims.
            var own = _bindings.Where(b => b.Key != address && b.Value.Claimants.Count == 1 && b.Value.Claimants[0].Mac == attacker.Mac)
                .Select(b => b.Key).OrderBy(a => a).ToList();
            var victims = attacker.Victims.OrderBy(v => v).ToList();
            found.Add(Build(address, binding, owner, attacker, own, victims));
        }
    }

    private static DetectedActivity Build(IpAddr address, Binding binding, Claimant owner, Claimant attacker, List<IpAddr> own, List<IpAddr> victims)
    {
        string who = own.Count > 0 ? $"{attacker.Mac} ({own[0]})" : attacker.Mac.ToString();
        string poisoned = victims.Count > 0 ? string.Join(", ", victims.Take(8)) + (victims.Count > 8 ? $" and {victims.Count - 8} more" : "") : "every host that heard it";
        var facts = new AttackFacts
        {
            Technique = "arp-reply",
            Packets = attacker.Sent,
            Sources = 1,
            Targets = Math.Max(1, victims.Count),
            RatePerSecond = Scans.ScanDetection.Rate(attacker.Sent, attacker.First, attacker.Last),
            Macs = [owner.Mac.ToString(), attacker.Mac.ToString()],
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.ArpSpoofing,
            Layer = Layer.Link,
            Severity = Severity.High,
            Protocol = "ARP",
            Transport = "ARP",
            Targets = victims.Count > 0 ? victims : [address],
            Actors = own.Count > 0 ? [own[0]] : [],
            First = attacker.First,
            Last = attacker.Last,
            Attempts = attacker.Sent,
            Failed = 0,
            Facts = facts,
            Evidence = binding.Evidence.Packets,
            EvidenceTotal = binding.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{address} claimed by two hardware addresses: {owner.Mac} and {who}, which sent {Describe.Count(attacker.Sent, "ARP message")} about it ({attacker.Unsolicited} of them replies nobody asked for); the binding changed {binding.Flips} times",
            IncidentTitle = _ => $"ARP spoofing of {address} by {who}",
            Summary = _ => $"{who} claimed {address}, which {owner.Mac} owns, with {Describe.Count(attacker.Unsolicited, "ARP reply", "ARP replies")} nobody asked for {Describe.Window(attacker.First, attacker.Last)}; the binding went back and forth {binding.Flips} times. Hosts that believed it ({poisoned}) send {address}'s traffic to {attacker.Mac}: it can read, change or drop it.",
            Causes = _ => Causes(address, owner, attacker, who, victims),
        };
        activity.Moments.Add((attacker.First, Phrase.Of($"First claim of {Phrase.Address(address.ToString())} by {attacker.Mac}.")));
        return activity;
    }

    private static List<Cause> Causes(IpAddr address, Claimant owner, Claimant attacker, string who, List<IpAddr> victims)
    {
        var forPoisoning = new List<Phrase>
        {
            $"{who} sent {attacker.Unsolicited} ARP replies for {address} that no request asked for within {AskedWithin / PacketTimestamp.NanosPerSecond} s: a host that owns an address answers when asked.",
            $"{owner.Mac} itself sent {Describe.Count(owner.Sent, "ARP message")} claiming {address} in the same capture: two hosts cannot both own it.",
        };
        return
        [
            Make("arp-poisoning", $"{who} is poisoning ARP caches to intercept the traffic of {address}", 0.8, forPoisoning,
                ["A failover pair (VRRP, CARP, a cluster) moves an address between machines, but then one stops claiming it when the other takes over."],
                [
                    $"Find the port of {attacker.Mac} on the switch (`show mac address-table address {attacker.Mac}`) and disconnect it.",
                    Phrase.Of($"On the poisoned hosts ({(victims.Count > 0 ? string.Join(", ", victims.Take(4)) : "the segment's hosts")}), `ip neigh show {address}` shows the MAC in use; `ip neigh flush {address}` clears it once the attacker is gone."),
                    "Turn on Dynamic ARP Inspection (with DHCP snooping) on the access switches, or static ARP entries for the gateway.",
                ]),
            Make("address-conflict", $"Two machines configured with {address}", 0.2,
                [],
                ["A conflict does not send replies nobody asked for, again and again."],
                [$"Check which machines are configured with {address}."]),
        ];
    }
}
