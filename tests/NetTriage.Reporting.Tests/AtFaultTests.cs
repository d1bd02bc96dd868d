using NetTriage.Analysis;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Capture;
using NetTriage.Packets;
using NetTriage.Synthetic;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Which end an incident lies at (incidents[].atFault): from the capture's ranked causes, then weighed with the case
/// (customers failing, the team reproducing it); and next steps that name what the capture knows.
/// </summary>
public sealed class AtFaultTests
{
    private static readonly IpAddr Router = IpAddr.Parse("198.51.100.1");

    [Fact]
    public void The_seed_incident_is_at_the_DNS_server_that_answered_port_unreachable()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");

        var fault = Assert.Single(report.Incidents).AtFault;
        Assert.NotNull(fault);
        Assert.Equal(FaultEnds.DnsServer, fault.End);
        Assert.Equal("203.0.113.2", fault.Address);
        Assert.Equal(Confidence.High, fault.Confidence);
        Assert.Contains("203.0.113.2 itself answered 3 times with ICMP port unreachable", fault.Reason.Text, StringComparison.Ordinal);
        Assert.Empty(fault.FromCase);

        string json = AnalysisJson.Serialize(report);
        Assert.Contains("\"atFault\": {", json, StringComparison.Ordinal);
        Assert.Contains("\"end\": \"dns-server\"", json, StringComparison.Ordinal);
        string text = ReportWriter.Write(ReportFormat.Text, report);
        Assert.Contains("At fault: the DNS server 203.0.113.2 (high confidence).", text.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Which end is at fault", text, StringComparison.Ordinal);
        Assert.Contains("Which end is at fault", ReportWriter.Write(ReportFormat.Markdown, report), StringComparison.Ordinal);
        Assert.Contains("Which end is at fault", ReportWriter.Write(ReportFormat.Html, report), StringComparison.Ordinal);
    }

    [Fact]
    public void The_case_says_customers_fail_and_the_team_reproduced_it_so_no_single_client_is_at_fault()
    {
        var context = CaseFile.Load(Path.Combine(TestPaths.Samples, "seed-case.yaml"));
        var hints = context.Hints();
        Assert.True(hints.OthersAffected);
        Assert.Equal("customers", hints.Others);
        Assert.True(hints.Reproduced);

        var before = TestCaptures.Sample("seed-incident.pcap");
        Assert.Contains(before.Incidents[0].Caveats, c => c.Text.Text.Contains("needs their reports", StringComparison.Ordinal));
        var report = FaultJudge.WithCase(before, hints);

        var fault = report.Incidents[0].AtFault!;
        Assert.Equal(FaultEnds.DnsServer, fault.End);
        Assert.Equal(Confidence.High, fault.Confidence);
        Assert.Contains(fault.FromCase, p => p.Text.Contains("Customers report the failure and the team reproduced it", StringComparison.Ordinal)
            && p.Text.Contains("not at any one client's end", StringComparison.Ordinal));
        Assert.Contains(fault.FromCase, p => p.Text == "That agrees with the capture, which places it at the DNS server 203.0.113.2.");
        // The report no longer asks for the other clients' reports the case already gives.
        Assert.DoesNotContain(report.Incidents[0].Caveats, c => c.Text.Text.Contains("needs their reports", StringComparison.Ordinal));
        // The JSON written with the case holds the same words, as `analyze --case ... --format json` does.
        string json = ReportWriter.Write(ReportFormat.Json, before, context);
        Assert.Contains("\"fromCase\": [", json, StringComparison.Ordinal);
        Assert.DoesNotContain("needs their reports", json, StringComparison.Ordinal);
        string text = ReportWriter.Write(ReportFormat.Text, report, context);
        Assert.Contains("From the case:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("needs their reports", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Customers reported that the site is down.", "We could not reproduce the failure from the office.", true, false)]
    [InlineData("Users cannot log in.", "Replicated the issue from a laptop on the guest Wi-Fi.", true, true)]
    [InlineData("Monitoring alerted at 02:00.", "Restarted the proxy.", false, null)]
    [InlineData("The users' reports came in by phone.", "Got the same \"connection refused\" error from our own PC.", true, true)]
    [InlineData("Our reseller asked about it.", "Unable to replicate.", false, false)]
    public void Hints_read_who_fails_and_whether_it_was_reproduced(string awareness, string action, bool others, bool? reproduced)
    {
        var hints = new ReportContext { Awareness = awareness, Actions = [action] }.Hints();

        Assert.Equal(others, hints.OthersAffected);
        Assert.Equal(reproduced, hints.Reproduced);
    }

    [Fact]
    public void Without_a_case_nothing_is_added()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");

