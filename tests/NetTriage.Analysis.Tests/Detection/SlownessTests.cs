using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// "The site is slow", built exchange by exchange with the time put where it goes: on the wire (a 0.9 s handshake),
/// at the server (1.5 s from request to answer), at the client (2 s from handshake to request); and the traps: a
/// server that speaks first, a kept-alive connection idle between requests, a long poll, a connection first seen
/// mid-stream, fast exchanges.
/// </summary>
public sealed class SlownessTests
{
    private const string Client = "10.0.0.5";
    private const string Web = "192.0.2.80";
    private ushort _port = 40000;

    /// <summary>
    /// One connection: SYN, SYN-ACK after <paramref name="legOut"/>, ACK after <paramref name="legBack"/>, the request
    /// after <paramref name="clientWait"/>, the answer after <paramref name="serverTime"/>, then FINs.
    /// </summary>
    private Scenario Exchange(Scenario s, double legOut, double legBack, double clientWait, double serverTime)
    {
        ushort port = _port++;
        s.After(1).Tcp(Client, port, Web, 80, TcpFlags.Syn, 1000);
        s.After(legOut).Tcp(Web, 80, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.After(legBack).Tcp(Client, port, Web, 80, TcpFlags.Ack, 1001, 5001);
        s.After(clientWait).TcpText(Client, port, Web, 80, "GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n", 1001, 5001);
        s.After(serverTime).TcpText(Web, 80, Client, port, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5001, 1043);
        s.Tcp(Client, port, Web, 80, TcpFlags.Fin | TcpFlags.Ack, 1043, 5040);
        s.Tcp(Web, 80, Client, port, TcpFlags.Fin | TcpFlags.Ack, 5040, 1044);
        return s.Tcp(Client, port, Web, 80, TcpFlags.Ack, 1044, 5041);
    }

    private AnalysisReport Run(int connections, double legOut, double legBack, double clientWait, double serverTime)
    {
        var s = new Scenario();
        for (int i = 0; i < connections; i++) Exchange(s, legOut, legBack, clientWait, serverTime);
        return s.Analyze();
    }

    [Fact]
    public void A_handshake_of_nine_tenths_of_a_second_is_a_slow_network_with_where_the_time_goes()
    {
        // Captured at the client: 0.9 s from SYN to SYN-ACK, the ACK at once; the server answers 0.91 s after the
        // request, of which 0.9 s is the way there and back.
        var report = Run(4, legOut: 0.9, legBack: 0.001, clientWait: 0.001, serverTime: 0.91);

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.SlowNetwork, incident.Kind);
        var timing = Assert.Single(report.Findings, f => f.Kind == FindingKind.SlowNetwork).Timing!;
        Assert.Equal("network", timing.Slowest);
        Assert.Equal(4, timing.Connections);
        Assert.InRange(timing.RoundTripMedian!.Value, 0.89, 0.91);
        Assert.InRange(timing.ServerMedian!.Value, 0.0, 0.02);
        Assert.Equal("path-latency", incident.Causes[0].Id);
    }

    [Fact]
    public void The_same_round_trip_seen_at_the_server_is_the_same_network()
    {
        // Captured at the server: the SYN-ACK leaves at once, the ACK comes back 0.9 s later; the answer leaves 5 ms
        // after the request arrived.
        var report = Run(4, legOut: 0.001, legBack: 0.9, clientWait: 0.001, serverTime: 0.005);

        var timing = Assert.Single(report.Findings, f => f.Kind == FindingKind.SlowNetwork).Timing!;
        Assert.InRange(timing.RoundTripMedian!.Value, 0.89, 0.91);
        Assert.InRange(timing.ServerMedian!.Value, 0.0, 0.01);
    }

