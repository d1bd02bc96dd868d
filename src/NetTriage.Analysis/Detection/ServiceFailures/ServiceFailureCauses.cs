using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Icmp;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.ServiceFailures;

/// <summary>
/// The protocol facts of DESIGN.md as ranking rules for a service that fails: each likely cause gets a score from
/// the evidence for and against it (who sent the ICMP and which code; silence versus rejection; volume and source
/// diversity; one client or many), and the next steps that would confirm or clear it.
/// </summary>
internal static class ServiceFailureCauses
{
    /// <summary>Sources toward one service in a capture above which a flood becomes a hypothesis worth its name.</summary>
    private const int FloodSources = 50;

    /// <summary>Whether traffic toward the server looks like a flood: many sources, or many attempts.</summary>
    private static Cause Flood(IncidentContext c, string what)
    {
        long sources = c.SourcesTowardServer;
        long attempts = c.Attempts;
        bool surge = sources >= FloodSources;
        var forEvidence = new List<Phrase>();
        var against = new List<Phrase>();
        // The flood rules of Detection/Floods looked at every packet toward the server: what they found, or did not.
        var floods = c.FloodsTowardServer.ToList();
        foreach (var flood in floods)
        {
            forEvidence.Add($"The capture holds a flood toward {c.ServerText} ({flood.Kind.Name()}, {flood.Finding.Id}): {flood.Facts!.Packets} packets, at most {flood.Facts.PeakPerSecond} in one second.");
        }
        if (floods.Count == 0)
        {
            against.Add($"No SYN, UDP or ICMP flood toward {c.ServerText} is in the capture (the flood rules need 100 SYNs, 1,000 datagrams or 100 echo requests in one second, 10 times the earlier rate).");
        }
        if (surge)
        {
            string many = sources >= TrafficView.TcpClientsKept ? "At least " + sources : sources.ToString(System.Globalization.CultureInfo.InvariantCulture);
            forEvidence.Add($"{many} distinct sources sent traffic to {c.ServerText} in the capture.");
        }
        else
        {
            against.Add($"Only {Describe.Count(attempts, "attempt")} from {Describe.Count(sources, "source")} toward {c.ServerText} in the capture: no surge of traffic from many sources.");
        }
        against.Add("A single vantage point sees only its own traffic: a flood from elsewhere would need the server's own counters to show.");
        return Make("overload-or-dos",
            $"{what} crashed or is overwhelmed by load; a denial-of-service attack is one way to get there",
            floods.Count > 0 ? 0.75 : surge ? 0.5 : 0.15, forEvidence, against,
            [
                $"Check the load, memory and connection/query rates on {c.ServerText} around {Describe.Clock(c.First)}, and compare them with the same hour on earlier days.",
                "Look at the server's or upstream firewall's traffic graphs for a surge from many sources.",
            ]);
    }

