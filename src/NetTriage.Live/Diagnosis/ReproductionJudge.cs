using System.Net;
using NetTriage.Analysis;
using NetTriage.Live.Probes;

namespace NetTriage.Live.Diagnosis;

/// <summary>The verdict part of a <see cref="Reproduction"/>, and the steps annotated with the capture's findings.</summary>
internal sealed record Judgement
{
    public required IReadOnlyList<ProbeStep> Steps { get; init; }
    public required string Outcome { get; init; }
    public string? FailedStep { get; init; }
    public int? FailedStepNumber { get; init; }
    public string? FailureKind { get; init; }
    public string? Incident { get; init; }
    public required string AtFault { get; init; }
    public string? FaultAddress { get; init; }
    public required Confidence Confidence { get; init; }
    public required string Conclusion { get; init; }
    public required IReadOnlyList<string> Evidence { get; init; }
    public required IReadOnlyList<Caveat> Caveats { get; init; }
}

/// <summary>
/// Joins what the probes saw with the analysis of the capture taken meanwhile: finds the step a browser would
/// have failed at, the capture's finding about that step's traffic (who sent the ICMP error, whether the
/// queries left this host, the evidence frames), and from both decides which end is at fault. The rules follow
/// the protocol facts of the design: an ICMP error names its sender (the server itself, or a router on the
/// path); a RST means the host is up and nothing listens; silence after retransmissions is a drop or a host
/// that is down; a DNS answer means the server works and the fault is in what it answered.
/// </summary>
internal static class ReproductionJudge
{
    public const string Reproduced = "reproduced";
    public const string NotReproduced = "not-reproduced";
    public const string Incomplete = "incomplete";

    /// <summary>Failure kinds of steps that no capture finding covers.</summary>
    public const string TlsFailure = "tls-failure";
    public const string CertificateError = "certificate-error";
    public const string HttpError = "http-error";
    public const string DnsNoAddress = "dns-no-address";

    /// <summary>Frames cited per step.</summary>
    private const int MaxFramesPerStep = 12;

