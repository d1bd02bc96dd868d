using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Icmp;

namespace NetTriage.Analysis.Detection.ServiceFailures;

/// <summary>
/// A service that fails its clients: DNS queries answered by an ICMP error, an error rcode or nothing, and TCP
/// connection attempts answered by a reset, an ICMP error or nothing. One finding per kind and service. The rules
/// keep only what is a failure by the protocol's own terms: a lone lost query, a name tried with a search domain,
/// or a SYN the end of the capture cut off are not.
/// </summary>
internal sealed class ServiceFailureDetection : IDetectionFamily
{
    /// <summary>Queries only: the failures of a zone's maintenance (NOTIFY, UPDATE) are ZoneMaintenanceDetection's, those of obsolete requests only counted.</summary>
    public FindingKind? Classify(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error) => attempt.Opcode != DnsOpcode.Query ? null : outcome switch
    {
        DnsOutcome.IcmpError => error!.Meaning switch
        {
            IcmpMeaning.PortUnreachable => FindingKind.DnsServerUnreachable,
            IcmpMeaning.AdministrativelyProhibited => FindingKind.DnsBlocked,
            _ => null,
        },
        // A query to a group (mDNS 224.0.0.251, LLMNR 224.0.0.252, RFC 6762 and 4795) is answered by whichever host
        // owns the name, never by the group: silence says nobody does, not that a server failed.
        DnsOutcome.Unanswered => attempt.Server.IsMulticast ? null : FindingKind.DnsNoResponse,
        DnsOutcome.Answered => attempt.Rcode switch
        {
            DnsRcode.ServFail => FindingKind.DnsServfail,
            DnsRcode.Refused => FindingKind.DnsRefused,
            DnsRcode.NXDomain => FindingKind.DnsNxdomain,
            _ => null,
        },
        _ => null,
    };

    public FindingKind? Classify(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error) => outcome switch
    {
        TcpOutcome.Refused => FindingKind.TcpConnectionRefused,
        TcpOutcome.Unanswered => FindingKind.TcpNoResponse,
        TcpOutcome.IcmpRejected => error!.Meaning switch
        {
            IcmpMeaning.PortUnreachable => FindingKind.TcpConnectionRefused,
            IcmpMeaning.AdministrativelyProhibited => FindingKind.TcpBlocked,
            _ => null,
        },
        _ => null,
    };

    /// <summary>A port unreachable for a datagram no tracked transaction sent (a late reply, a traceroute's last hop) is not a failure of a service.</summary>
    public FindingKind? ClassifyUnanswered(IcmpErrorRecord error) => null;

