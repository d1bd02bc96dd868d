using NetTriage.Capture.Text;

namespace NetTriage.Capture.Tests.Text;

public class EndpointsTests
{
    [Theory]
    [InlineData("192.51.100.15", "192.51.100.15", false, 0)]
    [InlineData("192.51.100.15.52444", "192.51.100.15", true, 52444)]
    [InlineData("203.0.113.2.domain", "203.0.113.2", true, 53)]
    [InlineData("10.0.0.1.http", "10.0.0.1", true, 80)]
    [InlineData("10.0.0.1.www", "10.0.0.1", true, 80)]
    [InlineData("10.0.0.1.https", "10.0.0.1", true, 443)]
    [InlineData("10.0.0.1.ssh", "10.0.0.1", true, 22)]
    [InlineData("10.0.0.1.ntp", "10.0.0.1", true, 123)]
    [InlineData("0.0.0.0.bootpc", "0.0.0.0", true, 68)]
    [InlineData("255.255.255.255.bootps", "255.255.255.255", true, 67)]
    [InlineData("10.0.0.1.netbios-ns", "10.0.0.1", true, 137)]
    [InlineData("10.0.0.1.snmp", "10.0.0.1", true, 161)]
    [InlineData("224.0.0.251.mdns", "224.0.0.251", true, 5353)]
    [InlineData("fe80::1", "fe80::1", false, 0)]
    [InlineData("2001:db8::1.12345", "2001:db8::1", true, 12345)]
    [InlineData("2001:db8::1.domain", "2001:db8::1", true, 53)]
    [InlineData("2000:0:0:40::.7784", "2000:0:0:40::", true, 7784)]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1", false, 0)]
    [InlineData("::ffff:192.0.2.1.80", "::ffff:192.0.2.1", true, 80)]
    [InlineData("::", "::", false, 0)]
    public void ReadsAddressAndPort(string token, string address, bool hasPort, int port)
    {
        Assert.True(Endpoints.TryParse(token, out var e));
        Assert.Equal(address, e.Address.ToString());
        Assert.Equal(hasPort, e.HasPort);
        Assert.Equal(port, e.Port);
        Assert.True(e.Host.IsEmpty);
    }

    [Fact]
    public void UnknownServiceNameKeepsTheNameAndPortZero()
    {
        Assert.True(Endpoints.TryParse("192.0.2.7.my-service", out var e));
        Assert.Equal("192.0.2.7", e.Address.ToString());
        Assert.True(e.HasPort);
        Assert.Equal(0, e.Port);
        Assert.Equal("my-service", e.PortName.ToString());
    }

    [Theory]
    [InlineData("www.example.com.https", "www.example.com", true, 443)]
    [InlineData("myhost.52444", "myhost", true, 52444)]
    [InlineData("dns.google", "dns.google", false, 0)]
    [InlineData("router.local", "router.local", false, 0)]
    public void HostNamesWithoutMinusNAreKept(string token, string host, bool hasPort, int port)
    {
        Assert.True(Endpoints.TryParse(token, out var e));
        Assert.True(e.Address.IsNone);
        Assert.Equal(host, e.Host.ToString());
        Assert.Equal(hasPort, e.HasPort);
        Assert.Equal(port, e.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3.1024")]
    [InlineData("1.1")]
    [InlineData("[total")]
    [InlineData("0a8808aa.00:00:00:00:00:01.0451")]
    [InlineData("192.0.2.1.99999")]
    [InlineData("1.2.3.4.5.6")]
    [InlineData("fe80::1%eth0")]
    public void RejectsWhatIsNotAnEndpoint(string token)
    {
        Assert.False(Endpoints.TryParse(token, out _));
    }

    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("fe80::1")]
    [InlineData("2001:db8::")]
    [InlineData("2001:db8:0:0:1:0:0:1")]
    [InlineData("2001:DB8::FFFF")]
    [InlineData("1:2:3:4:5:6:7::")]
    [InlineData("::2:3:4:5:6:7:8")]
    [InlineData("a:b:c:0:ffff:ffff:44:43")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.33")]
    [InlineData("1:2:3:4:5:6:1.2.3.4")]
    public void Ipv6TextFormsMatchTheFramework(string text)
    {
        Assert.True(Endpoints.TryParseV6(text, out var address));
        Assert.Equal(System.Net.IPAddress.Parse(text), address.ToIPAddress());
    }

    [Theory]
    [InlineData(":")]
    [InlineData(":1")]
    [InlineData("1:")]
    [InlineData("1:::2")]
    [InlineData("1::2::3")]
    [InlineData("12345::")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8::")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("::1.2.3")]
    [InlineData("g::1")]
    [InlineData("1.2.3.4")]
    [InlineData("fe80::1%eth0")]
    public void Ipv6RejectsMalformedText(string text)
    {
        Assert.False(Endpoints.TryParseV6(text, out _));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4.")]
    [InlineData("01234.1.1.1")]
    [InlineData("1..2.3")]
    public void StrictDottedQuad(string text)
    {
        Assert.False(Endpoints.TryParseV4(text, out _));
    }
}
