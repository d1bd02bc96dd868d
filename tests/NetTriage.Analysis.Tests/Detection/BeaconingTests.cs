using NetTriage.Analysis.Detection.Beaconing;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Check-ins built packet by packet: a timer to an internet address (an incident), the same to an internal one
/// (activity only), each threshold met and missed, and the traps of a person browsing and a program's fast loop.
/// </summary>
public sealed class BeaconingTests
{
    private const string Client = "10.0.0.10";
    private const string Controller = "203.0.113.50";

    /// <summary>Full TCP sessions from <see cref="Client"/>, each after the interval given, carrying the bytes given.</summary>
    private static Scenario Sessions(string server, int count, Func<int, double> interval, Func<int, (int Up, int Down)>? size = null, ushort port = 443)
    {
        var s = new Scenario();
        for (int i = 0; i < count; i++)
        {
            s.After(interval(i));
            ushort cport = (ushort)(50000 + i);
            var (up, down) = size?.Invoke(i) ?? (300, 900);
            s.Tcp(Client, cport, server, port, TcpFlags.Syn, 1000);
            s.After(0.01).Tcp(server, port, Client, cport, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.After(0.01).Tcp(Client, cport, server, port, TcpFlags.Ack, 1001, 5001);
            s.Tcp(Client, cport, server, port, TcpFlags.Psh | TcpFlags.Ack, 1001, 5001, up);
            s.After(0.02);
            for (int sent = 0; sent < down; sent += 1400)
            {
                s.Tcp(server, port, Client, cport, TcpFlags.Psh | TcpFlags.Ack, (uint)(5001 + sent), (uint)(1001 + up), Math.Min(1400, down - sent));
            }
            s.Tcp(Client, cport, server, port, TcpFlags.Fin | TcpFlags.Ack, (uint)(1001 + up), (uint)(5001 + down));
            s.After(0.01).Tcp(server, port, Client, cport, TcpFlags.Fin | TcpFlags.Ack, (uint)(5001 + down), (uint)(1002 + up));
            s.Tcp(Client, cport, server, port, TcpFlags.Ack, (uint)(1002 + up), (uint)(5002 + down));
        }
        return s;
    }

    [Fact]
    public void Check_ins_every_minute_to_an_internet_address_are_a_beaconing_incident()
    {
        // A 60 s timer with up to 5% jitter, 300 bytes out and 900 back each time.
        var report = Sessions(Controller, 20, i => 60 + (i % 5 - 2) * 1.5).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.Beaconing, incident.Kind);
        Assert.Equal(Severity.Medium, incident.Severity);
        Assert.Equal([Client], incident.Clients);
        Assert.Equal([Controller], incident.Servers);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(20, facts.Packets);
        Assert.Equal(60, facts.IntervalSeconds!.Value, 0);
        Assert.Equal(1200, facts.TypicalBytes);
        Assert.Equal(0, facts.SizeSpread);
        Assert.True(facts.BeaconScore >= BeaconDetection.MinScore, $"score {facts.BeaconScore}");
    }

    [Fact]
    public void The_same_timer_to_an_internal_address_is_activity_not_an_incident()
    {
        var report = Sessions("10.0.0.200", 20, _ => 30).Analyze();
        Assert.Empty(report.Incidents);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.Beaconing);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Contains(report.Overview.Activities!, a => a.Kind == FindingKind.Beaconing);
    }

    [Fact]
    public void The_beaconing_thresholds_connections_and_interval_are_each_needed()
    {
        Assert.DoesNotContain(Sessions(Controller, BeaconDetection.MinConnections - 1, _ => 60).Analyze().Findings, f => f.Kind == FindingKind.Beaconing);
        Assert.Contains(Sessions(Controller, BeaconDetection.MinConnections, _ => 60).Analyze().Findings, f => f.Kind == FindingKind.Beaconing);
        // A program's loop, a connection every half second: regular, but no beacon sleeps that little.
        Assert.DoesNotContain(Sessions(Controller, 100, _ => 0.5).Analyze().Findings, f => f.Kind == FindingKind.Beaconing);
    }

    [Fact]
    public void A_person_browsing_one_site_is_no_beacon()
    {
        // 40 visits at irregular moments (exponential gaps, mean 40 s) of pages of different sizes.
        var random = new Random(12);
        var report = Sessions(Controller, 40, _ => 2 - 40 * Math.Log(1 - random.NextDouble()),
            _ => (200 + random.Next(800), 2_000 + random.Next(60_000))).Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.Beaconing);
    }

    [Fact]
    public void A_timer_with_twenty_percent_jitter_and_one_size_still_scores_as_a_beacon()
    {
        // Cobalt Strike's sleep 60 with jitter 20: each sleep uniform in 48 to 60 s.
        var random = new Random(21);
        var intervals = Enumerable.Range(0, 30).Select(_ => 48_000 + random.Next(12_001)).ToList();
        var score = BeaconDetection.Score(intervals, Enumerable.Repeat(1200L, 30).ToList());
        Assert.True(score.Total >= BeaconDetection.MinScore, $"score {score.Total}");
        // The same intervals with sizes all over the place fall below.
        var sizes = Enumerable.Range(0, 30).Select(_ => (long)random.Next(500, 50_000)).ToList();
        Assert.True(BeaconDetection.Score(intervals, sizes).Total < BeaconDetection.Score(intervals, Enumerable.Repeat(1200L, 30).ToList()).Total);
    }
}
