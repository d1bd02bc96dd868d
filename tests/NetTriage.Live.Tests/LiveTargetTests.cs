using System.Net;
using NetTriage.Live;

namespace NetTriage.Live.Tests;

public sealed class LiveTargetTests
{
    [Theory]
    [InlineData("http://www.example.test/", "http", "www.example.test", 80, "/", "http://www.example.test/")]
    [InlineData("https://www.example.test", "https", "www.example.test", 443, "/", "https://www.example.test/")]
    [InlineData("www.example.test", "https", "www.example.test", 443, "/", "https://www.example.test/")]
    [InlineData("WWW.Example.TEST.", "https", "www.example.test", 443, "/", "https://www.example.test/")]
    [InlineData("http://www.example.test:8080/a/b?c=d", "http", "www.example.test", 8080, "/a/b?c=d", "http://www.example.test:8080/a/b?c=d")]
    [InlineData("https://www.example.test:443/", "https", "www.example.test", 443, "/", "https://www.example.test/")]
    [InlineData("http://bücher.example/", "http", "xn--bcher-kva.example", 80, "/", "http://xn--bcher-kva.example/")]
    public void Parses_urls_and_bare_names(string text, string scheme, string host, int port, string path, string url)
    {
        Assert.True(LiveTarget.TryParse(text, out var target, out var problem), problem);
        Assert.Equal((scheme, host, port, path, url), (target.Scheme, target.Host, target.Port, target.PathAndQuery, target.Url));
        Assert.Null(target.Address);
    }

    [Theory]
    [InlineData("http://192.0.2.7/", "192.0.2.7", "192.0.2.7")]
    [InlineData("https://[2001:db8::1]:8443/x", "2001:db8::1", "[2001:db8::1]:8443")]
    public void An_address_needs_no_resolution(string text, string address, string hostHeader)
    {
        Assert.True(LiveTarget.TryParse(text, out var target, out _));
        Assert.Equal(IPAddress.Parse(address), target.Address);
        Assert.Equal(hostHeader, target.HostHeader);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ftp://www.example.test/", "scheme")]
    [InlineData("http://user:pw@www.example.test/", "user information")]
    [InlineData("http://www.exa mple.test/", "space")]
    [InlineData("http://www.example.test/\u001b[31m", "control character")]
    [InlineData("http://a..b/", "not a URL")]
    public void Refuses_what_cannot_be_probed(string text, string reason)
    {
        Assert.False(LiveTarget.TryParse(text, out var target, out var problem));
        Assert.Null(target);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_label_longer_than_63_and_a_name_longer_than_253()
    {
        Assert.False(LiveTarget.IsValidHostName(new string('a', 64) + ".test", out var p1));
        Assert.Contains("63", p1, StringComparison.Ordinal);
        Assert.True(LiveTarget.IsValidHostName(new string('a', 63) + ".test", out _));
        string longName = string.Join('.', Enumerable.Repeat(new string('a', 50), 5)) + ".test";
        Assert.False(LiveTarget.IsValidHostName(longName, out var p2));
        Assert.Contains("253", p2, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_path_longer_than_the_cap()
    {
        Assert.False(LiveTarget.TryParse("http://www.example.test/" + new string('a', LiveTarget.MaxPathLength), out _, out var problem));
        Assert.Contains("path", problem, StringComparison.Ordinal);
    }
}
