using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Connection failures spread thinly over services that mostly work, built packet by packet: they are one incident
/// with the rate and the worst services; a service that is really down keeps its own incident, first; two services
/// failing a little stay two findings of their own.
/// </summary>
public sealed class ScatteredFailureTests
{
    private const string Client = "10.0.0.5";
    private ushort _port = 40000;

    private Scenario Connect(Scenario s, string server, ushort port, bool refused)
    {
        ushort client = _port++;
        s.After(0.2).Tcp(Client, client, server, port, TcpFlags.Syn, 1000);
        if (refused) return s.Tcp(server, port, Client, client, TcpFlags.Rst | TcpFlags.Ack, 0, 1001);
        s.Tcp(server, port, Client, client, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.Tcp(Client, client, server, port, TcpFlags.Ack, 1001, 5001);
        s.Tcp(Client, client, server, port, TcpFlags.Fin | TcpFlags.Ack, 1001, 5001);
        s.Tcp(server, port, Client, client, TcpFlags.Fin | TcpFlags.Ack, 5001, 1002);
        return s.Tcp(Client, client, server, port, TcpFlags.Ack, 1002, 5002);
    }

    /// <summary>Each server answers ten connections and refuses <paramref name="refusedEach"/> of them.</summary>
    private Scenario Services(Scenario s, int services, int refusedEach)
    {
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < services; i++) Connect(s, $"192.0.2.{10 + i}", 443, refused: round < refusedEach);
        }
        return s;
    }

    [Fact]
    public void A_few_refusals_over_four_services_that_mostly_work_are_one_scattered_incident()
    {
        var report = Services(new Scenario(), services: 4, refusedEach: 2).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.ScatteredFailures, incident.Kind);
        Assert.Equal(Severity.Medium, incident.Severity);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.ScatteredFailures);
        var spread = finding.Spread!;
        // Its evidence: each service's first failure (SYN and reset), in capture order; every failure counted.
        Assert.Equal(8, finding.Evidence.Count);
        Assert.Equal(["rst", "syn"], finding.Evidence.Select(e => e.Role).Distinct().Order());
        Assert.All(["192.0.2.10.443", "192.0.2.11.443", "192.0.2.12.443", "192.0.2.13.443"],
            server => Assert.Equal(2, finding.Evidence.Count(e => e.Summary.Contains(server, StringComparison.Ordinal))));
        Assert.Equal(16, finding.EvidenceTotal);
        Assert.Equal(4, spread.Services);
        Assert.Equal(40, spread.Attempts);
        Assert.Equal(8, spread.Failed);
        Assert.Equal(8, spread.Refused);
        Assert.Equal(0.2, spread.FailedShare);
        Assert.Equal(4, spread.Worst.Count);
        Assert.Equal("192.0.2.10:443 2/10", spread.Worst[0]);
        // The four per-service findings are inside the one incident.
        Assert.Equal(5, incident.Findings.Count);
        Assert.Equal(40, incident.Attempts);
        Assert.Equal(8, incident.Failed);
    }

    [Fact]
    public void A_service_that_is_down_keeps_its_own_incident_first()
    {
        var s = Services(new Scenario(), services: 3, refusedEach: 1);
        for (int i = 0; i < 5; i++) Connect(s, "192.0.2.99", 8443, refused: true);

        var report = s.Analyze();

        Assert.Equal(2, report.Incidents.Count);
        Assert.Equal(FindingKind.TcpConnectionRefused, report.Incidents[0].Kind);
        Assert.Equal(Severity.High, report.Incidents[0].Severity);
        Assert.Equal(["192.0.2.99"], report.Incidents[0].Servers);
        Assert.Equal(FindingKind.ScatteredFailures, report.Incidents[1].Kind);
        Assert.Equal(3, report.Findings.Single(f => f.Kind == FindingKind.ScatteredFailures).Spread!.Services);
    }

    [Fact]
    public void Two_services_failing_a_little_are_not_joined()
    {
        var report = Services(new Scenario(), services: 2, refusedEach: 2).Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.ScatteredFailures);
        Assert.Equal(2, report.Incidents.Count(i => i.Kind == FindingKind.TcpConnectionRefused));
    }
}