    public static List<Cause> PortUnreachable(IncidentContext c)
    {
        var target = c.TargetSenders;
        var routers = c.RouterSenders;
        string service = c.IsDns ? "DNS service" : $"service on {c.PortText}";
        string port = c.IsDns ? "port 53" : $"port {c.Port}";
        var list = new List<Cause>();
        if (target.Count > 0)
        {
            string icmp = IcmpMessages.Describe(target[0].IsV6, target[0].Type, target[0].Code);
            list.Add(Make("service-not-listening",
                $"The {service} on {c.ServerText} is not running or not listening on {port}",
                0.8,
                [
                    $"{c.ServerText} itself answered {Times(c.FromTargetCount)} with ICMP {icmp} (type {target[0].Type}, code {target[0].Code}): its IP stack is up and reachable, but nothing accepted {port}.",
                    $"{c.FailedOfKind} of {c.Attempts} attempts failed the same way{Over(c)}: the failure is persistent, not a one-off loss.",
                ],
                ["A host firewall rule that rejects with port unreachable sends the same message (next cause); the capture cannot tell the two apart."],
                c.IsDns
                    ? [
                        Phrase.Of($"On {c.ServerText}, see what listens on port 53 and which service stopped (named, unbound, dnsmasq, ...): `ss -ulnp 'sport = :53'` and `systemctl --failed`."),
                        Phrase.Of($"Before restarting it, read why it stopped: `{Journal(c)}` on {c.ServerText} (the failures start at {Describe.Clock(c.First)})."),
                        Phrase.Of($"Restart it, then query it as the clients did: `dig @{c.ServerText} {DigQuestion(c)}`."),
                    ]
                    : [
                        Phrase.Of($"On {c.ServerText}, check the service that should listen on {port}: `ss -lnp 'sport = :{c.Port}'` and `systemctl --failed`, and read why it stopped: `{Journal(c)}`."),
                    ]));
            list.Add(Make("firewall-reject",
                $"A firewall on {c.ServerText} rejects {port} (a REJECT rule sends port unreachable by default)",
                0.45,
                [$"iptables' REJECT target answers with ICMP port unreachable unless told otherwise, so a rule on {c.ServerText} would produce exactly this."],
                ["A filter usually announces itself with 'administratively prohibited' (code 13); port unreachable points first to a closed port."],
                [
                    Phrase.Of($"On {c.ServerText}, list the firewall rules (`iptables -S`, `nft list ruleset`) and look for a REJECT on {(c.Tcp ? "tcp" : "udp")} dport {c.Port}."),
                    "Check what changed recently in the firewall or security configuration.",
                ]));
            list.Add(Make("misconfiguration",
                $"The {service} runs but is bound to another address, interface or port",
                0.35,
                [$"{c.ServerText} is up but {port} is closed on this address."],
                ["No evidence in the capture points to a configuration change; this needs the server's configuration to confirm."],
                [
                    c.IsDns
                        ? "Check the listen-on / listen-address / interface settings of the DNS server and any change made before the failure started."
                        : "Check the service's listen address and port in its configuration and any change made before the failure started.",
                ]));
            list.Add(Flood(c, $"The {service}"));
        }
        if (routers.Count > 0)
        {
            list.Add(Make("path-filter-reject",
                $"A device on the path ({string.Join(", ", routers.Select(r => r.Sender).Distinct())}) rejects {port} toward {c.ServerText}",
                0.75,
                [$"The ICMP errors came from {string.Join(", ", routers.Select(r => r.Sender).Distinct())}, not from {c.ServerText}: a router or firewall in between answered for it."],
                [],
                [$"On {routers[0].Sender}, look for a rule rejecting {(c.Tcp ? "tcp" : "udp")} dport {c.Port} toward {c.ServerText}."]));
        }
        return list;
    }

    public static List<Cause> Refused(IncidentContext c)
    {
        var refused = c.ConnectionsFailed;
        return
        [
            Make("service-not-listening",
                $"Nothing listens on TCP port {c.Port} on {c.ServerText}: the service is down",
                0.8,
                [
                    $"{c.ServerText} answered {Times(refused)} a connection attempt with a reset (RST): its TCP stack is up, the port is closed (RFC 9293 3.10.7.3).",
                    $"{c.FailedOfKind} of {c.Attempts} attempts were refused{Over(c)}.",
                ],
                ["A firewall rule with '--reject-with tcp-reset' produces the same reset."],
                [
                    Phrase.Of($"On {c.ServerText}, see what listens on port {c.Port} and which service stopped: `ss -ltnp 'sport = :{c.Port}'` and `systemctl --failed`."),
                    Phrase.Of($"Before restarting it, read why it stopped: `{Journal(c)}` on {c.ServerText} (the failures start at {Describe.Clock(c.First)})."),
                    Phrase.Of($"Restart it, then retry as the clients did: `{Retry(c)}`."),
                ]),
            Make("firewall-reset",
                $"A firewall on {c.ServerText} answers port {c.Port} with resets",
                0.3,
                ["iptables' REJECT --reject-with tcp-reset sends the same RST as a closed port."],
                ["A closed port is the more common reason for a reset in reply to a SYN."],
                [$"List the firewall rules on {c.ServerText} and look for a REJECT on tcp dport {c.Port}."]),
        ];
    }

