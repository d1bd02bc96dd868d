using NetTriage.Packets.Dns;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Dns;

public class DnsDecoderTests
{
    /// <summary>
    /// An authoritative answer for www.tcpdump.org. A with compression throughout:
    /// CNAME, A, an NS in authority, and an AAAA and an EDNS OPT (DO set) in additional.
    /// </summary>
    private static readonly byte[] Response =
    [
        // header (0)
        0x43, 0x19,                                     // id 17177
        0x85, 0x80,                                     // QR, opcode 0, AA, RD, RA, rcode 0
        0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, // QD 1, AN 2, NS 1, AR 2
        // question (12): www.tcpdump.org. A IN
        0x03, (byte)'w', (byte)'w', (byte)'w',
        0x07, (byte)'t', (byte)'c', (byte)'p', (byte)'d', (byte)'u', (byte)'m', (byte)'p',   // "tcpdump" at 16
        0x03, (byte)'o', (byte)'r', (byte)'g', 0x00,
        0x00, 0x01, 0x00, 0x01,
        // answer 1 (33): www.tcpdump.org. CNAME web.tcpdump.org.
        0xc0, 0x0c,                                     // pointer to 12
        0x00, 0x05, 0x00, 0x01,                         // CNAME, IN
        0x00, 0x00, 0x00, 0x3c,                         // TTL 60
        0x00, 0x06,                                     // RDLENGTH 6
        0x03, (byte)'w', (byte)'e', (byte)'b', 0xc0, 0x10, // "web" at 45, pointer to 16
        // answer 2 (51): web.tcpdump.org. A 192.139.46.66
        0xc0, 0x2d,                                     // pointer to 45
        0x00, 0x01, 0x00, 0x01,                         // A, IN
        0x00, 0x00, 0x01, 0x2c,                         // TTL 300
        0x00, 0x04,
        0xc0, 0x8b, 0x2e, 0x42,
        // authority (67): tcpdump.org. NS ns1.tcpdump.org.
        0xc0, 0x10,
        0x00, 0x02, 0x00, 0x01,                         // NS, IN
        0x00, 0x01, 0x51, 0x80,                         // TTL 86400
        0x00, 0x06,
        0x03, (byte)'n', (byte)'s', (byte)'1', 0xc0, 0x10, // "ns1" at 79
        // additional 1 (85): ns1.tcpdump.org. AAAA 2607:f0b0:f::babe:f00d
        0xc0, 0x4f,
        0x00, 0x1c, 0x00, 0x01,                         // AAAA, IN
        0x00, 0x00, 0x0e, 0x10,                         // TTL 3600
        0x00, 0x10,
        0x26, 0x07, 0xf0, 0xb0, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xba, 0xbe, 0xf0, 0x0d,
        // additional 2 (113): . OPT UDPsize=4096, DO
        0x00,                                           // root
        0x00, 0x29,                                     // OPT
        0x10, 0x00,                                     // UDP payload size 4096
        0x00, 0x00, 0x80, 0x00,                         // extended rcode 0, version 0, DO
        0x00, 0x00,                                     // RDLENGTH 0
    ];

    private static DecodedPacket DecodeMessage(byte[] message)
    {
        var packet = new DecodedPacket();
        packet.Reset();
        DnsDecoder.Decode(message, packet, overTcp: false);
        return packet;
    }

    [Fact]
    public void Response_is_decoded_with_compression()
    {
        Assert.Equal(124, Response.Length);
        var p = DecodeMessage(Response);
        Assert.Equal(0, p.Anomalies.Count);
        var dns = p.Dns;
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(17177, dns.Id);
        Assert.True(dns.IsResponse);
        Assert.True(dns.AuthoritativeAnswer);
        Assert.True(dns.RecursionDesired);
        Assert.Equal(0, dns.Rcode);
        Assert.False(dns.Incomplete);
        Assert.Equal((1, 2, 1, 2), (dns.QuestionCount, dns.AnswerCount, dns.AuthorityCount, dns.AdditionalCount));
        Assert.Equal(1, dns.StoredQuestions);
        Assert.Equal("www.tcpdump.org.", p.Text(dns.Questions[0].Name));
        Assert.Equal(DnsType.A, dns.Questions[0].Type);
        Assert.Equal(1, dns.Questions[0].Class);
        Assert.Equal(5, dns.StoredRecords);
        var r = dns.Records;
        Assert.Equal((DnsSection.Answer, DnsType.CNAME, 60u), (r[0].Section, r[0].Type, r[0].Ttl));
        Assert.Equal("www.tcpdump.org.", p.Text(r[0].Name));
        Assert.Equal("web.tcpdump.org.", p.Text(r[0].Data));
        Assert.Equal("web.tcpdump.org.", p.Text(r[1].Name));
        Assert.Equal(IpAddr.Parse("192.139.46.66"), r[1].Address);
        Assert.Equal((DnsSection.Authority, DnsType.NS), (r[2].Section, r[2].Type));
        Assert.Equal("tcpdump.org.", p.Text(r[2].Name));
        Assert.Equal("ns1.tcpdump.org.", p.Text(r[2].Data));
        Assert.Equal((DnsSection.Additional, DnsType.AAAA), (r[3].Section, r[3].Type));
        Assert.Equal(IpAddr.Parse("2607:f0b0:f::babe:f00d"), r[3].Address);
        Assert.Equal(DnsType.OPT, r[4].Type);
        Assert.Equal(".", p.Text(r[4].Name));
        Assert.True(dns.HasEdns);
        Assert.Equal(4096, dns.EdnsUdpSize);
        Assert.Equal(0, dns.EdnsVersion);
        Assert.True(dns.DnssecOk);
    }

