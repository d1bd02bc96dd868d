using System.Net;
using NetTriage.Analysis;
using NetTriage.Live.Diagnosis;
using NetTriage.Live.Probes;

namespace NetTriage.Live.Tests.Diagnosis;

/// <summary>The join of probe results with the capture's analysis, and the end it blames, rule by rule.</summary>
public sealed class ReproductionJudgeTests
{
    private const string Resolver = "192.0.2.53";
    private const string Web = "198.51.100.80";
    private const string Router = "192.0.2.1";

    private static readonly LiveTarget Http = Parse("http://www.example.test/");
    private static readonly LiveTarget Https = Parse("https://www.example.test/");

    private static LiveTarget Parse(string url)
    {
        Assert.True(LiveTarget.TryParse(url, out var target, out _));
        return target;
    }

    private static readonly AnalysisReport Empty = new Analyzer().Finish() with { Caveats = [] };

    private static StepRun Step(string step, string peer, int port, string transport, string result, string detail = "detail",
        bool browserPath = true, int? status = null, string? statusLine = null) =>
        new(new ProbeStep
        {
            Number = 0,
            Step = step,
            Peer = $"{peer}:{port}",
            Transport = transport,
            Question = step.StartsWith("resolve", StringComparison.Ordinal) ? "www.example.test A" : null,
            Result = result,
            Detail = detail,
            StartSeconds = 0,
            Milliseconds = 1,
            BrowserPath = browserPath,
            HttpStatus = status,
            StatusLine = statusLine,
        }, IPAddress.Parse(peer), port);

    private static ProbeRun Run(string[] addresses, params StepRun[] steps)
    {
        var run = new ProbeRun();
        int n = 0;
        foreach (var s in steps) run.Steps.Add(s with { Step = s.Step with { Number = ++n } });
        run.BrowserAddresses.AddRange(addresses.Select(IPAddress.Parse));
        return run;
    }

    private static Finding Finding(string id, FindingKind kind, string server, int port, string transport, params IcmpSender[] senders) => new()
    {
        Id = id,
        Kind = kind,
        Severity = Severity.High,
        Title = $"{kind.Name()} at {server}",
        Protocol = port == 53 ? "DNS" : "HTTP",
        Transport = transport,
        Port = port,
        Server = server,
        Clients = ["192.0.2.10"],
        First = new TimeValue { Text = "t", Kind = "absolute", Seconds = 0 },
        Last = new TimeValue { Text = "t", Kind = "absolute", Seconds = 1 },
        IcmpSenders = senders,
        Evidence = new long[] { 1, 2, 3 }.Select(f => new EvidencePacket
        {
            Frame = f,
            Role = "query",
            Summary = "s",
            Time = new TimeValue { Text = "t", Kind = "absolute", Seconds = 0 },
        }).ToList(),
    };

    private static AnalysisReport With(Finding finding) => Empty with
    {
        Findings = [finding],
        Incidents =
        [
            new Incident
            {
                Id = "INC-1", Kind = finding.Kind, Severity = finding.Severity, Title = finding.Title.Text, Summary = "s", Layer = Layer.Application,
                Protocol = finding.Protocol, Transport = finding.Transport, Servers = [finding.Server], Clients = finding.Clients,
                First = finding.First, Last = finding.Last, Findings = [finding.Id], RuledOut = [], Causes = [], NextSteps = [],
                Caveats = [], Timeline = [], Evidence = finding.Evidence,
            },
        ],
        Capture = Empty.Capture with { Packets = 6 },
    };

    private static IcmpSender Sender(string address, string role, int code) =>
        new() { Address = address, Role = role, Type = 3, Code = code, Description = code == 3 ? "udp port 53 unreachable" : "communication administratively prohibited", Count = 3 };