    public static List<Cause> Blocked(IncidentContext c)
    {
        var senders = c.SenderAddresses;
        bool fromTarget = c.FromTargetCount > 0;
        string device = fromTarget ? $"{c.ServerText} itself (a host firewall)" : string.Join(", ", senders) + " (a router or firewall on the path)";
        var first = c.Senders[0].Key;
        return
        [
            Make("firewall-rule",
                $"A firewall rule rejects {(c.IsDns ? "DNS" : c.Protocol)} ({c.PortText}) toward {c.ServerText}",
                0.9,
                [
                    $"ICMP {IcmpMessages.Describe(first.IsV6, first.Type, first.Code)} (type {first.Type}, code {first.Code}) answered {Times(c.IcmpCount)}: a filter rejected the traffic (RFC 1812 5.2.7.1).",
                    $"The errors were sent by {device}: that is the filtering device.",
                ],
                [],
                [
                    Phrase.Of($"On {senders[0]}, find the rule that rejects {(c.Tcp ? "tcp" : "udp")} dport {c.Port} (`iptables -S`, `nft list ruleset`, or the router's ACL) and when it was added."),
                    $"Allow {(c.IsDns ? "DNS" : c.Protocol)} from the clients ({c.ClientsText}) if the block is not intended.",
                ]),
            Make("service-not-listening",
                $"The service on {c.ServerText} is down",
                0.05,
                [],
                ["A stopped service is answered with 'port unreachable' by the host, not with 'administratively prohibited'."],
                []),
        ];
    }

    public static List<Cause> Silence(IncidentContext c)
    {
        long fromServer = c.PacketsFromServer;
        bool retransmitted = c.Retransmitted;
        string what = c.IsDns ? "queries" : "connection attempts";
        var silence = $"{c.FailedOfKind} {what} to {c.ServerText}{(retransmitted ? ", retransmissions included," : "")} got no answer and no ICMP error{Over(c)}.";
        var list = new List<Cause>
        {
            Make("firewall-drop",
                $"A firewall silently drops {c.PortText} toward {c.ServerText}",
                fromServer > 0 ? 0.7 : 0.55,
                [silence, "Silence without an ICMP error is what a DROP rule produces."],
                fromServer > 0 ? [] : ["A host that is down is silent too (next cause)."],
                [
                    Phrase.Of($"Check firewalls on {c.ServerText} and on the path for a DROP on {(c.Tcp ? "tcp" : "udp")} dport {c.Port} (`iptables -S`, `nft list ruleset`, ACLs)."),
                    Phrase.Of($"From another network, test the port: `{(c.IsDns ? $"dig @{c.ServerText} {DigQuestion(c)}" : $"nc -vz {c.ServerText} {c.Port}")}`."),
                ]),
            Make("host-down",
                $"{c.ServerText} is down or has no route back to the clients",
                fromServer > 0 ? 0.1 : 0.5,
                fromServer > 0 ? [] : [$"{c.ServerText} sent nothing at all during the capture."],
                fromServer > 0 ? [$"{c.ServerText} sent {Describe.Count(fromServer, "packet")} during the capture: it is up."] : ["A host that is down usually makes a router on the same network send 'host unreachable' after ARP fails; no such error was seen."],
                [
                    Phrase.Of($"Ping {c.ServerText} and check its console, power and network interface; `traceroute {c.ServerText}` shows where packets stop."),
                ]),
        };
        list.Add(Flood(c, c.IsDns ? "The DNS service" : $"The service on port {c.Port}"));
        if (OneWaySilence(c))
        {
            // The capture proves it misses a direction: the server's silence may be the capture's blind side.
            list.Add(Make("one-direction-capture",
                $"The capture misses the answers: it holds one direction of the traffic, and nothing from {c.ServerText}",
                0.6,
                [
                    $"{Describe.Count(c.Traffic.AnsweredUnseen, "TCP connection")} in this capture {(c.Traffic.AnsweredUnseen == 1 ? "was" : "were")} answered out of its sight (the clients acknowledged answers it does not hold): it misses a direction.",
                    $"{c.ServerText} sent nothing at all in the capture, answer or error, which the blind direction explains.",
                ],
                ["A server that is down or filtered is silent in a capture of both directions too."],
                [
                    Phrase.Of($"Capture where both directions pass (on the client {c.ClientsText}, or a tap that copies both), then test again: `{(c.IsDns ? $"dig @{c.ServerText} {DigQuestion(c)}" : $"nc -vz {c.ServerText} {c.Port}")}`."),
                ]));
        }
        return list;
    }

    /// <summary>
    /// Silence the capture may not be able to see: the capture misses a direction (some connections were answered out
    /// of its sight) and the server sent nothing in it, not even an ICMP error.
    /// </summary>
    public static bool OneWaySilence(IncidentContext c) => c.Traffic.AnsweredUnseen > 0 && c.PacketsFromServer == 0 && c.IcmpCount == 0;

