using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The sorted, bounded sets that keep a service's clients and a redirect's names: what a capped HashSet gave (the
/// count, membership, and the values in order once sorted), in less memory.
/// </summary>
public sealed class BoundedSetTests
{
    [Fact]
    public void Values_are_kept_once_and_enumerate_in_order()
    {
        var set = new BoundedSet<IpAddr>(64);
        var addresses = new[] { "10.0.0.9", "10.0.0.1", "2001:db8::1", "10.0.0.5", "10.0.0.1", "192.168.1.1", "10.0.0.9" }
            .Select(IpAddr.Parse).ToList();

        var added = addresses.Select(set.Add).ToList();

        Assert.Equal([true, true, true, true, false, true, false], added);
        Assert.Equal(5, set.Count);
        Assert.Equal(addresses.Distinct().Order(), set);
        Assert.Contains(IpAddr.Parse("2001:db8::1"), set);
        Assert.False(set.Contains(IpAddr.Parse("10.0.0.2")));
    }

    [Fact]
    public void Past_its_bound_a_new_value_is_refused_and_the_first_ones_stay()
    {
        var set = new BoundedSet<ulong>(16);
        var random = new Random(7);
        var values = Enumerable.Range(0, 100).Select(_ => (ulong)random.NextInt64()).ToList();

        foreach (var v in values) set.Add(v);

        Assert.Equal(16, set.Count);
        // The same 16 a HashSet filled while its count was below 16 would hold.
        var capped = new HashSet<ulong>();
        foreach (var v in values) if (capped.Count < 16) capped.Add(v);
        Assert.Equal(capped.Order(), set);
        ulong fresh = values.Max() + 1;
        Assert.False(set.Add(fresh));
        Assert.False(set.Contains(fresh));
        Assert.False(set.Add(set.First()));
        Assert.Equal(16, set.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedSet<ulong>(0));
    }
}

/// <summary>
/// The address set that keeps IPv4 addresses in 4 bytes: the same count, membership, refusals and order as a
/// <see cref="BoundedSet{T}"/> of the same addresses, IPv4 and IPv6 mixed, below and past its bound.
/// </summary>
public sealed class BoundedAddressSetTests
{
    [Theory]
    [InlineData(64, 7)]
    [InlineData(16, 11)]
    [InlineData(3, 5)]
    public void It_holds_what_a_bounded_set_of_the_same_addresses_holds(int bound, int seed)
    {
        var random = new Random(seed);
        var compact = new BoundedAddressSet(bound);
        var reference = new BoundedSet<IpAddr>(bound);
        var addresses = new List<IpAddr> { IpAddr.None };
        for (int i = 0; i < 200; i++)
        {
            // Few distinct values, so that repeats are common; a third IPv6.
            addresses.Add(random.Next(3) == 0
                ? IpAddr.Parse($"2001:db8::{random.Next(40):x}")
                : IpAddr.FromV4((uint)(random.Next(2) == 0 ? 0x0A00_0000 : 0xC0A8_0000) | (uint)random.Next(60)));
        }

        foreach (var a in addresses)
        {
            Assert.Equal(reference.Add(a), compact.Add(a));
            Assert.Equal(reference.Count, compact.Count);
        }

        Assert.Equal(reference, compact);
        foreach (var a in addresses) Assert.Equal(reference.Contains(a), compact.Contains(a));
        Assert.False(compact.Contains(IpAddr.Parse("172.16.0.1")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedAddressSet(0));
    }
}
