using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The exact address set that holds the hosts a source swept: what the dictionary it replaced held (each address
/// once, membership, every address back), IPv4 and IPv6 alike, 0.0.0.0 included, across many growths.
/// </summary>
public sealed class AddressSetTests
{
    [Fact]
    public void Each_address_is_held_once_and_comes_back()
    {
        var set = new AddressSet();
        var addresses = new[] { "10.0.0.9", "0.0.0.0", "2001:db8::1", "10.0.0.9", "::", "0.0.0.0", "255.255.255.255", "2001:db8::1" }
            .Select(IpAddr.Parse).ToList();

        var added = addresses.Select(set.Add).ToList();

        Assert.Equal([true, true, true, false, true, false, true, false], added);
        Assert.Equal(5, set.Count);
        Assert.Equal(addresses.Distinct().Order(), set.All().Order());
        Assert.True(set.Contains(IpAddr.Parse("0.0.0.0")));
        Assert.True(set.Contains(IpAddr.Parse("::")));
        Assert.False(set.Contains(IpAddr.Parse("10.0.0.8")));
        Assert.False(set.Contains(IpAddr.Parse("2001:db8::2")));
    }

    [Fact]
    public void A_swept_subnet_and_random_hosts_are_held_exactly_as_a_hash_set_holds_them()
    {
        var set = new AddressSet();
        var reference = new HashSet<IpAddr>();
        var random = new Random(11);
        // A /16 swept in order (addresses differing in their low bits only), then random hosts, some of them again.
        var addresses = Enumerable.Range(0, 65_536).Select(i => IpAddr.FromV4(0x0A00_0000u | (uint)i))
            .Concat(Enumerable.Range(0, 50_000).Select(_ => IpAddr.FromV4((uint)random.NextInt64(0, 1L << 32))))
            .Concat(Enumerable.Range(0, 1_000).Select(i => IpAddr.FromV4(0x0A00_0000u | (uint)(i * 7))))
            .ToList();

        foreach (var a in addresses) Assert.Equal(reference.Add(a), set.Add(a));

        Assert.Equal(reference.Count, set.Count);
        Assert.Equal(reference.Order(), set.All().Order());
        Assert.All(reference.Take(1_000), a => Assert.True(set.Contains(a)));
        var absent = Enumerable.Range(0, 1_000).Select(_ => IpAddr.FromV4((uint)random.NextInt64(0, 1L << 32))).Where(a => !reference.Contains(a)).ToList();
        Assert.NotEmpty(absent);
        Assert.All(absent, a => Assert.False(set.Contains(a)));
    }
}
