using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Formatting;

/// <summary>
/// Lines are compared with what tcpdump 4.99 printed for the same packets, quoted from the shared corpus
/// (corpus/tcpdump/*.out, made with <c>tcpdump -n -# -tttt</c> unless noted). Packets are built by hand
/// with the values of those frames.
/// </summary>
public class TcpdumpLineFormatterTests
{
    private const ushort Query = 0x0000;
    private const ushort Response = 0x8000;
    private const ushort AA = 0x0400;
    private const ushort TC = 0x0200;
    private const ushort RD = 0x0100;
    private const ushort RA = 0x0080;
    private const ushort AD = 0x0020;
    private const ushort CD = 0x0010;

    private const string ClientA = "192.168.1.11";
    private const string ServerA = "209.87.249.18";

    private static TcpdumpLineFormatter DateTimeFormatter() => new(TimestampStyle.DateTime);

    // ---- DNS over UDP ---------------------------------------------------------------------------

    [Fact]
    public void DnsQueryOverUdp()
    {
        // corpus/tcpdump/dns_udp.out, frame 1
        var p = TestPackets.New(1, "2020-06-10 09:19:54.740079")
            .Ipv4(ClientA, ServerA, IpProtocol.Udp).Udp(43966, 53, 56)
            .Dns(22836, Query | RD, qd: 1, ar: 1).Question("www.tcpdump.org.", DnsType.A);

        Assert.Equal(
            "    1  2020-06-10 09:19:54.740079 IP 192.168.1.11.43966 > 209.87.249.18.53: 22836+ [1au] A? www.tcpdump.org. (56)",
            DateTimeFormatter().Format(p));
    }

    [Fact]
    public void DnsResponseOverUdpPrintsAnswersOnly()
    {
        // corpus/tcpdump/dns_udp.out, frame 2
        var p = DnsTcpdumpOrgResponse(TestPackets.New(2, "2020-06-10 09:19:54.870361")
            .Ipv4(ServerA, ClientA, IpProtocol.Udp).Udp(53, 43966, 224));

        Assert.Equal(
            "    2  2020-06-10 09:19:54.870361 IP 209.87.249.18.53 > 192.168.1.11.43966: 22836*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)",
            DateTimeFormatter().Format(p));
    }

    /// <summary>The response of dns_udp.out frame 2 (and, with id 17177, dns_tcp.out frame 6).</summary>
    private static DecodedPacket DnsTcpdumpOrgResponse(DecodedPacket p, ushort id = 22836) => p
        .Dns(id, Response | AA | RD, qd: 1, an: 2, ns: 2, ar: 5)
        .Question("www.tcpdump.org.", DnsType.A)
        .Record(DnsSection.Answer, "www.tcpdump.org.", DnsType.A, address: "192.139.46.66")
        .Record(DnsSection.Answer, "www.tcpdump.org.", DnsType.A, address: "198.199.88.104")
        .Record(DnsSection.Authority, "tcpdump.org.", DnsType.NS, data: "sns.cooperix.net.")
        .Record(DnsSection.Authority, "tcpdump.org.", DnsType.NS, data: "nic.sandelman.ca.")
        .Record(DnsSection.Additional, "nic.sandelman.ca.", DnsType.A, address: "209.87.249.18");

    [Fact]
    public void DnsOverIpv6()
    {
        // corpus/tcpdump/LINKTYPE_IPV6.out, frame 1 (raw IPv6 link)
        var p = TestPackets.New(1, "2025-07-08 17:59:26.204450");
        p.LinkType = LinkType.Ipv6;
        p.Layers = PacketLayers.None;
        p.Ipv6("2001:db8::1", "2620:fe::9", IpProtocol.Udp).Udp(12345, 53, 29)
            .Dns(4660, Query | RD).Question("example.com.", DnsType.A);

        Assert.Equal(
            "    1  2025-07-08 17:59:26.204450 IP6 2001:db8::1.12345 > 2620:fe::9.53: 4660+ A? example.com. (29)",
            DateTimeFormatter().Format(p));
    }

    [Fact]
    public void DnsResponseCodes()
    {
        var f = DateTimeFormatter();

        // corpus/tcpdump/dns-uri.out, frame 4
        var nx = TestPackets.New(4, "2019-02-21 18:31:57.245858")
            .Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp).Udp(53, 37251, 101)
            .Dns(25957, Response | AA | RD | RA | 3, qd: 1, an: 0, ns: 1, ar: 1).Question("_ftp.dns.test.", 256);
        Assert.Equal(
            "    4  2019-02-21 18:31:57.245858 IP 127.0.0.1.53 > 127.0.0.1.37251: 25957 NXDomain* 0/1/1 (101)",
            f.Format(nx));

        // corpus/tcpdump/dns-badvers.out, frame 2: extended RCODE 16 = OPT high bits 1, header RCODE 0 (RFC 6891 6.1.3)
        var badVers = TestPackets.New(2, "2019-02-13 01:26:02.083636")
            .Ipv4("192.5.5.241", "172.30.42.67", IpProtocol.Udp).Udp(53, 64888, 28)
            .Dns(36787, Response | RD, qd: 1, an: 0, ns: 0, ar: 1);
        badVers.Dns.HasEdns = true;
        badVers.Dns.ExtendedRcodeHigh = 1;
        Assert.Equal(
            "    2  2019-02-13 01:26:02.083636 IP 192.5.5.241.53 > 172.30.42.67.64888: 36787 BadVers- 0/0/1 (28)",
            f.Format(badVers));

