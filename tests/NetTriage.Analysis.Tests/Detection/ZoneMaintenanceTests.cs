using NetTriage.Packets.Dns;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// DNS requests that are not queries, built message by message: dynamic updates (RFC 2136) and zone change notifications
/// (RFC 1996) are transactions of their own, whose failures are theirs and not name resolution's; an update's
/// prerequisite answers are no failure; obsolete requests (IQUERY) are counted only.
/// </summary>
public sealed class ZoneMaintenanceTests
{
    private const string Host = "10.0.0.5";
    private const string Primary = "10.0.0.2";
    private const string Dns = "10.0.0.53";
    private const string Zone = "corp.example";

    [Fact]
    public void A_refused_update_is_a_low_finding_of_the_update_and_leaves_name_resolution_whole()
    {
        var s = new Scenario();
        for (ushort i = 0; i < 4; i++)
        {
            s.After(1).Query(Host, (ushort)(50000 + i), Dns, (ushort)(100 + i), "www." + Zone);
            s.After(0.01).Response(Dns, Host, (ushort)(50000 + i), (ushort)(100 + i), "www." + Zone, 0, "192.0.2.10");
        }
        s.After(1).Request(Host, 51000, Dns, 7, DnsOpcode.Update, Zone);
        s.After(0.02).RequestAnswer(Dns, Host, 51000, 7, DnsOpcode.Update, Zone, DnsRcode.Refused);

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsUpdateFailed, finding.Kind);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Equal(Dns, finding.Server);
        Assert.Equal([Zone], finding.Names);
        Assert.Equal(1, finding.Attempts);
        Assert.Equal(1, finding.Failed);
        Assert.Contains("REFUSED", finding.Title.Text, StringComparison.Ordinal);
        Assert.Empty(report.Incidents);
        // The queries are name resolution's figures, untouched by the update.
        Assert.Equal(4, report.Dns.Queries);
        Assert.Equal(0, report.Dns.FailureRate);
        var update = Assert.Single(report.Dns.Operations!);
        Assert.Equal("UPDATE", update.Opcode);
        Assert.Equal(1, update.Sent);
        Assert.Equal(1, Assert.Single(update.Answered).Count);
    }

    [Fact]
    public void Updates_the_server_does_not_answer_are_an_incident_of_the_update()
    {
        var s = new Scenario();
        for (ushort i = 0; i < 3; i++)
        {
            s.After(2).Request(Host, (ushort)(51000 + i), Dns, (ushort)(7 + i), DnsOpcode.Update, Zone);
        }
        s.After(10).Query(Host, 50000, Dns, 1, "www." + Zone);
        s.After(0.01).Response(Dns, Host, 50000, 1, "www." + Zone, 0, "192.0.2.10");

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsUpdateFailed, finding.Kind);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal(3, finding.Failed);
        Assert.Contains("no answer (3)", finding.Title.Text, StringComparison.Ordinal);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsUpdateFailed, incident.Kind);
        Assert.Contains(incident.Causes, c => c.Id == "firewall-drop");
        // The timeline and the evidence say what was sent: an update, not a query for the zone's SOA.
        Assert.True(incident.Timeline.Any(e => e.Event.Text == $"{Host} sends {Dns} a dynamic update of zone {Zone}. (id 7)"), string.Join(" | ", incident.Timeline.Select(e => e.Event.Text)));
        Assert.All(finding.Evidence, e => Assert.Contains(" update ", e.Summary, StringComparison.Ordinal));
        Assert.Equal(1, report.Dns.Queries);
        Assert.Equal(0, report.Dns.Unanswered);
    }

    [Fact]
    public void A_prerequisite_answer_is_what_the_update_asked_not_a_failure()
    {
        var s = new Scenario();
        s.After(1).Request(Host, 51000, Dns, 7, DnsOpcode.Update, Zone);
        s.After(0.02).RequestAnswer(Dns, Host, 51000, 7, DnsOpcode.Update, Zone, DnsRcode.NXRRSet);
        s.After(1).Request(Host, 51001, Dns, 8, DnsOpcode.Update, Zone);
        s.After(0.02).RequestAnswer(Dns, Host, 51001, 8, DnsOpcode.Update, Zone, DnsRcode.YXDomain);

        var report = s.Analyze();

        Assert.Empty(report.Findings);
        var update = Assert.Single(report.Dns.Operations!);
        Assert.Equal(2, update.Sent);
        Assert.Equal(2, update.Answered.Sum(a => a.Count));
    }

    [Fact]
    public void A_notification_the_secondary_refuses_is_a_notify_finding_with_its_zone()
    {
        var s = new Scenario();
        s.After(1).Request(Primary, 40000, Dns, 77, DnsOpcode.Notify, Zone);
        s.After(0.001).RequestAnswer(Dns, Primary, 40000, 77, DnsOpcode.Notify, Zone, DnsRcode.NotAuth);

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsNotifyFailed, finding.Kind);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Equal([Primary], finding.Clients);
        Assert.Equal(0, report.Dns.Queries);
        Assert.Equal("NOTIFY", Assert.Single(report.Dns.Operations!).Opcode);
    }

    [Fact]
    public void An_obsolete_request_refused_is_counted_and_raises_nothing()
    {
        var s = new Scenario();
        s.After(1).Request(Host, 51000, Dns, 9, DnsOpcode.IQuery, Zone);
        s.After(0.01).RequestAnswer(Dns, Host, 51000, 9, DnsOpcode.IQuery, Zone, DnsRcode.NotImp);

        var report = s.Analyze();

        Assert.Empty(report.Findings);
        var iquery = Assert.Single(report.Dns.Operations!);
        Assert.Equal("IQUERY", iquery.Opcode);
        Assert.Equal(1, iquery.Sent);
    }

    [Fact]
    public void A_capture_without_other_requests_has_no_operations()
    {
        var s = new Scenario();
        s.After(1).Query(Host, 50000, Dns, 1, "www." + Zone);
        s.After(0.01).Response(Dns, Host, 50000, 1, "www." + Zone, 0, "192.0.2.10");

        Assert.Null(s.Analyze().Dns.Operations);
    }

    [SkippableFact]
    public void Zeeks_dynamic_update_trace_has_its_refused_update_and_no_false_anomaly()
    {
        var shared = TestPaths.Shared;
        Skip.If(shared is null, TestPaths.CorpusAbsent);
        var trace = Path.Combine(shared, "corpus", "zeek", "Traces", "dns", "dynamic-update.pcap");
        Skip.IfNot(File.Exists(trace), TestPaths.CorpusAbsent);
        var analyzer = new Analyzer();
        using (var source = NetTriage.Capture.CaptureOpener.Open(trace)) analyzer.Read(source);
        var report = analyzer.Finish();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsUpdateFailed, finding.Kind);
        Assert.Equal("192.168.1.108", finding.Server);
        Assert.Equal(["StratoLab.org"], finding.Names);
        Assert.Equal(2, finding.Attempts);
        Assert.Equal(1, finding.Failed);
        // Its prerequisites and deletions carry no data (class ANY or NONE, RDLENGTH 0): no record is cut short.
        Assert.Equal(0, report.Capture.AnomalousPackets);
    }
}
