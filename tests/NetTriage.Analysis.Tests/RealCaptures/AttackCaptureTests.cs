using NetTriage.Analysis.Reading;
using NetTriage.Capture;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// Real attack captures, recorded once per test run by tests/scripts/make-attack-captures.sh: nmap scans of every
/// common technique, an hping3 SYN flood from forged sources, and a busy healthy capture, all taken at the victim.
/// Skips where the script cannot run (not root, no namespaces); fails when it could and did not.
/// </summary>
public sealed class AttackCaptureFixture() : ScriptCaptureFixture("make-attack-captures.sh", "nettriage-attacks-");

/// <summary>The captures one script of tests/scripts records, with its manifest, analysed on demand.</summary>
public abstract class ScriptCaptureFixture : IDisposable
{
    protected ScriptCaptureFixture(string script, string prefix)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        (SkipReason, Failure, _) = CaptureScript.Run(script, Directory);
        if (SkipReason is not null || Failure is not null) return;
        string manifest = Path.Combine(Directory, "manifest.tsv");
        if (!File.Exists(manifest))
        {
            Failure = $"{manifest} does not exist";
            return;
        }
        var lines = File.ReadAllLines(manifest);
        var header = lines[0].Split('\t');
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            Expected[f[0]] = f[2];
            Manifest[f[0]] = header.Zip(f).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }
    }

    public string Directory { get; }
    public string? SkipReason { get; }
    public string? Failure { get; }
    /// <summary>Scenario to the finding kind it should produce ("none" for the healthy capture).</summary>
    public Dictionary<string, string> Expected { get; } = new(StringComparer.Ordinal);
    /// <summary>Scenario to its manifest line, column name to value.</summary>
    public Dictionary<string, Dictionary<string, string>> Manifest { get; } = new(StringComparer.Ordinal);

    /// <summary>Analyses a scenario's capture; <paramref name="observer"/> sees every packet the analysis reads.</summary>
    public AnalysisReport Analyze(string scenario, IPacketObserver? observer = null)
    {
        Assert.True(Failure is null, Failure);
        Skip.If(SkipReason is not null, SkipReason);
        Assert.True(Expected.ContainsKey(scenario), $"the manifest has no scenario '{scenario}'");
        var analyzer = new Analyzer(observer: observer);
        using (var source = CaptureOpener.Open(Path.Combine(Directory, scenario + ".pcap")))
        {
            analyzer.Read(source);
        }
        return analyzer.Finish();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (Failure is not null) return; // the captures and logs stay for whoever reads the failure
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class AttackCaptureTests(AttackCaptureFixture fixture) : IClassFixture<AttackCaptureFixture>
{
    private const string Attacker = "10.98.0.66";
    private const string Victim = "10.98.0.10";

    [SkippableFact]
    public void The_busy_healthy_capture_raises_no_incident_and_no_attack()
    {
        var report = fixture.Analyze("healthy-busy");
        Assert.Empty(report.Incidents);
        Assert.DoesNotContain(report.Findings, f => f.Attack is not null);
        Assert.True(report.Tcp.Attempts >= 300, $"{report.Tcp.Attempts} connection attempts");
    }

    [SkippableTheory]
    [InlineData("nmap-syn", "syn", 1001, new[] { "53/tcp", "80/tcp", "8080/tcp" })]
    [InlineData("nmap-connect", "connect", 300, new[] { "53/tcp", "80/tcp" })]
    [InlineData("nmap-xmas", "xmas", 300, new string[0])]
    [InlineData("nmap-udp", "udp", 100, new[] { "53/udp" })]
    public void An_nmap_port_scan_is_one_incident_with_its_technique_and_what_it_found(string scenario, string technique, int ports, string[] open)
    {
        var report = fixture.Analyze(scenario);

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.PortScan, incident.Kind);
        Assert.Equal([Attacker], incident.Clients);
        Assert.Equal([Victim], incident.Servers);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.PortScan).Attack!;
        Assert.Equal(technique, facts.Technique);
        Assert.Equal(ports, facts.Ports);
        Assert.Equal(open, facts.OpenList);
        // Linux answers every closed TCP port with RST (and every closed UDP port with ICMP here: no rate limit).
        Assert.Equal(ports - open.Length - facts.Filtered, facts.Closed);
    }

    [SkippableFact]
    public void An_nmap_sweep_of_one_port_is_one_address_scan()
    {
        var report = fixture.Analyze("nmap-sweep");
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.AddressScan, incident.Kind);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.AddressScan).Attack!;
        Assert.Equal(60, facts.Targets);
        Assert.Equal(60, facts.Closed);
        Assert.Equal(60, facts.FailuresAbsorbed);
    }

    [SkippableFact]
    public void An_hping3_flood_from_forged_sources_is_one_distributed_syn_flood()
    {
        var report = fixture.Analyze("hping3-flood");
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.SynFlood, incident.Kind);
        Assert.StartsWith("Distributed SYN flood against 10.98.0.10 port 80", incident.Title, StringComparison.Ordinal);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.SynFlood).Attack!;
        Assert.Equal(6000, facts.Packets);
        Assert.True(facts.SpoofedSources);
        Assert.Equal(6000, facts.HalfOpen);
        Assert.True(facts.PeakPerSecond >= 1000, $"peak {facts.PeakPerSecond}");
    }

    [SkippableFact]
    public void An_hping3_udp_flood_of_the_dns_port_is_one_distributed_udp_flood()
    {
        var report = fixture.Analyze("hping3-udp-flood");
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.UdpFlood, incident.Kind);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.UdpFlood).Attack!;
        Assert.Equal(6000, facts.Packets);
        Assert.True(facts.SpoofedSources);
    }

    [SkippableFact]
    public void An_hping3_echo_flood_from_one_source_is_an_icmp_flood_not_distributed()
    {
        var report = fixture.Analyze("hping3-icmp-flood");
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.IcmpFlood, incident.Kind);
        Assert.StartsWith("ICMP echo flood against 10.98.0.10", incident.Title, StringComparison.Ordinal);
        var facts = report.Findings.Single(f => f.Kind == FindingKind.IcmpFlood).Attack!;
        Assert.Equal(4000, facts.Packets);
        Assert.Equal(1, facts.Sources);
    }
}