        // corpus/tcpdump/dns-badcookie.out, frame 2: extended RCODE 23 = (1 << 4) | 7
        var badCookie = TestPackets.New(2, "2019-02-13 01:16:43.306644")
            .Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp).Udp(53, 54954, 56)
            .Dns(63147, Response | RD | RA | 7, qd: 1, an: 0, ns: 0, ar: 1);
        badCookie.Dns.HasEdns = true;
        badCookie.Dns.ExtendedRcodeHigh = 1;
        Assert.Equal(
            "    2  2019-02-13 01:16:43.306644 IP 127.0.0.1.53 > 127.0.0.1.54954: 63147 BadCookie 0/0/1 (56)",
            f.Format(badCookie));

        // corpus/tcpdump/dns-badcookie.out, frames 3-4: SOA query for the root, AD response; SOA data is shown only with -v
        var soaQuery = TestPackets.New(3, "2019-02-13 01:16:43.306944")
            .Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp).Udp(49830, 53, 56)
            .Dns(46131, Query | RD, qd: 1, ar: 1).Question(".", DnsType.SOA);
        Assert.Equal(
            "    3  2019-02-13 01:16:43.306944 IP 127.0.0.1.49830 > 127.0.0.1.53: 46131+ [1au] SOA? . (56)",
            f.Format(soaQuery));
        var soa = TestPackets.New(4, "2019-02-13 01:16:43.307171")
            .Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Udp).Udp(53, 49830, 131)
            .Dns(46131, Response | RD | RA | AD, qd: 1, an: 1, ns: 0, ar: 1).Question(".", DnsType.SOA)
            .Record(DnsSection.Answer, ".", DnsType.SOA, data: "a.root-servers.net.");
        Assert.Equal(
            "    4  2019-02-13 01:16:43.307171 IP 127.0.0.1.53 > 127.0.0.1.49830: 46131$ 1/0/1 SOA (131)",
            f.Format(soa));
    }

    /// <summary>Answer data as tcpdump's ns_rprint prints it without -v (print-domain.c).</summary>
    [Theory]
    [InlineData(DnsType.AAAA, "2001:db8::1", null, (ushort)0, (ushort)0, (ushort)0, (ushort)1, " AAAA 2001:db8::1")]
    [InlineData(DnsType.CNAME, null, "www.example.net.", (ushort)0, (ushort)0, (ushort)0, (ushort)1, " CNAME www.example.net.")]
    [InlineData(DnsType.NS, null, "ns1.example.net.", (ushort)0, (ushort)0, (ushort)0, (ushort)1, " NS ns1.example.net.")]
    [InlineData(DnsType.PTR, null, "host.example.net.", (ushort)0, (ushort)0, (ushort)0, (ushort)1, " PTR host.example.net.")]
    [InlineData(DnsType.MX, null, "mail.example.net.", (ushort)10, (ushort)0, (ushort)0, (ushort)1, " MX mail.example.net. 10")]
    [InlineData(DnsType.SRV, null, "sip.example.net.", (ushort)10, (ushort)60, (ushort)5060, (ushort)1, " SRV sip.example.net.:5060 10 60")]
    [InlineData(DnsType.TXT, null, "v=spf1 -all", (ushort)0, (ushort)0, (ushort)0, (ushort)1, " TXT \"v=spf1 -all\"")]
    [InlineData(DnsType.TXT, null, "BIND 9", (ushort)0, (ushort)0, (ushort)0, (ushort)3, " CHAOS TXT \"BIND 9\"")]
    [InlineData(DnsType.RRSIG, null, null, (ushort)0, (ushort)0, (ushort)0, (ushort)1, " RRSIG")]
    [InlineData((ushort)4242, null, null, (ushort)0, (ushort)0, (ushort)0, (ushort)1, " Type4242")]
    [InlineData(DnsType.A, "10.0.0.1", null, (ushort)0, (ushort)0, (ushort)0, (ushort)777, " (Class 777) A 10.0.0.1")]
    public void DnsAnswerData(ushort type, string? address, string? data, ushort preference, ushort weight, ushort port,
        ushort @class, string expectedAnswer)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp).Udp(53, 5353, 100)
            .Dns(1, Response | RD | RA, qd: 1, an: 1).Question("example.net.", type)
            .Record(DnsSection.Answer, "example.net.", type, address, data, @class: @class,
                preference: preference, weight: weight, port: port);

        string line = new TcpdumpLineFormatter(TimestampStyle.None).Format(p);

        Assert.Equal("    1  IP 10.0.0.53.53 > 10.0.0.1.5353: 1 1/0/0" + expectedAnswer + " (100)", line);
    }

    [Fact]
    public void DnsQueryHeaderOddities()
    {
        // print-domain.c: "%" for CD, [b2&3=0x..] for AA/TC/RA/Z/RCODE bits in a query, counts in
        // [Na] [Nq] [Nn] [Nau] order, a non-IN class before "?", and the opcode name.
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 40)
            .Dns(7, Query | RD | CD | AA, qd: 2, an: 1, ns: 3, ar: 1)
            .Question("version.bind.", DnsType.TXT, @class: 3)
            .Question("example.com.", DnsType.AAAA);
        Assert.Equal(
            "    1  IP 10.0.0.1.1024 > 10.0.0.53.53: 7+% [b2&3=0x510] [1a] [2q] [3n] [1au] TXT CHAOS? version.bind. AAAA? example.com. (40)",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));

        var notify = TestPackets.New(2, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 29)
            .Dns(8, (ushort)(4 << 11), qd: 1).Question("example.com.", DnsType.SOA);
        Assert.Equal(
            "    2  IP 10.0.0.1.1024 > 10.0.0.53.53: 8 notify SOA? example.com. (29)",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(notify));
    }

    [Fact]
    public void DnsResponseFlagsAndQuestionCount()
    {
        // print-domain.c: "|" for TC, no "-" when RA is set, [Nq] and one comma per extra question.
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp).Udp(53, 1024, 512)
            .Dns(9, Response | RD | RA | TC, qd: 3, an: 0).Question("a.", DnsType.A).Question("b.", DnsType.A).Question("c.", DnsType.A);
        Assert.Equal(
            "    1  IP 10.0.0.53.53 > 10.0.0.1.1024: 9| [3q],, 0/0/0 (512)",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void DnsWithAnswersCutShortEndsWithDomainMarker()
    {
        // print-domain.c goes to "trunc" when the answer section ends early: " [|domain]" and no "(len)".
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp).Udp(53, 1024, 300)
            .Dns(10, Response | RD | RA, qd: 1, an: 3).Question("x.example.", DnsType.A)
            .Record(DnsSection.Answer, "x.example.", DnsType.A, address: "192.0.2.1")
            .Anomaly(AnomalyKind.DnsRecordTruncated);
        p.Dns.Incomplete = true;

        var plain = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false });
        Assert.Equal("    1  IP 10.0.0.53.53 > 10.0.0.1.1024: 10 3/0/0 A 192.0.2.1 [|domain]", plain.Format(p));

        var annotated = new TcpdumpLineFormatter(TimestampStyle.None);
        Assert.Equal("    1  IP 10.0.0.53.53 > 10.0.0.1.1024: 10 3/0/0 A 192.0.2.1 [|domain] [dns-record-truncated]", annotated.Format(p));
    }

    [Fact]
    public void DnsQueryWhoseLaterSectionsAreCutIsStillComplete()
    {
        // Without -vv tcpdump prints a query's question only; a cut additional section does not shorten the line.
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000")
            .Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 40)
            .Dns(11, Query | RD, qd: 1, ar: 1).Question("example.com.", DnsType.A);
        p.Dns.Incomplete = true;
        Assert.Equal(
            "    1  IP 10.0.0.1.1024 > 10.0.0.53.53: 11+ [1au] A? example.com. (40)",
            new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None }).Format(p));
    }

    // ---- TCP ------------------------------------------------------------------------------------

    /// <summary>corpus/tcpdump/dns_tcp.out, frames 1-11, verbatim.</summary>
    private static readonly string[] DnsTcpLines =
    [
        "    1  2020-06-10 09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0",
        "    2  2020-06-10 09:21:03.846908 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0",
        "    3  2020-06-10 09:21:03.847060 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 1, win 64240, length 0",
        "    4  2020-06-10 09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)",
        "    5  2020-06-10 09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 59, win 64240, length 0",
        "    6  2020-06-10 09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 1:227, ack 59, win 64240, length 226 17177*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)",
        "    7  2020-06-10 09:21:03.973220 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 227, win 64014, length 0",
        "    8  2020-06-10 09:21:03.974844 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [F.], seq 59, ack 227, win 64014, length 0",
        "    9  2020-06-10 09:21:03.975246 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 60, win 64239, length 0",
        "   10  2020-06-10 09:21:04.101184 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [FP.], seq 227, ack 60, win 64239, length 0",
        "   11  2020-06-10 09:21:04.101256 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 228, win 64014, length 0",
    ];

    private const uint ClientIsn = 603899916;
    private const uint ServerIsn = 2043824403;

    /// <summary>The frames of dns_tcp.out with the absolute numbers of their headers.</summary>
    private static DecodedPacket[] DnsTcpPackets()
    {
        DecodedPacket C(long n, string t) => TestPackets.New(n, "2020-06-10 " + t).Ipv4(ClientA, ServerA, IpProtocol.Tcp);
        DecodedPacket S(long n, string t) => TestPackets.New(n, "2020-06-10 " + t).Ipv4(ServerA, ClientA, IpProtocol.Tcp);
        const TcpFlags Ack = TcpFlags.Ack;

        var syn = C(1, "09:21:03.720289").Tcp(33779, 53, TcpFlags.Syn, ClientIsn, 0, 64240);
        syn.Tcp.HasMss = true;
        syn.Tcp.Mss = 1460;
        syn.Tcp.SackPermitted = true;
        syn.Tcp.HasTimestamp = true;
        syn.Tcp.TsValue = 2044906138;
        syn.Tcp.TsEcho = 0;
        syn.Tcp.HasWindowScale = true;
        syn.Tcp.WindowScale = 7;

        var synAck = S(2, "09:21:03.846908").Tcp(53, 33779, TcpFlags.Syn | Ack, ServerIsn, ClientIsn + 1, 64240);
        synAck.Tcp.HasMss = true;
        synAck.Tcp.Mss = 1460;

        var query = C(4, "09:21:03.847323").Tcp(33779, 53, TcpFlags.Psh | Ack, ClientIsn + 1, ServerIsn + 1, 64240, 58)
            .Dns(17177, Query | RD, qd: 1, ar: 1).Question("www.tcpdump.org.", DnsType.A);
        query.Dns.OverTcp = true;
        query.Dns.TcpSegmentPrefix = 56; // the segment's first two bytes, as the decoder reads them

        var response = DnsTcpdumpOrgResponse(
            S(6, "09:21:03.973180").Tcp(53, 33779, TcpFlags.Psh | Ack, ServerIsn + 1, ClientIsn + 59, 64240, 226), 17177);
        response.Dns.OverTcp = true;
        response.Dns.TcpSegmentPrefix = 224;

        return
        [
            syn,
            synAck,
            C(3, "09:21:03.847060").Tcp(33779, 53, Ack, ClientIsn + 1, ServerIsn + 1, 64240),
            query,
            S(5, "09:21:03.847457").Tcp(53, 33779, Ack, ServerIsn + 1, ClientIsn + 59, 64240),
            response,
            C(7, "09:21:03.973220").Tcp(33779, 53, Ack, ClientIsn + 59, ServerIsn + 227, 64014),
            C(8, "09:21:03.974844").Tcp(33779, 53, TcpFlags.Fin | Ack, ClientIsn + 59, ServerIsn + 227, 64014),
            S(9, "09:21:03.975246").Tcp(53, 33779, Ack, ServerIsn + 227, ClientIsn + 60, 64239),
            S(10, "09:21:04.101184").Tcp(53, 33779, TcpFlags.Fin | TcpFlags.Psh | Ack, ServerIsn + 227, ClientIsn + 60, 64239),
            C(11, "09:21:04.101256").Tcp(33779, 53, Ack, ClientIsn + 60, ServerIsn + 228, 64014),
        ];
    }

    [Fact]
    public void TcpHandshakeDataAndCloseUseRelativeSequenceNumbers()
    {
        var f = DateTimeFormatter();
        var packets = DnsTcpPackets();
        for (int i = 0; i < packets.Length; i++)
        {
            Assert.Equal(DnsTcpLines[i], f.Format(packets[i]));
        }
    }

    [Fact]
    public void QuotedDnsTcpLinesAreTheCorpusLines()
    {
        string[]? corpus = CorpusFiles.ReadLines("dns_tcp.out");
        if (corpus is null)
        {
            // The shared corpus is not on this machine; the expected lines above still stand.
            return;
        }
        Assert.Equal(DnsTcpLines, corpus.Take(DnsTcpLines.Length).ToArray());
    }

    [Fact]
    public void ConnectionFirstSeenMidStreamStartsAtItsFirstAcknowledgingSegment()
    {
        // corpus/tcpdump/dns_tcp-skip-3.out: the same capture read from frame 4 on. The first segment
        // with ACK is printed absolute and becomes the base (its ack minus one for the peer).
        string[] expected =
        [
            "    4  2020-06-10 09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 603899917:603899975, ack 2043824404, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)",
            "    5  2020-06-10 09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 58, win 64240, length 0",
            "    6  2020-06-10 09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 1:227, ack 58, win 64240, length 226 17177*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)",
        ];
        var f = DateTimeFormatter();
        var packets = DnsTcpPackets();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], f.Format(packets[i + 3]));
        }
    }

    [Fact]
    public void ResetForgetsConnections()
    {
        var f = DateTimeFormatter();
        var packets = DnsTcpPackets();
        f.Format(packets[1]);
        f.Reset();
        // Without the SYN-ACK's bases the third packet is the first one seen: printed absolute.
        Assert.Contains("ack 2043824404, win 64240", f.Format(packets[2]), StringComparison.Ordinal);
    }

    [Fact]
    public void AbsoluteSequenceNumbersOptionPrintsHeaderValues()
    {
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.DateTime, AbsoluteSequenceNumbers = true });
        var packets = DnsTcpPackets();
        foreach (var p in packets[..3])
        {
            f.Format(p);
        }
        Assert.Equal(
            "    4  2020-06-10 09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 603899917:603899975, ack 2043824404, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)",
            f.Format(packets[3]));
    }

    [Fact]
    public void TextInputSequenceNumbersArePrintedAsRead()
    {
        // A tcpdump text line already holds relative numbers: "seq 1:59, ack 1" must come back unchanged.
        var f = DateTimeFormatter();
        var p = DnsTcpPackets()[3];
        p.Origin = PacketOrigin.Text;
        p.LinkType = LinkType.Text;
        p.Layers &= ~PacketLayers.Ethernet;
        p.Tcp.Sequence = 1;
        p.Tcp.Acknowledgment = 1;
        Assert.Equal(DnsTcpLines[3], f.Format(p));
    }

    [Fact]
    public void HttpOverTcpShowsTheStartLine()
    {
        // corpus/tcpdump/print-A.out, frames 1-6 (tcpdump -A; the payload dump lines are not compared)
        string[] expected =
        [
            "    1  2005-07-06 03:57:35.938066 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [S], seq 928549246, win 32767, options [mss 16396,sackOK,TS val 1306300950 ecr 0,nop,wscale 2], length 0",
            "    2  2005-07-06 03:57:35.938122 IP 127.0.0.1.80 > 127.0.0.1.55920: Flags [S.], seq 930778609, ack 928549247, win 32767, options [mss 16396,sackOK,TS val 1306300950 ecr 1306300950,nop,wscale 2], length 0",
            "    3  2005-07-06 03:57:35.938167 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [.], ack 1, win 8192, options [nop,nop,TS val 1306300950 ecr 1306300950], length 0",
            "    4  2005-07-06 03:57:35.939423 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [P.], seq 1:203, ack 1, win 8192, options [nop,nop,TS val 1306300951 ecr 1306300950], length 202: HTTP: GET / HTTP/1.1",
            "    5  2005-07-06 03:57:35.940474 IP 127.0.0.1.80 > 127.0.0.1.55920: Flags [.], ack 203, win 8192, options [nop,nop,TS val 1306300952 ecr 1306300951], length 0",
            "    6  2005-07-06 03:57:35.941232 IP 127.0.0.1.80 > 127.0.0.1.55920: Flags [P.], seq 1:5560, ack 203, win 8192, options [nop,nop,TS val 1306300953 ecr 1306300951], length 5559: HTTP: HTTP/1.1 200 OK",
        ];
        const uint C = 928549246, S = 930778609;
        DecodedPacket Seg(long n, string t, bool fromClient, TcpFlags flags, uint seq, uint ack, ushort win, int len,
            uint tsVal, uint tsEcr)
        {
            var p = TestPackets.New(n, "2005-07-06 " + t).Ipv4("127.0.0.1", "127.0.0.1", IpProtocol.Tcp)
                .Tcp(fromClient ? (ushort)55920 : (ushort)80, fromClient ? (ushort)80 : (ushort)55920, flags, seq, ack, win, len);
            p.Tcp.HasTimestamp = true;
            p.Tcp.TsValue = tsVal;
            p.Tcp.TsEcho = tsEcr;
            return p;
        }

        var syn = Seg(1, "03:57:35.938066", true, TcpFlags.Syn, C, 0, 32767, 0, 1306300950, 0);
        var synAck = Seg(2, "03:57:35.938122", false, TcpFlags.Syn | TcpFlags.Ack, S, C + 1, 32767, 0, 1306300950, 1306300950);
        foreach (var p in new[] { syn, synAck })
        {
            p.Tcp.HasMss = true;
            p.Tcp.Mss = 16396;
            p.Tcp.SackPermitted = true;
            p.Tcp.HasWindowScale = true;
            p.Tcp.WindowScale = 2;
        }
        var get = Seg(4, "03:57:35.939423", true, TcpFlags.Psh | TcpFlags.Ack, C + 1, S + 1, 8192, 202, 1306300951, 1306300950);
        get.Layers |= PacketLayers.Http;
        get.Http.IsRequest = true;
        get.Http.Method = TestPackets.Text(get, "GET");
        get.Http.Target = TestPackets.Text(get, "/");
        get.Http.Version = TestPackets.Text(get, "HTTP/1.1");
        var ok = Seg(6, "03:57:35.941232", false, TcpFlags.Psh | TcpFlags.Ack, S + 1, C + 203, 8192, 5559, 1306300953, 1306300951);
        ok.Layers |= PacketLayers.Http;
        ok.Http.Version = TestPackets.Text(ok, "HTTP/1.1");
        ok.Http.StatusCode = 200;
        ok.Http.Reason = TestPackets.Text(ok, "OK");

        DecodedPacket[] packets =
        [
            syn,
            synAck,
            Seg(3, "03:57:35.938167", true, TcpFlags.Ack, C + 1, S + 1, 8192, 0, 1306300950, 1306300950),
            get,
            Seg(5, "03:57:35.940474", false, TcpFlags.Ack, S + 1, C + 203, 8192, 0, 1306300952, 1306300951),
            ok,
        ];
        var f = DateTimeFormatter();
        for (int i = 0; i < packets.Length; i++)
        {
            Assert.Equal(expected[i], f.Format(packets[i]));
        }
    }

    [Fact]
    public void PayloadOnHttpPortWithoutARecognisedStartLineIsMarkedHttp()
    {
        // tcpdump's http printer prints only "HTTP" when the segment does not begin a message.
        var p = TestPackets.New(18, "2025-05-10 13:17:33.883099").Ipv4("146.190.240.163", "10.80.131.1", IpProtocol.Tcp)
            .Tcp(80, 1026, TcpFlags.Psh | TcpFlags.Ack, 186, 195, 1024, 228);
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, AbsoluteSequenceNumbers = true });
        Assert.Equal("   18  IP 146.190.240.163.80 > 10.80.131.1.1026: Flags [P.], seq 186:414, ack 195, win 1024, length 228: HTTP", f.Format(p));
    }

    /// <summary>Option layouts as Linux writes them (tcp_options_write), as tcpdump shows them.</summary>
    [Theory]
    [InlineData(true, true, true, true, 0, "mss 1460,sackOK,TS val 7 ecr 9,nop,wscale 7")]
    [InlineData(true, true, false, true, 0, "mss 1460,nop,nop,sackOK,nop,wscale 7")]
    [InlineData(true, false, false, false, 0, "mss 1460")]
    [InlineData(false, false, true, false, 0, "nop,nop,TS val 7 ecr 9")]
    [InlineData(false, false, true, false, 2, "nop,nop,TS val 7 ecr 9,nop,nop,sack 2")]
    [InlineData(false, false, false, true, 0, "nop,wscale 7")]
    public void TcpOptionsFollowTheLinuxLayout(bool mss, bool sackOk, bool ts, bool wscale, byte sackBlocks, string expected)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(1000, 80, TcpFlags.Syn, 5, 0, 100);
        p.Tcp.HasMss = mss;
        p.Tcp.Mss = 1460;
        p.Tcp.SackPermitted = sackOk;
        p.Tcp.HasTimestamp = ts;
        p.Tcp.TsValue = 7;
        p.Tcp.TsEcho = 9;
        p.Tcp.HasWindowScale = wscale;
        p.Tcp.WindowScale = 7;
        p.Tcp.SackBlockCount = sackBlocks;
        Assert.Equal(
            "    1  IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 5, win 100, options [" + expected + "], length 0",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Theory]
    [InlineData(TcpFlags.None, "none")]
    [InlineData(TcpFlags.Rst, "R")]
    [InlineData(TcpFlags.Rst | TcpFlags.Ack, "R.")]
    [InlineData(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, "SEW")]
    [InlineData(TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Cwr | TcpFlags.Ae, "S.UWe")] // babel_update_oobr.out "[S.UWe]"
    [InlineData(TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Ece | TcpFlags.Ae, "P.Ee")] // accecn_handshake.out "[P.Ee]"
    public void TcpFlagLettersInTcpdumpOrder(TcpFlags flags, string letters)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(1000, 22, flags, 5, 6, 100);
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, AbsoluteSequenceNumbers = true });
        Assert.StartsWith("    1  IP 10.0.0.1.1000 > 10.0.0.2.22: Flags [" + letters + "],", f.Format(p), StringComparison.Ordinal);
    }

    [Fact]
    public void UrgentPointerIsPrintedWithUrg()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(1000, 23, TcpFlags.Urg | TcpFlags.Psh, 5, 0, 100, 1);
        p.Tcp.UrgentPointer = 1;
        Assert.Equal(
            "    1  IP 10.0.0.1.1000 > 10.0.0.2.23: Flags [PU], seq 5:6, win 100, urg 1, length 1",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void TruncatedTcpHeaderEndsWithTcpMarker()
    {
        // tcpdump prints the ports when it read them, then " [|tcp]" (two spaces after the colon).
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("48.48.48.48", "48.48.48.48", IpProtocol.Tcp)
            .Anomaly(AnomalyKind.TcpHeaderTruncated);
        p.SourcePort = 12336;
        p.DestinationPort = 12336;
        p.Truncated = true;
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false });
        Assert.Equal("    1  IP 48.48.48.48.12336 > 48.48.48.48.12336:  [|tcp]", f.Format(p));

        var noPorts = TestPackets.New(2, "2024-01-01 00:00:00.000000").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp)
            .Anomaly(AnomalyKind.UdpHeaderTruncated);
        Assert.Equal("    2  IP 10.0.0.1 > 10.0.0.2: [|udp]", f.Format(noPorts));
    }

    // ---- UDP, IP, link ---------------------------------------------------------------------------

    [Fact]
    public void UdpWithoutDecodedApplication()
    {
        // corpus/tcpdump/eapon1-nosmb.out, frame 1
        var p = TestPackets.New(1, "2004-03-23 15:17:28.958610").Ipv4("192.168.1.249", "192.168.1.255", IpProtocol.Udp).Udp(138, 138, 179);
        Assert.Equal("    1  2004-03-23 15:17:28.958610 IP 192.168.1.249.138 > 192.168.1.255.138: UDP, length 179", DateTimeFormatter().Format(p));
    }

    [Fact]
    public void Ipv4FragmentAfterTheFirstNamesOnlyTheProtocol()
    {
        // corpus/tcpdump/rx.out, frame 126
        var p = TestPackets.New(126, "1999-11-11 21:47:31.873045").Ipv4("131.151.1.146", "131.151.32.21", IpProtocol.Udp, 1500);
        p.Layers |= PacketLayers.Fragment;
        p.Ip.FragmentOffset = 1480;
        Assert.Equal("  126  1999-11-11 21:47:31.873045 IP 131.151.1.146 > 131.151.32.21: ip-proto-17", DateTimeFormatter().Format(p));
    }

    [Fact]
    public void Ipv6FragmentShowsOffsetAndLengthThenTheTransport()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Udp, 1240);
        p.Layers |= PacketLayers.Fragment;
        p.Ip.HeaderLength = 48;
        p.Ip.MoreFragments = true;
        p.Udp(5000, 5001, 3000);
        Assert.Equal(
            "    1  IP6 2001:db8::1 > 2001:db8::2: frag (0|1232) 2001:db8::1.5000 > 2001:db8::2.5001: UDP, length 3000",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void UnknownIpProtocolShowsNumberAndLength()
    {
        // ip_demux_print's default: " ip-proto-N LEN" after "src > dst: " (two spaces, as in corpus arista_ether.out)
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("10.136.1.32", "10.2.23.24", 63, 82);
        Assert.Equal("    1  IP 10.136.1.32 > 10.2.23.24:  ip-proto-63 62", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void UnknownLinkTypeAndUnknownEtherType()
    {
        var f = new TcpdumpLineFormatter(TimestampStyle.None);
        var link = TestPackets.New(1, "2024-01-01 00:00:00.000000", 60).Anomaly(AnomalyKind.UnknownLinkType);
        link.LinkType = (LinkType)147;
        link.Layers = PacketLayers.None;
        Assert.Equal("    1  unknown link type 147, length 60 [unknown-link-type]", f.Format(link));

        var ether = TestPackets.New(2, "2024-01-01 00:00:00.000000", 60).Anomaly(AnomalyKind.UnsupportedEtherType);
        ether.SourceMac = new MacAddress(0x001122334455);
        ether.DestinationMac = new MacAddress(0xFFFFFFFFFFFF);
        ether.EtherType = 0x88B5;
        Assert.Equal(
            "    2  00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 60 [unsupported-ether-type]",
            f.Format(ether));

        ether.EtherType = 0x88CC;
        Assert.Equal(
            "    2  00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype LLDP (0x88cc), length 60 [unsupported-ether-type]",
            f.Format(ether));
    }

    [Fact]
    public void TruncatedIpHeaderIsMarked()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000", 30).Anomaly(AnomalyKind.Ipv4HeaderTruncated);
        p.EtherType = EtherType.Ipv4;
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false });
        Assert.Equal("    1  IP [|ip]", f.Format(p));
    }

    // ---- ARP ------------------------------------------------------------------------------------

    [Fact]
    public void ArpRequestAndReply()
    {
        // corpus/tcpdump/dsa.out frames 7-8 (the text after the DSA tag) and arp-too-long-tha.out
        var f = new TcpdumpLineFormatter(TimestampStyle.None);
        var request = TestPackets.New(7, "1970-01-01 22:21:44.560086", 42);
        request.Layers |= PacketLayers.Arp;
        request.EtherType = EtherType.Arp;
        request.Arp = new ArpInfo
        {
            HardwareType = 1, ProtocolType = EtherType.Ipv4, HardwareLength = 6, ProtocolLength = 4, Operation = 1,
            SenderMac = new MacAddress(0x00AABBCCDDEE), SenderIp = IpAddr.Parse("192.168.30.2"),
            TargetMac = default, TargetIp = IpAddr.Parse("192.168.30.1"),
        };
        Assert.Equal("    7  ARP, Request who-has 192.168.30.1 tell 192.168.30.2, length 28", f.Format(request));

        var reply = TestPackets.New(8, "1970-01-01 22:21:44.560415", 60);
        reply.Layers |= PacketLayers.Arp;
        reply.EtherType = EtherType.Arp;
        reply.Arp = new ArpInfo
        {
            HardwareType = 1, ProtocolType = EtherType.Ipv4, HardwareLength = 6, ProtocolLength = 4, Operation = 2,
            SenderMac = new MacAddress(0x0050B6291070), SenderIp = IpAddr.Parse("192.168.30.1"),
            TargetMac = new MacAddress(0x00AABBCCDDEE), TargetIp = IpAddr.Parse("192.168.30.2"),
        };
        Assert.Equal("    8  ARP, Reply 192.168.30.1 is-at 00:50:b6:29:10:70, length 46", f.Format(reply));

        // A request that names a target hardware address shows it in parentheses.
        request.Arp.TargetMac = new MacAddress(0x0000000000FF);
        Assert.Equal("    7  ARP, Request who-has 192.168.30.1 (00:00:00:00:00:ff) tell 192.168.30.2, length 28", f.Format(request));

        // Unusual address spaces are named first.
        request.Arp.HardwareType = 6;
        Assert.StartsWith("    7  ARP, Unknown Hardware (6) (len 6), IPv4 (len 4), Request who-has", f.Format(request), StringComparison.Ordinal);
    }

    // ---- ICMP -----------------------------------------------------------------------------------

    [Fact]
    public void SeedIncidentLines()
    {
        // docs DESIGN.md, the incident NetTriage was born from, as tcpdump 4.99 prints it (default time of day).
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { FrameNumbers = false });
        var query = TestPackets.New(1, "2024-01-01 13:24:32.192571").Ipv4("192.51.100.15", "203.0.113.2", IpProtocol.Udp)
            .Udp(52444, 53, 24).Dns(35084, Query | RD).Question("yummyrecipesforme.com.", DnsType.A);
        Assert.Equal("13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (24)", f.Format(query));

        var unreachable = TestPackets.New(2, "2024-01-01 13:24:36.098564").Ipv4("203.0.113.2", "192.51.100.15", IpProtocol.Icmp, 118)
            .Icmp(3, 3, 98).Quoting("192.51.100.15", "203.0.113.2", IpProtocol.Udp, 52444, 53);
        Assert.Equal("13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 98", f.Format(unreachable));
    }

    [Fact]
    public void IcmpCorpusLines()
    {
        var f = DateTimeFormatter();
        // corpus/tcpdump/e1000g.out, frame 1
        var echo = TestPackets.New(1, "2009-11-25 17:27:26.701826").Ipv4("129.146.106.55", "10.5.233.117", IpProtocol.Icmp).Icmp(8, 0, 64);
        echo.Icmp.Identifier = 6901;
        Assert.Equal("    1  2009-11-25 17:27:26.701826 IP 129.146.106.55 > 10.5.233.117: ICMP echo request, id 6901, seq 0, length 64", f.Format(echo));

        // corpus/tcpdump/mpls-traceroute.out, frames 2 and 14
        var exceeded = TestPackets.New(2, "2004-06-14 10:13:29.316413").Ipv4("10.5.0.1", "12.4.4.4", IpProtocol.Icmp).Icmp(11, 0, 148)
            .Quoting("12.4.4.4", "12.1.1.1", IpProtocol.Udp, 33434, 33435);
        Assert.Equal("    2  2004-06-14 10:13:29.316413 IP 10.5.0.1 > 12.4.4.4: ICMP time exceeded in-transit, length 148", f.Format(exceeded));
        var port = TestPackets.New(14, "2004-06-14 10:13:29.333151").Ipv4("12.1.1.1", "12.4.4.4", IpProtocol.Icmp).Icmp(3, 3, 36)
            .Quoting("12.4.4.4", "12.1.1.1", IpProtocol.Udp, 33440, 33441);
        Assert.Equal("   14  2004-06-14 10:13:29.333151 IP 12.1.1.1 > 12.4.4.4: ICMP 12.1.1.1 udp port 33441 unreachable, length 36", f.Format(port));
    }

    [Fact]
    public void IcmpLengthFallsBackToTheIpPayload()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("10.40.1.1", "10.40.2.3", IpProtocol.Icmp, 76).Icmp(3, 1, 0)
            .Quoting("10.40.2.3", "10.30.4.4", IpProtocol.Udp, 68, 67);
        // corpus/tcpdump/dhcp-rfc4388.out: "ICMP host 10.30.4.4 unreachable, length 56"
        Assert.Equal("    1  IP 10.40.1.1 > 10.40.2.3: ICMP host 10.30.4.4 unreachable, length 56", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    /// <summary>Destination unreachable phrases (print-icmp.c unreach2str and its special cases).</summary>
    [Theory]
    [InlineData(0, "net 198.51.100.7 unreachable")]
    [InlineData(1, "host 198.51.100.7 unreachable")]
    [InlineData(2, "198.51.100.7 protocol 17 unreachable")]
    [InlineData(3, "198.51.100.7 udp port 53 unreachable")]
    [InlineData(4, "198.51.100.7 unreachable - need to frag (mtu 1400)")]
    [InlineData(5, "198.51.100.7 unreachable - source route failed")]
    [InlineData(6, "net 198.51.100.7 unreachable - unknown")]
    [InlineData(7, "host 198.51.100.7 unreachable - unknown")]
    [InlineData(8, "198.51.100.7 unreachable - source host isolated")]
    [InlineData(9, "net 198.51.100.7 unreachable - admin prohibited")]
    [InlineData(10, "host 198.51.100.7 unreachable - admin prohibited")]
    [InlineData(11, "net 198.51.100.7 unreachable - tos prohibited")]
    [InlineData(12, "host 198.51.100.7 unreachable - tos prohibited")]
    [InlineData(13, "host 198.51.100.7 unreachable - admin prohibited filter")]
    [InlineData(14, "host 198.51.100.7 unreachable - host precedence violation")]
    [InlineData(15, "host 198.51.100.7 unreachable - precedence cutoff")]
    [InlineData(21, "198.51.100.7 unreachable - #21")]
    public void IcmpUnreachableCodes(byte code, string phrase)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("192.0.2.1", "192.0.2.9", IpProtocol.Icmp).Icmp(3, code, 56)
            .Quoting("192.0.2.9", "198.51.100.7", IpProtocol.Udp, 40000, 53);
        p.Icmp.Parameter = code == 4 ? 1400u : 0u;
        Assert.Equal("    1  IP 192.0.2.1 > 192.0.2.9: ICMP " + phrase + ", length 56", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Theory]
    [InlineData(IpProtocol.Tcp, "203.0.113.5 tcp port 443 unreachable")]
    [InlineData(IpProtocol.Sctp, "203.0.113.5 protocol 132 port 443 unreachable")]
    public void IcmpPortUnreachableNamesTheQuotedProtocol(byte protocol, string phrase)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("203.0.113.5", "192.0.2.9", IpProtocol.Icmp).Icmp(3, 3, 56)
            .Quoting("192.0.2.9", "203.0.113.5", protocol, 40000, 443);
        Assert.Equal("    1  IP 203.0.113.5 > 192.0.2.9: ICMP " + phrase + ", length 56", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void IcmpWhoseQuoteIsMissingIsMarkedTruncated()
    {
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false });
        var noQuote = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("192.0.2.1", "192.0.2.9", IpProtocol.Icmp).Icmp(3, 3, 8);
        Assert.Equal("    1  IP 192.0.2.1 > 192.0.2.9: ICMP unreachable - #3, length 8 [|icmp]", f.Format(noQuote));

        var noPorts = TestPackets.New(2, "2024-01-01 00:00:00.000000").Ipv4("192.0.2.1", "192.0.2.9", IpProtocol.Icmp).Icmp(3, 3, 28)
            .Quoting("192.0.2.9", "192.0.2.1", IpProtocol.Udp);
        Assert.Equal("    2  IP 192.0.2.1 > 192.0.2.9: ICMP 192.0.2.1 udp port unreachable, length 28 [|icmp]", f.Format(noPorts));
    }

    [Theory]
    [InlineData(5, 0, "redirect 198.51.100.7 to net 192.0.2.254")]
    [InlineData(5, 1, "redirect 198.51.100.7 to host 192.0.2.254")]
    [InlineData(5, 2, "redirect-tos 198.51.100.7 to net 192.0.2.254")]
    [InlineData(5, 3, "redirect-tos 198.51.100.7 to host 192.0.2.254")]
    [InlineData(11, 1, "ip reassembly time exceeded")]
    [InlineData(11, 7, "time exceeded-#7")]
    [InlineData(12, 0, "parameter problem - octet 20")]
    [InlineData(12, 2, "parameter problem - code 2")]
    [InlineData(4, 0, "source quench")]
    [InlineData(0, 0, "echo reply, id 0, seq 0")]
    [InlineData(13, 0, "time stamp query id 0 seq 0")]
    [InlineData(42, 0, "type-#42")]
    public void IcmpOtherMessages(byte type, byte code, string phrase)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv4("192.0.2.1", "192.0.2.9", IpProtocol.Icmp).Icmp(type, code, 36)
            .Quoting("192.0.2.9", "198.51.100.7", IpProtocol.Tcp, 1, 2);
        p.Icmp.Gateway = IpAddr.Parse("192.0.2.254");
        p.Icmp.Parameter = 20;
        Assert.Equal("    1  IP 192.0.2.1 > 192.0.2.9: ICMP " + phrase + ", length 36", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void Icmp6CorpusLines()
    {
        var f = DateTimeFormatter();
        // corpus/tcpdump/ipv6-bad-version.out, frame 1
        var ns = TestPackets.New(1, "2013-11-08 15:15:01.278565").Ipv6("::", "ff02::1:ff76:6c14", IpProtocol.Icmpv6).Icmp(135, 0, 24, v6: true);
        ns.Icmp.Gateway = IpAddr.Parse("fe80::20c:29ff:fe76:6c14");
        Assert.Equal("    1  2013-11-08 15:15:01.278565 IP6 :: > ff02::1:ff76:6c14: ICMP6, neighbor solicitation, who has fe80::20c:29ff:fe76:6c14, length 24", f.Format(ns));

        // corpus/tcpdump/icmpv6-rfc7112.out, frame 1
        var pp = TestPackets.New(1, "2019-05-09 13:40:51.929516")
            .Ipv6("2001:630:42:110:2a0:98ff:fe15:ece7", "2001:630:42:110:ae1f:6bff:fe46:9eda", IpProtocol.Icmpv6).Icmp(4, 3, 72, v6: true)
            .Quoting("2001:630:42:110:ae1f:6bff:fe46:9eda", "2001:630:42:110:2a0:98ff:fe15:ece7", IpProtocol.Fragment);
        pp.Icmp.Parameter = 48;
        Assert.Equal("    1  2019-05-09 13:40:51.929516 IP6 2001:630:42:110:2a0:98ff:fe15:ece7 > 2001:630:42:110:ae1f:6bff:fe46:9eda: ICMP6, parameter problem, incomplete header chain - octet 48, length 72", f.Format(pp));
    }

    [Theory]
    [InlineData(128, 0, "echo request, id 1, seq 2")]
    [InlineData(129, 0, "echo reply, id 1, seq 2")]
    [InlineData(1, 4, "destination unreachable, unreachable port, 2001:db8::53 udp port 53")]
    [InlineData(1, 0, "destination unreachable, unreachable route 2001:db8::53")]
    [InlineData(1, 1, "destination unreachable,  unreachable prohibited 2001:db8::53")]
    [InlineData(1, 3, "destination unreachable, unreachable address 2001:db8::53")]
    [InlineData(1, 2, "destination unreachable, beyond scope 2001:db8::53, source address 2001:db8::1")]
    [InlineData(2, 0, "packet too big, mtu 1280")]
    [InlineData(3, 0, "time exceeded in-transit for 2001:db8::53")]
    [InlineData(3, 1, "time exceeded in-transit (reassembly)")]
    [InlineData(136, 0, "neighbor advertisement, tgt is fe80::1")]
    [InlineData(133, 0, "router solicitation")]
    [InlineData(134, 0, "router advertisement")]
    [InlineData(137, 0, "redirect, 2001:db8::53 to fe80::1")]
    [InlineData(250, 0, "unknown icmp6 type (250)")]
    public void Icmp6Messages(byte type, byte code, string phrase)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00.000000").Ipv6("2001:db8::ff", "2001:db8::1", IpProtocol.Icmpv6)
            .Icmp(type, code, 56, v6: true).Quoting("2001:db8::1", "2001:db8::53", IpProtocol.Udp, 40000, 53);
        p.Icmp.Identifier = 1;
        p.Icmp.Sequence = 2;
        p.Icmp.Parameter = 1280;
        p.Icmp.Gateway = IpAddr.Parse("fe80::1");
        Assert.Equal("    1  IP6 2001:db8::ff > 2001:db8::1: ICMP6, " + phrase + ", length 56", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    // ---- time, frame numbers, output ------------------------------------------------------------

    [Theory]
    [InlineData(TimestampStyle.TimeOfDay, false, "09:21:03.720289 ")]
    [InlineData(TimestampStyle.TimeOfDay, true, "09:21:03.720289123 ")]
    [InlineData(TimestampStyle.DateTime, false, "2020-06-10 09:21:03.720289 ")]
    [InlineData(TimestampStyle.Epoch, false, "1591780863.720289 ")]
    [InlineData(TimestampStyle.Epoch, true, "1591780863.720289123 ")]
    [InlineData(TimestampStyle.None, false, "")]
    public void AbsoluteTimeStyles(TimestampStyle style, bool nano, string expectedTime)
    {
        var p = TestPackets.New(1, "2020-06-10 09:21:03.720289123").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        Assert.Equal("    1  " + expectedTime + "IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0", new TcpdumpLineFormatter(style, nano).Format(p));
    }

    [Theory]
    [InlineData(TimestampKind.TimeOfDay, 48272_192571000L, "13:24:32.192571 ")]
    [InlineData(TimestampKind.Relative, 3_000250000L, "3.000250 ")]
    [InlineData(TimestampKind.Relative, -1_500000000L, "-1.500000 ")]
    [InlineData(TimestampKind.None, 0L, "")]
    public void TextTimestampsArePrintedAsTheyWereRead(TimestampKind kind, long nanos, string expectedTime)
    {
        // Whatever the style, a time of day without a date stays a time of day, a relative time stays relative.
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        p.Origin = PacketOrigin.Text;
        p.Timestamp = new PacketTimestamp(nanos, kind);
        Assert.Equal("    1  " + expectedTime + "IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0", new TcpdumpLineFormatter(TimestampStyle.DateTime).Format(p));
    }

    [Theory]
    [InlineData(1L, "    1  ")]
    [InlineData(99999L, "99999  ")]
    [InlineData(1234567L, "1234567  ")]
    public void FrameNumbersAreRightAlignedInFiveColumns(long frame, string prefix)
    {
        var p = TestPackets.New(frame, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        Assert.Equal(prefix + "IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void WriteEmitsOneLineEndingInLineFeed()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        var f = new TcpdumpLineFormatter(TimestampStyle.None);
        var output = new StringWriter();
        f.Write(p, output);
        f.Write(p, output);
        Assert.Equal("    1  IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0\n    1  IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0\n", output.ToString());
    }

    [Fact]
    public void BufferWriterOutputEqualsTextWriterOutput()
    {
        var packets = DnsTcpPackets();
        var text = new StringWriter();
        var f1 = DateTimeFormatter();
        foreach (var p in packets)
        {
            f1.Write(p, text);
        }
        var buffer = new System.Buffers.ArrayBufferWriter<char>();
        var f2 = DateTimeFormatter();
        foreach (var p in packets)
        {
            f2.Write(p, buffer);
        }
        Assert.Equal(string.Join("\n", DnsTcpLines) + "\n", text.ToString());
        Assert.Equal(text.ToString(), new string(buffer.WrittenSpan));
    }

    [Fact]
    public void WritingALineAllocatesNothingOnceWarm()
    {
        // Not a timing test: counts bytes allocated by this thread while writing IPv4 TCP/DNS lines.
        var packets = DnsTcpPackets();
        var f = DateTimeFormatter();
        var sink = new CountingWriter();
        long allocated = AllocationProbe.SteadyStateBytes(() =>
        {
            foreach (var p in packets)
            {
                f.Write(p, sink);
            }
        });
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for {200 * packets.Length} lines");
        Assert.True(sink.Count > 0);
    }

    /// <summary>A writer that only counts, so the measurement sees the formatter's allocations alone.</summary>
    private sealed class CountingWriter : TextWriter
    {
        public long Count { get; private set; }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => Count++;

        public override void Write(ReadOnlySpan<char> buffer) => Count += buffer.Length;
    }

    // ---- text input, annotations, hostile strings -----------------------------------------------

    [Fact]
    public void UnparsedTextLineIsShownEscapedWithItsLineNumber()
    {
        var p = new DecodedPacket();
        p.Reset();
        p.Origin = PacketOrigin.Text;
        p.FrameNumber = 3;
        p.LineNumber = 12;
        p.Unparsed = true;
        p.RawText = TestPackets.Text(p, "garbage \u001b]0;owned\u0007 here");
        p.AddAnomaly(AnomalyKind.TextLineUnparsed);
        Assert.Equal("    3  [unparsed line 12] garbage \\x1B]0;owned\\x07 here", new TcpdumpLineFormatter().Format(p));
    }

    [Fact]
    public void HostileDnsNameCannotDriveTheTerminal()
    {
        // A name as a text source might store it: ESC [31m (colour), BEL, U+202E (RLO, as UTF-8), a newline.
        byte[] name = [.. "evil"u8, 0x1B, .. "[31m"u8, 0x07, .. "red"u8, 0xE2, 0x80, 0xAE, .. "moc"u8, 0x0A, .. "x.example."u8];
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 60)
            .Dns(1, Query | RD);
        p.Dns.Questions[0] = new DnsQuestion { Name = TestPackets.Bytes(p, name), Type = DnsType.A, Class = 1 };
        p.Dns.StoredQuestions = 1;

        string line = new TcpdumpLineFormatter(TimestampStyle.None).Format(p);

        Assert.Equal("    1  IP 10.0.0.1.1024 > 10.0.0.53.53: 1+ A? evil\\x1B[31m\\x07red\\xE2\\x80\\xAEmoc\\x0Ax.example. (60)", line);
        Assert.All(line, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void PresentationEscapesFromTheDecoderAreKept()
    {
        // RFC 4343 2.1: the decoder writes a space as \032 and a dot inside a label as \.; printed as is.
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 40)
            .Dns(2, Query | RD).Question(@"a\032b\.c.example.", DnsType.A);
        Assert.Equal(@"    1  IP 10.0.0.1.1024 > 10.0.0.53.53: 2+ A? a\032b\.c.example. (40)", new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
    }

    [Fact]
    public void HostileHttpFieldsAndServerNameAreEscaped()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(40000, 80, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, 30);
        p.Layers |= PacketLayers.Http;
        p.Http.IsRequest = true;
        p.Http.Method = TestPackets.Text(p, "GET");
        p.Http.Target = TestPackets.Text(p, "/\u009b2J\r\n");
        p.Http.Version = TestPackets.Text(p, "HTTP/1.1");
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, AbsoluteSequenceNumbers = true });
        Assert.Equal(
            "    1  IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:31, ack 1, win 100, length 30: HTTP: GET /\\x9B2J\\x0D\\x0A HTTP/1.1",
            f.Format(p));

        var tls = TestPackets.New(2, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(40001, 443, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, 517);
        tls.Layers |= PacketLayers.Tls;
        tls.Tls.IsClientHello = true;
        tls.Tls.ServerName = TestPackets.Text(tls, "bank.example\u001b[2J");
        Assert.Equal(
            "    2  IP 10.0.0.1.40001 > 10.0.0.2.443: Flags [P.], seq 1:518, ack 1, win 100, length 517 [TLS ClientHello SNI bank.example\\x1B[2J]",
            f.Format(tls));
    }

    [Fact]
    public void AnomaliesAreAnnotatedUnlessTurnedOff()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 10)
            .Anomaly(AnomalyKind.UdpBadLength).Anomaly(AnomalyKind.FrameTruncatedBySnaplen);
        Assert.Equal(
            "    1  IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 10 [udp-bad-length] [frame-truncated-by-snaplen]",
            new TcpdumpLineFormatter(TimestampStyle.None).Format(p));
        Assert.Equal(
            "    1  IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 10",
            new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false }).Format(p));

        for (int i = 0; i < AnomalyList.MaxKept + 3; i++)
        {
            p.AddAnomaly(AnomalyKind.DnsLabelTooLong);
        }
        Assert.EndsWith(" [+5 more]", new TcpdumpLineFormatter(TimestampStyle.None).Format(p), StringComparison.Ordinal);
    }

    [Fact]
    public void ReusedFormatterDoesNotCarryStateBetweenLines()
    {
        // A long line followed by a short one: the buffer is cleared, and a truncation mark does not leak.
        var f = new TcpdumpLineFormatter(new TcpdumpLineOptions { TimestampStyle = TimestampStyle.None, Annotations = false });
        var longLine = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.53", "10.0.0.1", IpProtocol.Udp).Udp(53, 1, 9000)
            .Dns(1, Response | RA, qd: 1, an: 60).Question("x.", DnsType.TXT);
        for (int i = 0; i < 60; i++)
        {
            longLine.Record(DnsSection.Answer, "x.", DnsType.TXT, data: new string('t', 200));
        }
        longLine.Dns.Incomplete = true;
        longLine.Dns.AnswerCount = 61;
        Assert.EndsWith("\" [|domain]", f.Format(longLine), StringComparison.Ordinal);

        var shortLine = TestPackets.New(2, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        Assert.Equal("    2  IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 0", f.Format(shortLine));
    }
}
