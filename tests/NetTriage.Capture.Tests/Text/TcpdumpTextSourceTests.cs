using NetTriage.Capture.Text;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Capture.Tests.Text;

public class TcpdumpTextSourceTests
{
    /// <summary>The seed incident's log as the course printed it: every record wrapped over two lines.</summary>
    private const string SeedLog =
        "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A?\n" +
        "yummyrecipesforme.com. (24)\n" +
        "13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2\n" +
        "udp port 53 unreachable length 254\n" +
        "\n" +
        "13:26:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A?\n" +
        "yummyrecipesforme.com. (24)\n" +
        "13:27:15.934126 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2\n" +
        "udp port 53 unreachable length 320\n" +
        "\n" +
        "13:28:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A?\n" +
        "yummyrecipesforme.com. (24)\n" +
        "13:28:50.022967 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2\n" +
        "udp port 53 unreachable length 150\n";

    private static long Tod(int h, int m, int s, int micros) =>
        ((((h * 3600L) + (m * 60L) + s) * 1_000_000L) + micros) * 1000L;

    private sealed record SeedPacket(long Line, long Frame, PacketTimestamp Time, PacketLayers Layers, string Src, string Dst,
        ushort SrcPort, ushort DstPort, ushort DnsId, ushort Flags, string QName, ushort QType, byte IcmpType, byte IcmpCode,
        QuotedPacket Quoted, int Claimed, bool Unparsed);

    private static SeedPacket Snap(DecodedPacket p) => new(
        p.LineNumber, p.FrameNumber, p.Timestamp, p.Layers, p.Ip.Source.ToString(), p.Ip.Destination.ToString(),
        p.SourcePort, p.DestinationPort, p.Dns.Id, p.Dns.Flags,
        p.Dns.StoredQuestions > 0 ? p.GetText(p.Dns.Questions[0].Name) : "", p.Dns.StoredQuestions > 0 ? p.Dns.Questions[0].Type : (ushort)0,
        p.Icmp.Type, p.Icmp.Code, p.Icmp.Quoted, p.PayloadClaimedLength, p.Unparsed);

