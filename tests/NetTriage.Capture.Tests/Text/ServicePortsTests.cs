using NetTriage.Capture.Text;

namespace NetTriage.Capture.Tests.Text;

public class ServicePortsTests
{
    [Theory]
    [InlineData("domain", 53)]
    [InlineData("http", 80)]
    [InlineData("www", 80)]
    [InlineData("https", 443)]
    [InlineData("ssh", 22)]
    [InlineData("ntp", 123)]
    [InlineData("bootps", 67)]
    [InlineData("bootpc", 68)]
    [InlineData("netbios-ns", 137)]
    [InlineData("netbios-dgm", 138)]
    [InlineData("snmp", 161)]
    [InlineData("mdns", 5353)]
    [InlineData("smtp", 25)]
    [InlineData("ftp", 21)]
    [InlineData("ftp-data", 20)]
    [InlineData("telnet", 23)]
    [InlineData("pop3", 110)]
    [InlineData("imap", 143)]
    [InlineData("imaps", 993)]
    [InlineData("ldap", 389)]
    [InlineData("microsoft-ds", 445)]
    [InlineData("syslog", 514)]
    [InlineData("shell", 514)]
    [InlineData("tftp", 69)]
    [InlineData("isakmp", 500)]
    [InlineData("ms-wbt-server", 3389)]
    [InlineData("http-alt", 8080)]
    [InlineData("mysql", 3306)]
    [InlineData("postgresql", 5432)]
    public void KnowsCommonServices(string name, int port)
    {
        Assert.True(ServicePorts.TryGetPort(name, out ushort got));
        Assert.Equal(port, got);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Domain")]
    [InlineData("no-such-service")]
    public void UnknownNamesHaveNoPort(string name)
    {
        Assert.False(ServicePorts.TryGetPort(name, out ushort port));
        Assert.Equal(0, port);
    }
}