    public static IEnumerable<object[]> Prefixes => Decoding.Prefixes(Response.Length);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Message_cut_at_every_byte_keeps_what_was_read(int length)
    {
        // carried over UDP, cut by the capture
        var datagram = Udp(53, 40000, Response);
        var ip = Ipv4("192.0.2.53", "192.0.2.10", IpProtocol.Udp, datagram);
        var p = Decoding.Decode(LinkType.Ipv4, ip.AsSpan(0, 28 + length), originalLength: ip.Length);
        Assert.True(p.Truncated);
        Assert.True(p.Has(PacketLayers.Ipv4 | PacketLayers.Udp));
        Assert.Equal(40000, p.DestinationPort);
        Assert.Equal(Response.Length, p.PayloadClaimedLength);
        Assert.Equal(length, p.PayloadLength);
        if (length < 12)
        {
            Assert.True(p.Anomalies.Contains(AnomalyKind.DnsHeaderTruncated));
            Assert.False(p.Has(PacketLayers.Dns));
            return;
        }
        var dns = p.Dns;
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(17177, dns.Id);
        Assert.True(dns.Incomplete);
        Assert.True(p.Anomalies.Contains(AnomalyKind.DnsMessageTruncated));
        Assert.Equal(2, p.Anomalies.Count);   // with Ipv4TotalLengthExceedsCapture
        Assert.Equal(length >= 33 ? 1 : 0, dns.StoredQuestions);
        // a record is kept once its fixed part is read (owner name + 10 bytes), even if its data is cut
        int[] fixedEnds = [45, 63, 79, 97, 124];
        Assert.Equal(fixedEnds.Count(end => length >= end), dns.StoredRecords);
        if (length >= 51)
        {
            Assert.Equal("web.tcpdump.org.", p.Text(dns.Records[0].Data));
        }
        if (dns.StoredRecords >= 2 && length < 67)
        {
            Assert.True(dns.Records[1].Address.IsNone);   // data cut
        }
        Assert.False(dns.HasEdns);
    }

