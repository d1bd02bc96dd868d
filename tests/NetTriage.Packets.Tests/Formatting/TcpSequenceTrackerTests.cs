using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Formatting;

public class TcpSequenceTrackerTests
{
    private static readonly IpAddr Client = IpAddr.Parse("192.0.2.10");
    private static readonly IpAddr Server = IpAddr.Parse("198.51.100.80");

    private static (uint Seq, uint Ack) Relative(TcpSequenceTracker t, bool fromClient, bool syn, uint seq, uint ack)
    {
        if (fromClient)
        {
            t.MakeRelative(Client, 40000, Server, 443, syn, ref seq, ref ack);
        }
        else
        {
            t.MakeRelative(Server, 443, Client, 40000, syn, ref seq, ref ack);
        }
        return (seq, ack);
    }

    [Fact]
    public void SynAckSetsBothBasesAndIsPrintedAbsolute()
    {
        var t = new TcpSequenceTracker(16);
        Assert.Equal((1000u, 501u), Relative(t, fromClient: false, syn: true, 1000, 501));
        Assert.Equal((1u, 1u), Relative(t, fromClient: true, syn: false, 501, 1001));
        Assert.Equal((1u, 11u), Relative(t, fromClient: false, syn: false, 1001, 511));
        Assert.Equal(1, t.Count);
    }

    [Fact]
    public void NumbersWrapAroundTheSequenceSpace()
    {
        // RFC 9293 3.4: sequence numbers are modulo 2^32.
        var t = new TcpSequenceTracker(16);
        Relative(t, fromClient: false, syn: true, 0xFFFFFFF0, 0xFFFFFFFF);
        Assert.Equal((0x12u, 0x20u), Relative(t, fromClient: true, syn: false, 0x10, 0x10));
    }

    [Fact]
    public void ANewSynAckStartsTheConnectionOver()
    {
        var t = new TcpSequenceTracker(16);
        Relative(t, fromClient: false, syn: true, 1000, 501);
        Assert.Equal((7000u, 9001u), Relative(t, fromClient: false, syn: true, 7000, 9001));
        Assert.Equal((1u, 1u), Relative(t, fromClient: true, syn: false, 9001, 7001));
        Assert.Equal(1, t.Count);
    }

    [Fact]
    public void OldestConnectionIsForgottenWhenFull()
    {
        var t = new TcpSequenceTracker(2);
        var first = IpAddr.Parse("10.0.0.1");
        uint s = 100, a = 200;
        t.MakeRelative(first, 1, Server, 80, true, ref s, ref a);
        for (ushort port = 2; port <= 3; port++)
        {
            uint s2 = 100, a2 = 200;
            t.MakeRelative(IpAddr.Parse("10.0.0.1"), port, Server, 80, true, ref s2, ref a2);
        }
        Assert.Equal(2, t.Count);

        // The first connection was evicted: its next segment is printed absolute again.
        uint seq = 150, ack = 260;
        t.MakeRelative(first, 1, Server, 80, false, ref seq, ref ack);
        Assert.Equal((150u, 260u), (seq, ack));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void ClearForgetsEverything()
    {
        var t = new TcpSequenceTracker(4);
        Relative(t, fromClient: false, syn: true, 1000, 501);
        t.Clear();
        Assert.Equal(0, t.Count);
        Assert.Equal((501u, 1001u), Relative(t, fromClient: true, syn: false, 501, 1001));
    }

    [Fact]
    public void CapacityMustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpSequenceTracker(0));
    }
}