    public static Judgement Judge(LiveTarget target, ProbeRun run, AnalysisReport analysis, bool captured)
    {
        var steps = run.Steps.Select(s => Annotate(s, analysis)).ToList();
        var evidence = new List<string>();
        var caveats = new List<Caveat>();
        if (!captured)
        {
            caveats.Add(new Caveat("no-capture",
                "No packets were captured, so the conclusion rests on what the sockets reported alone: an ICMP error's sender " +
                "(the server itself or a router on the path) and its exact type are unknown, and it cannot be shown that the probes' " +
                "packets left this host. Run as root, or grant CAP_NET_RAW and CAP_NET_ADMIN, for the evidence."));
        }
        else if (analysis.Capture.Packets == 0 && steps.Count > 0)
        {
            caveats.Add(new Caveat("capture-empty",
                "The capture holds none of the probes' packets: the traffic took another interface than the one captured (choose it with --interface)."));
        }
        if (run.BudgetExhausted)
        {
            caveats.Add(new Caveat("budget", "The time budget ran out before every step was run (raise it with --budget)."));
        }

        // Resolvers that failed while another answered: a browser waits for them before it tries the next.
        bool resolved = run.BrowserAddresses.Count > 0 || target.Address is not null;
        if (resolved)
        {
            foreach (var s in steps.Where(s => s.Step == ProbeSteps.Resolve && s.BrowserPath && s.Result != ProbeResults.Ok))
            {
                evidence.Add($"Step {s.Number}: the resolver {Host(s.Peer)} failed ({s.Result}: {s.Detail}) while another answered; a stub resolver waits for it before trying the next.");
            }
        }

        var failed = FailedStep(steps, target, run);
        if (failed is null)
        {
            bool complete = steps.Any(s => s.Step == ProbeSteps.Http && s.Result == ProbeResults.Ok);
            if (!complete)
            {
                return Verdict(steps, Incomplete, null, null, null, FaultEnds.Unknown, null, Confidence.Low,
                    $"The reproduction of {target.Url} did not finish: {(steps.Count == 0 ? "no step could run" : "the steps ran out of time before the HTTP request")}.",
                    evidence, caveats);
            }
            var http = steps.Last(s => s.Step == ProbeSteps.Http);
            evidence.Insert(0, $"Step {http.Number}: {http.Detail}.");
            string how = target.IsHttps ? "resolved, connected, completed the TLS handshake and got" : "resolved, connected and got";
            return Verdict(steps, NotReproduced, null, null, null, FaultEnds.None, null, captured ? Confidence.High : Confidence.Medium,
                $"The failure is not reproduced from this host: it {how} '{http.StatusLine}' from {target.Url}. " +
                "If users still cannot reach it, the fault is at their end (their resolver, network or host), not the server's.",
                evidence, caveats);
        }

        var finding = failed.Finding is null ? null : analysis.Findings.FirstOrDefault(f => f.Id == failed.Finding);
        var incident = finding is null ? null : analysis.Incidents.FirstOrDefault(i => i.Findings.Contains(finding.Id));
        var verdict = Blame(failed, finding, captured, target);
        evidence.Insert(0, $"Step {failed.Number} ({failed.Step} {failed.Peer}{(failed.Question is null ? "" : ", " + failed.Question)}): {failed.Detail}.");
        if (finding is not null)
        {
            evidence.Insert(1, $"The capture shows it: {finding.Title} ({finding.Id}{(incident is null ? "" : ", " + incident.Id)}; frames {Frames(failed.Frames)}).");
        }
        else if (captured && failed.Result is not (ProbeResults.NoRoute or ProbeResults.TlsFailed or ProbeResults.CertificateError or ProbeResults.HttpError))
        {
            evidence.Insert(1, "The capture holds no finding about this step's traffic.");
        }
        evidence.AddRange(verdict.MoreEvidence);
        evidence.AddRange(AfterTheFailure(steps, failed));
        if (failed.Result is ProbeResults.Timeout && captured)
        {
            evidence.AddRange(LeftThisHost(failed, analysis));
        }

        string kind = incident?.Kind.Name() ?? finding?.Kind.Name() ?? verdict.Kind ?? "";
        return Verdict(steps, Reproduced, failed.Step, failed.Number, kind.Length == 0 ? null : kind, verdict.End, verdict.Address,
            captured || verdict.Confidence == Confidence.Low ? verdict.Confidence : Lower(verdict.Confidence),
            $"The failure is reproduced from this host: {verdict.Conclusion}",
            evidence, caveats) with { Incident = incident?.Id };
    }

    /// <summary>The verdict on one failed step: the end at fault, why, and the kind when no finding gives it.</summary>
    private sealed record Blamed(string End, string? Address, Confidence Confidence, string Conclusion, string? Kind, IReadOnlyList<string> MoreEvidence);

