using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Spoofing;

/// <summary>
/// A client moved to another resolver during the capture while its own kept answering: the <c>dns-hijack</c> reading
/// of a rogue DHCP server or malware rewriting the DNS settings (DNSChanger), technique "resolver-switch". Its kind's
/// row is <see cref="DnsSpoofingDetection"/>'s. What is not a switch: a failover (the first resolver stopped answering,
/// which the DNS failure findings report), and clients that use several resolvers in turn (glibc's rotate, parallel
/// stub resolvers), which go back to the first.
/// </summary>
internal sealed class ResolverSwitchDetection : ActivityDetector
{
    /// <summary>Queries to each resolver, before and after the switch: enough to call each one the client's resolver.</summary>
    internal const int MinQueries = 5;
    /// <summary>Share of its queries the first resolver answered: below it, the client left a failing resolver (failover).</summary>
    internal const double AnsweredShare = 0.8;

    private const int MaxClients = 4096;
    private const int EvidenceKept = 6;

    private readonly Dictionary<IpAddr, Client> _clients = new(IpAddrComparer.Instance);
    private readonly EvidenceLines _lines = new();
    private bool _capped;

    // A struct held in its table's entry: each DNS message reads its client's record where the lookup found it.
    private struct Client(IpAddr resolver, PacketTimestamp first)
    {
        public IpAddr Current = resolver;
        public long CurrentQueries, CurrentAnswers;
        public IpAddr? Previous;
        public long PreviousQueries, PreviousAnswers;
        public PacketTimestamp First = first, SwitchedAt, Last = first;
        /// <summary>More than two resolvers, or back to the first after a switch: not one switch.</summary>
        public bool Mixed;
        public ActivityEvidence? Evidence;
    }

    public override PacketLayers Reads => PacketLayers.Dns;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Dns) || p.Dns.Opcode != 0 || p.Ip.Destination.IsMulticast) return;
        if (p.Dns.IsResponse)
        {
            if (p.SourcePort != DnsPorts.Dns) return;
            ref var answered = ref CollectionsMarshal.GetValueRefOrNullRef(_clients, p.Ip.Destination);
            if (Unsafe.IsNullRef(ref answered)) return;
            if (p.Ip.Source == answered.Current) answered.CurrentAnswers++;
            else if (answered.Previous == p.Ip.Source) answered.PreviousAnswers++;
            return;
        }
        if (p.DestinationPort != DnsPorts.Dns) return;
        var resolver = p.Ip.Destination;
        ref var c = ref CollectionsMarshal.GetValueRefOrNullRef(_clients, p.Ip.Source);
        if (Unsafe.IsNullRef(ref c))
        {
            if (_clients.Count >= MaxClients) { _capped = true; return; }
            c = ref CollectionsMarshal.GetValueRefOrAddDefault(_clients, p.Ip.Source, out _);
            c = new Client(resolver, p.Timestamp);
        }
        c.Last = CaptureClock.Later(c.Last, p.Timestamp);
        if (resolver == c.Current)
        {
            c.CurrentQueries++;
            if (c.Previous is not null && c.Evidence is { } e && e.Total < EvidenceKept) e.Add(_lines, p, input, "query to the new resolver");
            return;
        }
        if (c.Previous is not null || c.CurrentQueries < MinQueries)
        {
            // A third resolver, the first one again, or a second one before the first was the client's own.
            c.Mixed = true;
            return;
        }
        c.Previous = c.Current;
        c.PreviousQueries = c.CurrentQueries;
        c.PreviousAnswers = c.CurrentAnswers;
        c.Current = resolver;
        c.CurrentQueries = 1;
        c.CurrentAnswers = 0;
        c.SwitchedAt = p.Timestamp;
        c.Evidence = new ActivityEvidence(EvidenceKept);
        c.Evidence.Add(_lines, p, input, "first query to the new resolver");
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (address, c) in _clients)
        {
            if (c.Mixed || c.Previous is not { } previous || c.CurrentQueries < MinQueries) continue;
            if (c.PreviousAnswers < c.PreviousQueries * AnsweredShare) continue;
            found.Add(Build(address, previous, c, _capped));
        }
    }

    private static DetectedActivity Build(IpAddr client, IpAddr previous, Client c, bool capped)
    {
        var resolver = c.Current;
        var facts = new AttackFacts
        {
            Technique = "resolver-switch",
            Packets = c.CurrentQueries,
            Sources = 1,
            Targets = 1,
            RedirectAddress = resolver.ToString(),
            Capped = capped,
        };
        string answered = Describe.Percent(c.PreviousQueries > 0 ? Math.Min(1, c.PreviousAnswers / (double)c.PreviousQueries) : 0);
        var activity = new DetectedActivity
        {
            Kind = FindingKind.DnsHijack,
            Layer = Layer.Application,
            Severity = Severity.Medium,
            Protocol = "DNS",
            Transport = "UDP",
            Port = DnsPorts.Dns,
            Targets = [client],
            Actors = [resolver],
            First = c.SwitchedAt,
            Last = c.Last,
            Attempts = c.CurrentQueries,
            Failed = 0,
            Facts = facts,
            Evidence = c.Evidence?.Packets ?? [],
            EvidenceTotal = c.Evidence?.Total ?? 0,
            Absorbs = _ => false,
            FindingTitle = _ => $"{client} switched from the resolver {previous} ({Describe.Count(c.PreviousQueries, "query", "queries")}, {answered} answered) to {resolver} ({Describe.Count(c.CurrentQueries, "query", "queries")}) and did not go back",
            IncidentTitle = _ => $"{client} moved to another resolver, {resolver}",
            Summary = a => $"{client} asked {previous} {Describe.Count(c.PreviousQueries, "query", "queries")}, which it answered ({answered}), then from {Describe.Clock(c.SwitchedAt)} asked {resolver} instead: {Describe.Count(c.CurrentQueries, "query", "queries")} until the end of the capture. A resolver that keeps answering is not left without a reason: the client's DNS settings changed.",
            Causes = _ =>
            [
                Make("settings-changed", $"{client}'s DNS settings were changed to {resolver}: a network change (DHCP renewal, a VPN) or someone pointing it at a resolver of theirs (a rogue DHCP server, DNSChanger-like malware)", 0.6,
                    [$"{previous} answered {answered} of its queries, so the move was not a failover."],
                    ["A VPN connecting or a laptop changing networks moves the resolver the same way, on purpose."],
                    [
                        Phrase.Of($"Look for DHCP traffic to {client} around {Describe.Clock(c.SwitchedAt)} and for who sent it (a second DHCP server is a rogue one)."),
                        Phrase.Of($"Check {client}'s resolver settings and whether {resolver} belongs to the organisation or its VPN."),
                    ]),
            ],
        };
        activity.Moments.Add((c.SwitchedAt, Phrase.Of($"{client} asks {resolver} instead of {previous}.")));
        return activity;
    }
}
