using NetTriage.Analysis;
using NetTriage.Capture;

namespace NetTriage.Live.Tests.Scenarios;

/// <summary>
/// `nettriage diagnose` run inside a client network namespace against real services (dnsmasq, nginx) broken one
/// way at a time: the failing step, the incident kind and the end at fault must be the right ones.
/// </summary>
[Collection(DiagnoseScenarioCollection.Name)]
public sealed class DiagnoseScenarioTests(DiagnoseScenarioFixture fixture)
{
    private const string Server = "10.98.2.2";
    private const string Router = "10.98.1.1";
    private const string Client = "10.98.1.2";

    [SkippableTheory]
    [InlineData("dns-stopped", ProbeSteps.Resolve, FindingKind.DnsServerUnreachable, FaultEnds.DnsServer, Server, ProbeResults.Refused)]
    [InlineData("dns-reject-admin", ProbeSteps.Resolve, FindingKind.DnsBlocked, FaultEnds.DnsServer, Server, ProbeResults.HostUnreachable)]
    [InlineData("dns-reject-router-admin", ProbeSteps.Resolve, FindingKind.DnsBlocked, FaultEnds.Network, Router, ProbeResults.HostUnreachable)]
    [InlineData("dns-drop", ProbeSteps.Resolve, FindingKind.DnsNoResponse, FaultEnds.DnsServer, Server, ProbeResults.Timeout)]
    [InlineData("unknown-name", ProbeSteps.Resolve, FindingKind.DnsNxdomain, FaultEnds.Name, null, ProbeResults.NxDomain)]
    [InlineData("web-down", ProbeSteps.Connect, FindingKind.TcpConnectionRefused, FaultEnds.WebServer, Server, ProbeResults.Refused)]
    [InlineData("web-drop", ProbeSteps.Connect, FindingKind.TcpNoResponse, FaultEnds.WebServer, Server, ProbeResults.Timeout)]
    [InlineData("web-reject-admin", ProbeSteps.Connect, FindingKind.TcpBlocked, FaultEnds.WebServer, Server, ProbeResults.HostUnreachable)]
    [InlineData("no-route", ProbeSteps.Resolve, FindingKind.NetworkUnreachable, FaultEnds.Network, Router, ProbeResults.NetworkUnreachable)]
    public void Each_broken_setup_is_reproduced_with_its_step_kind_and_end(string scenario, string step, FindingKind kind, string end, string? address, string result)
    {
        var report = fixture.Report(scenario);
        var r = report.Reproduction!;

        Assert.Equal("reproduced", r.Outcome);
        Assert.Equal((step, kind.Name(), end, address), (r.FailedStep, r.FailureKind, r.AtFault, r.FaultAddress));
        var failed = Assert.Single(r.Steps, s => s.Number == r.FailedStepNumber);
        Assert.Equal((step, result, true), (failed.Step, failed.Result, failed.BrowserPath));

        // The capture was taken, analysed, and joined: the incident of that kind cites the failing step's packets.
        Assert.True(r.Capture.Captured, r.Capture.Problem);
        Assert.True(r.Capture.Packets > 0);
        var incident = Assert.Single(report.Incidents, i => i.Id == r.Incident);
        Assert.Equal(kind, incident.Kind);
        Assert.Equal([Client], incident.Clients);
        Assert.NotNull(failed.Finding);
        Assert.NotEmpty(failed.Frames);
        Assert.Contains(incident.Findings, f => f == failed.Finding);
        Assert.DoesNotContain(r.Caveats, c => c.Kind == "no-capture");
    }

    [SkippableFact]
    public void A_healthy_service_is_not_reproduced_and_nothing_is_blamed()
    {
        var report = fixture.Report("healthy");
        var r = report.Reproduction!;

        Assert.Equal(("not-reproduced", FaultEnds.None, Confidence.High), (r.Outcome, r.AtFault, r.Confidence));
        Assert.Null(r.FailedStep);
        Assert.Empty(report.Incidents);
        Assert.Equal([ProbeSteps.Resolve, ProbeSteps.Connect, ProbeSteps.Http], r.Steps.Select(s => s.Step));
        Assert.All(r.Steps, s => Assert.Equal(ProbeResults.Ok, s.Result));
        Assert.Equal([Server], r.Steps[0].Addresses);
        Assert.Equal(200, r.Steps[2].HttpStatus);
        Assert.Equal("c0", r.Capture.Interface);
        Assert.Equal(1, report.Dns.AnsweredNoError);
        Assert.Equal(1, report.Tcp.Established);
    }

