using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The deadlines of tracked TCP connections live in a timing wheel. A connection that ends must take its entry out
/// at once: otherwise a burst of short connections leaves one entry each for a whole timeout, and the wheel grows
/// with the connection rate instead of with the connections tracked.
/// </summary>
public sealed class TimerWheelTests
{
    [Fact]
    public void Connections_that_end_leave_no_entry_behind()
    {
        // 20,000 refused connections within 10 s: each ends with the server's reset, well before the 30 s SYN timeout.
        var scenario = new Scenario();
        for (int i = 0; i < 20_000; i++)
        {
            string client = $"10.7.{i / 250}.{i % 250 + 1}";
            ushort port = (ushort)(20_000 + i % 40_000);
            scenario.Tcp(client, port, "192.0.2.80", 80, TcpFlags.Syn, seq: 1000)
                .Tcp("192.0.2.80", 80, client, port, TcpFlags.Rst | TcpFlags.Ack, seq: 0, ack: 1001)
                .After(0.0005);
        }
        // And a few that stay open: their entries must stay.
        for (int i = 0; i < 5; i++)
        {
            scenario.Tcp("10.9.0.1", (ushort)(40_000 + i), "192.0.2.81", 443, TcpFlags.Syn, seq: 5)
                .Tcp("192.0.2.81", 443, "10.9.0.1", (ushort)(40_000 + i), TcpFlags.Syn | TcpFlags.Ack, seq: 9, ack: 6)
                .Tcp("10.9.0.1", (ushort)(40_000 + i), "192.0.2.81", 443, TcpFlags.Ack, seq: 6, ack: 10);
        }

        var tracker = scenario.Track();

        Assert.Equal(20_000, tracker.Tcp.Outcomes[TcpOutcome.Refused]);
        Assert.Equal(5, tracker.Tcp.TimerEntries);
    }
}
