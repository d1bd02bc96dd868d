using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// A capture whose clock goes back (captures joined end to end, halves swapped): past <see cref="CaptureClock.JumpBackNanos"/>
/// the tracker ends what is open as at the end of input and starts its clocks again, so its tables stay bounded
/// whatever the order of the times; a small reordering changes nothing; no finding gets a negative duration or rate.
/// </summary>
public sealed class TimeJumpTests
{
    private const TcpFlags SynAck = TcpFlags.Syn | TcpFlags.Ack;

    [Fact]
    public void A_drop_is_read_as_a_drop_even_where_the_times_are_too_far_apart_to_subtract()
    {
        long second = PacketTimestamp.NanosPerSecond;
        Assert.False(CaptureClock.JumpedBack(long.MinValue, 0), "no time yet");
        Assert.False(CaptureClock.JumpedBack(100 * second, 71 * second), "29 s back");
        Assert.True(CaptureClock.JumpedBack(100 * second, 69 * second), "31 s back");
        Assert.False(CaptureClock.JumpedBack(0, 3600 * second), "forward");
        // Hostile 64-bit stamps: the signed difference overflows, the drop is still 2^64 - 2 ns.
        Assert.True(CaptureClock.JumpedBack(long.MaxValue, long.MinValue + 1));
        Assert.True(CaptureClock.JumpedBack(long.MaxValue, -1));
    }
    private const string Client = "10.1.0.1", Resolver = "10.0.0.53", Web = "192.0.2.10";

