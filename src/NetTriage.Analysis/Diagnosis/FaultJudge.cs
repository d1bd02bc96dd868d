namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// Which end an incident lies at: the analysts' first question ("determine which end the issue occurs"), answered
/// from the incident's ranked causes. Each cause places the fault somewhere (a DNS service that is not listening
/// is the DNS server's end; a filter that rejects is the network's; a name that does not exist is the name's), so
/// the end is the most likely cause's, its confidence that cause's, lowered one step when a cause nearly as likely
/// (within <see cref="CloseScores"/>) puts the fault at another end: "no answer at all" is the server or a filter
/// before it, and the capture cannot tell which. The case context (who else fails, whether the team reproduced the
/// failure from its own network) is weighed by <see cref="WithCase"/>.
/// </summary>
public static class FaultJudge
{
    /// <summary>
    /// Two causes whose scores differ by less than this are not told apart by the evidence: the ranking's scores move
    /// in steps of 0.05 to 0.1 per piece of evidence, so 0.15 is less than two pieces of evidence apart.
    /// </summary>
    public const double CloseScores = 0.15;

    /// <summary>The role a cause gives the fault, by the cause's stable id (the JSON's <c>causes[].id</c>).</summary>
    private enum Role { Server, Network, Name, Client, Attacker, Unknown }

    /// <summary>
    /// Where each cause puts the fault. A cause not listed places it nowhere (unknown): adding a cause means adding
    /// its row here, which a test checks for every cause the test captures produce.
    /// </summary>
    private static readonly Dictionary<string, Role> Roles = new(StringComparer.Ordinal)
    {
        // The server's end: the service, the host, its configuration, its content, its certificate.
        ["service-not-listening"] = Role.Server,
        ["host-down"] = Role.Server,
        ["misconfiguration"] = Role.Server,
        ["overload-or-dos"] = Role.Server,
        ["servers-restarting-or-limited"] = Role.Server,
        ["server-slow"] = Role.Server,
        ["service-unavailable"] = Role.Server,
        ["application-error"] = Role.Server,
        ["backend-unreachable"] = Role.Server,
        ["missing-resource"] = Role.Server,
        ["rate-limited"] = Role.Server,
        ["resolver-policy"] = Role.Server,
        ["update-policy"] = Role.Server,
        ["not-primary-server"] = Role.Server,
        ["notify-not-accepted"] = Role.Server,
        ["upstream-resolution-failure"] = Role.Server,
        ["nxdomain-redirect"] = Role.Server,
        ["tls-handshake-failure"] = Role.Server,
        ["tls-reset"] = Role.Server,
        ["certificate-not-trusted"] = Role.Server,
        ["no-common-parameters"] = Role.Server,
        ["protocol-version-mismatch"] = Role.Server,
        ["unknown-server-name"] = Role.Server,
        // The network between: a filter, a router, a gateway, the path itself.
        ["firewall-drop"] = Role.Network,
        ["firewall-reject"] = Role.Network,
        ["firewall-reset"] = Role.Network,
        ["firewall-rule"] = Role.Network,
        ["path-filter-reject"] = Role.Network,
        ["filter-host-unreachable"] = Role.Network,
        ["missing-route"] = Role.Network,
        ["routing-loop"] = Role.Network,
        ["gateway-not-forwarding"] = Role.Network,
        ["gateway-filters-client"] = Role.Network,
        ["first-hop-down"] = Role.Network,
        ["intermittent-loss"] = Role.Network,
        ["path-latency"] = Role.Network,
        ["address-conflict"] = Role.Network,
        // The name: its records, its zone's signatures.
        ["name-does-not-exist"] = Role.Name,
        ["dnssec-validation-failure"] = Role.Name,
        ["small-ttl"] = Role.Name,
        ["settings-changed"] = Role.Name,
        // The clients: what they ask, with what, at what pace.
        ["split-horizon-or-wrong-resolver"] = Role.Client,
        ["resolver-addresses"] = Role.Client,
        ["stale-credentials"] = Role.Client,
        ["client-slow"] = Role.Client,
        ["receiver-not-reading"] = Role.Client,
        ["scheduled-job"] = Role.Client,
        ["reputation-lookups"] = Role.Client,
        // Someone acting against the network.
        ["syn-flood"] = Role.Attacker,
        ["reconnaissance"] = Role.Attacker,
        ["password-guessing"] = Role.Attacker,
        ["arp-poisoning"] = Role.Attacker,
        ["dns-spoofing"] = Role.Attacker,
        ["dns-hijack"] = Role.Attacker,
        ["dns-tunnel"] = Role.Attacker,
        ["icmp-tunnel"] = Role.Attacker,
        ["c2-beacon"] = Role.Attacker,
        // No end: the traffic is meant (an authorised scan), or the capture misses what would say.
        ["authorised-scan"] = Role.Unknown,
        ["one-direction-capture"] = Role.Unknown,
        ["peer-gone"] = Role.Unknown,
    };