        Assert.Same(report, FaultJudge.WithCase(report, ReportContext.Empty.Hints()));
    }

    [Fact]
    public void A_router_that_rejects_as_administratively_prohibited_puts_the_fault_in_the_network_at_that_router()
    {
        var b = new TestCaptures.Builder();
        for (int i = 0; i < 3; i++)
        {
            var query = b.DnsQuery(TestCaptures.Client, TestCaptures.DnsServer, (ushort)(40000 + i), (ushort)(7 + i), "www.example.com");
            b.Advance(0.003);
            b.IcmpUnreachable(Router, TestCaptures.Client, 13, query);
            b.Advance(1);
        }
        var report = TestCaptures.Analyze(b.ToArray(), "filtered.pcap");

        var fault = Assert.Single(report.Incidents).AtFault!;
        Assert.Equal(FaultEnds.Network, fault.End);
        Assert.Equal(Router.ToString(), fault.Address);
        Assert.Equal("the network, at 198.51.100.1", FaultJudge.Describe(fault.End, fault.Address));
    }

    [Fact]
    public void A_refused_web_port_is_at_the_web_server_and_its_steps_name_the_url_to_retry()
    {
        var report = TestCaptures.Analyze(TestCaptures.TwoIncidentsPcap(), "two.pcap");

        var web = Assert.Single(report.Incidents, i => i.Kind == FindingKind.TcpConnectionRefused);
        Assert.Equal(FaultEnds.WebServer, web.AtFault!.End);
        Assert.Equal(TestCaptures.WebServer.ToString(), web.AtFault.Address);
        Assert.Contains(web.NextSteps, s => s.Text.Contains($"curl -sv http://{TestCaptures.WebServer}:80/", StringComparison.Ordinal));
    }

    [Fact]
    public void Next_steps_check_why_the_service_stopped_before_restarting_it_and_name_what_the_capture_knows()
    {
        var steps = TestCaptures.Sample("seed-incident.pcap").Incidents[0].NextSteps.Select(s => s.Text).ToList();

        int why = steps.FindIndex(s => s.Contains("journalctl -p warning --since '2023-03-14 13:19:32 UTC'", StringComparison.Ordinal));
        int restart = steps.FindIndex(s => s.StartsWith("Restart it", StringComparison.Ordinal));
        Assert.True(why >= 0 && restart > why, string.Join("\n", steps));
        Assert.Contains(steps, s => s.Contains("dig @203.0.113.2 yummyrecipesforme.com", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("Rule out a denial of service: this capture shows no flood toward 203.0.113.2", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("If 203.0.113.2 is not yours to fix", StringComparison.Ordinal));
    }

    /// <summary>Every cause the analysis ranks on real and built traffic places the fault (or says it places it nowhere), and no step holds a placeholder.</summary>
    [Fact]
    public void Every_cause_produced_has_an_end_and_no_step_is_a_placeholder()
    {
        var reports = new List<AnalysisReport>
        {
            TestCaptures.Sample("seed-incident.pcap"),
            TestCaptures.Sample("seed-incident.txt"),
            TestCaptures.Analyze(TestCaptures.TwoIncidentsPcap(), "two.pcap"),
        };
        using (var stream = new MemoryStream())
        {
            SyntheticCapture.WritePackets(stream, 20_000, 3, 4000);
            reports.Add(TestCaptures.Analyze(stream.ToArray(), "mixed.pcap"));
        }
        if (TestPaths.Shared is { } shared && Directory.Exists(Path.Combine(shared, "corpus")))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(shared, "corpus"), "*", SearchOption.AllDirectories)
                         .Where(f => Path.GetExtension(f) is ".pcap" or ".pcapng" or ".trace" or ".dump"))
            {
                try
                {
                    reports.Add(TestCaptures.Analyze(File.ReadAllBytes(file), Path.GetFileName(file)));
                }
                catch (CaptureFormatException)
                {
                    // A corpus file that is not a capture this tool reads: nothing to judge.
                }
            }
        }

        var incidents = reports.SelectMany(r => r.Incidents).ToList();
        Assert.True(incidents.Count >= 10, $"{incidents.Count} incidents");
        var unplaced = incidents.SelectMany(i => i.Causes).Select(c => c.Id).Distinct().Where(id => !FaultJudge.Places(id)).ToList();
        Assert.Empty(unplaced);
        Assert.All(incidents, i => Assert.NotNull(i.AtFault));
        var placeholders = incidents.SelectMany(i => i.NextSteps).Select(s => s.Text).Where(s => s.Contains("<name>", StringComparison.Ordinal) || s.Contains("<service>", StringComparison.Ordinal)).ToList();
        Assert.Empty(placeholders);
    }
}