    [Fact]
    public void Extended_rcode_comes_from_the_opt_record()
    {
        // BADVERS (16): header rcode 0, OPT extended rcode 1 (RFC 6891 6.1.3, 7)
        var message = Concat(DnsHeader(7, 0x8000, 0, 0, 0, 1),
            [0x00], U16(DnsType.OPT), U16(1232), [0x01, 0x00, 0x00, 0x00], U16(0));
        var p = DecodeMessage(message);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Dns.HasEdns);
        Assert.Equal(1, p.Dns.ExtendedRcodeHigh);
        Assert.Equal(DnsRcode.BadVers, p.Dns.Rcode);
        Assert.Equal(1232, p.Dns.EdnsUdpSize);
        Assert.False(p.Dns.DnssecOk);
        Assert.Equal("BadVers", DnsNames.RcodeName(p.Dns.Rcode));
    }

    [Fact]
    public void Opt_outside_additional_or_not_at_root_is_not_edns()
    {
        var inAnswer = Concat(DnsHeader(7, 0x8000, 0, 1, 0, 0), [0x00], U16(DnsType.OPT), U16(1232), U32(0x01000000), U16(0));
        Assert.False(DecodeMessage(inAnswer).Dns.HasEdns);
        var notRoot = Concat(DnsHeader(7, 0x8000, 0, 0, 0, 1), Name("x"), U16(DnsType.OPT), U16(1232), U32(0x01000000), U16(0));
        var p = DecodeMessage(notRoot);
        Assert.False(p.Dns.HasEdns);
        Assert.Equal(0, p.Dns.Rcode);
        Assert.Equal(1, p.Dns.StoredRecords);
    }

    [Fact]
    public void Common_record_types_are_decoded()
    {
        var owner = Name("example.com");
        var message = Concat(
            DnsHeader(1, 0x8400, 0, 7, 0, 0),
            Record(owner, DnsType.MX, 1, 300, Concat(U16(10), Name("mail.example.com"))),
            Record(owner, DnsType.SRV, 1, 300, Concat(U16(5), U16(20), U16(5060), Name("sip.example.com"))),
            Record(owner, DnsType.SOA, 1, 300, Concat(Name("ns.example.com"), Name("hostmaster.example.com"), U32(2024010101), new byte[16])),
            Record(owner, DnsType.TXT, 1, 300, Concat([11], "v=spf1 -all"u8.ToArray(), [4], "a\"b\\"u8.ToArray(), [2, 0x07, 0xe9])),
            Record(owner, DnsType.PTR, 1, 300, Name("host.example.net")),
            Record(owner, 39 /* DNAME */, 1, 300, Name("example.org")),
            Record(owner, DnsType.HTTPS, 1, 300, [0x00, 0x01, 0x00]));
        var p = DecodeMessage(message);
        Assert.Equal(0, p.Anomalies.Count);
        var r = p.Dns.Records;
        Assert.Equal(7, p.Dns.StoredRecords);
        Assert.Equal(10, r[0].Preference);
        Assert.Equal("mail.example.com.", p.Text(r[0].Data));
        Assert.Equal((5, 20, 5060), (r[1].Preference, r[1].Weight, r[1].Port));
        Assert.Equal("sip.example.com.", p.Text(r[1].Data));
        Assert.Equal("ns.example.com.", p.Text(r[2].Data));
        Assert.Equal(2024010101u, r[2].Serial);
        Assert.Equal("\"v=spf1 -all\" \"a\\\"b\\\\\" \"\\007\\233\"", p.Text(r[3].Data));
        Assert.Equal("host.example.net.", p.Text(r[4].Data));
        Assert.Equal("example.org.", p.Text(r[5].Data));
        Assert.Equal(DnsType.HTTPS, r[6].Type);
        Assert.Equal(3, r[6].DataLength);
        Assert.True(r[6].Data.IsEmpty);
    }

    [Fact]
    public void Bad_record_data_is_an_anomaly_and_the_walk_goes_on()
    {
        var owner = Name("example.com");
        var message = Concat(
            DnsHeader(1, 0x8400, 0, 3, 0, 0),
            Record(owner, DnsType.A, 1, 300, [10, 0, 0]),                       // A with 3 bytes
            Record(owner, DnsType.CNAME, 1, 300, [5, (byte)'a', (byte)'b']),    // name runs past RDLENGTH
            Record(owner, DnsType.A, 1, 300, [10, 0, 0, 1]));
        var p = DecodeMessage(message);
        Assert.Equal([AnomalyKind.DnsRecordTruncated, AnomalyKind.DnsRecordTruncated], p.Anomalies.Kept.ToArray());
        Assert.Equal(3, p.Dns.StoredRecords);
        Assert.True(p.Dns.Records[0].Address.IsNone);
        Assert.True(p.Dns.Records[1].Data.IsEmpty);
        Assert.Equal(IpAddr.Parse("10.0.0.1"), p.Dns.Records[2].Address);
        Assert.False(p.Dns.Incomplete);
    }

    [Fact]
    public void Questions_beyond_the_stored_maximum_are_counted_and_walked()
    {
        var message = Concat(DnsHeader(2, 0x0000, 6, 0, 0, 0),
            Question("a.example", 1), Question("b.example", 1), Question("c.example", 1),
            Question("d.example", 1), Question("e.example", 28), Question("f.example", 28));
        var p = DecodeMessage(message);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(6, p.Dns.QuestionCount);
        Assert.Equal(DnsInfo.MaxQuestions, p.Dns.StoredQuestions);
        Assert.Equal("d.example.", p.Text(p.Dns.Questions[3].Name));
        Assert.False(p.Dns.Incomplete);
    }

    [Fact]
    public void A_thousand_records_stop_at_the_walk_cap()
    {
        var record = Record([0xc0, 0x0c], DnsType.A, 1, 60, [10, 0, 0, 1]);
        var parts = new List<byte[]> { DnsHeader(3, 0x8180, 1, 1000, 0, 0), Question("many.example", 1) };
        for (int i = 0; i < 1000; i++) parts.Add(record);
        var p = DecodeMessage(Concat([.. parts]));
        Assert.Equal([AnomalyKind.DnsTooManyRecords], p.Anomalies.Kept.ToArray());
        Assert.Equal(1000, p.Dns.AnswerCount);
        Assert.Equal(DnsInfo.MaxRecords, p.Dns.StoredRecords);
        Assert.True(p.Dns.Incomplete);
        Assert.Equal("many.example.", p.Text(p.Dns.Records[63].Name));
    }

    [Theory]
    [InlineData(new byte[] { 0xc0, 0x0c }, AnomalyKind.DnsCompressionLoop)]                 // pointer to itself
    [InlineData(new byte[] { 0xc0, 0x0e, 0xc0, 0x0c }, AnomalyKind.DnsCompressionLoop)]     // two pointers to each other
    [InlineData(new byte[] { 0xc0, 0x20, 0x00 }, AnomalyKind.DnsCompressionLoop)]           // forward pointer
    [InlineData(new byte[] { 0x80, 0x00 }, AnomalyKind.DnsBadLabelType)]
    [InlineData(new byte[] { 0x40, 0x61 }, AnomalyKind.DnsLabelTooLong)]
    public void Malformed_question_names_are_anomalies(byte[] name, AnomalyKind expected)
    {
        var p = DecodeMessage(Concat(DnsHeader(4, 0, 1, 0, 0, 0), name, U16(1), U16(1), new byte[32]));
        Assert.Equal([expected], p.Anomalies.Kept.ToArray());
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.True(p.Dns.Incomplete);
        Assert.Equal(0, p.Dns.StoredQuestions);
        Assert.False(p.Truncated);
    }

    [Fact]
    public void Label_of_64_bytes_and_name_of_256_bytes_are_refused()
    {
        var longLabel = Concat([64], Enumerable.Repeat((byte)'a', 64).ToArray(), [0]);
        Assert.Equal([AnomalyKind.DnsLabelTooLong], DecodeMessage(Concat(DnsHeader(5, 0, 1, 0, 0, 0), longLabel, U16(1), U16(1))).Anomalies.Kept.ToArray());
        // 4 labels of 63 (256 wire bytes with their length octets) + root = 257
        var label = Concat([63], Enumerable.Repeat((byte)'b', 63).ToArray());
        var longName = Concat(label, label, label, label, [0]);
        Assert.Equal([AnomalyKind.DnsNameTooLong], DecodeMessage(Concat(DnsHeader(5, 0, 1, 0, 0, 0), longName, U16(1), U16(1))).Anomalies.Kept.ToArray());
    }

    [Theory]
    [InlineData(15, false)]
    [InlineData(20, true)]
    public void Too_many_compression_jumps_is_an_anomaly(int chainLength, bool tooMany)
    {
        // answer 1 (12): root owner, an unknown type whose RDATA (23..) is a chain of pointers, each to the
        // one before it, the first to the root at 12. answer 2: its owner points at the last link, so reading
        // it takes 1 + chainLength jumps.
        var chain = new List<byte>();
        for (int i = 0; i < chainLength; i++)
        {
            int target = i == 0 ? 12 : 23 + ((i - 1) * 2);
            chain.Add((byte)(0xc0 | (target >> 8)));
            chain.Add((byte)target);
        }
        int last = 23 + ((chainLength - 1) * 2);
        var message = Concat(
            DnsHeader(6, 0x8000, 0, 2, 0, 0),
            Record([0x00], 0xff00, 1, 0, [.. chain]),
            Record([(byte)(0xc0 | (last >> 8)), (byte)last], DnsType.A, 1, 0, [10, 0, 0, 1]));
        var p = DecodeMessage(message);
        Assert.Equal(tooMany, p.Anomalies.Contains(AnomalyKind.DnsTooManyCompressionJumps));
        Assert.Equal(tooMany, p.Dns.Incomplete);
        Assert.Equal(tooMany ? 1 : 2, p.Dns.StoredRecords);
        if (!tooMany)
        {
            Assert.Equal(".", p.Text(p.Dns.Records[1].Name));
        }
    }

    [Fact]
    public void Dns_over_tcp_uses_the_length_prefix()
    {
        var query = DnsQuery(0x4321, "www.tcpdump.org");
        var segment = Tcp(33779, 53, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: Concat(U16(query.Length), query));
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("192.168.1.11", "209.87.249.18", IpProtocol.Tcp, segment));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Tcp | PacketLayers.Dns));
        Assert.True(p.Dns.OverTcp);
        Assert.Equal(0x4321, p.Dns.Id);
        Assert.Equal("www.tcpdump.org.", p.Text(p.Dns.Questions[0].Name));
        Assert.Equal(query.Length + 2, p.PayloadLength);
    }

    [Fact]
    public void Dns_over_tcp_decodes_the_first_of_two_messages()
    {
        var first = DnsQuery(1, "a.example");
        var second = DnsQuery(2, "b.example");
        var p = DecodeTcp(Concat(U16(first.Length), first, U16(second.Length), second));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(1, p.Dns.Id);
    }

    [Fact]
    public void Dns_over_tcp_prefix_longer_than_the_segment_is_a_message_that_goes_on()
    {
        // RFC 7766 8: a message may be split over segments. Read alone, the segment gives its start; the reader that
        // follows connections reads it whole (DnsTcpReassemblerTests).
        var query = DnsQuery(9, "a.example");
        var p = DecodeTcp(Concat(U16(query.Length + 100), query));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(100, p.Dns.TcpContinues);
        Assert.False(p.Truncated);
        Assert.Equal(9, p.Dns.Id);
        Assert.Equal(1, p.Dns.StoredQuestions);
        Assert.False(p.Dns.Incomplete);   // every declared section was read
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Dns_over_tcp_prefix_too_short_for_a_header_is_a_mismatch(int prefix)
    {
        var p = DecodeTcp(Concat(U16(prefix), DnsQuery(9, "a.example")));
        Assert.Equal([AnomalyKind.DnsTcpLengthMismatch], p.Anomalies.Kept.ToArray());
        Assert.False(p.Has(PacketLayers.Dns));
    }

    [Fact]
    public void Dns_over_tcp_cut_inside_the_prefix_or_header()
    {
        var p = DecodeTcp([0x00]);
        Assert.Equal([AnomalyKind.DnsHeaderTruncated], p.Anomalies.Kept.ToArray());
        // The capture kept 7 bytes of a 32-byte segment: the header is cut.
        var q = new DecodedPacket();
        q.Reset();
        DnsDecoder.DecodeSegment(Concat(U16(30), new byte[5]), 32, q);
        Assert.True(q.Anomalies.Contains(AnomalyKind.DnsHeaderTruncated));
        Assert.True(q.Truncated);
        Assert.False(q.Has(PacketLayers.Dns));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    public void Dns_over_tcp_segment_that_ends_before_the_header_of_a_longer_message_is_its_start_not_a_cut(int bytes)
    {
        // A stack that writes the prefix alone (or a sender that splits the header): read alone, nothing is read yet
        // and nothing is cut; the rest comes in later segments (tcpdump says "(invalid)", DnsTcpReassemblerTests).
        var p = DecodeTcp(Concat(U16(30), new byte[bytes]));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.False(p.Truncated);
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.Equal(30 - bytes, p.Dns.TcpContinues);
        Assert.Equal(30, p.Dns.TcpSegmentPrefix);
    }

    private static DecodedPacket DecodeTcp(byte[] payload)
    {
        var packet = new DecodedPacket();
        packet.Reset();
        DnsDecoder.Decode(payload, packet, overTcp: true);
        Assert.True(packet.Dns.OverTcp);
        return packet;
    }

    [Fact]
    public void Full_text_store_is_an_anomaly_and_decoding_goes_on()
    {
        var p = new DecodedPacket();
        p.Reset();
        Assert.True(p.Text.TryAppend(new byte[PacketText.Capacity - 4], out _));
        DnsDecoder.Decode(Response, p, overTcp: false);
        Assert.Equal([AnomalyKind.TextStoreFull], p.Anomalies.Kept.ToArray());
        Assert.Equal(5, p.Dns.StoredRecords);
        Assert.True(p.Dns.Questions[0].Name.IsEmpty);
        Assert.Equal(IpAddr.Parse("192.139.46.66"), p.Dns.Records[1].Address);
        Assert.True(p.Dns.HasEdns);
    }

    [Fact]
    public void Mdns_class_top_bit_is_kept_raw()
    {
        var message = Concat(DnsHeader(0, 0x8400, 0, 1, 0, 0),
            Record(Name("printer.local"), DnsType.A, 0x8001, 120, [192, 168, 1, 50]));
        var p = DecodeMessage(message);
        Assert.Equal(0x8001, p.Dns.Records[0].Class);
        Assert.Equal(IpAddr.Parse("192.168.1.50"), p.Dns.Records[0].Address);
    }
}
