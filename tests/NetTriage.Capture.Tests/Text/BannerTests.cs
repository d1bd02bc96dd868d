using NetTriage.Capture.Text;

namespace NetTriage.Capture.Tests.Text;

public class BannerTests
{
    [Theory]
    [InlineData("reading from file dns.pcap, link-type EN10MB (Ethernet), snapshot length 262144")]
    [InlineData("reading from file -, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144")]
    [InlineData("listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes")]
    [InlineData("listening on any, link-type LINUX_SLL2 (Linux cooked v2), capture size 262144 bytes")]
    [InlineData("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode")]
    [InlineData("tcpdump: data link type LINUX_SLL2")]
    [InlineData("dropped privs to tcpdump")]
    [InlineData("12 packets captured")]
    [InlineData("^C12 packets captured")]
    [InlineData("1 packet captured")]
    [InlineData("12 packets received by filter")]
    [InlineData("0 packets dropped by kernel")]
    [InlineData("3 packets dropped by interface")]
    public void RecognisesTcpdumpsOwnLines(string line)
    {
        Assert.True(Banner.IsBanner(line));
    }

    [Theory]
    [InlineData("13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A?")]
    [InlineData("12 packets were lost")]
    [InlineData("listening on the radio")]
    [InlineData("packets captured")]
    [InlineData("")]
    public void LeavesOtherLinesAlone(string line)
    {
        Assert.False(Banner.IsBanner(line));
    }
}
