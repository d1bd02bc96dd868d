namespace NetTriage.Packets.Tests.Model;

/// <summary>
/// The per-packet text store starts small and grows up to its fixed capacity: what it keeps and refuses is what a
/// store of the full capacity keeps and refuses, and text kept before it grew reads the same after.
/// </summary>
public sealed class PacketTextGrowthTests
{
    [Fact]
    public void Text_kept_before_growing_reads_the_same_after_and_the_capacity_still_bounds_it()
    {
        var text = new PacketText();
        Assert.True(text.TryAppend("first.example."u8, out var first));
        var big = new byte[20_000];
        new Random(3).NextBytes(big);
        Assert.True(text.TryAppend(big, out var second));
        Assert.Equal("first.example.", text.GetString(first));
        Assert.True(text.GetSpan(second).SequenceEqual(big));
        Assert.True(text.TryAppend(new byte[PacketText.Capacity - text.Used], out _));
        Assert.Equal(PacketText.Capacity, text.Used);
        Assert.False(text.TryAppend("x"u8, out var refused));
        Assert.True(refused.IsEmpty);
        Assert.True(text.Remaining(100).IsEmpty);
    }

    [Fact]
    public void An_in_place_append_gets_the_room_it_asks_for_up_to_the_capacity()
    {
        var text = new PacketText();
        Assert.True(text.Remaining(PacketText.MaxNameText).Length >= PacketText.MaxNameText);
        var room = text.Remaining(50_000);
        Assert.True(room.Length >= 50_000);
        "name."u8.CopyTo(room);
        var kept = text.Commit(5);
        Assert.Equal("name.", text.GetString(kept));
        Assert.Equal(PacketText.Capacity - 5, text.Remaining(PacketText.Capacity).Length);
    }

    [Fact]
    public void A_copy_holds_the_same_references()
    {
        var source = new PacketText();
        var big = new byte[30_000];
        big.AsSpan().Fill((byte)'a');
        Assert.True(source.TryAppend(big, out var refA));
        Assert.True(source.TryAppend("tail"u8, out var refB));
        var copy = new PacketText();
        source.CopyTo(copy);
        Assert.Equal(source.Used, copy.Used);
        Assert.True(copy.GetSpan(refA).SequenceEqual(big));
        Assert.Equal("tail", copy.GetString(refB));
    }
}
