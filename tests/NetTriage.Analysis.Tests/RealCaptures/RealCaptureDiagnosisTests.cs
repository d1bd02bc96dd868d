using NetTriage.Capture;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// The diagnosis of real failures: each capture was made at test time in network namespaces with dnsmasq,
/// nginx, dig and curl, breaking one thing at a time. Every finding kind is covered by at least one scenario,
/// and the healthy capture must yield no incident.
/// </summary>
[Collection(RealCaptureCollection.Name)]
public sealed class RealCaptureDiagnosisTests(RealCaptureFixture fixture)
{
    private const string Server = "10.99.2.2";
    private const string Client = "10.99.1.2";
    private const string Router = "10.99.1.1";

    private AnalysisReport Analyze(string scenario)
    {
        fixture.RequireCaptures();
        var analyzer = new Analyzer();
        using var source = CaptureOpener.Open(fixture.PathOf(scenario));
        analyzer.Read(source);
        return analyzer.Finish();
    }

    [SkippableTheory]
    [InlineData("dns-stopped", FindingKind.DnsServerUnreachable)]
    [InlineData("dns-reject-admin", FindingKind.DnsBlocked)]
    [InlineData("dns-reject-router-admin", FindingKind.DnsBlocked)]
    [InlineData("dns-drop", FindingKind.DnsNoResponse)]
    [InlineData("dns-nxdomain", FindingKind.DnsNxdomain)]
    [InlineData("dns-servfail", FindingKind.DnsServfail)]
    [InlineData("dns-refused", FindingKind.DnsRefused)]
    [InlineData("web-down", FindingKind.TcpConnectionRefused)]
    [InlineData("web-drop", FindingKind.TcpNoResponse)]
    [InlineData("no-route", FindingKind.NetworkUnreachable)]
    [InlineData("host-down", FindingKind.HostUnreachable)]
    [InlineData("ttl-exceeded", FindingKind.TtlExceeded)]
    public void Each_broken_setup_yields_one_incident_of_its_kind(string scenario, FindingKind kind)
    {
        var report = Analyze(scenario);

        Assert.Equal(kind.Name(), fixture.Scenario(scenario).ExpectedKind);
        Assert.Equal("incident", report.Verdict);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(kind, incident.Kind);
        Assert.Equal([Client], incident.Clients);
        Assert.Equal([Server], incident.Servers);
        Assert.True(incident.Failed >= 1);
        Assert.NotEmpty(incident.Causes);
        Assert.NotEmpty(incident.Evidence);
    }

    [SkippableFact]
    public void Healthy_capture_yields_no_incident()
    {
        var report = Analyze("healthy");

        Assert.Equal("no-incident", report.Verdict);
        Assert.Empty(report.Incidents);
        Assert.Empty(report.Findings);
        Assert.Equal(1, report.Dns.AnsweredNoError);
        Assert.Equal(0, report.Dns.FailureRate);
        Assert.Equal(1, report.Tcp.Established);
        Assert.Contains(report.Overview.Protocols, p => p.Protocol == "HTTP");
    }

    [SkippableFact]
    public void Stopped_dns_service_is_blamed_on_the_server_and_the_web_server_is_ruled_out()
    {
        var incident = Analyze("dns-stopped").Incidents[0];

        Assert.Equal("DNS", incident.Protocol);
        Assert.Equal(53, incident.Port);
        Assert.Equal("service-not-listening", incident.Causes[0].Id);
        Assert.Contains(incident.RuledOut, r => r.Item.StartsWith("The web server", StringComparison.Ordinal));
        Assert.Contains(incident.RuledOut, r => r.Item.StartsWith(Server + " being down", StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData("dns-reject-admin", Server, "target")]
    [InlineData("dns-reject-router-admin", Router, "router")]
    public void A_reject_names_the_filtering_device(string scenario, string sender, string role)
    {
        var report = Analyze(scenario);

        var icmp = Assert.Single(report.Findings[0].IcmpSenders);
        Assert.Equal((sender, role, 3, 13), (icmp.Address, icmp.Role, icmp.Type, icmp.Code));
        Assert.Equal("firewall-rule", report.Incidents[0].Causes[0].Id);
        Assert.Contains(sender, report.Incidents[0].Causes[0].NextSteps[0].Text, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Silent_drop_points_at_a_firewall_drop()
    {
        var incident = Analyze("dns-drop").Incidents[0];

        Assert.Equal("firewall-drop", incident.Causes[0].Id);
        Assert.Equal(3, incident.Failed);
    }

    [SkippableFact]
    public void Web_service_down_is_a_refused_connection_after_dns_worked()
    {
        var incident = Analyze("web-down").Incidents[0];

        Assert.Equal(Layer.Transport, incident.Layer);
        Assert.Equal(80, incident.Port);
        Assert.Equal("service-not-listening", incident.Causes[0].Id);
        Assert.Contains(incident.RuledOut, r => r.Item == "Name resolution");
    }

    [SkippableFact]
    public void Missing_route_is_blamed_on_the_router()
    {
        var incident = Analyze("no-route").Incidents[0];

        Assert.Equal(Layer.Network, incident.Layer);
        Assert.Equal("missing-route", incident.Causes[0].Id);
        Assert.Contains(Router, incident.Causes[0].Title.Text, StringComparison.Ordinal);
    }
}
