using System.Net;
using NetTriage.Live;

namespace NetTriage.Live.Tests;

public sealed class SystemResolversTests
{
    [Fact]
    public void Reads_nameserver_lines_in_order_and_ignores_the_rest()
    {
        string[] lines =
        [
            "# generated",
            "; another comment",
            "search example.test",
            "nameserver 192.0.2.53",
            "  nameserver\t2001:db8::53  # trailing words are ignored",
            "nameserver not-an-address",
            "nameserver 192.0.2.53",
            "options edns0",
            "nameserver fe80::1%eth0",
        ];

        var resolvers = SystemResolvers.Parse(lines);

        Assert.Equal(3, resolvers.Count);
        Assert.Equal(IPAddress.Parse("192.0.2.53"), resolvers[0]);
        Assert.Equal(IPAddress.Parse("2001:db8::53"), resolvers[1]);
        Assert.True(resolvers[2].IsIPv6LinkLocal);
    }

    [Fact]
    public void Keeps_at_most_three_as_the_C_library_does()
    {
        var lines = Enumerable.Range(1, 5).Select(i => $"nameserver 192.0.2.{i}");

        var resolvers = SystemResolvers.Parse(lines);

        Assert.Equal(SystemResolvers.MaxResolvers, resolvers.Count);
        Assert.Equal(IPAddress.Parse("192.0.2.3"), resolvers[^1]);
    }

    [Fact]
    public void An_absent_file_yields_none()
    {
        Assert.Empty(SystemResolvers.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "resolv.conf")));
    }
}