    private static Blamed Blame(ProbeStep s, Finding? finding, bool captured, LiveTarget target)
    {
        string peer = Host(s.Peer);
        var sender = finding?.IcmpSenders.FirstOrDefault();
        bool dns = s.Step is ProbeSteps.Resolve or ProbeSteps.ResolveTcp;
        string server = dns ? $"the DNS server {peer}" : $"the web server {peer}";
        string serverEnd = dns ? FaultEnds.DnsServer : FaultEnds.WebServer;
        string what = dns ? $"name resolution of {target.Host} failed" : s.Step switch
        {
            ProbeSteps.Connect => $"the connection to {peer} port {Port(s.Peer)} failed",
            ProbeSteps.Tls => $"the TLS handshake with {peer} failed",
            _ => $"the HTTP request to {peer} failed",
        };

        if (s.Result == ProbeResults.NoRoute)
        {
            return new(FaultEnds.ThisHost, null, Confidence.High, $"{what} before anything was sent: this host has no route to {peer} (or a local rule forbids it). The fault is at this host's end.", null, []);
        }

        // An ICMP error in the capture names its sender: the server itself, or a router or firewall on the path.
        if (sender is not null)
        {
            string message = $"ICMP '{sender.Description}' (type {sender.Type} code {sender.Code})";
            if (sender.Role == "router")
            {
                return new(FaultEnds.Network, sender.Address, Confidence.High,
                    $"{what}: the router {sender.Address} on the path answered with {message}, so the traffic never reached {server}. " +
                    $"The fault is in the network at {sender.Address} (a filter or a missing route), not at this host or at {server}.", null, []);
            }
            return new(serverEnd, peer, Confidence.High,
                $"{what}: {server} itself answered with {message}. The fault is at the {(dns ? "DNS" : "web")} server's end " +
                $"({(sender.Type is 3 && sender.Code is 3 || sender.Type is 1 && sender.Code is 4 ? "nothing listens on the port" : "its firewall rejects the traffic")}), not at this host.", null, []);
        }

        switch (s.Result)
        {
            case ProbeResults.Refused when dns && s.Transport == "UDP":
                return new(FaultEnds.DnsServer, peer, Confidence.High,
                    $"{what}: every query to {peer} over UDP came back as ICMP port unreachable (the socket said 'connection refused'): the host is up and nothing listens on port 53. " +
                    $"The fault is at the DNS server's end.", FindingKind.DnsServerUnreachable.Name(),
                    captured ? [] : ["ICMP port unreachable is sent by the host that should have answered; routers do not send it unless a firewall on the path rejects that way."]);
            case ProbeResults.Refused:
                return new(serverEnd, peer, Confidence.High,
                    $"{what}: {peer} answered the SYN with a RST: the host is up and nothing listens on port {Port(s.Peer)} (the service is down). The fault is at the {(dns ? "DNS" : "web")} server's end.",
                    dns ? FindingKind.DnsServerUnreachable.Name() : FindingKind.TcpConnectionRefused.Name(), []);
            case ProbeResults.HostUnreachable:
                return new(FaultEnds.Unknown, null, Confidence.Low,
                    $"{what}: an ICMP host unreachable or administratively prohibited came back. Without the capture its sender is unknown: " +
                    $"{server}'s own firewall, a firewall on the path, or a router that cannot reach the host.", null, []);
            case ProbeResults.NetworkUnreachable:
                return new(FaultEnds.Network, null, Confidence.Medium,
                    $"{what}: a router answered ICMP network unreachable (this host has a route, so a router on the path has none). The fault is in the network.",
                    FindingKind.NetworkUnreachable.Name(), []);
            case ProbeResults.Timeout when dns:
                return new(FaultEnds.DnsServer, peer, captured ? Confidence.Medium : Confidence.Low,
                    $"{what}: {server} never answered over {s.Transport} ({s.Detail}). The queries are dropped silently at the server's end " +
                    "(a firewall DROP rule, the host down, or overload); a drop on the path cannot be told apart from here.",
                    FindingKind.DnsNoResponse.Name(), []);
            case ProbeResults.Timeout when s.Step == ProbeSteps.Connect:
                return new(FaultEnds.WebServer, peer, captured ? Confidence.Medium : Confidence.Low,
                    $"{what}: no answer to the SYN and its retransmission. The connection attempts are dropped silently at the server's end " +
                    "(a firewall DROP rule, or the host down); a drop on the path cannot be told apart from here.",
                    FindingKind.TcpNoResponse.Name(), []);
            case ProbeResults.NxDomain:
                return new(FaultEnds.Name, null, Confidence.High,
                    $"{what}: {server} answered NXDOMAIN, so the name {target.Host} does not exist in DNS. The servers work; the fault is the name " +
                    "(a typing error, or a record missing from its zone).", FindingKind.DnsNxdomain.Name(), []);
            case ProbeResults.NoAddress:
                return new(FaultEnds.Name, null, Confidence.High,
                    $"{what}: {server} answered that {target.Host} exists but has no address. The fault is in the name's DNS records.", DnsNoAddress, []);
            case ProbeResults.ServFail:
                return new(FaultEnds.DnsServer, peer, Confidence.High,
                    $"{what}: {server} answered SERVFAIL: it could not resolve the name (its upstream or the name's authoritative servers fail, or DNSSEC validation failed). " +
                    "The fault is at the DNS side, not at this host.", FindingKind.DnsServfail.Name(), []);
            case ProbeResults.DnsRefused:
                return new(FaultEnds.DnsServer, peer, Confidence.High,
                    $"{what}: {server} answered REFUSED: it will not resolve this name for this host (its access policy, or it does not recurse). The fault is at the DNS server's end.",
                    FindingKind.DnsRefused.Name(), []);
            case ProbeResults.TlsFailed:
                return new(FaultEnds.WebServer, peer, Confidence.High,
                    $"{what}: the server accepted the TCP connection but the TLS handshake failed ({s.Detail}). The fault is in the web server's TLS set-up.", TlsFailure, []);
            case ProbeResults.CertificateError:
                bool trustOnly = s.CertificateProblems is ["untrusted"];
                string problems = s.Detail[(s.Detail.IndexOf("refuse the certificate: ", StringComparison.Ordinal) is int i and >= 0 ? i + 24 : 0)..];
                return new(FaultEnds.WebServer, peer, trustOnly ? Confidence.Medium : Confidence.High,
                    $"{what}: the handshake completed, but a browser would refuse the certificate: {problems}. The fault is in the web server's certificate" +
                    (trustOnly ? " (unless this host lacks the issuing authority that users have)." : "."), CertificateError, []);
            case ProbeResults.HttpError:
                return new(FaultEnds.WebServer, peer, s.HttpStatus >= 500 ? Confidence.High : Confidence.Medium,
                    $"{what}: the server answered '{s.StatusLine}'. The network and the connection work; the fault is in the web server" +
                    (s.HttpStatus >= 500 ? " or the application behind it." : " or the URL asked for."), HttpError, []);
            default:
                return new(serverEnd, peer, Confidence.Low, $"{what}: {s.Detail}.", null, []);
        }
    }

