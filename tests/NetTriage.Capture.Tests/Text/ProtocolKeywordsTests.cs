using NetTriage.Capture.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

public class ProtocolKeywordsTests
{
    [Theory]
    [InlineData("GREv0, Flags [key present], key=0x2, length 116", false, IpProtocol.Gre)]
    [InlineData("OSPFv2, Hello, length 88", false, 89)]
    [InlineData("PIMv2, Bootstrap, length 14", false, 103)]
    [InlineData("VRRPv2, Advertisement, vrid 42, prio 191, authtype simple, intvl 10s, length 28", false, 112)]
    [InlineData("sctp (1) [DATA] (B)(E) [TSN: 4307] [SID: 0] [SSEQ 643] [PPID M3UA]", true, IpProtocol.Sctp)]
    [InlineData("ip-proto-63 62", false, 63)]
    [InlineData("NTPv4, Server, length 48", true, IpProtocol.Udp)]
    [InlineData("VXLAN, flags [I] (0x08), vni 100", true, IpProtocol.Udp)]
    [InlineData("isakmp: phase 1 ? base", true, IpProtocol.Udp)]
    [InlineData("NTPv4, Server, length 48", false, 0)]
    [InlineData("OpenFlow", true, 0)]
    public void InfersTheIpProtocol(string summary, bool hasPorts, byte protocol)
    {
        Assert.Equal(protocol, ProtocolKeywords.InferIpProtocol(summary, hasPorts));
    }

    [Theory]
    [InlineData("STP 802.1w, Rapid STP, Flags [Learn, Forward], bridge-id 8000.00:19:07:c3:4e:80.8001, length 43", true)]
    [InlineData("PPPoE PADI [Service-Name]", true)]
    [InlineData("IPX 0a8808aa.00:00:00:00:00:01.0451 > 8dc23c00.18:00:3e:2b:68:56.402b: [length 29 < 30] (invalid)", true)]
    [InlineData("1.1 > 1.1 34 conn-initiate 8195>0 ver 4.1 segsize 16403", true)]
    [InlineData("STPX is not STP", false)]
    [InlineData("IPXY", false)]
    [InlineData("UNSUPPORTED", false)]
    public void RecognisesNonIpProtocols(string summary, bool known)
    {
        Assert.Equal(known, ProtocolKeywords.IsKnownNonIp(summary));
    }
}
