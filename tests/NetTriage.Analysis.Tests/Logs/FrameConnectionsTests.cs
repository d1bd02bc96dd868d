using NetTriage.Analysis.Logs;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Logs;

/// <summary>
/// The evidence map of notice.log: every (input, frame) noted gives back the connection as it was when the frame was
/// noted, as a dictionary of the same notes does, for packets in order, a packet noted twice, one out of order, a
/// connection that turned round, and several inputs.
/// </summary>
public sealed class FrameConnectionsTests
{
    private static ZeekConnection Connection(long serial, string orig, ushort origPort, string resp, ushort respPort) => new()
    {
        Serial = serial,
        Protocol = IpProtocol.Tcp,
        OrigHost = IpAddr.Parse(orig),
        OrigPort = origPort,
        RespHost = IpAddr.Parse(resp),
        RespPort = respPort,
    };

    [Fact]
    public void Each_frame_gives_the_connection_as_it_was_when_noted()
    {
        var map = new FrameConnections();
        var reference = new Dictionary<(int, long), ZeekConnId>();
        var random = new Random(3);
        var live = Enumerable.Range(0, 20).Select(i => Connection(i, $"10.0.0.{i + 1}", (ushort)(40000 + i), "192.0.2.80", 80)).ToList();
        void Note(int input, long frame, ZeekConnection c)
        {
            map.Add(input, frame, c);
            reference[(input, frame)] = new ZeekConnId(c.Serial, c.Protocol, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        }

        for (int input = 0; input < 3; input++)
        {
            for (long frame = 1; frame <= 500; frame++)
            {
                var c = live[random.Next(live.Count)];
                if (random.Next(50) == 0) c.Flip();
                Note(input, frame, c);
                // The same packet noted again for another connection: the last one noted wins.
                if (random.Next(40) == 0) Note(input, frame, live[random.Next(live.Count)]);
            }
        }
        // A frame out of order (no source gives one): still found.
        Note(1, 250, live[0]);

        Assert.Equal(reference.Count, map.Count);
        foreach (var ((input, frame), id) in reference) Assert.Equal(id, map.Find(input, frame));
        Assert.Null(map.Find(0, 501));
        Assert.Null(map.Find(3, 1));
        Assert.Null(map.Find(0, -1));
    }
}
