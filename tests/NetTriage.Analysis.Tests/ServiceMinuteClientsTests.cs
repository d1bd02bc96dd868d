using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// The distinct clients of each service-minute (what the history keeps) are counted exactly up to their cap, from
/// queries built byte by byte, and the 64-bit client keys keep IPv4 addresses exact and apart from IPv6 ones.
/// </summary>
public sealed class ServiceMinuteClientsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(37)]
    [InlineData(256)]
    public void Each_client_counts_once_in_its_minute(int clients)
    {
        var s = new Scenario();
        // Every client asks twice (the second time after others asked), in one minute.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < clients; i++)
            {
                string client = $"10.{1 + i / 250}.0.{1 + i % 250}";
                ushort id = (ushort)(round * 1000 + i);
                s.Query(client, 40000, "192.0.2.53", id, "example.com").After(0.001)
                    .Response("192.0.2.53", client, 40000, id, "example.com", 0, "198.51.100.7").After(0.01);
            }
        }
        var minute = Assert.Single(s.Analyze().ServiceMinutes, m => m.Server == "192.0.2.53" && m.Port == 53);
        Assert.Equal(clients, minute.Clients);
        Assert.False(minute.ClientsCapped);
        Assert.Equal(2L * clients, minute.Attempts);
    }

    [Fact]
    public void Past_the_cap_the_count_is_a_lower_bound_and_says_so()
    {
        var s = new Scenario();
        for (int i = 0; i < ServiceMinutes.MaxClients + 10; i++)
        {
            string client = $"10.{1 + i / 250}.0.{1 + i % 250}";
            s.Query(client, 40000, "192.0.2.53", (ushort)i, "example.com").After(0.001)
                .Response("192.0.2.53", client, 40000, (ushort)i, "example.com", 0, "198.51.100.7").After(0.01);
        }
        var minute = Assert.Single(s.Analyze().ServiceMinutes, m => m.Server == "192.0.2.53" && m.Port == 53);
        Assert.Equal(ServiceMinutes.MaxClients, minute.Clients);
        Assert.True(minute.ClientsCapped);
    }

    [Fact]
    public void Client_keys_are_exact_for_IPv4_and_apart_from_IPv6()
    {
        var v4 = new[] { "0.0.0.0", "10.0.0.1", "10.0.0.2", "255.255.255.255" }.Select(IpAddr.Parse).ToArray();
        var v6 = new[] { "::", "::1", "2001:db8::1", "2001:db8::2", "::ffff:10.0.0.1", "fe80::1" }.Select(IpAddr.Parse).ToArray();
        var keys = v4.Concat(v6).Select(ServiceMinutes.ClientKey).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(v4, a => Assert.Equal((1UL << 63) | a.V4Value, ServiceMinutes.ClientKey(a)));
        Assert.All(v6, a => Assert.Equal(0UL, ServiceMinutes.ClientKey(a) >> 63));
        Assert.Equal(ServiceMinutes.ClientKey(IpAddr.Parse("2001:db8::1")), ServiceMinutes.ClientKey(IpAddr.Parse("2001:0db8:0:0::1")));
    }
}