    [Theory]
    [InlineData("")]
    [InlineData("    ")]
    public void SeedLogYieldsThreeQueriesAndThreePortUnreachables(string indent)
    {
        // The same log indented as a document's code block reads the same.
        string text = string.Join('\n', SeedLog.Split('\n').Select(l => l.Length == 0 ? l : indent + l));
        using var source = TextInput.Source(text);
        var packets = new List<SeedPacket>();
        var packet = new DecodedPacket();
        while (source.TryRead(packet)) packets.Add(Snap(packet));

        Assert.Equal(6, packets.Count);
        Assert.Equal(6, source.ParsedRecords);
        Assert.Equal(0, source.UnparsedLines);
        Assert.Equal([1L, 3, 6, 8, 11, 13], packets.Select(p => p.Line));
        Assert.Equal([1L, 2, 3, 4, 5, 6], packets.Select(p => p.Frame));
        Assert.Equal(
            [Tod(13, 24, 32, 192571), Tod(13, 24, 36, 98564), Tod(13, 26, 32, 192571), Tod(13, 27, 15, 934126), Tod(13, 28, 32, 192571), Tod(13, 28, 50, 22967)],
            packets.Select(p => p.Time.Nanoseconds));
        Assert.All(packets, p => Assert.Equal(TimestampKind.TimeOfDay, p.Time.Kind));

        int[] lengths = [254, 320, 150];
        for (int i = 0; i < 3; i++)
        {
            var query = packets[2 * i];
            Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Udp | PacketLayers.Dns, query.Layers);
            Assert.Equal(("192.51.100.15", "203.0.113.2"), (query.Src, query.Dst));
            Assert.Equal(((ushort)52444, (ushort)53), (query.SrcPort, query.DstPort));
            Assert.Equal(35084, query.DnsId);
            Assert.Equal(0x0100, query.Flags); // RD only: a query
            Assert.Equal(("yummyrecipesforme.com.", DnsType.A), (query.QName, query.QType));
            Assert.Equal(24, query.Claimed);

            var error = packets[(2 * i) + 1];
            Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Icmp, error.Layers);
            Assert.Equal(("203.0.113.2", "192.51.100.15"), (error.Src, error.Dst));
            Assert.Equal((3, 3), (error.IcmpType, error.IcmpCode));
            Assert.True(error.Quoted.Present);
            Assert.Equal(IpProtocol.Udp, error.Quoted.Protocol);
            Assert.Equal("192.51.100.15", error.Quoted.Source.ToString());
            Assert.Equal("203.0.113.2", error.Quoted.Destination.ToString());
            Assert.True(error.Quoted.HasPorts);
            Assert.Equal(53, error.Quoted.DestinationPort);
            Assert.Equal(lengths[i], error.Claimed);
        }
    }

    [Fact]
    public void SeedLogReadOneByteAtATimeGivesTheSamePackets()
    {
        var whole = TextInput.All(SeedLog, Snap);
        var trickled = TextInput.All(SeedLog, Snap, s => new OneByteStream(s));
        Assert.Equal(whole, trickled);
    }

    [Fact]
    public void CrlfLineEndsAreTolerated()
    {
        var lf = TextInput.All(SeedLog, Snap);
        var crlf = TextInput.All(SeedLog.Replace("\n", "\r\n", StringComparison.Ordinal), Snap);
        Assert.Equal(lf, crlf);
    }

    [Fact]
    public void LastLineWithoutNewlineIsRead()
    {
        var p = TextInput.One("13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5");
        Assert.Equal(5, p.PayloadClaimedLength);
        Assert.True(p.Has(PacketLayers.Udp));
    }

    [Fact]
    public void UnreadableLinesAreYieldedCountedAndKept()
    {
        const string text =
            "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5\n" +
            "13:24:33.000000 something tcpdump never printed\n" +
            "\n" +
            "13:24:34.000000 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 6\n";
        using var source = TextInput.Source(text);
        var p = new DecodedPacket();
        Assert.True(source.TryRead(p));
        Assert.False(p.Unparsed);

        Assert.True(source.TryRead(p));
        Assert.True(p.Unparsed);
        Assert.Equal(2, p.LineNumber);
        Assert.Equal(2, p.FrameNumber);
        Assert.Equal(PacketOrigin.Text, p.Origin);
        Assert.Equal(LinkType.Text, p.LinkType);
        Assert.Equal(PacketLayers.None, p.Layers);
        Assert.True(p.Anomalies.Contains(AnomalyKind.TextLineUnparsed));
        Assert.Equal("13:24:33.000000 something tcpdump never printed", p.GetText(p.RawText));

        Assert.True(source.TryRead(p));
        Assert.Equal(4, p.LineNumber);
        Assert.False(source.TryRead(p));
        Assert.Equal(2, source.ParsedRecords);
        Assert.Equal(1, source.UnparsedLines);
        Assert.Equal(4, source.LinesRead);
    }

    [Fact]
    public void ProseBeforeTheLogIsCountedAsUnparsedNotDropped()
    {
        const string text =
            "The log below shows the problem.\n" +
            "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5\n";
        var lines = TextInput.All(text, p => (p.LineNumber, p.Unparsed));
        Assert.Equal([(1L, true), (2L, false)], lines);
    }

    [Fact]
    public void BannerAndStatisticsLinesAreSkipped()
    {
        const string text =
            "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n" +
            "reading from file dns.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n" +
            "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n" +
            "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5\n" +
            "^C3 packets captured\n" +
            "3 packets received by filter\n" +
            "0 packets dropped by kernel\n" +
            "dropped privs to tcpdump\n";
        using var source = TextInput.Source(text);
        var p = new DecodedPacket();
        Assert.True(source.TryRead(p));
        Assert.Equal(4, p.LineNumber);
        Assert.False(source.TryRead(p));
        Assert.Equal(1, source.ParsedRecords);
        Assert.Equal(0, source.UnparsedLines);
    }

    [Fact]
    public void VerboseContinuationLineCarriesTheAddresses()
    {
        // tcpdump -v prints the IPv4 header on the first line and the addresses on the next (dns_udp-v.out).
        const string text =
            "    1  2020-06-10 09:19:54.740079 IP (tos 0x0, ttl 64, id 22989, offset 0, flags [none], proto UDP (17), length 84)\n" +
            "    192.168.1.11.43966 > 209.87.249.18.53: 22836+ [1au] A? www.tcpdump.org. (56)\n" +
            "    2  2020-06-10 09:19:54.870361 IP (tos 0x0, ttl 128, id 45, offset 0, flags [none], proto UDP (17), length 252)\n" +
            "    209.87.249.18.53 > 192.168.1.11.43966: 22836*- 2/2/5 www.tcpdump.org. A 192.139.46.66, www.tcpdump.org. A 198.199.88.104 (224)\n";
        var packets = TextInput.All(text, p => (p.LineNumber, p.FrameNumber, p.Ip.Ttl, p.Ip.Identification, p.Ip.TotalLength, p.Ip.Protocol,
            p.Ip.Source.ToString(), p.Dns.Id, p.Dns.IsResponse));
        Assert.Equal(
            [(1L, 1L, (byte)64, (ushort)22989, 84, (byte)17, "192.168.1.11", (ushort)22836, false),
             (3L, 2L, (byte)128, (ushort)45, 252, (byte)17, "209.87.249.18", (ushort)22836, true)],
            packets);
    }

    [Fact]
    public void TabIndentedContinuationThatLooksLikeATimeIsNotANewRecord()
    {
        // vsock-1-v.out: "3.1024" must not be taken for a -tt time stamp.
        const string text =
            "    1  2017-07-13 12:31:11.261679 VIRTIO (len 0, type STREAM, op REQUEST, flags 0, buf_alloc 262144, fwd_cnt 0)\n" +
            "\t3.1024 > 2.1234 CONNECT, length 76\n";
        var p = TextInput.One(text);
        Assert.False(p.Unparsed);
        Assert.Equal(1, p.LineNumber);
    }

    [Fact]
    public void WithoutFrameNumbersOrTimesEachUnindentedLineIsARecord()
    {
        // -t without -#: records start at the first column, -v continuation lines are indented.
        const string text =
            "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)\n" +
            "    10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1, win 65535, length 0\n" +
            "IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R.], seq 0, ack 2, win 0, length 0\n";
        var packets = TextInput.All(text, p => (p.LineNumber, p.FrameNumber, p.Timestamp.Kind, p.Tcp.Flags, p.Ip.Ttl));
        Assert.Equal(
            [(1L, 1L, TimestampKind.None, TcpFlags.Syn, (byte)64), (3L, 2L, TimestampKind.None, TcpFlags.Rst | TcpFlags.Ack, (byte)0)],
            packets);
    }

    [Fact]
    public void FrameNumberIsTakenFromTheTextWhenPrinted()
    {
        const string text =
            "   41  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0\n" +
            "   97  17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0\n";
        Assert.Equal([41L, 97], TextInput.All(text, p => p.FrameNumber));
    }

    [Fact]
    public void OverlongLineIsCutMarkedAndWarned()
    {
        string longTail = new('x', TcpdumpTextSource.MaxLineLength * 2);
        string text = "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5 " + longTail + "\n" +
                      "13:24:33.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 6\n";
        using var source = TextInput.Source(text);
        var p = new DecodedPacket();
        Assert.True(source.TryRead(p));
        Assert.True(p.Anomalies.Contains(AnomalyKind.TextLineTooLong));
        Assert.Equal(5, p.PayloadClaimedLength);
        Assert.True(source.TryRead(p));
        Assert.Equal(2, p.LineNumber);
        Assert.Equal(6, p.PayloadClaimedLength);
        Assert.False(p.Anomalies.Contains(AnomalyKind.TextLineTooLong));
        Assert.Single(source.Warnings);
        Assert.Equal(1, source.Warnings[0].Line);
    }

    [Fact]
    public void UnparsedRawTextIsCapped()
    {
        string text = "13:24:33.000000 " + new string('z', TcpdumpTextSource.MaxRawTextLength * 2) + "\n";
        var p = TextInput.One(text);
        Assert.True(p.Unparsed);
        Assert.Equal(TcpdumpTextSource.MaxRawTextLength, p.RawText.Length);
    }

    [Fact]
    public void ManyContinuationLinesAreCappedNotUnbounded()
    {
        var sb = new System.Text.StringBuilder("13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2: UDP, length 5\n");
        for (int i = 0; i < 20_000; i++) sb.Append("\t0x0000:  4500 0054 0000 4000 4001 0000 c000 0201\n");
        var p = TextInput.One(sb.ToString());
        Assert.False(p.Unparsed);
        Assert.True(p.Anomalies.Contains(AnomalyKind.TextLineTooLong));
    }

    [Fact]
    public void ByteOrderMarkAndStrayControlCharactersAreHarmless()
    {
        var p = TextInput.One("\u00EF\u00BB\u00BF13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.2:\u0001UDP, length 5\n");
        Assert.False(p.Unparsed);
        Assert.Equal(5, p.PayloadClaimedLength);
    }

    [Fact]
    public void EmptyInputYieldsNothing()
    {
        using var source = TextInput.Source("");
        Assert.False(source.TryRead(new DecodedPacket()));
        Assert.Equal(0, source.ParsedRecords);
    }

    [Fact]
    public void ReportsItsFormatNameAndProgress()
    {
        using var source = TextInput.Source(SeedLog);
        Assert.Equal(CaptureFormat.TcpdumpText, source.Format);
        Assert.Equal("test.txt", source.Name);
        Assert.False(source.Compressed);
        Assert.Equal(SeedLog.Length, source.TotalBytes);
        var p = new DecodedPacket();
        while (source.TryRead(p))
        {
        }
        Assert.Equal(SeedLog.Length, source.BytesConsumed);
    }

    [Fact]
    public void GzipProgressCountsCompressedBytes()
    {
        var compressed = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(System.Text.Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat(SeedLog, 50))));
        }
        long size = compressed.Length;
        compressed.Position = 0;
        using var source = new TcpdumpTextSource(new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress), "seed.txt.gz", compressed: true, totalBytes: size);
        var p = new DecodedPacket();
        int n = 0;
        while (source.TryRead(p)) n++;
        Assert.Equal(300, n);
        Assert.True(source.Compressed);
        Assert.Equal(size, source.BytesConsumed);
    }

    [Fact]
    public void CorruptCompressionIsAFormatErrorNamingTheInput()
    {
        byte[] bytes = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        using var source = new TcpdumpTextSource(new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress), "bad.gz", compressed: true, totalBytes: bytes.Length);
        var ex = Assert.Throws<CaptureFormatException>(() => source.TryRead(new DecodedPacket()));
        Assert.Equal(CaptureErrorReason.CorruptCompression, ex.Reason);
        Assert.Equal("bad.gz", ex.InputName);
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void ReadingAfterDisposeThrows()
    {
        var source = TextInput.Source(SeedLog);
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.TryRead(new DecodedPacket()));
    }

    [Fact]
    public void ReusedPacketIsResetBetweenRecords()
    {
        const string text =
            "13:24:32.192571 IP 192.0.2.1.1 > 192.0.2.2.53: 1+ A? a. (17)\n" +
            "13:24:33.192571 ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28\n";
        var layers = TextInput.All(text, p => (p.Layers, p.Dns.StoredQuestions, p.SourcePort));
        Assert.Equal([(PacketLayers.Ipv4 | PacketLayers.Udp | PacketLayers.Dns, 1, (ushort)1), (PacketLayers.Arp, 0, (ushort)0)], layers);
    }

    [Fact]
    public void TextThatIsNotTcpdumpOutputIsAnUnknownFormatNamingItsFirstLine()
    {
        const string text = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
        using var source = TextInput.Source(text);
        var ex = Assert.Throws<CaptureFormatException>(() => source.TryRead(new DecodedPacket()));
        Assert.Equal(CaptureErrorReason.UnknownFormat, ex.Reason);
        Assert.Equal(1, ex.Line);
        Assert.StartsWith("test.txt: line 1: not a capture", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProseBeforeALogIsYieldedFirstAsUnparsedThenTheRecordsInOrder()
    {
        const string text = "Notes from the incident:\n\n13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (24)\n" +
            "13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 98\n";
        var read = TextInput.All(text, p => (p.LineNumber, p.Unparsed, p.Has(PacketLayers.Dns), p.Has(PacketLayers.Icmp)));
        Assert.Equal([(1L, true, false, false), (3L, false, true, false), (4L, false, false, true)], read);
    }

    [Fact]
    public void MoreUnreadableRecordsThanTheProbeAllowsBeforeAnyTcpdumpRecordIsRefused()
    {
        var text = string.Concat(Enumerable.Repeat("a line of prose\n", TcpdumpTextSource.ProbeRecords + 1)) +
            "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (24)\n";
        using var source = TextInput.Source(text);
        var ex = Assert.Throws<CaptureFormatException>(() => source.TryRead(new DecodedPacket()));
        Assert.Equal(CaptureErrorReason.UnknownFormat, ex.Reason);
    }
}
