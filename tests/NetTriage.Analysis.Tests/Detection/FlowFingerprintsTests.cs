using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Tracking;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>The flat set of flow hashes the reflection family asks once a packet: exact up to its capacity.</summary>
public sealed class FlowFingerprintsTests
{
    [Fact]
    public void Holds_what_was_added_and_nothing_else_up_to_its_capacity()
    {
        var set = new FlowFingerprints(1000);
        var random = new Random(5);
        var added = new HashSet<ulong>();
        while (added.Count < 1000) added.Add((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63));
        foreach (var h in added) Assert.True(set.Add(h));
        Assert.Equal(1000, set.Count);
        Assert.All(added, h => Assert.False(set.Add(h)));
        Assert.All(added, h => Assert.True(set.Contains(h)));
        for (int i = 0; i < 10_000; i++)
        {
            ulong other = (ulong)random.NextInt64();
            Assert.Equal(added.Contains(other) || (other is 0 or 1 && (added.Contains(0) || added.Contains(1))), set.Contains(other));
        }
        Assert.False(set.Add(12345678901UL), "full: a new hash is refused, not written over an old one");
        Assert.Equal(1000, set.Count);
        set.Clear();
        Assert.Equal(0, set.Count);
        Assert.All(added, h => Assert.False(set.Contains(h)));
    }

    [Fact]
    public void Hashes_that_share_a_slot_are_each_kept()
    {
        var set = new FlowFingerprints(8);
        // Same folded halves, so the same first slot: each must still be found.
        ulong[] same = [0x0000_0001_0000_0000, 0x0000_0002_0000_0003, 0x0000_0004_0000_0005, 0x0000_0000_0000_0001];
        foreach (var h in same) Assert.True(set.Add(h));
        Assert.All(same, h => Assert.True(set.Contains(h)));
        Assert.False(set.Contains(0x0000_0003_0000_0002));
        Assert.True(set.Contains(0), "zero marks an empty slot: it is kept as one");
    }

    [Fact]
    public void A_growing_set_holds_the_same_as_a_full_one()
    {
        var grown = new FlowFingerprints(50_000, grow: true);
        var full = new FlowFingerprints(50_000);
        var random = new Random(11);
        var added = new List<ulong>();
        for (int i = 0; i < 50_000; i++)
        {
            ulong h = (ulong)random.NextInt64();
            added.Add(h);
            Assert.Equal(full.Add(h), grown.Add(h));
        }
        Assert.Equal(full.Count, grown.Count);
        Assert.All(added, h => Assert.True(grown.Contains(h)));
        for (int i = 0; i < 20_000; i++)
        {
            ulong other = (ulong)random.NextInt64();
            Assert.Equal(full.Contains(other), grown.Contains(other));
        }
        Assert.False(grown.Add(1234567), "at its capacity it refuses, as the full one does");
    }

    [Fact]
    public void A_dense_set_holds_the_same_as_a_sparse_one_to_its_capacity_and_then_refuses()
    {
        // The (client, name) pairs resolved: a dense set growing to a capacity that is not a power of two.
        const int capacity = 30_001;
        var dense = new FlowFingerprints(capacity, grow: true, dense: true);
        var sparse = new FlowFingerprints(capacity, grow: true);
        var random = new Random(13);
        var added = new List<ulong>();
        for (int i = 0; i < capacity + 500; i++)
        {
            ulong h = (ulong)random.NextInt64();
            if (i < capacity) added.Add(h);
            Assert.Equal(sparse.Add(h), dense.Add(h));
        }
        Assert.Equal(capacity, dense.Count);
        Assert.All(added, h => Assert.True(dense.Contains(h)));
        for (int i = 0; i < 20_000; i++)
        {
            ulong other = (ulong)random.NextInt64();
            Assert.Equal(sparse.Contains(other), dense.Contains(other));
        }
    }
}