    [SkippableFact]
    public void Dns_over_tcp_shows_what_lies_beyond_a_udp_failure()
    {
        var r = fixture.Report("dns-reject-admin").Reproduction!;

        Assert.Equal([ProbeSteps.Resolve, ProbeSteps.ResolveTcp, ProbeSteps.Connect, ProbeSteps.Http], r.Steps.Select(s => s.Step));
        Assert.All(r.Steps.Skip(1), s => Assert.False(s.BrowserPath));
        Assert.Equal(200, r.Steps[3].HttpStatus);
        Assert.Contains(r.Evidence, e => e.Contains("only DNS over UDP fails", StringComparison.Ordinal));
        Assert.Contains(r.Evidence, e => e.Contains("it is not at fault", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_self_signed_certificate_fails_the_tls_step_and_its_names_are_read()
    {
        var r = fixture.Report("https-self-signed").Reproduction!;

        Assert.Equal((ProbeSteps.Tls, "certificate-error", FaultEnds.WebServer), (r.FailedStep, r.FailureKind, r.AtFault));
        var tls = r.Steps.Single(s => s.Step == ProbeSteps.Tls);
        Assert.Equal(["www.example.test"], tls.CertificateNames);
        Assert.Contains("does not trust", tls.Detail, StringComparison.Ordinal);
        var http = r.Steps.Single(s => s.Step == ProbeSteps.Http);
        Assert.Equal((200, false), (http.HttpStatus, http.BrowserPath));
    }

    [SkippableFact]
    public void Without_permission_to_capture_the_probes_still_run_and_the_report_says_what_it_costs()
    {
        var report = fixture.Report("no-capture");
        var r = report.Reproduction!;

        Assert.False(r.Capture.Captured);
        Assert.Contains("permission", r.Capture.Problem, StringComparison.Ordinal);
        Assert.Contains("setcap", r.Capture.Problem, StringComparison.Ordinal);
        Assert.Contains("no packets captured", fixture.Stderr("no-capture"), StringComparison.Ordinal);
        Assert.Equal((ProbeSteps.Resolve, FindingKind.DnsServerUnreachable.Name(), FaultEnds.DnsServer), (r.FailedStep, r.FailureKind, r.AtFault));
        Assert.Equal(Confidence.Medium, r.Confidence);
        Assert.Contains(r.Caveats, c => c.Kind == "no-capture");
        Assert.Null(r.Incident);
        Assert.Empty(report.Inputs);
        Assert.False(File.Exists(Path.Combine(fixture.Directory, "no-capture.pcapng")));
    }

    [SkippableFact]
    public void The_capture_file_is_evidence_that_analyze_reads_to_the_same_incident()
    {
        var report = fixture.Report("dns-stopped");
        string file = report.Reproduction!.Capture.File!;
        Assert.Equal(Path.Combine(fixture.Directory, "dns-stopped.pcapng"), file);

        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(file))
        {
            Assert.Equal(CaptureFormat.Pcapng, source.Format);
            analyzer.Read(source);
        }
        var again = analyzer.Finish();

        Assert.Equal(FindingKind.DnsServerUnreachable, Assert.Single(again.Incidents).Kind);
        Assert.Equal(report.Capture.Packets, again.Capture.Packets);
        Assert.Equal("service-not-listening", again.Incidents[0].Causes[0].Id);
    }

    [SkippableFact]
    public void The_text_report_ends_with_the_reproduction_and_the_capture_lies_beside_it()
    {
        fixture.Require();
        string folder = Path.Combine(fixture.Directory, "text");
        string text = File.ReadAllText(Path.Combine(folder, "healthy.txt"));

        Assert.Contains("\nReproduced from this host: http://www.example.test/\n", text, StringComparison.Ordinal);
        Assert.Contains("  at fault: nothing failed [high confidence]\n", text, StringComparison.Ordinal);
        var capture = Assert.Single(Directory.GetFiles(folder, "healthy-*.pcapng"));
        Assert.Matches(@"healthy-\d{8}T\d{6}Z\.pcapng$", capture);
        Assert.Contains(Path.GetFileName(capture), text, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Every_run_stays_within_its_budget()
    {
        fixture.Require();
        Assert.NotEmpty(fixture.Runs);
        foreach (var run in fixture.Runs)
        {
            Assert.True(run.ExitCode == 0, $"{run.Scenario}: exit {run.ExitCode}: {fixture.Stderr(run.Scenario)}");
            // --budget 15, plus the program's start and the analysis of the capture.
            Assert.True(run.Seconds <= 18, $"{run.Scenario} took {run.Seconds} s");
            var r = fixture.Report(run.Scenario).Reproduction!;
            Assert.True(r.DurationSeconds <= r.BudgetSeconds, $"{run.Scenario}: {r.DurationSeconds} s");
        }
    }
}