    public IEnumerable<FindingKindRow> Kinds =>
    [
        new()
        {
            Kind = FindingKind.DnsServerUnreachable, Name = "dns-server-unreachable", Layer = Layer.Application, Dns = true,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"DNS server {x.Server} answered {x.Of} {x.Queries}{x.ForNames} with ICMP port unreachable",
            IncidentTitle = c => $"DNS failure: server {c.ServerText} unreachable on UDP port 53",
            SummaryLead = (c, when) => c.FromTargetCount == 0 ? null
                : $"Name resolution failed: the DNS server {c.ServerText} answered {OfAttempts(c)} {(c.AttemptsOfKind == 1 ? "query" : "queries")} from {c.ClientsText}"
                    + (c.Names.Count > 0 ? $" for {c.Names[0]}" : "") + $" with ICMP 'udp port 53 unreachable' {when}.",
            Causes = ServiceFailureCauses.PortUnreachable,
        },
        new()
        {
            Kind = FindingKind.DnsBlocked, Name = "dns-blocked", Layer = Layer.Application, Dns = true,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Of} DNS {x.Queries} to {x.Server}{x.ForNames} were rejected as administratively prohibited by {x.Sender}",
            IncidentTitle = c => $"DNS failure: queries to {c.ServerText} blocked by a filter",
            Causes = ServiceFailureCauses.Blocked,
        },
        new()
        {
            Kind = FindingKind.DnsNoResponse, Name = "dns-no-response", Layer = Layer.Application, Dns = true,
            Counts = DnsNoResponseCounts, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Of} DNS {x.Queries} to {x.Server}{x.ForNames} got no answer at all",
            IncidentTitle = c => $"DNS failure: no response from {c.ServerText}",
            Causes = ServiceFailureCauses.Silence,
            CountUnkeptDns = CountDecided,
        },
        new()
        {
            Kind = FindingKind.DnsServfail, Name = "dns-servfail", Layer = Layer.Application, Dns = true,
            Counts = SearchSuffixCounts, Severity = FindingBuilder.MostFailedSeverity, CountUnkeptDns = TallyName,
            FindingTitle = x => $"DNS server {x.Server} answered {x.Of} {x.Queries}{x.ForNames} with SERVFAIL",
            IncidentTitle = c => $"DNS failure: {c.ServerText} answers SERVFAIL",
            Causes = ServiceFailureCauses.Servfail,
        },
        new()
        {
            Kind = FindingKind.DnsRefused, Name = "dns-refused", Layer = Layer.Application, Dns = true,
            Counts = SearchSuffixCounts, Severity = FindingBuilder.MostFailedSeverity, CountUnkeptDns = TallyName,
            FindingTitle = x => $"DNS server {x.Server} refused {x.Of} {x.Queries}{x.ForNames}",
            IncidentTitle = c => $"DNS failure: {c.ServerText} refuses queries",
            Causes = ServiceFailureCauses.DnsRefused,
        },
        new()
        {
            Kind = FindingKind.DnsNxdomain, Name = "dns-nxdomain", Layer = Layer.Application, Dns = true,
            Counts = DnsNxdomainCounts,
            // A name that does not exist is a fact about the name, not an outage of the server.
            Severity = _ => Severity.Medium,
            FindingTitle = x => $"DNS server {x.Server} answered {x.Of} {x.Queries}{x.ForNames} with NXDOMAIN (no such name)",
            IncidentTitle = c => $"DNS: {(c.Names.Count > 0 ? c.Names[0] : "names")} does not exist (NXDOMAIN from {c.ServerText})",
            Causes = ServiceFailureCauses.Nxdomain,
            CountUnkeptDns = TallyName,
        },
        new()
        {
            Kind = FindingKind.TcpConnectionRefused, Name = "tcp-connection-refused", Layer = Layer.Transport,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Of} TCP {x.Connections} to {x.Server} port {x.Port} were refused",
            IncidentTitle = c => $"Connection refused: {c.Protocol} on {c.ServerText} port {c.Port}",
            // Refused by ICMP port unreachable reads as the DNS case does; by a reset, as a closed port.
            Causes = c => c.IcmpCount > 0 ? ServiceFailureCauses.PortUnreachable(c) : ServiceFailureCauses.Refused(c),
        },
        new()
        {
            Kind = FindingKind.TcpNoResponse, Name = "tcp-no-response", Layer = Layer.Transport,
            Counts = TcpNoResponseCounts, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Of} TCP {x.Connections} to {x.Server} port {x.Port} got no answer",
            IncidentTitle = c => $"No response: {c.Protocol} on {c.ServerText} port {c.Port}",
            Causes = ServiceFailureCauses.Silence,
            IgnoresUnkeptTcp = CutOffAfterOneSyn,
        },
        new()
        {
            Kind = FindingKind.TcpBlocked, Name = "tcp-blocked", Layer = Layer.Transport,
            Counts = DetectedFinding.AnyFailed, Severity = FindingBuilder.MostFailedSeverity,
            FindingTitle = x => $"{x.Of} TCP {x.Connections} to {x.Server} port {x.Port} were rejected as administratively prohibited by {x.Sender}",
            IncidentTitle = c => $"Connections blocked: {c.Protocol} on {c.ServerText} port {c.Port}",
            Causes = ServiceFailureCauses.Blocked,
        },
    ];

    /// <summary>"all 9" or "7 of 9": the failures of the kind the sentence names, of every attempt.</summary>
    private static string OfAttempts(IncidentContext c) => c.FailedOfKind == c.AttemptsOfKind ? $"all {c.AttemptsOfKind}" : $"{c.FailedOfKind} of {c.AttemptsOfKind}";


    /// <summary>
    /// A query is known to be unanswered when the client gave up on it and asked again, or when the capture outlived
    /// it by the answer grace (those not kept were counted by the same rule as they were decided, but for the last
    /// few, whose query times wait for the end). A finding needs one such query, two failures, and at least half of
    /// the server's queries failed: a lone lost datagram is not a silent server.
    /// </summary>
    private static bool DnsNoResponseCounts(DetectedFinding g, TrafficView traffic)
    {
        var end = traffic.End ?? default;
        long grace = traffic.Options.DnsAnswerGrace.Ticks * 100;
        long decided = g.Group.UnkeptDnsDecided + g.Group.UnkeptUndecided.Count(q => end.Nanoseconds - q >= grace)
            + g.Dns.Count(a => a.Superseded
                || Describe.Seconds(a.Query.Time, end) is not { } s || s >= traffic.Options.DnsAnswerGrace.TotalSeconds);
        long queries = traffic.DnsQueriesTo(g.Server) ?? g.DnsFailed;
        return decided >= 1 && g.DnsFailed >= 2 && g.DnsFailed * 2 >= queries;
    }

    /// <summary>
    /// The rule of dns-no-response for a query not kept: known to be unanswered when superseded, or when the capture
    /// outlives it by the answer grace (decided now if it is already that old, else when the end is known).
    /// </summary>
    private static void CountDecided(FailureTable table, FailureGroup group, DnsAttempt attempt, PacketTimestamp now)
    {
        long grace = table.Options.DnsAnswerGrace.Ticks * 100;
        while (group.UnkeptUndecided.TryPeek(out long oldest) && now.Nanoseconds - oldest >= grace)
        {
            group.UnkeptUndecided.Dequeue();
            group.UnkeptDnsDecided++;
        }
        long query = attempt.Query.Time.Nanoseconds;
        if (attempt.Superseded || now.Nanoseconds - query >= grace) group.UnkeptDnsDecided++;
        else if (group.UnkeptUndecided.Count < FailureGroup.MaxUndecided) group.UnkeptUndecided.Enqueue(query);
        // Past that many in a few seconds, the rest count as not known to be unanswered: the finding can only be
        // weaker for it, never made up.
    }

    /// <summary>
    /// A name tried with a search domain appended ("www.example.com.corp.local.") and then resolved without it, or a
    /// name resolved later by the same client, is not a failure.
    /// </summary>
    private static bool DnsNxdomainCounts(DetectedFinding g, TrafficView traffic) => NamesCount(g, traffic, Resolved);

    /// <summary>
    /// SERVFAIL and REFUSED for a name tried with a search domain appended, whose shorter form the client resolved (or a
    /// DNS-SD enumeration name), are the resolver's search list at work, not a failure of the server: a server may
    /// refuse or fail names of a zone it does not serve. The same name failing and resolving later still counts (a
    /// server that failed a moment is worth knowing).
    /// </summary>
    private static bool SearchSuffixCounts(DetectedFinding g, TrafficView traffic) =>
        NamesCount(g, traffic, (t, client, name) => ResolvedShorter(t, client, name) || IsDomainEnumeration(name));

    /// <summary>Drops the failures of names <paramref name="explained"/> accounts for; true when any failure is left.</summary>
    private static bool NamesCount(DetectedFinding g, TrafficView traffic, Func<TrafficView, IpAddr, string, bool> explained)
    {
        g.Dns.RemoveAll(a => explained(traffic, a.Client, a.QName));
        var failing = g.Group.UnkeptNames.Where(kv => !explained(traffic, kv.Key.Client, kv.Key.Name)).ToList();
        long unnamed = g.Group.UnkeptDns - g.Group.UnkeptNames.Values.Sum(x => x.Count);
        g.UnkeptDns = failing.Sum(kv => kv.Value.Count) + unnamed;
        g.UnkeptNames = failing.Select(kv => kv.Key.Name).ToList();
        // The evidence of those that count: each query and its answer.
        g.UnkeptEvidenceOverride = 2 * g.UnkeptDns;
        if (unnamed == 0)
        {
            // Every failure not kept is named: the window and clients are those of the names that count.
            g.UnkeptTimes = failing.SelectMany(kv => new[] { kv.Value.First, kv.Value.Last }).ToList();
            g.UnkeptClients = failing.Select(kv => kv.Key.Client).ToList();
        }
        return g.DnsFailed > 0;
    }

    /// <summary>What the NXDOMAIN rule needs of a failed query not kept: how often each client asked each name, and when.</summary>
    private static void TallyName(FailureTable table, FailureGroup group, DnsAttempt attempt, PacketTimestamp now)
    {
        var name = (attempt.Client, attempt.QName);
        if (group.UnkeptNames.TryGetValue(name, out var tally))
        {
            tally.Count++;
            tally.Last = attempt.Response?.Time ?? attempt.Query.Time;
            group.UnkeptNames[name] = tally;
        }
        else if (table.SummaryRoom())
        {
            group.UnkeptNames[name] = new NameTally { Count = 1, First = attempt.Query.Time, Last = attempt.Response?.Time ?? attempt.Query.Time };
        }
    }

    private static bool Resolved(TrafficView traffic, IpAddr client, string name) =>
        traffic.Resolved(client, name) || ResolvedShorter(traffic, client, name) || IsDomainEnumeration(name);

    /// <summary>
    /// DNS-SD domain enumeration (RFC 6763 11): macOS, iOS and Avahi ask "b._dns-sd._udp.&lt;domain&gt;" (and db, r, dr,
    /// lb) of every search and reverse domain to learn whether it offers service discovery. NXDOMAIN is the
    /// ordinary answer of a domain that does not: no name is missing.
    /// </summary>
    internal static bool IsDomainEnumeration(string name)
    {
        int dot = name.IndexOf('.');
        if (dot is < 1 or > 2) return false;
        var first = name.AsSpan(0, dot);
        bool browse = first.Equals("b", StringComparison.OrdinalIgnoreCase) || first.Equals("db", StringComparison.OrdinalIgnoreCase)
            || first.Equals("r", StringComparison.OrdinalIgnoreCase) || first.Equals("dr", StringComparison.OrdinalIgnoreCase)
            || first.Equals("lb", StringComparison.OrdinalIgnoreCase);
        return browse && name.AsSpan(dot).StartsWith("._dns-sd._udp.", StringComparison.OrdinalIgnoreCase);
    }

    private static bool ResolvedShorter(TrafficView traffic, IpAddr client, string name)
    {
        for (int dot = name.IndexOf('.'); dot > 0 && dot < name.Length - 1; dot = name.IndexOf('.', dot + 1))
        {
            if (traffic.Resolved(client, name[..(dot + 1)])) return true;
        }
        return false;
    }

    /// <summary>An attempt cut off by the end of the capture after a single SYN is no evidence of a silent service.</summary>
    private static bool CutOffAfterOneSyn(TcpConnection c) => c.AtCaptureEnd && c.Syns < 2;

    /// <summary>Connections that got no answer: two of them, or one whose SYN was sent again (the client waited and retried).</summary>
    private static bool TcpNoResponseCounts(DetectedFinding g, TrafficView traffic)
    {
        // Those not kept were filtered alike when counted.
        g.Tcp.RemoveAll(CutOffAfterOneSyn);
        return g.TcpFailed > 0 && (g.TcpFailed >= 2 || g.Tcp.Any(c => c.Syns >= 2) || g.Group.UnkeptTcpRetried > 0);
    }
}
