namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Real intrusion captures, recorded once per test run by tests/scripts/make-intrusion-captures.sh: hydra against
/// nginx's basic authentication, vsftpd and sshd, forged DNS answers from 50 reflectors, and everyday logins that
/// succeed. Skips where the script cannot run (not root, no namespaces); fails when it could and did not.
/// </summary>
public sealed class IntrusionCaptureFixture() : ScriptCaptureFixture("make-intrusion-captures.sh", "nettriage-intrusions-");

public sealed class IntrusionCaptureTests(IntrusionCaptureFixture fixture) : IClassFixture<IntrusionCaptureFixture>
{
    private const string Attacker = "10.97.0.66";
    private const string Victim = "10.97.0.10";

    [SkippableFact]
    public void Everyday_logins_that_succeed_raise_no_incident()
    {
        var report = fixture.Analyze("healthy-logins");
        Assert.Empty(report.Incidents);
        Assert.DoesNotContain(report.Findings, f => f.Attack is not null);
    }

    [SkippableTheory]
    [InlineData("hydra-http", "HTTP", 80, 60)]
    [InlineData("hydra-ftp", "FTP", 21, 40)]
    public void Hydra_is_one_brute_force_incident_that_says_the_password_was_found(string scenario, string protocol, int port, int failures)
    {
        var report = fixture.Analyze(scenario);

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.BruteForce, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal([Attacker], incident.Clients);
        Assert.Equal([Victim], incident.Servers);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.BruteForce);
        Assert.Equal(protocol, finding.Protocol);
        Assert.Equal(port, finding.Port);
        // hydra's wordlist holds this many wrong passwords, then the right one, which the server accepted.
        Assert.Equal(failures, finding.Attack!.LoginFailures);
        Assert.True(finding.Attack.LoginSucceeded);
    }

    [SkippableFact]
    public void Hydra_against_ssh_raises_no_false_incident()
    {
        // sshd closes a connection after six failed passwords (MaxAuthTries), so hydra's 45 guesses are 9
        // sessions: fewer than the 30 that one-session-one-attempt counting needs. Not detected yet (counting the
        // attempts inside a session is future work); what must hold is that nothing false is said.
        var report = fixture.Analyze("hydra-ssh");
        Assert.All(report.Incidents, i => Assert.Equal(FindingKind.BruteForce, i.Kind));
    }

    [SkippableFact]
    public void Reflected_dns_answers_are_not_read_as_port_scans_by_the_reflectors()
    {
        // 2,000 forged answers from 50 reflectors' port 53 to the victim's random ports: each reflector "reached"
        // 40 ports, which a scan reading of UDP would count as 50 port scans.
        var report = fixture.Analyze("dns-reflection");
        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.PortScan or FindingKind.AddressScan);
    }

    [SkippableFact]
    public void An_nmap_ping_sweep_is_diagnostic_activity_with_the_hosts_that_answered()
    {
        // 60 addresses pinged, 30 of them the victim's: listed in the overview, no incident.
        var report = fixture.Analyze("ping-sweep");
        Assert.Empty(report.Incidents);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.PingSweep);
        Assert.Equal(60, finding.Attack!.Targets);
        Assert.Equal(30, finding.Attack.Open);
        Assert.Contains(report.Overview.Activities!, a => a.Kind == FindingKind.PingSweep);
    }
}
