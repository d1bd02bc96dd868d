using System.Diagnostics;
using NetTriage.Analysis.Reading;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The pump's balance between its two threads: every period, one sensor family moves toward the thread that waited less,
/// never past either end, and a change of direction lengthens the period so that a family is not moved back and forth.
/// </summary>
public sealed class BalanceTests
{
    private const int Families = 16;
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void A_family_moves_to_the_thread_that_waited_less_once_a_period()
    {
        var shared = new PacketPump.Handover();
        var b = new PacketPump.Balancer();
        Assert.Equal(Families, PacketPump.Balance(ref b, Families, Families, shared)); // the first look only starts the clock

        // The tracking thread waited a second for batches and the reading thread not at all: the reader has too much.
        shared.TrackerWaited += Second;
        b.Batches = 1;
        Assert.Equal(Families, PacketPump.Balance(ref b, Families, Families, shared)); // not a period's end: no look
        b.Batches = PacketPump.BalancePeriod;
        Assert.Equal(Families - 1, PacketPump.Balance(ref b, Families, Families, shared));
        shared.TrackerWaited += Second;
        b.Batches = 2 * PacketPump.BalancePeriod;
        Assert.Equal(Families - 2, PacketPump.Balance(ref b, Families - 1, Families, shared));
        Assert.Equal(PacketPump.BalancePeriod, b.Period);

        // Now the reading thread waits: a family comes back, and the turn doubles the period.
        b.ReaderWaited += Second;
        b.Batches = 3 * PacketPump.BalancePeriod;
        Assert.Equal(Families - 1, PacketPump.Balance(ref b, Families - 2, Families, shared));
        Assert.Equal(2 * PacketPump.BalancePeriod, b.Period);
        b.ReaderWaited += Second;
        b.Batches = 5 * PacketPump.BalancePeriod; // 320 batches: not a multiple of the doubled period
        Assert.Equal(Families - 1, PacketPump.Balance(ref b, Families - 1, Families, shared)); // within the longer period
    }

    [Fact]
    public void Waits_alike_move_nothing_and_no_split_passes_either_end()
    {
        var shared = new PacketPump.Handover();
        var b = new PacketPump.Balancer();
        PacketPump.Balance(ref b, 0, Families, shared);

        shared.TrackerWaited += Second;
        b.ReaderWaited += Second;
        b.Batches = PacketPump.BalancePeriod;
        Assert.Equal(5, PacketPump.Balance(ref b, 5, Families, shared));

        shared.TrackerWaited += Second;
        b.Batches = 2 * PacketPump.BalancePeriod;
        Assert.Equal(0, PacketPump.Balance(ref b, 0, Families, shared)); // every family is on the tracking thread already

        b.ReaderWaited += 4 * Second;
        b.Batches = 3 * PacketPump.BalancePeriod;
        Assert.Equal(Families, PacketPump.Balance(ref b, Families, Families, shared)); // and here all are on the reader
    }
}