    [Fact]
    public void An_answer_a_second_and_a_half_after_the_request_is_a_slow_server()
    {
        var report = Run(3, legOut: 0.02, legBack: 0.001, clientWait: 0.001, serverTime: 1.52);

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.SlowServer);
        Assert.InRange(finding.Timing!.ServerMedian!.Value, 1.49, 1.51);
        Assert.Equal("server-slow", Assert.Single(report.Incidents).Causes[0].Id);
    }

    [Fact]
    public void Two_seconds_from_handshake_to_request_is_a_slow_client()
    {
        var report = Run(3, legOut: 0.02, legBack: 0.001, clientWait: 2, serverTime: 0.03);

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.SlowClient);
        Assert.InRange(finding.Timing!.ClientWaitMedian!.Value, 1.99, 2.01);
    }

    [Theory]
    [InlineData(2, 0.9, 0.001, 0.001, 0.91)]    // two connections: not enough to call the median
    [InlineData(5, 0.1, 0.001, 0.5, 0.3)]       // an ordinary site: 100 ms round trip, 200 ms at the server
    [InlineData(3, 0.02, 0.001, 0.001, 25)]     // a long poll: answered after 25 s by design
    public void Few_connections_ordinary_times_and_long_polls_are_not_slow(int connections, double legOut, double legBack, double wait, double server)
    {
        var report = Run(connections, legOut, legBack, wait, server);

        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.SlowNetwork or FindingKind.SlowServer or FindingKind.SlowClient);
    }

    [Fact]
    public void A_banner_first_server_and_a_kept_alive_idle_connection_are_not_slow()
    {
        var s = new Scenario();
        for (int i = 0; i < 4; i++)
        {
            // An SMTP-like server greets first, two seconds after the handshake: the client waits for it, by design.
            ushort port = _port++;
            s.After(1).Tcp(Client, port, Web, 25, TcpFlags.Syn, 1000);
            s.Tcp(Web, 25, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.Tcp(Client, port, Web, 25, TcpFlags.Ack, 1001, 5001);
            s.After(2).TcpText(Web, 25, Client, port, "220 mail.example.test ESMTP\r\n", 5001, 1001);
            s.TcpText(Client, port, Web, 25, "EHLO client\r\n", 1001, 5030);
        }
        for (int i = 0; i < 4; i++)
        {
            // A kept-alive web connection: a fast first request, then 30 s idle, then another.
            ushort port = _port++;
            s.After(1).Tcp(Client, port, Web, 80, TcpFlags.Syn, 1000);
            s.Tcp(Web, 80, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.Tcp(Client, port, Web, 80, TcpFlags.Ack, 1001, 5001);
            s.TcpText(Client, port, Web, 80, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1001, 5001);
            s.After(0.02).TcpText(Web, 80, Client, port, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5001, 1028);
            s.After(30).TcpText(Client, port, Web, 80, "GET /next HTTP/1.1\r\nHost: a\r\n\r\n", 1028, 5040);
            s.After(0.02).TcpText(Web, 80, Client, port, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5040, 1059);
        }

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.SlowNetwork or FindingKind.SlowServer or FindingKind.SlowClient);
    }

    [Fact]
    public void A_capture_that_kept_only_syns_and_fins_times_no_round_trip()
    {
        // A filter that keeps SYN, FIN and RST only: the first client packet after the SYN-ACK is its FIN, seconds
        // later, acknowledging the whole answer. That is not a round trip.
        var s = new Scenario();
        for (int i = 0; i < 4; i++)
        {
            ushort port = _port++;
            s.After(1).Tcp(Client, port, Web, 80, TcpFlags.Syn, 1000);
            s.After(0.08).Tcp(Web, 80, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.After(5).Tcp(Web, 80, Client, port, TcpFlags.Fin | TcpFlags.Ack, 32911, 820);
            s.Tcp(Client, port, Web, 80, TcpFlags.Fin | TcpFlags.Ack, 820, 32912);
        }

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind is FindingKind.SlowNetwork or FindingKind.SlowServer or FindingKind.SlowClient);
    }
}