    /// <summary>
    /// Ten seconds of traffic that leave something open at its end: an established connection, a SYN sent just before
    /// the end and never answered, a DNS query just before the end and never answered.
    /// </summary>
    private static Scenario FirstSegment(Scenario s) =>
        s.Tcp(Client, 50000, Web, 443, TcpFlags.Syn, 1000)
            .Tcp(Web, 443, Client, 50000, SynAck, 5000, 1001)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Ack, 1001, 5001)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Ack, 1001, 5001, payload: 100)
            .Tcp(Web, 443, Client, 50000, TcpFlags.Ack, 5001, 1101)
            .Query(Client, 53000, Resolver, 1, "www.example.com")
            .After(0.01).Answer(Resolver, Client, 53000, 1, "www.example.com", addresses: [Web])
            .After(10)
            .Query(Client, 53001, Resolver, 2, "late.example.com")
            .Tcp("10.1.0.2", 50001, "192.0.2.20", 80, TcpFlags.Syn, 7000);

    [Fact]
    public void A_segment_that_starts_an_hour_earlier_ends_the_one_before_as_the_end_of_input_does()
    {
        var ended = FirstSegment(new Scenario()).Track();
        ended.Finish();

        // The same traffic, then the clock an hour back: one answered lookup.
        var jumped = FirstSegment(new Scenario()).After(-3600)
            .Query(Client, 53002, Resolver, 3, "www.example.com")
            .After(0.01).Answer(Resolver, Client, 53002, 3, "www.example.com", addresses: [Web])
            .Track();

        Assert.Equal(1, jumped.Segments);
        Assert.Equal(0, ended.Segments);
        // Closed at the jump, counted as at the end: the established connection, the SYN unanswered at the capture's end.
        Assert.Equal(ended.Tcp.Outcomes, jumped.Tcp.Outcomes);
        Assert.Equal(1, jumped.Tcp.Outcomes[TcpOutcome.Established]);
        Assert.Equal(1, jumped.Tcp.Outcomes[TcpOutcome.Unanswered]);
        Assert.Equal(0, jumped.Tcp.TimerEntries);
        // The late query is unanswered at the segment's end (within the answer grace), not a failure; the lookup after
        // the jump is answered and no retransmission of the one an hour later.
        Assert.Equal(1, ended.Dns.UnansweredAtEnd);
        Assert.Equal(1, jumped.Dns.UnansweredAtEnd);
        Assert.Equal(ended.Dns.Unanswered, jumped.Dns.Unanswered);
        Assert.Equal(ended.Dns.Answered + 1, jumped.Dns.Answered);
        Assert.Equal(0, jumped.Dns.Retransmissions);
        Assert.Equal(0, jumped.Dns.PendingQueries);
    }

    [Fact]
    public void Segments_each_an_hour_earlier_than_the_last_keep_the_tables_at_one_segments_worth()
    {
        // Twenty segments of 10 s (shorter than every timeout), each starting an hour before the one before: 500 SYNs
        // and 500 queries each, none answered. Without a new segment at each jump nothing would expire before the
        // clock came back to the first segment's end, which it never does: 10,000 of each held.
        const int segments = 20, perSegment = 500;
        var s = new Scenario();
        for (int segment = 0; segment < segments; segment++)
        {
            for (int i = 0; i < perSegment; i++)
            {
                string client = $"10.2.{segment}.{i % 250 + 1}";
                ushort port = (ushort)(20_000 + i);
                s.Tcp(client, port, "192.0.2.80", 80, TcpFlags.Syn, 1000)
                    .Query(client, port, Resolver, (ushort)i, $"n{segment}-{i}.example.com")
                    .After(0.02);
            }
            s.After(-3600);
        }
        int mostConnections = 0, mostQueries = 0;
        var tracker = s.Track(afterEach: t =>
        {
            mostConnections = Math.Max(mostConnections, t.Tcp.TimerEntries);
            mostQueries = Math.Max(mostQueries, t.Dns.PendingQueries);
        });

        Assert.Equal(segments - 1, tracker.Segments);
        Assert.Equal(perSegment, mostConnections);
        Assert.Equal(perSegment, mostQueries);
        tracker.Finish();
        Assert.Equal(segments * perSegment, tracker.Tcp.Outcomes[TcpOutcome.Unanswered]);
        Assert.Equal(segments * perSegment, tracker.Dns.Unanswered);
        // Each segment's last queries were cut off by its end (within the answer grace), not unanswered by their server.
        Assert.True(tracker.Dns.UnansweredAtEnd >= segments, $"{tracker.Dns.UnansweredAtEnd} unanswered at an end");
    }

    [Fact]
    public void Packets_out_of_order_by_less_than_the_threshold_change_nothing()
    {
        // The first segment's traffic, then packets half a second and 29 s back (another interface's buffer flushed
        // late): no new segment, the SYN and the query at the end still wait for their answer, as in order.
        var inOrder = FirstSegment(new Scenario()).After(1).Bystander().Bystander().Track();
        var reordered = FirstSegment(new Scenario()).After(-0.5).Bystander().After(-28.5).Bystander().Track();

        foreach (var tracker in new[] { inOrder, reordered })
        {
            Assert.Equal(0, tracker.Segments);
            Assert.Equal(2, tracker.Tcp.TimerEntries);
            Assert.Equal(1, tracker.Dns.PendingQueries);
        }
        inOrder.Finish();
        reordered.Finish();
        Assert.Equal(inOrder.Tcp.Outcomes, reordered.Tcp.Outcomes);
        Assert.Equal(inOrder.Dns.UnansweredAtEnd, reordered.Dns.UnansweredAtEnd);
        Assert.Equal(inOrder.FlowCount, reordered.FlowCount);
    }

    [Fact]
    public void A_jump_forward_of_years_expires_what_is_open_at_the_next_look()
    {
        var s = new Scenario();
        for (int i = 0; i < 1000; i++) s.Tcp($"10.3.{i / 250}.{i % 250 + 1}", 40000, Web, 80, TcpFlags.Syn, 1);
        s.After(20 * 365.25 * 86400);
        for (int i = 0; i < TrafficTracker.ExpiryInterval; i++) s.Bystander();

        var tracker = s.Track();

        Assert.Equal(0, tracker.Segments);
        Assert.Equal(0, tracker.Tcp.TimerEntries);
        Assert.Equal(1000, tracker.Tcp.Outcomes[TcpOutcome.Unanswered]);
    }

    [Fact]
    public void Activities_across_a_jump_back_have_no_negative_duration_or_rate()
    {
        // A connection open across the jump, a port scan, a ping sweep and SSH logins that go on an hour earlier.
        const string scanner = "10.0.0.66";
        var s = new Scenario()
            .Tcp(Client, 50000, Web, 443, TcpFlags.Syn, 1000)
            .Tcp(Web, 443, Client, 50000, SynAck, 5000, 1001)
            .Tcp(Client, 50000, Web, 443, TcpFlags.Ack, 1001, 5001);
        for (int half = 0; half < 2; half++)
        {
            for (int port = 1; port <= 300; port++)
            {
                ushort target = (ushort)(half * 300 + port);
                s.Tcp(scanner, 40000, "10.0.0.10", target, TcpFlags.Syn, 1000)
                    .Tcp("10.0.0.10", target, scanner, 40000, TcpFlags.Rst | TcpFlags.Ack, 0, 1001);
            }
            for (int h = 1; h <= 30; h++) s.Echo(scanner, $"10.0.1.{half * 30 + h}", 1);
            for (int attempt = 0; attempt < 20; attempt++)
            {
                ushort port = (ushort)(41000 + half * 100 + attempt);
                s.Tcp(scanner, port, "10.0.0.22", 22, TcpFlags.Syn, 1)
                    .Tcp("10.0.0.22", 22, scanner, port, SynAck, 1, 2)
                    .Tcp(scanner, port, "10.0.0.22", 22, TcpFlags.Ack, 2, 2)
                    .After(0.5)
                    .Tcp(scanner, port, "10.0.0.22", 22, TcpFlags.Ack | TcpFlags.Psh, 2, 2, payload: 1200)
                    .Tcp("10.0.0.22", 22, scanner, port, TcpFlags.Ack | TcpFlags.Psh, 2, 1202, payload: 300)
                    .Tcp(scanner, port, "10.0.0.22", 22, TcpFlags.Fin | TcpFlags.Ack, 1202, 302)
                    .After(1);
            }
            s.Tcp(Client, 50000, Web, 443, TcpFlags.Ack, 1001, 5001, payload: 100);
            if (half == 0) s.After(-3600);
        }

        var report = s.Analyze();

        Assert.Contains(report.Findings, f => f.Kind == FindingKind.PortScan);
        foreach (var f in report.Findings)
        {
            Assert.True(f.DurationSeconds is not < 0, $"{f.Kind}: {f.DurationSeconds} s");
            Assert.True(f.Attack is not { RatePerSecond: < 0 }, $"{f.Kind}: {f.Attack?.RatePerSecond} a second");
        }
        foreach (var i in report.Incidents) Assert.True(i.DurationSeconds is not < 0, $"{i.Kind}: {i.DurationSeconds} s");
    }
}