    /// <summary>Whether a cause id has a row (tests: every cause produced is placed).</summary>
    public static bool Places(string causeId) => Roles.ContainsKey(causeId);

    /// <summary>The report with each incident's end at fault judged again (after its causes were re-ranked).</summary>
    public static AnalysisReport Judge(AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report with { Incidents = Judge(report.Incidents, report.Findings) };
    }

    /// <summary>Each incident with its end at fault, from the capture alone.</summary>
    public static List<Incident> Judge(IReadOnlyList<Incident> incidents, IReadOnlyList<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(findings);
        var byId = findings.ToDictionary(f => f.Id, StringComparer.Ordinal);
        return incidents.Select(i => i with
        {
            AtFault = Judge(i, i.Findings.Select(id => byId.GetValueOrDefault(id)).OfType<Finding>().ToList()),
        }).ToList();
    }

    private static AtFault Judge(Incident incident, List<Finding> findings)
    {
        if (incident.Causes.Count == 0)
        {
            return new AtFault { End = FaultEnds.Unknown, Confidence = Confidence.Low, Reason = "The evidence ranks no cause, so it places the fault at no end." };
        }
        var top = incident.Causes[0];
        var role = Roles.GetValueOrDefault(top.Id, Role.Unknown);
        string end = EndOf(role, incident);
        var confidence = top.Confidence;
        // The evidence for the most likely cause says why the fault is at its end ("203.0.113.2 itself answered ...").
        var reason = Unstop(top.For.Count > 0 ? top.For[0] : top.Title);
        var rival = incident.Causes.Skip(1)
            .FirstOrDefault(c => top.Score - c.Score < CloseScores && EndOf(Roles.GetValueOrDefault(c.Id, Role.Unknown), incident) != end);
        if (rival is not null)
        {
            confidence = Lower(confidence);
            string other = EndOf(Roles.GetValueOrDefault(rival.Id, Role.Unknown), incident);
            reason = Phrase.Of($"{reason}. Nearly as likely ({Score(rival.Score)} against {Score(top.Score)}): {Lower(Unstop(rival.Title))}, which would put the fault at {Describe(other, null)}");
        }
        reason = Phrase.Of($"{reason}.");
        if (role == Role.Unknown)
        {
            return new AtFault { End = FaultEnds.Unknown, Confidence = Confidence.Low, Reason = reason };
        }
        return new AtFault { End = end, Address = AddressOf(role, incident, findings), Confidence = confidence, Reason = reason };
    }

    private static string EndOf(Role role, Incident incident) => role switch
    {
        Role.Server when incident.Protocol == "DNS" || incident.Port == 53 => FaultEnds.DnsServer,
        Role.Server when incident.Protocol is "HTTP" or "HTTPS" || incident.Port is 80 or 443 or 8080 or 8443 => FaultEnds.WebServer,
        Role.Server => FaultEnds.Server,
        Role.Network => FaultEnds.Network,
        Role.Name => FaultEnds.Name,
        Role.Client => FaultEnds.Client,
        Role.Attacker => FaultEnds.Attacker,
        _ => FaultEnds.Unknown,
    };

    /// <summary>The address of the end when the capture names exactly one.</summary>
    private static string? AddressOf(Role role, Incident incident, List<Finding> findings)
    {
        switch (role)
        {
            case Role.Server:
                return incident.Servers.Count == 1 ? incident.Servers[0] : null;
            case Role.Network:
                if (findings.Select(f => f.Path?.Address).OfType<string>().Distinct(StringComparer.Ordinal).ToList() is [var gateway]) return gateway;
                var routers = findings.SelectMany(f => f.IcmpSenders).Where(s => s.Role == "router").ToList();
                return routers.Count > 0 ? routers.GroupBy(s => s.Address).OrderByDescending(g => g.Sum(s => s.Count)).First().Key : null;
            case Role.Client:
            case Role.Attacker:
                return incident.Clients.Count == 1 ? incident.Clients[0] : null;
            default:
                return null;
        }
    }

    /// <summary>"the DNS server 203.0.113.2", "the network (a router or a filter on the path)", "the name".</summary>
    public static string Describe(string end, string? address) => end switch
    {
        FaultEnds.DnsServer => address is null ? "the DNS server" : $"the DNS server {address}",
        FaultEnds.WebServer => address is null ? "the web server" : $"the web server {address}",
        FaultEnds.Server => address is null ? "the server" : $"the server {address}",
        FaultEnds.Network => address is null ? "the network (a router or a filter on the path)" : $"the network, at {address}",
        FaultEnds.Name => "the name (its DNS records)",
        FaultEnds.Client => address is null ? "the clients" : $"the client {address}",
        FaultEnds.ThisHost => "this host",
        FaultEnds.Attacker => address is null ? "an attacker (the sources in the evidence)" : $"an attacker at {address}",
        FaultEnds.None => "no end: nothing failed",
        _ => "no end the evidence can name",
    };