    public static List<Cause> Servfail(IncidentContext c) =>
    [
        Make("upstream-resolution-failure",
            $"{c.ServerText} cannot resolve the names itself: its upstream or the authoritative servers are unreachable",
            0.7,
            [$"{c.ServerText} answered (it is up and reachable) but with SERVFAIL {Times(c.FailedOfKind)}: it failed to get an answer for {NameList(c)}."],
            [],
            [
                Phrase.Of($"On {c.ServerText}, read the resolver's log and test its upstream: `dig @{c.ServerText} {FirstName(c)} +trace` or query the forwarders directly."),
                "Check the resolver's forwarder settings and its outbound access to port 53.",
            ]),
        Make("dnssec-validation-failure",
            "DNSSEC validation fails for the name",
            0.3,
            ["A validating resolver answers SERVFAIL when signatures do not verify."],
            ["Nothing in the capture shows DNSSEC records; this needs a test."],
            [Phrase.Of($"Query with checking disabled: `dig @{c.ServerText} {FirstName(c)} +cd`; if that answers, the zone's DNSSEC is broken.")]),
    ];

    public static List<Cause> DnsRefused(IncidentContext c) =>
    [
        Make("resolver-policy",
            $"{c.ServerText} refuses to serve these clients or names (access control, recursion disabled)",
            0.8,
            [$"{c.ServerText} answered REFUSED {Times(c.FailedOfKind)}: it is up and reachable but declines the query by policy (RFC 1035 4.1.1)."],
            [],
            [
                $"Check the server's access control (allow-query / allow-recursion / access-control) for {c.ClientsText}.",
                $"Check that {c.ServerText} is the resolver the clients should use (a DHCP or resolv.conf change can point them at an authoritative-only server).",
            ]),
    ];

    public static List<Cause> Nxdomain(IncidentContext c) =>
    [
        Make("name-does-not-exist",
            $"The name {NameList(c)} does not exist in DNS (typo, expired domain, or a missing record)",
            0.7,
            [$"{c.ServerText} answered NXDOMAIN {Times(c.FailedOfKind)}, and no answer for the name succeeded in the capture."],
            [],
            [
                Phrase.Of($"Check the name's spelling and its zone: `dig {FirstName(c)} SOA +trace`; check the domain's registration and the zone's records."),
            ]),
        Make("split-horizon-or-wrong-resolver",
            "The clients ask a resolver that does not know the name (internal name asked of a public resolver, or the reverse)",
            0.3,
            [],
            ["No other resolver was seen answering the name."],
            ["Compare the answer of the intended resolver with the one the clients used."]),
    ];

    private static string FirstName(IncidentContext c) => c.Names.Count > 0 ? c.Names[0] : ".";

    /// <summary>
    /// What to ask a DNS server in a next step: the first name the clients asked, or, when the capture holds none,
    /// the root's NS records, which any running DNS service answers (even REFUSED proves it runs).
    /// </summary>
    private static string DigQuestion(IncidentContext c) => c.Names.Count > 0 ? c.Names[0] : ". NS";

    /// <summary>
    /// The system log from five minutes before the first failure, warnings and worse: why the service stopped.
    /// A capture without a date gives no day to start from, so then the log of the current boot.
    /// </summary>
    private static string Journal(IncidentContext c) =>
        c.First.Kind == TimestampKind.Absolute
            ? $"journalctl -p warning --since '{c.First.ToDateTime().AddMinutes(-5):yyyy-MM-dd HH:mm:ss} UTC'"
            : "journalctl -p warning -b";

    /// <summary>The connection the clients tried, as a command: curl for a web port, else nc.</summary>
    private static string Retry(IncidentContext c) => c.Port switch
    {
        80 or 8080 => $"curl -sv http://{Host(c)}:{c.Port}/ -o /dev/null",
        443 or 8443 => $"curl -sv https://{Host(c)}:{c.Port}/ -o /dev/null",
        _ => $"nc -vz {c.ServerText} {c.Port}",
    };

    private static string Host(IncidentContext c) => c.ServerText.Contains(':', StringComparison.Ordinal) ? $"[{c.ServerText}]" : c.ServerText;

    private static string NameList(IncidentContext c) => c.Names.Count switch
    {
        0 => "the names asked",
        1 => c.Names[0],
        _ => $"{c.Names[0]} and {c.Names.Count - 1} other name(s)",
    };
}
