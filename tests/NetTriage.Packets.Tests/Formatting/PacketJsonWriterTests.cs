using System.Buffers;
using System.Text;
using System.Text.Json;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Formatting;

public class PacketJsonWriterTests
{
    private static string ToJsonLines(params DecodedPacket[] packets)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new PacketJsonWriter(buffer))
        {
            foreach (var p in packets)
            {
                writer.Write(p);
            }
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonElement Parse(DecodedPacket p)
    {
        string text = ToJsonLines(p);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Count(c => c == '\n'));
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>corpus/tcpdump/dns_udp.out frame 1, with the EDNS OPT record it carries.</summary>
    private static DecodedPacket DnsQuery()
    {
        var p = TestPackets.New(1, "2020-06-10 09:19:54.740079", 98)
            .Ipv4("192.168.1.11", "209.87.249.18", IpProtocol.Udp, 84).Udp(43966, 53, 56)
            .Dns(22836, 0x0100, qd: 1, ar: 1).Question("www.tcpdump.org.", DnsType.A);
        p.SourceMac = new MacAddress(0x000C29A1B2C3);
        p.DestinationMac = new MacAddress(0x001122334455);
        p.Ip.Identification = 22989;
        p.Dns.HasEdns = true;
        p.Dns.EdnsUdpSize = 4096;
        return p;
    }

    [Fact]
    public void DnsQueryFields()
    {
        var root = Parse(DnsQuery());

        Assert.Equal(1, root.GetProperty("frame").GetInt64());
        Assert.False(root.TryGetProperty("line", out _));
        Assert.Equal("2020-06-10T09:19:54.740079Z", root.GetProperty("time").GetString());
        Assert.Equal("absolute", root.GetProperty("timeKind").GetString());
        Assert.Equal(98, root.GetProperty("caplen").GetInt32());
        Assert.Equal(98, root.GetProperty("len").GetInt32());
        Assert.False(root.GetProperty("truncated").GetBoolean());
        Assert.Equal("ethernet", root.GetProperty("link").GetString());
        Assert.Equal(1, root.GetProperty("linkType").GetInt32());
        Assert.Equal("00:0c:29:a1:b2:c3", root.GetProperty("srcMac").GetString());
        Assert.Equal("00:11:22:33:44:55", root.GetProperty("dstMac").GetString());
        Assert.Equal(0x0800, root.GetProperty("etherType").GetInt32());

        var ip = root.GetProperty("ip");
        Assert.Equal(4, ip.GetProperty("version").GetInt32());
        Assert.Equal("192.168.1.11", ip.GetProperty("src").GetString());
        Assert.Equal("209.87.249.18", ip.GetProperty("dst").GetString());
        Assert.Equal(17, ip.GetProperty("proto").GetInt32());
        Assert.Equal(64, ip.GetProperty("ttl").GetInt32());
        Assert.Equal(84, ip.GetProperty("len").GetInt32());
        Assert.Equal(22989, ip.GetProperty("id").GetInt32());
        Assert.False(ip.GetProperty("frag").GetProperty("mf").GetBoolean());
        Assert.Equal(0, ip.GetProperty("frag").GetProperty("offset").GetInt32());

        Assert.Equal(43966, root.GetProperty("sport").GetInt32());
        Assert.Equal(53, root.GetProperty("dport").GetInt32());
        Assert.Equal(64, root.GetProperty("udp").GetProperty("len").GetInt32());
        Assert.Equal(56, root.GetProperty("udp").GetProperty("payloadLen").GetInt32());

        var dns = root.GetProperty("dns");
        Assert.Equal(22836, dns.GetProperty("id").GetInt32());
        Assert.False(dns.GetProperty("qr").GetBoolean());
        Assert.Equal(0, dns.GetProperty("opcode").GetInt32());
        Assert.Equal(["rd"], dns.GetProperty("flags").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, dns.GetProperty("rcode").GetInt32());
        Assert.Equal("NoError", dns.GetProperty("rcodeName").GetString());
        Assert.Equal(1, dns.GetProperty("counts").GetProperty("qd").GetInt32());
        Assert.Equal(1, dns.GetProperty("counts").GetProperty("ar").GetInt32());
        var q = Assert.Single(dns.GetProperty("questions").EnumerateArray());
        Assert.Equal("www.tcpdump.org.", q.GetProperty("name").GetString());
        Assert.Equal(1, q.GetProperty("type").GetInt32());
        Assert.Equal("A", q.GetProperty("typeName").GetString());
        Assert.Equal(1, q.GetProperty("class").GetInt32());
        Assert.Empty(dns.GetProperty("answers").EnumerateArray());
        Assert.Equal(4096, dns.GetProperty("edns").GetProperty("udpSize").GetInt32());
        Assert.False(dns.GetProperty("edns").GetProperty("do").GetBoolean());

        Assert.False(root.TryGetProperty("tcp", out _));
        Assert.False(root.TryGetProperty("anomalies", out _));
    }

    [Fact]
    public void DnsRecordsOfEverySectionAreListedWithTheirData()
    {
        var p = TestPackets.New(2, "2020-06-10 09:19:54.870361")
            .Ipv4("209.87.249.18", "192.168.1.11", IpProtocol.Udp).Udp(53, 43966, 224)
            .Dns(22836, 0x8583, qd: 1, an: 2, ns: 1, ar: 1).Question("example.net.", DnsType.MX)
            .Record(DnsSection.Answer, "example.net.", DnsType.MX, data: "mail.example.net.", ttl: 3600, preference: 10)
            .Record(DnsSection.Answer, "_sip._udp.example.net.", DnsType.SRV, data: "sip.example.net.", preference: 1, weight: 5, port: 5060)
            .Record(DnsSection.Authority, "example.net.", DnsType.SOA, data: "ns.example.net.")
            .Record(DnsSection.Additional, "mail.example.net.", DnsType.AAAA, address: "2001:db8::25");
        p.Dns.Records[2].Serial = 2024010101;

        var dns = Parse(p).GetProperty("dns");
        Assert.True(dns.GetProperty("qr").GetBoolean());
        Assert.Equal(["aa", "rd", "ra"], dns.GetProperty("flags").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, dns.GetProperty("rcode").GetInt32());
        Assert.Equal("NXDomain", dns.GetProperty("rcodeName").GetString());

        var records = dns.GetProperty("answers").EnumerateArray().ToArray();
        Assert.Equal(4, records.Length);
        Assert.Equal(["answer", "answer", "authority", "additional"], records.Select(r => r.GetProperty("section").GetString()));

        Assert.Equal("MX", records[0].GetProperty("typeName").GetString());
        Assert.Equal("mail.example.net.", records[0].GetProperty("data").GetString());
        Assert.Equal(10, records[0].GetProperty("preference").GetInt32());
        Assert.Equal(3600u, records[0].GetProperty("ttl").GetUInt32());

        Assert.Equal("sip.example.net.", records[1].GetProperty("data").GetString());
        Assert.Equal(1, records[1].GetProperty("priority").GetInt32());
        Assert.Equal(5, records[1].GetProperty("weight").GetInt32());
        Assert.Equal(5060, records[1].GetProperty("port").GetInt32());

        Assert.Equal(2024010101u, records[2].GetProperty("serial").GetUInt32());
        Assert.Equal("2001:db8::25", records[3].GetProperty("data").GetString());
        Assert.Equal("mail.example.net.", records[3].GetProperty("name").GetString());
    }

    [Fact]
    public void TcpFields()
    {
        var p = TestPackets.New(1, "2020-06-10 09:21:03.846908")
            .Ipv4("209.87.249.18", "192.168.1.11", IpProtocol.Tcp).Tcp(53, 33779, TcpFlags.Syn | TcpFlags.Ack, 2043824403, 603899917, 64240);
        p.Tcp.HasMss = true;
        p.Tcp.Mss = 1460;
        p.Tcp.SackPermitted = true;
        p.Tcp.HasTimestamp = true;
        p.Tcp.TsValue = 5;
        p.Tcp.TsEcho = 6;
        p.Tcp.HasWindowScale = true;
        p.Tcp.WindowScale = 7;

        var tcp = Parse(p).GetProperty("tcp");
        Assert.Equal("S.", tcp.GetProperty("flags").GetString());
        Assert.Equal(["syn", "ack"], tcp.GetProperty("flagList").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2043824403u, tcp.GetProperty("seq").GetUInt32());
        Assert.Equal(603899917u, tcp.GetProperty("ack").GetUInt32());
        Assert.Equal(64240, tcp.GetProperty("win").GetInt32());
        Assert.False(tcp.TryGetProperty("urg", out _));
        var options = tcp.GetProperty("options");
        Assert.Equal(1460, options.GetProperty("mss").GetInt32());
        Assert.Equal(7, options.GetProperty("wscale").GetInt32());
        Assert.True(options.GetProperty("sackOK").GetBoolean());
        Assert.Equal(5u, options.GetProperty("tsVal").GetUInt32());
        Assert.Equal(6u, options.GetProperty("tsEcr").GetUInt32());
        Assert.Equal(0, tcp.GetProperty("payloadLen").GetInt32());

        p.Tcp.Flags = TcpFlags.None;
        Assert.Equal("none", Parse(p).GetProperty("tcp").GetProperty("flags").GetString());
    }

    [Fact]
    public void IcmpErrorWithQuotedPacket()
    {
        // The seed incident's ICMP port unreachable, quoting the DNS query (id 35084).
        var p = TestPackets.New(2, "2024-01-01 13:24:36.098564").Ipv4("203.0.113.2", "192.51.100.15", IpProtocol.Icmp, 118)
            .Icmp(3, 3, 98).Quoting("192.51.100.15", "203.0.113.2", IpProtocol.Udp, 52444, 53);
        p.Icmp.Quoted.HasDnsId = true;
        p.Icmp.Quoted.DnsId = 35084;
        p.Icmp.Quoted.Truncated = false;

        var icmp = Parse(p).GetProperty("icmp");
        Assert.Equal(4, icmp.GetProperty("version").GetInt32());
        Assert.Equal(3, icmp.GetProperty("type").GetInt32());
        Assert.Equal(3, icmp.GetProperty("code").GetInt32());
        Assert.False(icmp.TryGetProperty("id", out _));
        var quoted = icmp.GetProperty("quoted");
        Assert.Equal(17, quoted.GetProperty("proto").GetInt32());
        Assert.Equal("192.51.100.15", quoted.GetProperty("src").GetString());
        Assert.Equal("203.0.113.2", quoted.GetProperty("dst").GetString());
        Assert.Equal(52444, quoted.GetProperty("sport").GetInt32());
        Assert.Equal(53, quoted.GetProperty("dport").GetInt32());
        Assert.Equal(35084, quoted.GetProperty("dnsId").GetInt32());
        Assert.False(quoted.GetProperty("truncated").GetBoolean());

        var echo = TestPackets.New(3, "2024-01-01 00:00:00").Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Icmpv6).Icmp(128, 0, 64, v6: true);
        echo.Icmp.Identifier = 9;
        echo.Icmp.Sequence = 4;
        var echoJson = Parse(echo);
        Assert.Equal(6, echoJson.GetProperty("ip").GetProperty("version").GetInt32());
        Assert.False(echoJson.GetProperty("ip").TryGetProperty("frag", out _));
        Assert.Equal(6, echoJson.GetProperty("icmp").GetProperty("version").GetInt32());
        Assert.Equal(9, echoJson.GetProperty("icmp").GetProperty("id").GetInt32());
        Assert.Equal(4, echoJson.GetProperty("icmp").GetProperty("seq").GetInt32());
    }

    [Fact]
    public void ArpAndVlan()
    {
        var p = TestPackets.New(7, "2024-01-01 00:00:00", 64);
        p.Layers |= PacketLayers.Arp | PacketLayers.Vlan;
        p.VlanCount = 2;
        p.VlanId = 200;
        p.InnerVlanId = 2001;
        p.EtherType = EtherType.Arp;
        p.Arp = new ArpInfo
        {
            HardwareType = 1, ProtocolType = EtherType.Ipv4, HardwareLength = 6, ProtocolLength = 4, Operation = 2,
            SenderMac = new MacAddress(0x0080EA818863), SenderIp = IpAddr.Parse("172.21.79.100"),
            TargetMac = new MacAddress(0x0020D25AFB3F), TargetIp = IpAddr.Parse("172.21.79.97"),
        };

        var root = Parse(p);
        Assert.Equal([200, 2001], root.GetProperty("vlan").EnumerateArray().Select(e => e.GetInt32()));
        var arp = root.GetProperty("arp");
        Assert.Equal(2, arp.GetProperty("op").GetInt32());
        Assert.Equal("reply", arp.GetProperty("opName").GetString());
        Assert.Equal("00:80:ea:81:88:63", arp.GetProperty("senderMac").GetString());
        Assert.Equal("172.21.79.100", arp.GetProperty("senderIp").GetString());
        Assert.Equal("00:20:d2:5a:fb:3f", arp.GetProperty("targetMac").GetString());
        Assert.Equal("172.21.79.97", arp.GetProperty("targetIp").GetString());
        Assert.False(root.TryGetProperty("ip", out _));
    }

    [Fact]
    public void HttpAndTls()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(40000, 80, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, 30);
        p.Layers |= PacketLayers.Http;
        p.Http.IsRequest = true;
        p.Http.Method = TestPackets.Text(p, "GET");
        p.Http.Target = TestPackets.Text(p, "/index.html");
        p.Http.Version = TestPackets.Text(p, "HTTP/1.1");
        p.Http.Host = TestPackets.Text(p, "www.example.com");
        var http = Parse(p).GetProperty("http");
        Assert.True(http.GetProperty("request").GetBoolean());
        Assert.Equal("GET", http.GetProperty("method").GetString());
        Assert.Equal("/index.html", http.GetProperty("target").GetString());
        Assert.Equal("HTTP/1.1", http.GetProperty("version").GetString());
        Assert.Equal("www.example.com", http.GetProperty("host").GetString());

        var r = TestPackets.New(2, "2024-01-01 00:00:00").Ipv4("10.0.0.2", "10.0.0.1", IpProtocol.Tcp)
            .Tcp(80, 40000, TcpFlags.Psh | TcpFlags.Ack, 1, 31, 100, 300);
        r.Layers |= PacketLayers.Http;
        r.Http.Version = TestPackets.Text(r, "HTTP/1.1");
        r.Http.StatusCode = 301;
        r.Http.Reason = TestPackets.Text(r, "Moved Permanently");
        var response = Parse(r).GetProperty("http");
        Assert.False(response.GetProperty("request").GetBoolean());
        Assert.Equal(301, response.GetProperty("status").GetInt32());
        Assert.Equal("Moved Permanently", response.GetProperty("reason").GetString());
        Assert.False(response.TryGetProperty("method", out _));

        var t = TestPackets.New(3, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(40001, 443, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, 517);
        t.Layers |= PacketLayers.Tls;
        t.Tls.IsClientHello = true;
        t.Tls.LegacyVersion = 0x0303;
        t.Tls.ServerName = TestPackets.Text(t, "www.example.com");
        var tls = Parse(t).GetProperty("tls");
        Assert.True(tls.GetProperty("clientHello").GetBoolean());
        Assert.Equal(0x0303, tls.GetProperty("version").GetInt32());
        Assert.Equal("www.example.com", tls.GetProperty("sni").GetString());
    }

    [Theory]
    [InlineData(TimestampKind.TimeOfDay, 48272_192571000L, "timeOfDay", "48272.192571")]
    [InlineData(TimestampKind.Relative, 3_000250000L, "relative", "3.000250")]
    [InlineData(TimestampKind.Relative, 1_000000001L, "relative", "1.000000001")]
    [InlineData(TimestampKind.Relative, -1_500000000L, "relative", "-1.500000")]
    public void TimesWithoutADateAreSecondsNumbers(TimestampKind kind, long nanos, string kindName, string rawNumber)
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        p.Origin = PacketOrigin.Text;
        p.Timestamp = new PacketTimestamp(nanos, kind);
        string text = ToJsonLines(p);
        Assert.Contains("\"time\":" + rawNumber + ",", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(kindName, doc.RootElement.GetProperty("timeKind").GetString());
        Assert.Equal(nanos / 1e9, doc.RootElement.GetProperty("time").GetDouble(), 9);
    }

    [Fact]
    public void NoTimeAndNanosecondTimes()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        p.Timestamp = new PacketTimestamp(0, TimestampKind.None);
        var root = Parse(p);
        Assert.Equal("none", root.GetProperty("timeKind").GetString());
        Assert.False(root.TryGetProperty("time", out _));

        p.Timestamp = TestPackets.At("2020-06-10 09:21:03.720289123");
        Assert.Equal("2020-06-10T09:21:03.720289123Z", Parse(p).GetProperty("time").GetString());
        Assert.Equal(new DateTime(2020, 6, 10, 9, 21, 3, DateTimeKind.Utc).AddTicks(7202891),
            Parse(p).GetProperty("time").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public void UnparsedTextLine()
    {
        var p = new DecodedPacket();
        p.Reset();
        p.Origin = PacketOrigin.Text;
        p.FrameNumber = 5;
        p.LineNumber = 12;
        p.Unparsed = true;
        p.RawText = TestPackets.Text(p, "13:24:32 something tcpdump never printed");
        p.AddAnomaly(AnomalyKind.TextLineUnparsed);

        var root = Parse(p);
        Assert.Equal(5, root.GetProperty("frame").GetInt64());
        Assert.Equal(12, root.GetProperty("line").GetInt64());
        Assert.Equal(12, root.GetProperty("unparsed").GetProperty("line").GetInt64());
        Assert.Equal("13:24:32 something tcpdump never printed", root.GetProperty("unparsed").GetProperty("text").GetString());
        Assert.Equal(["text-line-unparsed"], root.GetProperty("anomalies").EnumerateArray().Select(e => e.GetString()));
        Assert.False(root.TryGetProperty("time", out _));
        Assert.False(root.TryGetProperty("ip", out _));
    }

    [Fact]
    public void AnomaliesAndTheirCount()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Udp).Udp(1, 2, 0);
        p.AddAnomaly(AnomalyKind.UdpBadLength);
        Assert.False(Parse(p).TryGetProperty("anomalyCount", out _));

        for (int i = 0; i < AnomalyList.MaxKept + 2; i++)
        {
            p.AddAnomaly(AnomalyKind.DnsLabelTooLong);
        }
        var root = Parse(p);
        Assert.Equal(AnomalyList.MaxKept, root.GetProperty("anomalies").GetArrayLength());
        Assert.Equal("udp-bad-length", root.GetProperty("anomalies")[0].GetString());
        Assert.Equal(AnomalyList.MaxKept + 3, root.GetProperty("anomalyCount").GetInt32());
    }

    [Fact]
    public void HostileStringsStayInert()
    {
        // Markup, quotes, ESC [31m, BEL, U+202E as UTF-8 bytes, CR LF, and a byte that is not UTF-8.
        byte[] hostile =
        [
            .. "</script><img src=x onerror='alert(1)'>&\""u8, 0x1B, .. "[31m"u8, 0x07, 0xE2, 0x80, 0xAE,
            (byte)'\r', (byte)'\n', 0xFF, .. "x.example."u8,
        ];
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.53", IpProtocol.Udp).Udp(1024, 53, 60)
            .Dns(1, 0x0100);
        p.Dns.Questions[0] = new DnsQuestion { Name = TestPackets.Bytes(p, hostile), Type = DnsType.A, Class = 1 };
        p.Dns.StoredQuestions = 1;
        p.Layers |= PacketLayers.Tls;
        p.Tls.ServerName = TestPackets.Bytes(p, hostile);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new PacketJsonWriter(buffer))
        {
            writer.Write(p);
        }
        ReadOnlySpan<byte> bytes = buffer.WrittenSpan;

        // One line, plain ASCII, no markup or quote characters from the capture, no control bytes.
        Assert.Equal(bytes.Length - 1, bytes.IndexOf((byte)'\n'));
        foreach (byte b in bytes[..^1])
        {
            Assert.InRange(b, (byte)0x20, (byte)0x7E);
            Assert.NotEqual((byte)'<', b);
            Assert.NotEqual((byte)'>', b);
            Assert.NotEqual((byte)'&', b);
            Assert.NotEqual((byte)'\'', b);
        }
        string text = Encoding.ASCII.GetString(bytes);
        Assert.Contains("\\u003C/script\\u003E", text, StringComparison.Ordinal);
        Assert.Contains("\\u001B[31m\\u0007", text, StringComparison.Ordinal);

        // Parsed back, the value is the capture's bytes, one character per byte.
        using var doc = JsonDocument.Parse(text);
        string expected = Encoding.Latin1.GetString(hostile);
        Assert.Equal(expected, doc.RootElement.GetProperty("dns").GetProperty("questions")[0].GetProperty("name").GetString());
        Assert.Equal(expected, doc.RootElement.GetProperty("tls").GetProperty("sni").GetString());
    }

    [Fact]
    public void LongCaptureStringsAreWrittenWhole()
    {
        var p = TestPackets.New(1, "2024-01-01 00:00:00").Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)
            .Tcp(40000, 80, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 100, 5000);
        p.Layers |= PacketLayers.Http;
        p.Http.IsRequest = true;
        string target = "/" + new string('a', 4000);
        p.Http.Target = TestPackets.Text(p, target);
        Assert.Equal(target, Parse(p).GetProperty("http").GetProperty("target").GetString());
    }

    [Fact]
    public void JsonLinesOverAStreamMatchTheBufferWriterOutput()
    {
        var packets = Enumerable.Range(1, 500).Select(i =>
        {
            var p = DnsQuery();
            p.FrameNumber = i;
            return p;
        }).ToArray();

        string expected = ToJsonLines(packets);
        var stream = new MemoryStream();
        using (var writer = new PacketJsonWriter(stream))
        {
            foreach (var p in packets)
            {
                writer.Write(p);
            }
            writer.Flush();
            Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
        }
        Assert.True(stream.CanWrite, "the stream is left open");

        string[] lines = expected.Split('\n');
        Assert.Equal(501, lines.Length);
        Assert.Equal(string.Empty, lines[^1]);
        for (int i = 0; i < 500; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i + 1, doc.RootElement.GetProperty("frame").GetInt64());
        }
    }

    [Fact]
    public void WritingAPacketAllocatesNothingOnceWarm()
    {
        // Not a timing test: counts bytes allocated by this thread while writing IPv4 DNS packets.
        var p = DnsQuery();
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        using var writer = new PacketJsonWriter(buffer);
        long allocated = AllocationProbe.SteadyStateBytes(() =>
        {
            writer.Write(p);
            buffer.ResetWrittenCount();
        });
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for 200 packets");
    }

    [Fact]
    public void WritingAfterDisposeIsRefused()
    {
        var writer = new PacketJsonWriter(new ArrayBufferWriter<byte>());
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(DnsQuery()));
    }
}
