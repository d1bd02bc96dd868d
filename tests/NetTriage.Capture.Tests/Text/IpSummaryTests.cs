using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>The network layer: the -v header, tcpdump's notes on bad headers, addresses, host and service names.</summary>
public class IpSummaryTests
{
    [Fact]
    public void Ipv6VerboseHeader()
    {
        var p = TextInput.One("    1  2020-08-04 15:07:04.802036 IP6 (class 0x10, flowlabel 0xde027, hlim 63, next-header UDP (17), payload length: 32) 2001:db8::1.12345 > 2620:fe::9.53: 4660+ A? example.com. (24)");
        Assert.Equal(PacketLayers.Ipv6 | PacketLayers.Udp | PacketLayers.Dns, p.Layers);
        Assert.Equal((0x10, 0xde027u, 63, 72), (p.Ip.Tos, p.Ip.FlowLabel, p.Ip.Ttl, p.Ip.TotalLength));
        Assert.Equal(EtherType.Ipv6, p.EtherType);
        Assert.Equal("2620:fe::9", p.Ip.Destination.ToString());
    }

    [Fact]
    public void FragmentFromTheVerboseHeader()
    {
        const string text =
            "    1  2014-05-12 11:22:39.003332 IP (tos 0x0, ttl 64, id 25615, offset 1480, flags [+], proto UDP (17), length 1500)\n" +
            "    10.0.0.1 > 10.0.0.2: ip-proto-17\n";
        var p = TextInput.One(text);
        Assert.True(p.Has(PacketLayers.Fragment));
        Assert.Equal((1480, true), (p.Ip.FragmentOffset, p.Ip.MoreFragments));
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        Assert.False(p.Has(PacketLayers.Udp));
    }

    [Theory]
    [InlineData("IP [version 6 != 4] (invalid)", AnomalyKind.Ipv4BadVersion)]
    [InlineData("IP6 [version 4 != 6] (invalid)", AnomalyKind.Ipv6BadVersion)]
    [InlineData("IP6 [length 39 < 40] (invalid)", AnomalyKind.Ipv6HeaderTruncated)]
    public void PacketsTcpdumpCallsInvalidAreUnderstoodAsSuch(string body, AnomalyKind anomaly)
    {
        var p = TextInput.One("    1  2025-07-09 06:00:34.349949 " + body);
        Assert.False(p.Unparsed);
        Assert.True(p.Anomalies.Contains(anomaly));
        Assert.False(p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6));
    }

    [Fact]
    public void HostNamesAndServiceNamesWithoutMinusN()
    {
        var p = TextInput.One("13:24:32.192571 IP laptop.home.52444 > dns.example.net.domain: 35084+ A? yummyrecipesforme.com. (24)");
        Assert.True(p.Ip.Source.IsNone);
        Assert.Equal("laptop.home", p.GetText(p.SourceHost));
        Assert.Equal("dns.example.net", p.GetText(p.DestinationHost));
        Assert.Equal((52444, 53), (p.SourcePort, p.DestinationPort));
        Assert.True(p.Has(PacketLayers.Dns));
    }

    [Fact]
    public void UnknownServiceNameIsKept()
    {
        var p = TextInput.One("13:24:32.192571 IP 10.0.0.1.40000 > 10.0.0.2.frobnicator: UDP, length 10");
        Assert.Equal(0, p.DestinationPort);
        Assert.Equal("frobnicator", p.GetText(p.DestinationPortName));
        Assert.Equal(10, p.PayloadClaimedLength);
        Assert.False(p.Unparsed);
    }
}
