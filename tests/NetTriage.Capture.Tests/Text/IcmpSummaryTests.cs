using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>ICMP and ICMPv6 phrases of print-icmp.c / print-icmp6.c mapped to type and code (RFC 792, RFC 1812, RFC 4443).</summary>
public class IcmpSummaryTests
{
    private const string V4 = "13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP ";
    private const string V6 = "13:24:36.098564 IP6 2001:db8::53 > 2001:db8::100: ICMP6, ";

    [Theory]
    [InlineData("echo request, id 13586, seq 1, length 64", 8, 0)]
    [InlineData("echo reply, id 13586, seq 1, length 64", 0, 0)]
    [InlineData("net 10.0.0.0 unreachable, length 36", 3, 0)]
    [InlineData("host 10.0.0.1 unreachable, length 36", 3, 1)]
    [InlineData("10.0.0.1 protocol 47 unreachable, length 36", 3, 2)]
    [InlineData("10.0.0.1 udp port 53 unreachable, length 36", 3, 3)]
    [InlineData("10.0.0.1 unreachable - need to frag (mtu 1400), length 556", 3, 4)]
    [InlineData("10.0.0.1 unreachable - need to frag, length 556", 3, 4)]
    [InlineData("10.0.0.1 unreachable - source route failed, length 36", 3, 5)]
    [InlineData("net 10.0.0.0 unreachable - unknown, length 36", 3, 6)]
    [InlineData("host 10.0.0.1 unreachable - unknown, length 36", 3, 7)]
    [InlineData("10.0.0.1 unreachable - source host isolated, length 36", 3, 8)]
    [InlineData("net 10.0.0.0 unreachable - admin prohibited, length 36", 3, 9)]
    [InlineData("host 10.0.0.1 unreachable - admin prohibited, length 36", 3, 10)]
    [InlineData("net 10.0.0.0 unreachable - tos prohibited, length 36", 3, 11)]
    [InlineData("host 10.0.0.1 unreachable - tos prohibited, length 36", 3, 12)]
    [InlineData("host 10.0.0.1 unreachable - admin prohibited filter, length 36", 3, 13)]
    [InlineData("host 10.0.0.1 unreachable - host precedence violation, length 36", 3, 14)]
    [InlineData("host 10.0.0.1 unreachable - precedence cutoff, length 36", 3, 15)]
    [InlineData("#16 10.0.0.1 unreachable, length 36", 3, 16)]
    [InlineData("source quench, length 36", 4, 0)]
    [InlineData("redirect 10.0.0.0 to net 10.0.0.254, length 36", 5, 0)]
    [InlineData("redirect 10.0.0.9 to host 10.0.0.254, length 36", 5, 1)]
    [InlineData("redirect-tos 10.0.0.0 to net 10.0.0.254, length 36", 5, 2)]
    [InlineData("redirect-tos 10.0.0.9 to host 10.0.0.254, length 36", 5, 3)]
    [InlineData("redirect-#7 10.0.0.9 to 10.0.0.254, length 36", 5, 7)]
    [InlineData("router advertisement lifetime 30:00 1: {10.0.0.1 0}, length 16", 9, 0)]
    [InlineData("router solicitation, length 8", 10, 0)]
    [InlineData("time exceeded in-transit, length 36", 11, 0)]
    [InlineData("ip reassembly time exceeded, length 36", 11, 1)]
    [InlineData("time exceeded-#5, length 36", 11, 5)]
    [InlineData("parameter problem - octet 20, length 36", 12, 0)]
    [InlineData("parameter problem - code 1, length 36", 12, 1)]
    [InlineData("time stamp query id 1 seq 2, length 20", 13, 0)]
    [InlineData("time stamp reply id 1 seq 2 : org 0.000, recv 0.001, xmit 0.001, length 20", 14, 0)]
    [InlineData("information request, length 8", 15, 0)]
    [InlineData("information reply, length 8", 16, 0)]
    [InlineData("address mask request, length 12", 17, 0)]
    [InlineData("address mask is 0xffffff00, length 12", 18, 0)]
    [InlineData("extended echo request, id 63210, seq 0, length 28", 42, 0)]
    [InlineData("extended echo reply, id 63210, seq 0, length 28", 43, 0)]
    [InlineData("type-#44, length 8", 44, 0)]
    public void V4TypeAndCode(string icmp, int type, int code)
    {
        var p = TextInput.One(V4 + icmp);
        Assert.False(p.Unparsed);
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Icmp, p.Layers);
        Assert.Equal(IpProtocol.Icmp, p.Ip.Protocol);
        Assert.False(p.Icmp.IsV6);
        Assert.Equal((type, code), (p.Icmp.Type, p.Icmp.Code));
        Assert.NotEqual(0, p.PayloadClaimedLength);
        Assert.Equal(p.Icmp.IsError, p.Icmp.Quoted.Present);
    }

    [Fact]
    public void EchoIdentifierAndSequence()
    {
        var p = TextInput.One(V4 + "echo request, id 13586, seq 7, length 64");
        Assert.Equal((13586, 7, 64), (p.Icmp.Identifier, p.Icmp.Sequence, p.PayloadClaimedLength));
    }

    [Theory]
    [InlineData("203.0.113.2 udp port 53 unreachable, length 98", IpProtocol.Udp, 53)]
    [InlineData("203.0.113.2 udp port domain unreachable, length 98", IpProtocol.Udp, 53)]
    [InlineData("203.0.113.2 tcp port 80 unreachable, length 68", IpProtocol.Tcp, 80)]
    [InlineData("203.0.113.2 tcp port https unreachable, length 68", IpProtocol.Tcp, 443)]
    [InlineData("203.0.113.2 protocol 132 port 9899 unreachable, length 68", IpProtocol.Sctp, 9899)]
    public void PortUnreachableQuotesTheOffendingFlow(string icmp, byte protocol, int port)
    {
        var p = TextInput.One(V4 + icmp);
        var q = p.Icmp.Quoted;
        Assert.True(q.Present);
        Assert.Equal(4, q.IpVersion);
        Assert.Equal(protocol, q.Protocol);
        Assert.Equal("192.51.100.15", q.Source.ToString()); // the host the error went back to
        Assert.Equal("203.0.113.2", q.Destination.ToString());
        Assert.True(q.HasPorts);
        Assert.Equal(port, q.DestinationPort);
        Assert.Equal(0, q.SourcePort);
    }

    [Fact]
    public void NeedToFragCarriesTheMtu()
    {
        var p = TextInput.One(V4 + "10.0.0.1 unreachable - need to frag (mtu 1400), length 556");
        Assert.Equal(1400u, p.Icmp.Parameter);
        Assert.Equal("10.0.0.1", p.Icmp.Quoted.Destination.ToString());
    }

    [Fact]
    public void RedirectGateway()
    {
        var p = TextInput.One(V4 + "redirect 10.0.0.9 to host 10.0.0.254, length 36");
        Assert.Equal("10.0.0.254", p.Icmp.Gateway.ToString());
        Assert.Equal("10.0.0.9", p.Icmp.Quoted.Destination.ToString());
    }

    [Fact]
    public void VerboseOutputQuotesThePacketOnTheNextLines()
    {
        // icmp-rfc5837.out, record 1 (-v)
        const string text =
            "    1  2004-06-14 10:13:29.331681 IP (tos 0x0, ttl 254, id 59168, offset 0, flags [DF], proto ICMP (1), length 240)\n" +
            "    10.4.0.2 > 12.4.4.4: ICMP time exceeded in-transit, length 220\n" +
            "\tIP (tos 0x0, ttl 1, id 42321, offset 0, flags [none], proto UDP (17), length 40)\n" +
            "    12.4.4.4.42315 > 12.1.1.1.33440: UDP, length 12\n";
        var p = TextInput.One(text);
        Assert.Equal((11, 0), (p.Icmp.Type, p.Icmp.Code));
        Assert.Equal(220, p.PayloadClaimedLength);
        Assert.Equal((254, (ushort)59168, 240), (p.Ip.Ttl, p.Ip.Identification, p.Ip.TotalLength));
        Assert.True(p.Ip.DontFragment);
        var q = p.Icmp.Quoted;
        Assert.True(q.Present);
        Assert.Equal(IpProtocol.Udp, q.Protocol);
        Assert.Equal(("12.4.4.4", "12.1.1.1"), (q.Source.ToString(), q.Destination.ToString()));
        Assert.True(q.HasPorts);
        Assert.Equal((42315, 33440), (q.SourcePort, q.DestinationPort));
        Assert.Equal(40, q.TotalLength);
    }

    [Fact]
    public void VerboseQuoteOfADnsQueryGivesItsId()
    {
        const string text =
            "13:24:36.098564 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 98)\n" +
            "    203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 78\n" +
            "\tIP (tos 0x0, ttl 64, id 2, offset 0, flags [none], proto UDP (17), length 70)\n" +
            "    192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (42)\n";
        var q = TextInput.One(text).Icmp.Quoted;
        Assert.Equal(52444, q.SourcePort);
        Assert.True(q.HasDnsId);
        Assert.Equal(35084, q.DnsId);
    }

    [Theory]
    [InlineData("destination unreachable, unreachable route 2001:db8::1, length 56", 1, 0)]
    [InlineData("destination unreachable,  unreachable prohibited 2001:db8::1, length 56", 1, 1)]
    [InlineData("destination unreachable, unreachable prohibited 2001:db8::1, length 56", 1, 1)]
    [InlineData("destination unreachable, beyond scope 2001:db8::1, source address fe80::1, length 56", 1, 2)]
    [InlineData("destination unreachable, unreachable address 2001:db8::1, length 56", 1, 3)]
    [InlineData("destination unreachable, unreachable port, 2001:db8::1 udp port 53, length 56", 1, 4)]
    [InlineData("packet too big, mtu 1280, length 1240", 2, 0)]
    [InlineData("time exceeded in-transit for 2001:db8::1, length 56", 3, 0)]
    [InlineData("time exceeded in-transit (reassembly), length 56", 3, 1)]
    [InlineData("parameter problem, erroneous - octet 4, length 72", 4, 0)]
    [InlineData("parameter problem, next header - octet 40, length 72", 4, 1)]
    [InlineData("parameter problem, incomplete header chain - octet 48, length 72", 4, 3)]
    [InlineData("echo request, id 1, seq 1, length 64", 128, 0)]
    [InlineData("echo reply, id 1, seq 1, length 64", 129, 0)]
    [InlineData("multicast listener report v2, 1 group record(s), length 28", 143, 0)]
    [InlineData("router solicitation, length 16", 133, 0)]
    [InlineData("router advertisement, length 64", 134, 0)]
    [InlineData("neighbor solicitation, who has fe80::546f:f7ff:fee1:f, length 32", 135, 0)]
    [InlineData("neighbor advertisement, tgt is fe80::1, length 32", 136, 0)]
    [InlineData("extended echo request, id 64353, seq 0, length 28", 160, 0)]
    public void V6TypeAndCode(string icmp, int type, int code)
    {
        var p = TextInput.One(V6 + icmp);
        Assert.False(p.Unparsed);
        Assert.Equal(PacketLayers.Ipv6 | PacketLayers.Icmpv6, p.Layers);
        Assert.Equal(IpProtocol.Icmpv6, p.Ip.Protocol);
        Assert.True(p.Icmp.IsV6);
        Assert.Equal((type, code), (p.Icmp.Type, p.Icmp.Code));
        Assert.NotEqual(0, p.PayloadClaimedLength);
    }

    [Fact]
    public void V6PortUnreachableQuotesTheFlow()
    {
        var p = TextInput.One(V6 + "destination unreachable, unreachable port, 2001:db8::53 udp port domain, length 56");
        var q = p.Icmp.Quoted;
        Assert.True(q.Present);
        Assert.Equal(6, q.IpVersion);
        Assert.Equal(IpProtocol.Udp, q.Protocol);
        Assert.Equal("2001:db8::100", q.Source.ToString());
        Assert.Equal("2001:db8::53", q.Destination.ToString());
        Assert.Equal(53, q.DestinationPort);
    }

    [Fact]
    public void V6AdminProhibitedNamesTheDestination()
    {
        var p = TextInput.One(V6 + "destination unreachable, unreachable prohibited 2001:db8::80, length 56");
        Assert.Equal("2001:db8::80", p.Icmp.Quoted.Destination.ToString());
    }

    [Theory]
    [InlineData("packet too big, mtu 1280, length 1240", 1280u)]
    [InlineData("parameter problem, incomplete header chain - octet 48, length 72", 48u)]
    public void V6Parameter(string icmp, uint parameter)
    {
        Assert.Equal(parameter, TextInput.One(V6 + icmp).Icmp.Parameter);
    }

    [Fact]
    public void NeighborDiscoveryTargetAfterVerboseLength()
    {
        // icmpv6-ns-nonce-v1.out: -v prints the length before the target.
        const string text =
            "    1  2023-12-04 11:07:31.663323 IP6 (hlim 255, next-header ICMPv6 (58), payload length 32) :: > ff02::1:ffe1:f: [icmp6 sum ok] ICMP6, neighbor solicitation, length 32, who has fe80::546f:f7ff:fee1:f\n" +
            "\t  nonce option (14), length 8 (1): 60 69 60 4c 0a aa\n";
        var p = TextInput.One(text);
        Assert.Equal(135, p.Icmp.Type);
        Assert.Equal("fe80::546f:f7ff:fee1:f", p.Icmp.Gateway.ToString());
        Assert.Equal(32, p.PayloadClaimedLength);
        Assert.Equal((255, 72), (p.Ip.Ttl, p.Ip.TotalLength));
    }

    [Theory]
    [InlineData("13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP something new, length 8", IpProtocol.Icmp)]
    [InlineData("13:24:36.098564 IP6 fe80::25a:28ff:fe08:f150 > 6e02::41: ICMP6, length 0 (invalid)", IpProtocol.Icmpv6)]
    public void UnnamedMessageLeavesTheIcmpLayerUnset(string line, byte protocol)
    {
        // Not echo reply (type 0) by default: the layer is absent, the protocol and length are known.
        var p = TextInput.One(line);
        Assert.False(p.Unparsed);
        Assert.False(p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6));
        Assert.Equal(protocol, p.Ip.Protocol);
        Assert.Equal(0, p.Icmp.Type);
    }

    [Fact]
    public void TruncatedMessage()
    {
        var p = TextInput.One("    1  2004-06-14 10:13:29.331681 IP6 a072:7f00:1:7f00:1:e01a:17:6785 > c903::a002:8018:fe30:0:204: ICMP6, node information reply [|icmp6], length 4");
        Assert.Equal(140, p.Icmp.Type);
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.Icmpv6Truncated));
    }
}