    /// <summary>The step a browser fails at: all resolvers failing, every address failing, then TLS, then HTTP.</summary>
    private static ProbeStep? FailedStep(List<ProbeStep> steps, LiveTarget target, ProbeRun run)
    {
        if (target.Address is null && run.BrowserAddresses.Count == 0)
        {
            var resolve = steps.Where(s => s.BrowserPath && s.Step is ProbeSteps.Resolve or ProbeSteps.ResolveTcp && s.Result != ProbeResults.Ok).ToList();
            // A truncated UDP answer is decided by the TCP query that follows it.
            return resolve.FirstOrDefault(s => s.Result != ProbeResults.Truncated) ?? resolve.FirstOrDefault();
        }
        var connects = steps.Where(s => s.Step == ProbeSteps.Connect).ToList();
        if (connects.Count > 0 && connects.All(s => s.Result != ProbeResults.Ok)) return connects[0];
        return steps.FirstOrDefault(s => s.BrowserPath && s.Step is ProbeSteps.Tls or ProbeSteps.Http && s.Result != ProbeResults.Ok)
            ?? steps.FirstOrDefault(s => s.Step is ProbeSteps.Tls && s.Result != ProbeResults.Ok);
    }

    /// <summary>What the steps run past the failure show (a browser would have stopped).</summary>
    private static IEnumerable<string> AfterTheFailure(List<ProbeStep> steps, ProbeStep failed)
    {
        foreach (var s in steps.Where(s => s.Number > failed.Number || !s.BrowserPath && s.Number != failed.Number))
        {
            if (s.Number < failed.Number && s.BrowserPath) continue;
            string claim = (s.Step, s.Result) switch
            {
                (ProbeSteps.ResolveTcp, ProbeResults.Ok) => $"the same query over TCP to {Host(s.Peer)} was answered ({s.Detail}): the DNS server is up, and only DNS over UDP fails",
                (ProbeSteps.ResolveTcp, _) => $"the same query over TCP to {Host(s.Peer)} failed too ({s.Result}: {s.Detail})",
                (ProbeSteps.Connect, ProbeResults.Ok) => $"a connection to {s.Peer} with the address DNS over TCP gave worked",
                (ProbeSteps.Http, ProbeResults.Ok) => $"the web server answered '{s.StatusLine}' when reached: it is not at fault",
                (ProbeSteps.Tls, ProbeResults.Ok) => "the TLS handshake with it completed",
                (ProbeSteps.Http, _) when failed.Step == ProbeSteps.Tls => $"over that connection the server answered {(s.StatusLine is null ? s.Result : "'" + s.StatusLine + "'")}",
                _ => $"{s.Step} {s.Peer}: {s.Result} ({s.Detail})",
            };
            yield return $"Step {s.Number}{(s.BrowserPath ? "" : ", beyond the failure")}: {claim}.";
        }
    }

