using System.Net;
using NetTriage.Live.Capture;

namespace NetTriage.Live.Tests.Capture;

public sealed class CaptureFilterTests
{
    private static readonly IPAddress Resolver = IPAddress.Parse("192.0.2.53");
    private static readonly IPAddress Web = IPAddress.Parse("198.51.100.80");
    private static readonly IPAddress Local4 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Local6 = IPAddress.Parse("2001:db8::10");

    [Fact]
    public void Names_the_resolvers_port_53_the_targets_port_and_icmp_toward_this_host()
    {
        string filter = CaptureFilter.Build([Resolver], [Web], 443, [Local4, Local6]);

        Assert.Equal("((host 192.0.2.53) and port 53) or (tcp and (host 198.51.100.80) and port 443) or " +
            "(icmp and (dst host 192.0.2.10)) or (icmp6 and (dst host 2001:db8::10))", filter);
    }

    [Fact]
    public void Before_resolution_only_dns_and_icmp_are_captured()
    {
        string filter = CaptureFilter.Build([Resolver, IPAddress.Parse("2001:db8::53")], [], 80, []);

        Assert.Equal("((host 192.0.2.53 or host 2001:db8::53) and port 53) or icmp or icmp6", filter);
    }

    [Fact]
    public void Drops_ipv6_zones_that_pcap_filter_cannot_read()
    {
        var linkLocal = IPAddress.Parse("fe80::1%2");

        string filter = CaptureFilter.Build([linkLocal], [], 80, []);

        Assert.Contains("host fe80::1)", filter, StringComparison.Ordinal);
        Assert.DoesNotContain("%", filter, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_targets_keep_the_port_only()
    {
        var many = Enumerable.Range(1, CaptureFilter.MaxAddresses + 1).Select(i => IPAddress.Parse($"198.51.100.{i}")).ToList();

        string filter = CaptureFilter.Build([], many, 80, []);

        Assert.StartsWith("(tcp and port 80)", filter, StringComparison.Ordinal);
    }
}