    [Fact]
    public void Without_a_capture_a_refused_udp_query_blames_the_dns_server_with_less_confidence()
    {
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Refused));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: false);

        Assert.Equal((ReproductionJudge.Reproduced, ProbeSteps.Resolve, 1), (j.Outcome, j.FailedStep, j.FailedStepNumber));
        Assert.Equal((FaultEnds.DnsServer, Resolver, FindingKind.DnsServerUnreachable.Name()), (j.AtFault, j.FaultAddress, j.FailureKind));
        Assert.Equal(Confidence.Medium, j.Confidence);
        Assert.Contains(j.Caveats, c => c.Kind == "no-capture");
        Assert.Null(j.Incident);
    }

    [Fact]
    public void Without_a_capture_an_icmp_error_of_unknown_sender_blames_no_one()
    {
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.HostUnreachable));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: false);

        Assert.Equal((FaultEnds.Unknown, Confidence.Low), (j.AtFault, j.Confidence));
        Assert.Null(j.FailureKind);
        Assert.Contains("sender is unknown", j.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void No_route_blames_this_host()
    {
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.NoRoute));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Equal((FaultEnds.ThisHost, Confidence.High), (j.AtFault, j.Confidence));
    }

    [Fact]
    public void A_router_that_rejects_is_blamed_and_the_incident_and_frames_are_joined()
    {
        var finding = Finding("F1", FindingKind.DnsBlocked, Resolver, 53, "UDP", Sender(Router, "router", 13));
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.HostUnreachable));

        var j = ReproductionJudge.Judge(Http, run, With(finding), captured: true);

        Assert.Equal((FaultEnds.Network, Router, FindingKind.DnsBlocked.Name(), "INC-1"), (j.AtFault, j.FaultAddress, j.FailureKind, j.Incident));
        Assert.Equal(Confidence.High, j.Confidence);
        Assert.Equal("F1", j.Steps[0].Finding);
        Assert.Equal([1L, 2, 3], j.Steps[0].Frames);
        Assert.Contains(j.Evidence, e => e.StartsWith("The capture shows it:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3, "nothing listens on the port")]
    [InlineData(13, "its firewall rejects the traffic")]
    public void An_icmp_error_from_the_server_itself_blames_the_server(int code, string why)
    {
        var kind = code == 3 ? FindingKind.DnsServerUnreachable : FindingKind.DnsBlocked;
        var finding = Finding("F1", kind, Resolver, 53, "UDP", Sender(Resolver, "target", code));
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", code == 3 ? ProbeResults.Refused : ProbeResults.HostUnreachable));

        var j = ReproductionJudge.Judge(Http, run, With(finding), captured: true);

        Assert.Equal((FaultEnds.DnsServer, Resolver, kind.Name()), (j.AtFault, j.FaultAddress, j.FailureKind));
        Assert.Contains(why, j.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silent_resolver_that_answers_over_tcp_is_blamed_and_the_web_server_cleared()
    {
        var finding = Finding("F1", FindingKind.DnsNoResponse, Resolver, 53, "UDP");
        var run = Run([],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Timeout),
            Step(ProbeSteps.ResolveTcp, Resolver, 53, "TCP", ProbeResults.Ok, browserPath: false),
            Step(ProbeSteps.Connect, Web, 80, "TCP", ProbeResults.Ok, browserPath: false),
            Step(ProbeSteps.Http, Web, 80, "TCP", ProbeResults.Ok, browserPath: false, status: 200, statusLine: "HTTP/1.1 200 OK"));
        run.FallbackAddresses.Add(IPAddress.Parse(Web));

        var j = ReproductionJudge.Judge(Http, run, With(finding), captured: true);

        Assert.Equal((ProbeSteps.Resolve, FaultEnds.DnsServer, FindingKind.DnsNoResponse.Name(), Confidence.Medium), (j.FailedStep, j.AtFault, j.FailureKind, j.Confidence));
        Assert.Contains(j.Evidence, e => e.Contains("only DNS over UDP fails", StringComparison.Ordinal));
        Assert.Contains(j.Evidence, e => e.Contains("it is not at fault", StringComparison.Ordinal));
    }

    [Fact]
    public void Nxdomain_blames_the_name()
    {
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.NxDomain));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Equal((FaultEnds.Name, FindingKind.DnsNxdomain.Name(), (string?)null), (j.AtFault, j.FailureKind, j.FaultAddress));
    }

    [Fact]
    public void A_resolver_failing_while_another_answers_is_noted_but_does_not_fail_the_reproduction()
    {
        var run = Run([Web],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Timeout),
            Step(ProbeSteps.Resolve, "192.0.2.54", 53, "UDP", ProbeResults.Ok),
            Step(ProbeSteps.Connect, Web, 80, "TCP", ProbeResults.Ok),
            Step(ProbeSteps.Http, Web, 80, "TCP", ProbeResults.Ok, status: 200, statusLine: "HTTP/1.1 200 OK"));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Equal((ReproductionJudge.NotReproduced, FaultEnds.None), (j.Outcome, j.AtFault));
        Assert.Contains(j.Evidence, e => e.Contains($"the resolver {Resolver} failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_address_must_fail_for_the_connection_step_to_fail()
    {
        var second = Run([Web, "198.51.100.81"],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Ok),
            Step(ProbeSteps.Connect, Web, 80, "TCP", ProbeResults.Refused),
            Step(ProbeSteps.Connect, "198.51.100.81", 80, "TCP", ProbeResults.Ok),
            Step(ProbeSteps.Http, "198.51.100.81", 80, "TCP", ProbeResults.Ok, status: 200, statusLine: "HTTP/1.1 200 OK"));
        var none = Run([Web],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Ok),
            Step(ProbeSteps.Connect, Web, 80, "TCP", ProbeResults.Refused));

        Assert.Equal(ReproductionJudge.NotReproduced, ReproductionJudge.Judge(Http, second, Empty, captured: true).Outcome);
        var j = ReproductionJudge.Judge(Http, none, Empty, captured: true);
        Assert.Equal((ProbeSteps.Connect, 2, FaultEnds.WebServer, FindingKind.TcpConnectionRefused.Name()), (j.FailedStep, j.FailedStepNumber, j.AtFault, j.FailureKind));
    }

    [Fact]
    public void A_certificate_a_browser_refuses_blames_the_web_server_and_what_follows_is_beyond_the_failure()
    {
        var run = Run([Web],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Ok),
            Step(ProbeSteps.Connect, Web, 443, "TCP", ProbeResults.Ok),
            Step(ProbeSteps.Tls, Web, 443, "TCP", ProbeResults.CertificateError,
                "handshake completed (Tls13) but a browser would refuse the certificate: the certificate does not name www.example.test (it names other.test)"),
            Step(ProbeSteps.Http, Web, 443, "TCP", ProbeResults.Ok, browserPath: false, status: 200, statusLine: "HTTP/1.1 200 OK"));

        var j = ReproductionJudge.Judge(Https, run, Empty, captured: true);

        Assert.Equal((ProbeSteps.Tls, FaultEnds.WebServer, ReproductionJudge.CertificateError, Confidence.High), (j.FailedStep, j.AtFault, j.FailureKind, j.Confidence));
        Assert.Contains("refuse the certificate: the certificate does not name www.example.test", j.Conclusion, StringComparison.Ordinal);
        Assert.Contains(j.Evidence, e => e.StartsWith("Step 4, beyond the failure", StringComparison.Ordinal));
    }

    [Fact]
    public void A_certificate_only_this_host_distrusts_is_medium_confidence_whatever_the_detail_says()
    {
        // The decision reads the problem codes the probe set, never the wording of its detail.
        var untrusted = Step(ProbeSteps.Tls, Web, 443, "TCP", ProbeResults.CertificateError, "a browser would refuse the certificate: it does not name x");
        untrusted = untrusted with { Step = untrusted.Step with { CertificateProblems = ["untrusted"] } };
        var both = untrusted with { Step = untrusted.Step with { CertificateProblems = ["name-mismatch", "untrusted"] } };
        Confidence Judged(StepRun tls) => ReproductionJudge.Judge(Https, Run([Web],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Ok), Step(ProbeSteps.Connect, Web, 443, "TCP", ProbeResults.Ok), tls), Empty, captured: true).Confidence;

        Assert.Equal(Confidence.Medium, Judged(untrusted));
        Assert.Equal(Confidence.High, Judged(both));
    }

    [Theory]
    [InlineData(503, Confidence.High)]
    [InlineData(404, Confidence.Medium)]
    public void An_http_error_blames_the_web_server(int status, Confidence confidence)
    {
        var run = Run([Web],
            Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Ok),
            Step(ProbeSteps.Connect, Web, 80, "TCP", ProbeResults.Ok),
            Step(ProbeSteps.Http, Web, 80, "TCP", ProbeResults.HttpError, status: status, statusLine: $"HTTP/1.1 {status} X"));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Equal((ProbeSteps.Http, FaultEnds.WebServer, ReproductionJudge.HttpError, confidence), (j.FailedStep, j.AtFault, j.FailureKind, j.Confidence));
    }

    [Fact]
    public void Nothing_run_is_incomplete()
    {
        var run = Run([]);
        run.BudgetExhausted = true;

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Equal((ReproductionJudge.Incomplete, FaultEnds.Unknown), (j.Outcome, j.AtFault));
        Assert.Contains(j.Caveats, c => c.Kind == "budget");
    }

    [Fact]
    public void A_capture_with_none_of_the_probes_packets_says_the_interface_was_wrong()
    {
        var run = Run([], Step(ProbeSteps.Resolve, Resolver, 53, "UDP", ProbeResults.Timeout));

        var j = ReproductionJudge.Judge(Http, run, Empty, captured: true);

        Assert.Contains(j.Caveats, c => c.Kind == "capture-empty");
    }
}