    /// <summary>
    /// The report with what the case says weighed into each incident's end. Customers failing and the team
    /// reproducing the failure from its own network together say the fault is not at one client's end (the seed
    /// analysts' reasoning); a team that could not reproduce it points to the customers' side of the path.
    /// </summary>
    public static AnalysisReport WithCase(AnalysisReport report, CaseHints hints)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(hints);
        if (!hints.OthersAffected && hints.Reproduced is null) return report;
        return report with
        {
            Incidents = report.Incidents.Select(i => i.AtFault is { FromCase.Count: 0 } fault ? i with
            {
                AtFault = Weigh(fault, hints),
                Caveats = hints.OthersAffected && hints.Reproduced == true
                    ? i.Caveats.Select(c => c.Kind == "single-vantage-point" ? c with { Text = VantageAnswered(i) } : c).ToList()
                    : i.Caveats,
            } : i).ToList(),
        };
    }

    private static AtFault Weigh(AtFault fault, CaseHints hints)
    {
        if (fault.FromCase.Count > 0) return fault; // weighed already

        var notes = new List<Phrase>();
        var confidence = fault.Confidence;
        bool clientEnd = fault.End is FaultEnds.Client or FaultEnds.ThisHost;
        if (hints.OthersAffected && hints.Reproduced == true)
        {
            notes.Add(Phrase.Of($"{Capital(hints.Others)} report the failure and the team reproduced it from its own network: clients on different networks fail alike, so the fault is not at any one client's end."));
            if (clientEnd)
            {
                notes.Add("That disagrees with the capture's client-side cause: check whether the clients share the setting it names (one resolver, one configuration).");
                confidence = Lower(confidence);
            }
            else if (fault.End != FaultEnds.Unknown && fault.End != FaultEnds.Attacker)
            {
                notes.Add(Phrase.Of($"That agrees with the capture, which places it at {Describe(fault.End, fault.Address)}."));
            }
        }
        else if (hints.Reproduced == false)
        {
            notes.Add(Phrase.Of($"The team could not reproduce the failure from its own network{(hints.OthersAffected ? $" while {hints.Others} report it" : "")}: what fails for them may lie on their side of the path (their resolver, their network), or the failure comes and goes."));
        }
        else if (hints.OthersAffected)
        {
            notes.Add(Phrase.Of($"{Capital(hints.Others)} report the failure; whether the team reproduced it is not recorded (a reproduction from another network tells the customers' end from the service's)."));
        }
        else if (hints.Reproduced == true)
        {
            notes.Add("The team reproduced the failure from its own network.");
        }
        return fault with { Confidence = confidence, FromCase = [.. fault.FromCase, .. notes] };
    }

    private static Phrase VantageAnswered(Incident incident) => Phrase.Of(
        $"One vantage point ({string.Join(", ", incident.Clients.Take(3))}{(incident.Clients.Count > 3 ? ", ..." : "")}): the capture shows what this host saw; the case says other clients fail the same way, which this capture cannot show directly.");

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static Confidence Lower(Confidence c) => c switch
    {
        Confidence.High => Confidence.Medium,
        _ => Confidence.Low,
    };

    private static Phrase Lower(Phrase p) =>
        p.Text.Length > 1 && char.IsUpper(p.Text[0]) && !char.IsUpper(p.Text[1]) && p.Pieces[0].Kind == PieceKind.Text
            ? Phrase.Of([new Piece(PieceKind.Text, char.ToLowerInvariant(p.Text[0]) + p.Pieces[0].Text[1..]), .. p.Pieces.Skip(1)])
            : p;

    /// <summary>The phrase without its closing full stop, to be continued.</summary>
    private static Phrase Unstop(Phrase p) =>
        p.Pieces.Count > 0 && p.Pieces[^1] is { Kind: PieceKind.Text } last && last.Text.EndsWith('.')
            ? Phrase.Of([.. p.Pieces.Take(p.Pieces.Count - 1), new Piece(PieceKind.Text, last.Text[..^1])])
            : p;

    private static string Score(double s) => s.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// What a case context says about who fails: whether parties other than this capture's host (customers, users)
/// report the failure, and whether the team reproduced it from its own network. Read from the case's free text by
/// the report layer; none of it comes from the capture.
/// </summary>
public sealed record CaseHints
{
    public static CaseHints None { get; } = new();
    /// <summary>Others (customers, users) report the failure.</summary>
    public bool OthersAffected { get; init; }
    /// <summary>Who, in the case's words ("customers", "users").</summary>
    public string Others { get; init; } = "other clients";
    /// <summary>True when the team reproduced the failure, false when it tried and could not, null when not said.</summary>
    public bool? Reproduced { get; init; }
}
