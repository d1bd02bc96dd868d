using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.SharedCauses;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Icmp;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Paths;

/// <summary>
/// <c>path-failure</c>: failures toward several unrelated servers that share one element of the path, joined into
/// one incident that names it. Three elements are recognised:
/// <list type="bullet">
/// <item>the gateway: a client's queries or connections to servers in two or more networks all went unanswered, every
/// one framed to one hardware address, and that address never sent an IP packet from any address but its own in the
/// whole capture: it forwards nothing (a wrong default gateway that answers ARP, a router whose forwarding is off).
/// Not when any TCP segment acknowledging something was framed to it: answers came back then, and a capture that
/// lacks them saw one direction only;</item>
/// <item>the first hop, when the capture has no link layer: the same failures, and the client received no IP packet at
/// all from any host;</item>
/// <item>a router: one address that is not the destination sent ICMP host or network unreachable for three or more
/// destinations (RFC 792, RFC 1812 5.2.7.1): a routing problem at that router, not three broken servers.</item>
/// </list>
/// The per-server findings stay findings, as the incident's evidence.
/// </summary>
internal sealed class PathFailureDetection : ISharedCauseFamily
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.PathFailure, Name = "path-failure", Layer = Layer.Network },
    ];

    /// <summary>
    /// Unanswered servers in distinct networks (IPv4 /24, IPv6 /48) a silent first hop needs. Two suffice because the
    /// silence of the hop is itself the evidence: a gateway that forwarded any packet in the whole capture is not
    /// accused, and two unrelated servers failing at once while the gateway is fine would still show the gateway
    /// forwarding other traffic. Two servers of one network may simply be one site down, so they count once.
    /// </summary>
    internal const int SilentHopNetworks = 2;
    /// <summary>
    /// Destinations one router must report unreachable to make one routing incident: three, so that one router's
    /// errors for a host and its neighbour (one site down) stay with their servers.
    /// </summary>
    internal const int RouterDestinations = 3;

    public void Find(IReadOnlyList<DetectedFinding> findings, TrafficView traffic, List<SharedCause> found)
    {
        var claimed = new HashSet<DetectedFinding>();
        SilentHops(findings, traffic, found, claimed);
        Routers(findings.Where(f => !claimed.Contains(f)).ToList(), traffic, found);
    }

    // ---- a first hop that forwards nothing ------------------------------------------------------------------

    private static bool Unanswered(FindingKind kind) => kind is FindingKind.DnsNoResponse or FindingKind.TcpNoResponse;

    private void SilentHops(IReadOnlyList<DetectedFinding> findings, TrafficView traffic, List<SharedCause> found, HashSet<DetectedFinding> claimed)
    {
        // Each unanswered attempt kept in detail, by client and the hardware address it was framed to (zero without Ethernet).
        var byHop = new Dictionary<(IpAddr Client, MacAddress Hop), List<DetectedFinding>>();
        foreach (var f in findings.Where(f => Unanswered(f.Kind)))
        {
            foreach (var (client, hop) in f.Dns.Select(a => (a.Client, a.NextHop)).Concat(f.Tcp.Select(c => (c.Client, c.NextHop))).Distinct())
            {
                if (!byHop.TryGetValue((client, hop), out var list)) byHop[(client, hop)] = list = [];
                if (!list.Contains(f)) list.Add(f);
            }
        }
        foreach (var ((client, mac), members) in byHop.OrderBy(x => x.Key.Client).ThenBy(x => x.Key.Hop.Value))
        {
            var free = members.Where(f => !claimed.Contains(f)).OrderBy(f => f.FirstTime.Nanoseconds).ToList();
            var seen = traffic.Hop(mac);
            // Segments acknowledging something were sent through the hop: answers came back, whether or not the
            // capture holds them (a capture of one direction), so the hop is not dead.
            if (seen is null || seen.To == 0 || seen.AcksTo > 0) continue;
            LinkTable.Hop? hop = null;
            if (mac.Value != 0)
            {
                hop = seen;
                // The hop forwarded something: it is a working router, and the servers' silence is theirs.
                if (hop.Forwarded > 0) continue;
                // A server that is the hop itself (a resolver on the gateway) is on-link: its silence is its own.
                free.RemoveAll(f => hop.Claimed(f.Server));
            }
            else if (traffic.PacketsReceivedBy(client) > 0)
            {
                // Without a link layer the hop is unknown: only a client that received nothing at all from anyone is cut off.
                continue;
            }
            if (free.Select(f => Network(f.Server)).Distinct().Count() < SilentHopNetworks) continue;
            claimed.UnionWith(free);
            found.Add(SilentHop(client, mac, hop, free, traffic));
        }
    }

    /// <summary>The network a server is in, as far as telling unrelated servers apart goes: its IPv4 /24 or IPv6 /48.</summary>
    private static (ulong, byte) Network(IpAddr server)
    {
        if (server.IsV4) return (server.V4Value >> 8, 4);
        Span<byte> bytes = stackalloc byte[16];
        server.WriteBytes(bytes);
        ulong prefix = 0;
        for (int i = 0; i < 6; i++) prefix = (prefix << 8) | bytes[i];
        return (prefix, 6);
    }

    private static SharedCause SilentHop(IpAddr client, MacAddress mac, LinkTable.Hop? hop, List<DetectedFinding> members, TrafficView traffic)
    {
        var servers = members.Select(f => f.Server).Distinct().Order().ToList();
        IpAddr? gatewayIp = hop is { ClaimCount: > 0 } ? hop.Claims[0] : null;
        string macText = mac.ToString();
        string gateway = hop is null ? "its first hop"
            : gatewayIp is { } ip ? $"its gateway {ip} ({macText})" : $"its gateway {macText}";
        long failed = members.Sum(f => f.FailedCount);
        long attempts = members.Sum(f => f.Finding.Attempts);
        long received = traffic.PacketsReceivedBy(client);
        var protocols = members.Select(f => f.Finding.Protocol).Distinct().ToList();
        var transports = members.Select(f => f.Finding.Transport).Distinct().ToList();
        string serversText = ServersText(servers);
        var facts = new PathFacts
        {
            Element = hop is null ? "first-hop" : "gateway",
            Address = gatewayIp?.ToString(),
            Mac = hop is null ? null : macText,
            Servers = servers.Count,
            PacketsToGateway = hop?.To,
            PacketsForwarded = hop?.Forwarded,
            PacketsToClient = received,
        };
        var first = members.Min(f => f.FirstTime.Nanoseconds);
        var last = members.Max(f => f.LastTime.Nanoseconds);
        var firstTime = members.First(f => f.FirstTime.Nanoseconds == first).FirstTime;
        var lastTime = members.First(f => f.LastTime.Nanoseconds == last).LastTime;

        long dnsFailed = members.Sum(f => f.DnsFailed);
        long tcpFailed = members.Sum(f => f.TcpFailed);
        string attemptsText = string.Join(" and ", new[]
        {
            dnsFailed > 0 ? Describe.Count(dnsFailed, "DNS query", "DNS queries") : null,
            tcpFailed > 0 ? Describe.Count(tcpFailed, "connection attempt") : null,
        }.OfType<string>());
        string what = $"to {Describe.Count(servers.Count, "server")} in {Describe.Count(servers.Select(Network).Distinct().Count(), "network")}";
        string silence = hop is null
            ? $"and {client} received no packet from any host in the whole capture"
            : $"every one was framed to {macText}{(gatewayIp is { } g ? $", which claimed {g} in ARP" : "")}, and {macText} sent no packet from any other address in the whole capture: it forwarded nothing back";
        var evidence = new List<EvidencePacket>();
        if (hop?.FirstClaim is { } claim)
        {
            evidence.Add(FindingBuilder.Packet(claim, "arp", hop.FirstClaimLine.ToString()));
        }
        var causes = hop is null ? FirstHopCauses(client, servers) : GatewayCauses(client, macText, gatewayIp, hop, servers);
        return new SharedCause
        {
            Kind = FindingKind.PathFailure,
            Severity = Severity.High,
            Layer = Layer.Network,
            Protocol = string.Join(", ", protocols),
            Transport = string.Join(", ", transports),
            Members = members,
            Clients = [client],
            Servers = servers,
            First = firstTime,
            Last = lastTime,
            Attempts = attempts,
            Failed = failed,
            Path = facts,
            Evidence = evidence,
            FindingTitle = Phrase.Of($"Nothing comes back to {client} through {gateway}: {attemptsText} {what} unanswered"),
            IncidentTitle = $"{Describe.Capitalize(gateway)} forwards nothing: {client} cannot reach {serversText}",
            Summary = Phrase.Of($"{Describe.Capitalize(attemptsText)} from {client} {what} ({serversText}) went unanswered; {silence}. The servers did not all fail at once: the path they share did."),
            Causes = causes,
            RuledOut =
            [
                new RuledOut($"each of the {servers.Count} servers being down", Phrase.Of(
                    $"they are in {Describe.Count(servers.Select(Network).Distinct().Count(), "network")} and failed together, and {(hop is null ? "nothing at all reached " + client : "nothing came back through " + macText)}: one shared element explains every failure.")),
            ],
            Caveats =
            [
                new Caveat("single-vantage-point", $"One vantage point ({client}): whether other hosts behind {(hop is null ? "the same link" : macText)} fail the same way needs their reports or a capture on the gateway."),
                .. received == 0 && hop is not null
                    ? [new Caveat("one-direction", $"No IP packet reached {client} from any host: if the capture saw one direction only, answers may have been missed.")]
                    : Array.Empty<Caveat>(),
            ],
        };
    }

    private static List<Cause> GatewayCauses(IpAddr client, string mac, IpAddr? gatewayIp, LinkTable.Hop hop, List<IpAddr> servers)
    {
        string gw = gatewayIp?.ToString() ?? mac;
        string forwarded = $"{Describe.Count(hop.To, "IP packet")} were framed to {mac} and it sent none from another address.";
        return
        [
            Make("gateway-not-forwarding", $"The default gateway of {client} ({gw}) does not forward: a wrong gateway configured, or a router whose forwarding or upstream link is down", 0.8,
                [forwarded, $"{Describe.Count(servers.Count, "server")} in unrelated networks failed at once, and none answered."],
                ["A gateway that forwards but whose upstream drops this client's traffic (an ACL, missing NAT for its address) looks the same from the client."],
                [
                    Phrase.Of($"On {client}: `ip route show default` (or `route print`): is {gw} the intended gateway? `ip neigh show {gw}`: does its hardware address ({mac}) belong to the router?"),
                    Phrase.Of($"On the gateway: `sysctl net.ipv4.ip_forward` must be 1; check its upstream link and its route to the servers (`ip route get {servers[0]}`)."),
                    Phrase.Of($"From another host on the same segment, through another gateway, try the same servers: if they answer, the gateway is the fault."),
                ]),
            Make("gateway-filters-client", $"The gateway forwards other hosts' traffic but drops {client}'s (an ACL, a missing NAT rule for its address)", 0.35,
                hop.From == 0 ? [] : [$"{mac} sent {Describe.Count(hop.From, "IP packet")}, all from its own address."],
                ["The capture shows no other client using this gateway successfully, which would single out this one."],
                [Phrase.Of($"On the gateway, look for rules or NAT entries that match {client} (`iptables -S`, `nft list ruleset`).")]),
        ];
    }

    private static List<Cause> FirstHopCauses(IpAddr client, List<IpAddr> servers) =>
    [
        Make("first-hop-down", $"{client}'s link or default gateway is down: nothing reaches it from any host", 0.7,
            [$"{Describe.Count(servers.Count, "server")} in unrelated networks went unanswered, and {client} received no packet at all in the capture."],
            ["The capture has no link layer, so the gateway cannot be named; a capture filter that kept only the client's own packets would look the same."],
            [
                Phrase.Of($"On {client}: `ip route show default` and `ip neigh`: is the gateway reachable at the link layer? `ping` it."),
                Phrase.Of($"Capture with link-layer headers (`tcpdump -e -w`) to see which hardware address the packets go to."),
            ]),
        Make("one-direction-capture", "The capture kept only the client's outgoing packets", 0.3,
            [],
            ["A capture filter or a SPAN port that copies one direction hides every answer; check the filter used."],
            [Phrase.Plain("Capture again without a filter on the client's interface.")]),
    ];

    private static string ServersText(List<IpAddr> servers) =>
        servers.Count <= 3 ? string.Join(", ", servers) : $"{string.Join(", ", servers.Take(3))} and {servers.Count - 3} more";

    // ---- one router reporting many destinations unreachable ---------------------------------------------------

    private static bool RouterError(IcmpSenderKey key)
    {
        var meaning = IcmpMessages.Meaning(key.IsV6, key.Type, key.Code);
        return !key.FromTarget && meaning is IcmpMeaning.HostUnreachable or IcmpMeaning.NetworkUnreachable;
    }

    private static void Routers(IReadOnlyList<DetectedFinding> findings, TrafficView traffic, List<SharedCause> found)
    {
        // Each finding to the router that sent most of its unreachable errors.
        var byRouter = new Dictionary<IpAddr, List<(DetectedFinding Finding, long Errors)>>();
        foreach (var f in findings.Where(f => f.Kind is FindingKind.HostUnreachable or FindingKind.NetworkUnreachable))
        {
            var top = DetectedFinding.Ordered(f.Senders()).Where(s => RouterError(s.Key)).Select(s => (s.Key.Sender, s.Count)).FirstOrDefault();
            if (top.Count == 0) continue;
            if (!byRouter.TryGetValue(top.Sender, out var list)) byRouter[top.Sender] = list = [];
            list.Add((f, top.Count));
        }
        foreach (var (router, list) in byRouter.OrderBy(x => x.Key))
        {
            var members = list.Select(x => x.Finding).OrderBy(f => f.FirstTime.Nanoseconds).ToList();
            var servers = members.Select(f => f.Server).Distinct().Order().ToList();
            if (servers.Count < RouterDestinations) continue;
            found.Add(Router(router, members, servers, list.Sum(x => x.Errors)));
        }
    }

    private static SharedCause Router(IpAddr router, List<DetectedFinding> members, List<IpAddr> servers, long errors)
    {
        var clients = members.SelectMany(f => f.Clients()).Distinct().Order().ToList();
        bool network = members.Any(f => f.Kind == FindingKind.NetworkUnreachable);
        bool host = members.Any(f => f.Kind == FindingKind.HostUnreachable);
        string says = network && host ? "network or host unreachable" : network ? "network unreachable" : "host unreachable";
        var first = members.MinBy(f => f.FirstTime.Nanoseconds)!.FirstTime;
        var last = members.MaxBy(f => f.LastTime.Nanoseconds)!.LastTime;
        string serversText = ServersText(servers);
        string clientsText = clients.Count == 1 ? clients[0].ToString() : Describe.Count(clients.Count, "client");
        var steps = new List<Phrase>
        {
            Phrase.Of($"On {router}: `ip route get {servers[0]}` (or `show ip route {servers[0]}`): is there a route, and is its next hop up?"),
            Phrase.Of($"From {router}, `ping` and `arping` a destination it reports: a host unreachable from the last router means the host does not answer ARP on its subnet."),
        };
        return new SharedCause
        {
            Kind = FindingKind.PathFailure,
            Severity = Severity.High,
            Layer = Layer.Network,
            Protocol = "IP",
            Transport = "IP",
            Members = members,
            Clients = clients,
            Servers = servers,
            First = first,
            Last = last,
            Attempts = members.Sum(f => f.Finding.Attempts),
            Failed = members.Sum(f => f.FailedCount),
            Path = new PathFacts { Element = "router", Address = router.ToString(), Servers = servers.Count, Errors = errors },
            FindingTitle = Phrase.Of($"Router {router} reports {says} for {Describe.Count(servers.Count, "destination")} ({errors} ICMP errors)"),
            IncidentTitle = $"Router {router} cannot deliver to {serversText}",
            Summary = Phrase.Of($"{router} answered traffic from {clientsText} toward {Describe.Count(servers.Count, "destination")} ({serversText}) with ICMP {says}, {Times(errors)}. One router failing for many destinations is a routing problem there, not many servers down."),
            Causes =
            [
                Make(network ? "router-missing-route" : "router-cannot-reach-hosts",
                    network ? $"{router} has no route to those networks (a missing or withdrawn route)" : $"{router} cannot reach those hosts on its attached network (hosts down, or its link to them)",
                    0.8,
                    [$"{router} sent {Times(errors)} ICMP {says} for {Describe.Count(servers.Count, "destination")}."],
                    ["A filter that answers with host or network unreachable instead of administratively prohibited (RFC 1812 5.2.7.1 allows it) reads the same."],
                    steps),
            ],
            RuledOut =
            [
                new RuledOut($"each of the {servers.Count} destinations failing on its own", Phrase.Of($"one router, {router}, reported every one of them.")),
            ],
            Caveats =
            [
                new Caveat("single-vantage-point", $"One vantage point: the errors came from {router}; routers beyond it are not seen."),
            ],
        };
    }
}