    /// <summary>For a timeout: whether the capture shows the probe's packets leaving this host (so nothing here stopped them).</summary>
    private static IEnumerable<string> LeftThisHost(ProbeStep s, AnalysisReport analysis)
    {
        string host = Host(s.Peer);
        if (s.Step is ProbeSteps.Resolve or ProbeSteps.ResolveTcp)
        {
            var server = analysis.Dns.Servers.FirstOrDefault(d => SameAddress(d.Server, host));
            if (server is { Queries: > 0 })
            {
                yield return $"The capture shows {server.Queries} {(server.Queries == 1 ? "query" : "queries")} leaving this host for {host} and {server.Answered} answered: nothing on this host stopped them.";
            }
        }
        else
        {
            var service = analysis.Tcp.Services.FirstOrDefault(x => SameAddress(x.Server, host) && x.Port == Port(s.Peer));
            if (service is { Attempts: > 0 })
            {
                yield return $"The capture shows {service.Attempts} connection {(service.Attempts == 1 ? "attempt" : "attempts")} leaving this host for {s.Peer} and none answered.";
            }
        }
    }

    /// <summary>The capture's finding about a failed step's traffic: same server, same port, same transport.</summary>
    private static ProbeStep Annotate(StepRun run, AnalysisReport analysis)
    {
        var s = run.Step;
        if (s.Result == ProbeResults.Ok || s.Step is ProbeSteps.Tls or ProbeSteps.Http) return s;
        var candidates = analysis.Findings.Where(f => IPAddress.TryParse(f.Server, out var a) && a.Equals(run.Peer) && (f.Port is null || f.Port == run.Port)).ToList();
        var finding = candidates.FirstOrDefault(f => string.Equals(f.Transport, s.Transport, StringComparison.OrdinalIgnoreCase))
            ?? candidates.FirstOrDefault(f => f.IcmpSenders.Count > 0 && s.Transport == "UDP" && f.Transport != "TCP");
        if (finding is null) return s;
        return s with
        {
            Finding = finding.Id,
            Frames = finding.Evidence.Select(e => e.Frame).Take(MaxFramesPerStep).ToList(),
        };
    }

    private static Judgement Verdict(List<ProbeStep> steps, string outcome, string? step, int? number, string? kind, string end, string? address,
        Confidence confidence, string conclusion, List<string> evidence, List<Caveat> caveats) => new()
    {
        Steps = steps,
        Outcome = outcome,
        FailedStep = step,
        FailedStepNumber = number,
        FailureKind = kind,
        AtFault = end,
        FaultAddress = address,
        Confidence = confidence,
        Conclusion = conclusion,
        Evidence = evidence,
        Caveats = caveats,
    };

    private static Confidence Lower(Confidence confidence) => confidence == Confidence.High ? Confidence.Medium : Confidence.Low;

    private static string Frames(IReadOnlyList<long> frames) => frames.Count == 0 ? "none listed" : string.Join(", ", frames);

    /// <summary>The address part of "10.99.2.2:53" or "[2001:db8::1]:443".</summary>
    internal static string Host(string peer) => IPEndPoint.TryParse(peer, out var ep) ? ep.Address.ToString() : peer;

    internal static int Port(string peer) => IPEndPoint.TryParse(peer, out var ep) ? ep.Port : 0;

    private static bool SameAddress(string text, string other) =>
        IPAddress.TryParse(text, out var a) && IPAddress.TryParse(other, out var b) && a.Equals(b);
}
