using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Capture.Tests.Text;

/// <summary>DNS summaries as print-domain.c prints them; lines from dns_*.out, dns-*.out, or built to its formats.</summary>
public class DnsSummaryTests
{
    private const string Udp = "    1  2020-06-10 09:19:54.740079 IP 192.168.1.11.43966 > 209.87.249.18.53: ";
    private const string UdpReply = "    2  2020-06-10 09:19:54.870361 IP 209.87.249.18.53 > 192.168.1.11.43966: ";

    [Fact]
    public void QueryWithEdnsCount()
    {
        var p = TextInput.One(Udp + "22836+ [1au] A? www.tcpdump.org. (56)");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Udp | PacketLayers.Dns, p.Layers);
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
        var d = p.Dns;
        Assert.Equal(22836, d.Id);
        Assert.False(d.IsResponse);
        Assert.True(d.RecursionDesired);
        Assert.Equal(0x0100, d.Flags);
        Assert.Equal((1, 0, 0, 1), (d.QuestionCount, d.AnswerCount, d.AuthorityCount, d.AdditionalCount));
        Assert.Equal(1, d.StoredQuestions);
        Assert.Equal("www.tcpdump.org.", p.GetText(d.Questions[0].Name));
        Assert.Equal(DnsType.A, d.Questions[0].Type);
        Assert.Equal(1, d.Questions[0].Class);
        Assert.Equal(56, p.PayloadClaimedLength);
        Assert.Equal(64, p.UdpLength);
        Assert.False(d.OverTcp);
    }

    [Fact]
    public void AuthoritativeAnswerWithoutRecursionAvailable()
    {
        var p = TextInput.One(UdpReply + "22836*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)");
        var d = p.Dns;
        Assert.True(d.IsResponse);
        Assert.True(d.AuthoritativeAnswer);
        Assert.False(d.RecursionAvailable);
        Assert.Equal(0, d.Rcode);
        Assert.Equal((1, 2, 2, 5), (d.QuestionCount, d.AnswerCount, d.AuthorityCount, d.AdditionalCount));
        Assert.Equal(2, d.StoredRecords);
        Assert.All(d.StoredRecordSpan.ToArray(), r => Assert.Equal((DnsSection.Answer, DnsType.A), (r.Section, r.Type)));
        Assert.Equal("192.139.46.66", d.Records[0].Address.ToString());
        Assert.Equal("198.199.88.104", d.Records[1].Address.ToString());
        Assert.Equal(0, d.StoredQuestions); // the question is not printed without -vv
    }

    [Theory]
    // dns-uri.out, dns-badcookie.out, dns-badvers.out, and print-domain.c's rcode names
    [InlineData("25957 NXDomain* 0/1/1 (101)", DnsRcode.NXDomain, true, true)]
    [InlineData("63147 BadCookie 0/0/1 (56)", 23, false, true)]
    [InlineData("36787 BadVers- 0/0/1 (28)", DnsRcode.BadVers, false, false)]
    [InlineData("4660 ServFail 0/0/0 (29)", DnsRcode.ServFail, false, true)]
    [InlineData("4660 Refused- 0/0/0 (29)", DnsRcode.Refused, false, false)]
    [InlineData("4660 FormErr 0/0/0 (12)", DnsRcode.FormErr, false, true)]
    [InlineData("4660 NotImp 0/0/0 (12)", DnsRcode.NotImp, false, true)]
    [InlineData("46131$ 1/0/1 SOA (131)", DnsRcode.NoError, false, true)]
    public void ResponseCodes(string dns, int rcode, bool aa, bool ra)
    {
        var p = TextInput.One(UdpReply + dns);
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.True(p.Dns.IsResponse);
        Assert.Equal(rcode, p.Dns.Rcode);
        Assert.Equal(rcode & 0xF, p.Dns.Flags & 0xF);
        Assert.Equal(rcode >> 4, p.Dns.ExtendedRcodeHigh);
        Assert.Equal(aa, p.Dns.AuthoritativeAnswer);
        Assert.Equal(ra, p.Dns.RecursionAvailable);
    }

    [Fact]
    public void TruncatedAndAuthenticFlags()
    {
        var d = TextInput.One(UdpReply + "4660|$ 0/0/0 (12)").Dns;
        Assert.True(d.Truncation);
        Assert.True(d.AuthenticData);
        Assert.True(d.IsResponse);
    }

    [Fact]
    public void CheckingDisabledAndOddCountsInAQuery()
    {
        var d = TextInput.One(Udp + "4660+% [2a] [3q] [1n] [2au] A? a.example. AAAA? b.example. TXT CHAOS? version.bind. (60)").Dns;
        Assert.True(d.RecursionDesired);
        Assert.True(d.CheckingDisabled);
        Assert.False(d.IsResponse);
        Assert.Equal((3, 2, 1, 2), (d.QuestionCount, d.AnswerCount, d.AuthorityCount, d.AdditionalCount));
        Assert.Equal(3, d.StoredQuestions);
        Assert.Equal((DnsType.AAAA, (ushort)1), (d.Questions[1].Type, d.Questions[1].Class));
        Assert.Equal((DnsType.TXT, (ushort)3), (d.Questions[2].Type, d.Questions[2].Class));
    }

    [Fact]
    public void UnusualHeaderBitsAreTakenWhole()
    {
        // print-domain.c prints the second header word when bits outside RD/CD/opcode are set in a query.
        var d = TextInput.One(Udp + "4660+ [b2&3=0x180] A? example.com. (29)").Dns;
        Assert.Equal(0x0180, d.Flags);
    }

    [Fact]
    public void OpcodeIsRead()
    {
        var d = TextInput.One(Udp + "4660 notify+ SOA? example.com. (29)").Dns;
        Assert.Equal(4, d.Opcode);
        Assert.True(d.RecursionDesired);
        Assert.Equal(DnsType.SOA, d.Questions[0].Type);
    }

    [Fact]
    public void RecordTypesAndTheirData()
    {
        var p = TextInput.One(UdpReply +
            "1 6/0/0 CNAME www.example.net., AAAA 2001:db8::5, MX mail.example.com. 10, SRV sip.example.com.:5060 1 2, " +
            "TXT \"v=spf1 -all\" \"x, y\", PTR host.example.org. (300)");
        var d = p.Dns;
        Assert.Equal(6, d.StoredRecords);
        var r = d.StoredRecordSpan;
        Assert.Equal((DnsType.CNAME, "www.example.net."), (r[0].Type, p.GetText(r[0].Data)));
        Assert.Equal((DnsType.AAAA, "2001:db8::5"), (r[1].Type, r[1].Address.ToString()));
        Assert.Equal((DnsType.MX, "mail.example.com.", (ushort)10), (r[2].Type, p.GetText(r[2].Data), r[2].Preference));
        Assert.Equal((DnsType.SRV, "sip.example.com.", (ushort)5060, (ushort)1, (ushort)2), (r[3].Type, p.GetText(r[3].Data), r[3].Port, r[3].Preference, r[3].Weight));
        Assert.Equal((DnsType.TXT, "\"v=spf1 -all\" \"x, y\""), (r[4].Type, p.GetText(r[4].Data)));
        Assert.Equal((DnsType.PTR, "host.example.org."), (r[5].Type, p.GetText(r[5].Data)));
    }

    [Fact]
    public void VeryVerboseSectionsNamesAndTtls()
    {
        // dns_udp-vvv.out, record 2
        const string text =
            "    2  2020-06-10 09:19:54.870361 IP (tos 0x0, ttl 128, id 45, offset 0, flags [none], proto UDP (17), length 252)\n" +
            "    209.87.249.18.53 > 192.168.1.11.43966: [udp sum ok] 22836*- q: A? www.tcpdump.org. 2/2/5 www.tcpdump.org. [1m] A 192.139.46.66, " +
            "www.tcpdump.org. [1m] A 198.199.88.104 ns: tcpdump.org. [1d] NS sns.cooperix.net., tcpdump.org. [1d] NS nic.sandelman.ca. " +
            "ar: nic.sandelman.ca. [5m] A 209.87.249.18, nic.sandelman.ca. [5m] AAAA 2607:f0b0:f::babe:f00d, sns.cooperix.net. [2h] A 97.107.133.15, " +
            "sns.cooperix.net. [2h] AAAA 2600:3c03::f03c:91ff:fe96:e8ef, . OPT UDPsize=4096 (224)\n";
        var p = TextInput.One(text);
        var d = p.Dns;
        Assert.Equal(1, d.StoredQuestions);
        Assert.Equal("www.tcpdump.org.", p.GetText(d.Questions[0].Name));
        Assert.Equal(9, d.StoredRecords);
        var r = d.StoredRecordSpan;
        Assert.Equal((DnsSection.Answer, "www.tcpdump.org.", 60u), (r[0].Section, p.GetText(r[0].Name), r[0].Ttl));
        Assert.Equal((DnsSection.Authority, DnsType.NS, 86400u, "sns.cooperix.net."), (r[2].Section, r[2].Type, r[2].Ttl, p.GetText(r[2].Data)));
        Assert.Equal((DnsSection.Additional, 7200u), (r[6].Section, r[6].Ttl));
        Assert.Equal((DnsSection.Additional, DnsType.OPT), (r[8].Section, r[8].Type));
        Assert.True(d.HasEdns);
        Assert.Equal(4096, d.EdnsUdpSize);
        Assert.Equal(224, p.PayloadClaimedLength);
    }

    [Fact]
    public void QueryAdditionalSectionWithCookie()
    {
        // dns_udp-vv.out, record 1
        var p = TextInput.One(Udp + "[udp sum ok] 22836+ [1au] A? www.tcpdump.org. ar: . OPT UDPsize=4096 [COOKIE 42f5d00996f90b13] (56)");
        var d = p.Dns;
        Assert.Equal("www.tcpdump.org.", p.GetText(d.Questions[0].Name));
        Assert.Equal(1, d.StoredRecords);
        Assert.Equal((DnsSection.Additional, DnsType.OPT), (d.Records[0].Section, d.Records[0].Type));
        Assert.True(d.HasEdns);
        Assert.False(d.DnssecOk);
    }

    [Fact]
    public void DnsOverTcp()
    {
        // dns_tcp.out, record 4
        var p = TextInput.One("    4  2020-06-10 09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Tcp | PacketLayers.Dns, p.Layers);
        Assert.True(p.Dns.OverTcp);
        Assert.Equal(17177, p.Dns.Id);
        Assert.Equal(58, p.PayloadClaimedLength); // the TCP payload, with the two-byte length prefix
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, p.Tcp.Flags);
    }

    [Fact]
    public void DnsOnAnotherPortIsRecognisedByItsShape()
    {
        // dns_tcp_8053-T.out style: DNS on port 8053.
        var p = TextInput.One("    1  2020-06-10 09:21:03.847323 IP 192.168.1.11.43966 > 209.87.249.18.8053: 22836+ [1au] A? www.tcpdump.org. (56)");
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(22836, p.Dns.Id);
    }

    [Fact]
    public void OtherProtocolsOnOtherPortsAreNotDns()
    {
        var p = TextInput.One("    1  2020-06-10 09:21:03.847323 IP 10.0.0.1.7000 > 10.0.0.2.7001: 12 rx data fs call fetch-status (44)");
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.False(p.Unparsed);
    }

    [Fact]
    public void CutMessageIsIncomplete()
    {
        var p = TextInput.One(UdpReply + "22836*- q: A? www.tcpdump.org. 2/2/5 www.tcpdump.org. A 192.139.46.66, www.tcpdump.org. [|domain]");
        Assert.True(p.Dns.Incomplete);
        Assert.True(p.Truncated);
        Assert.Equal(1, p.Dns.StoredRecords);
    }

    [Fact]
    public void MulticastDnsQuestionFlags()
    {
        var p = TextInput.One("    1  2020-06-10 09:21:03.847323 IP 192.168.1.5.5353 > 224.0.0.251.5353: 0 PTR (QM)? _ipp._tcp.local. (32)");
        Assert.Equal(DnsType.PTR, p.Dns.Questions[0].Type);
        Assert.Equal("_ipp._tcp.local.", p.GetText(p.Dns.Questions[0].Name));
        Assert.False(p.Dns.RecursionDesired);
    }

    [Fact]
    public void ServiceNamePortsWithoutMinusN()
    {
        var p = TextInput.One("13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A? yummyrecipesforme.com. (24)");
        Assert.Equal(53, p.DestinationPort);
        Assert.True(p.Has(PacketLayers.Dns));
    }

    [Fact]
    public void MalformedDnsOnPort53IsStillUdp()
    {
        // dns-zlip-1.out
        var p = TextInput.One("    1  2000-04-11 17:47:11.643199 IP 10.0.0.1.1024 > 146.84.28.88.53: domain [length 0 < 12] (invalid)");
        Assert.False(p.Unparsed);
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.Equal(IpProtocol.Udp, p.Ip.Protocol);
    }
}
