using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Established connections that stop moving, built segment by segment: a receiver at a zero window for seconds, data
/// resent with backoff and never acknowledged; and the traps: a zero window of a few milliseconds (flow control),
/// retransmissions that are acknowledged (loss recovered), and resends in a capture of one direction.
/// </summary>
public sealed class TcpStallTests
{
    private const string Client = "10.0.0.5";
    private const string Web = "192.0.2.80";

    private static Scenario Connected(Scenario s, ushort port)
    {
        s.After(1).Tcp(Client, port, Web, 80, TcpFlags.Syn, 1000);
        s.Tcp(Web, 80, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.Tcp(Client, port, Web, 80, TcpFlags.Ack, 1001, 5001);
        return s.TcpText(Client, port, Web, 80, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n", 1001, 5001);
    }

    /// <summary>A TCP segment with an explicit window (the scenario's own writer always advertises 64240).</summary>
    private static Scenario Window(Scenario s, string src, ushort sport, string dst, ushort dport, uint seq, uint ack, ushort window) =>
        s.TcpWindow(src, sport, dst, dport, seq, ack, window);

    [Fact]
    public void A_client_at_a_zero_window_for_three_seconds_is_a_receiver_that_stopped_reading()
    {
        var s = Connected(new Scenario(), 40000);
        s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 5001, 1030, payload: 1000);
        Window(s, Client, 40000, Web, 80, 1030, 6001, 0);
        for (int i = 0; i < 3; i++)
        {
            s.After(1).Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6000, 1030); // Linux's probe: no data, an old sequence
            Window(s, Client, 40000, Web, 80, 1030, 6001, 0);
            s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6001, 1030); // a plain acknowledgement: no probe
        }

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.TcpZeroWindow);
        Assert.Equal("client", finding.Stall!.Side);
        Assert.InRange(finding.Stall.LongestZeroWindowSeconds!.Value, 2.9, 3.1);
        Assert.Equal(3, finding.Stall.Probes);
        Assert.Equal(FindingKind.TcpZeroWindow, Assert.Single(report.Incidents).Kind);
    }

    [Fact]
    public void Data_resent_with_backoff_and_never_acknowledged_is_a_stall()
    {
        var s = Connected(new Scenario(), 40000);
        s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 5001, 1030, payload: 1000);
        s.Tcp(Client, 40000, Web, 80, TcpFlags.Ack, 1030, 6001);
        s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6001, 1030, payload: 1000);
        foreach (double backoff in (ReadOnlySpan<double>)[0.2, 0.4, 0.8, 1.6])
        {
            s.After(backoff).Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6001, 1030, payload: 1000);
        }

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.TcpStall);
        Assert.Equal("client", finding.Stall!.Side);
        Assert.Equal(4, finding.Stall.Retransmissions);
        Assert.InRange(finding.Stall.LongestStallSeconds!.Value, 2.7, 2.9);
    }

    [Fact]
    public void A_short_zero_window_recovered_loss_and_a_one_direction_capture_are_neither()
    {
        var s = Connected(new Scenario(), 40000);
        // Flow control: a zero window for 20 ms, then open again.
        s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 5001, 1030, payload: 1000);
        Window(s, Client, 40000, Web, 80, 1030, 6001, 0);
        s.After(0.02).Tcp(Client, 40000, Web, 80, TcpFlags.Ack, 1030, 6001);
        // Loss: resent three times over 1.4 s, then acknowledged.
        s.Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6001, 1030, payload: 1000);
        foreach (double backoff in (ReadOnlySpan<double>)[0.2, 0.4, 0.8]) s.After(backoff).Tcp(Web, 80, Client, 40000, TcpFlags.Ack, 6001, 1030, payload: 1000);
        s.Tcp(Client, 40000, Web, 80, TcpFlags.Ack, 1030, 7001);
        // One direction: the server's side of another connection only, resending; its client never in the capture.
        s.After(1).Tcp(Web, 80, Client, 40001, TcpFlags.Syn | TcpFlags.Ack, 9000, 2001);
        s.Tcp(Web, 80, Client, 40001, TcpFlags.Ack, 9001, 2001, payload: 1000);
        foreach (double backoff in (ReadOnlySpan<double>)[0.2, 0.4, 0.8, 1.6]) s.After(backoff).Tcp(Web, 80, Client, 40001, TcpFlags.Ack, 9001, 2001, payload: 1000);

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.TcpZeroWindow or FindingKind.TcpStall);
    }
}
