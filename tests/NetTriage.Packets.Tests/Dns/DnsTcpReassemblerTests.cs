using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Dns;

/// <summary>
/// DNS over TCP as stacks and attackers send it, frame by frame (Ethernet, IPv4, TCP, then the bytes of the messages):
/// the prefix in a segment of its own, a message cut anywhere, several messages in one segment (RFC 7766 6.2.1.1), a
/// message that starts after the end of a split one, retransmitted and missing pieces, captures cut inside a prefix, and
/// many connections that declare long messages and never send them. The reader that follows connections reads each
/// message once, on the segment that completes it; the same frames read alone are what tcpdump prints of them.
/// </summary>
public sealed class DnsTcpReassemblerTests
{
    private const string Client = "192.0.2.10", Server = "192.0.2.53";
    private const ushort ClientPort = 40000;
    private const ushort Id = 0x1111, SecondId = 0x2222;
    private const string Name = "prefix.example.com";

    /// <summary>A query with its length prefix: 2 + 36 bytes.</summary>
    private static readonly byte[] Query = Framed(DnsQuery(Id, Name));
    /// <summary>An answer with its length prefix: 2 + 52 bytes, one A record 192.0.2.1.</summary>
    private static readonly byte[] Answer = Framed(AnswerMessage(Id, DnsType.A, 1));

    private static byte[] Framed(byte[] message) => Concat(U16(message.Length), message);

    /// <summary>A NOERROR answer for <see cref="Name"/> with <paramref name="records"/> A records 192.0.2.1, 192.0.2.2, ...</summary>
    private static byte[] AnswerMessage(ushort id, ushort type, int records)
    {
        var parts = new List<byte[]> { DnsHeader(id, 0x8180, 1, records, 0, 0), Question(Name, type) };
        for (int i = 0; i < records; i++) parts.Add(Record([0xc0, 0x0c], DnsType.A, 1, 300, [192, 0, 2, (byte)(i + 1)]));
        return Concat([.. parts]);
    }

    /// <summary>One connection seen from the SYN on: each side's next sequence number, the frames sent, read by one reader.</summary>
    private sealed class Connection(DnsTcpReassembler? streams = null, ushort clientPort = ClientPort)
    {
        public readonly DnsTcpReassembler Streams = streams ?? new DnsTcpReassembler();
        public readonly List<byte[]> Frames = [];
        public uint ClientNext = 1001, ServerNext = 9001;
        public long Nanos = 1_000 * PacketTimestamp.NanosPerSecond;

        public DecodedPacket FromClient(byte[] payload, TcpFlags flags = TcpFlags.Psh | TcpFlags.Ack, uint? sequence = null, int? captured = null)
        {
            uint seq = sequence ?? ClientNext;
            if (sequence is null) ClientNext += (uint)payload.Length;
            return Send(Client, Server, clientPort, 53, seq, ServerNext, flags, payload, captured);
        }

        public DecodedPacket FromServer(byte[] payload, TcpFlags flags = TcpFlags.Psh | TcpFlags.Ack, uint? sequence = null)
        {
            uint seq = sequence ?? ServerNext;
            if (sequence is null) ServerNext += (uint)payload.Length;
            return Send(Server, Client, 53, clientPort, seq, ClientNext, flags, payload, null);
        }

        private DecodedPacket Send(string from, string to, ushort sourcePort, ushort targetPort, uint seq, uint ack, TcpFlags flags, byte[] payload, int? captured)
        {
            var frame = Ethernet(0x0800, Ipv4(from, to, IpProtocol.Tcp, Tcp(sourcePort, targetPort, seq, ack, flags, payload: payload)));
            if (captured is { } keep) frame = frame[..(frame.Length - payload.Length + keep)];
            Frames.Add(frame);
            Nanos += PacketTimestamp.NanosPerSecond / 1000;
            return Read(frame, Streams, Nanos, originalLength: 14 + 20 + 20 + payload.Length);
        }
    }

    private static DecodedPacket Read(byte[] frame, DnsTcpReassembler? streams, long nanos, int? originalLength = null, DecodedPacket? packet = null)
    {
        packet ??= new DecodedPacket();
        packet.Reset();
        packet.FrameNumber = 1;
        packet.Timestamp = new PacketTimestamp(nanos, TimestampKind.Absolute);
        packet.LinkType = LinkType.Ethernet;
        packet.CapturedLength = frame.Length;
        packet.OriginalLength = originalLength ?? frame.Length;
        packet.Truncated = frame.Length < packet.OriginalLength;
        packet.ReassembleDnsOverTcp = streams is not null;
        packet.DnsStreams = streams;
        PacketDecoder.Decode(LinkType.Ethernet, frame, packet);
        return packet;
    }

    /// <summary>The frame read alone, as `show` reads it, and printed as tcpdump prints it (without time and number).</summary>
    private static string LineAlone(byte[] frame)
    {
        var formatter = new TcpdumpLineFormatter(new TcpdumpLineOptions
        {
            TimestampStyle = TimestampStyle.None,
            FrameNumbers = false,
            AbsoluteSequenceNumbers = true,
            Annotations = false,
        });
        return formatter.Format(Read(frame, null, 0));
    }

    /// <summary>A segment that carries no message of its own: no DNS layer, nothing malformed, nothing cut.</summary>
    private static void AssertPiece(DecodedPacket p)
    {
        Assert.False(p.Has(PacketLayers.Dns));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.False(p.Truncated);
        Assert.True(p.Dns.TcpCarriesDns);
    }

    private static void AssertQuery(DecodedPacket p, ushort id = Id)
    {
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal("", p.Anomalies());
        Assert.False(p.Truncated);
        Assert.Equal(id, p.Dns.Id);
        Assert.False(p.Dns.IsResponse);
        Assert.Equal(Name + ".", p.Text(p.Dns.Questions[0].Name));
        Assert.False(p.Dns.Incomplete);
    }

    private static void AssertAnswer(DecodedPacket p, int records = 1)
    {
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal("", p.Anomalies());
        Assert.Equal(Id, p.Dns.Id);
        Assert.True(p.Dns.IsResponse);
        Assert.Equal(0, p.Dns.Rcode);
        Assert.Equal(Name + ".", p.Text(p.Dns.Questions[0].Name));
        Assert.Equal(records, p.Dns.AnswerCount);
        Assert.Equal(Math.Min(records, DnsInfo.MaxRecords), p.Dns.StoredRecords);
        Assert.Equal(IpAddr.Parse("192.0.2.1"), p.Dns.Records[0].Address);
    }

    [Fact]
    public void The_prefix_alone_then_the_message_is_one_message_on_the_second_segment()
    {
        var c = new Connection();
        var prefix = c.FromClient(Query[..2]);
        AssertPiece(prefix);
        var query = c.FromClient(Query[2..]);
        AssertQuery(query);
        Assert.True(query.Dns.TcpReassembled);
        Assert.Equal(36, query.Dns.TcpMessageLength);
        AssertPiece(c.FromServer(Answer[..2]));
        AssertAnswer(c.FromServer(Answer[2..]));
        Assert.Equal(0, c.Streams.InProgress);

        // tcpdump reads each segment alone: two bytes that announce 36 more, then a message whose first word is its id.
        Assert.EndsWith("length 2 [prefix length(36) != length(0)] (invalid)", LineAlone(c.Frames[0]), StringComparison.Ordinal);
        Assert.EndsWith("length 36 [prefix length(4369) != length(34)] (invalid)", LineAlone(c.Frames[1]), StringComparison.Ordinal);
        Assert.EndsWith("length 2 [prefix length(52) != length(0)] (invalid)", LineAlone(c.Frames[2]), StringComparison.Ordinal);
        Assert.EndsWith("length 52 [prefix length(4369) != length(50)] (invalid)", LineAlone(c.Frames[3]), StringComparison.Ordinal);
    }

    public static TheoryData<int> QueryCuts() => [.. Enumerable.Range(1, 37)];
    public static TheoryData<int> AnswerCuts() => [.. Enumerable.Range(1, 53)];

    [Theory]
    [MemberData(nameof(QueryCuts))]
    public void A_query_cut_anywhere_is_read_once_on_the_segment_that_ends_it(int cut)
    {
        // Every cut: inside the prefix, the header (id, flags, counts), the question's name, its type and class.
        var c = new Connection();
        var first = c.FromClient(Query[..cut]);
        AssertPiece(first);
        AssertQuery(c.FromClient(Query[cut..]));
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Theory]
    [MemberData(nameof(AnswerCuts))]
    public void An_answer_cut_anywhere_keeps_its_rcode_and_its_address(int cut)
    {
        var c = new Connection();
        AssertPiece(c.FromServer(Answer[..cut]));
        AssertAnswer(c.FromServer(Answer[cut..]));
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_message_sent_a_byte_a_segment_is_read_on_its_last_byte()
    {
        var c = new Connection();
        for (int i = 0; i < Query.Length - 1; i++) AssertPiece(c.FromClient(Query[i..(i + 1)]));
        AssertQuery(c.FromClient(Query[^1..]));
        Assert.EndsWith("length 1 [DNS over TCP: length 1 < 2] (invalid)", LineAlone(c.Frames[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_messages_in_one_segment_are_both_read()
    {
        var second = Framed(DnsQuery(SecondId, Name, DnsType.AAAA));
        var c = new Connection();
        var p = c.FromClient(Concat(Query, second));
        AssertQuery(p);
        Assert.True(p.Dns.TcpReassembled);
        Assert.Equal(1, p.MoreDnsCount);
        Assert.Equal(SecondId, p.MoreDns(0).Id);
        Assert.Equal(DnsType.AAAA, p.MoreDns(0).Questions[0].Type);
        Assert.Equal(Name + ".", p.Text(p.MoreDns(0).Questions[0].Name));
        // Each message is read as the packet's in turn.
        p.SwapDns(0);
        Assert.Equal(SecondId, p.Dns.Id);
        p.SwapDns(0);
        Assert.Equal(Id, p.Dns.Id);
        Assert.Equal(0, c.Streams.InProgress);
        Assert.EndsWith("length 76 [prefix length(36) != length(74)] (invalid)", LineAlone(c.Frames[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_that_starts_after_the_end_of_a_split_one_is_read_too()
    {
        var second = Framed(DnsQuery(SecondId, Name, DnsType.AAAA));
        var c = new Connection();
        AssertPiece(c.FromClient(Query[..10]));
        var middle = c.FromClient(Concat(Query[10..], second[..5]));
        AssertQuery(middle);
        Assert.Equal(0, middle.MoreDnsCount);
        var last = c.FromClient(second[5..]);
        AssertQuery(last, SecondId);
        Assert.Equal(0, c.Streams.InProgress);

        // The answers: the first split, the second whole after its end, in one segment.
        var secondAnswer = Framed(AnswerMessage(SecondId, DnsType.AAAA, 0));
        AssertPiece(c.FromServer(Answer[..30]));
        var both = c.FromServer(Concat(Answer[30..], secondAnswer));
        AssertAnswer(both);
        Assert.Equal(1, both.MoreDnsCount);
        Assert.Equal(SecondId, both.MoreDns(0).Id);
        Assert.EndsWith("length 33 [prefix length(0) != length(31)] (invalid)", LineAlone(c.Frames[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_retransmitted_piece_is_not_read_again()
    {
        var c = new Connection();
        uint start = c.ClientNext;
        AssertPiece(c.FromClient(Query[..10]));
        AssertPiece(c.FromClient(Query[..10], sequence: start));   // the same piece again
        AssertPiece(c.FromClient(Query[..4], sequence: start));    // a shorter copy of it
        // A copy that overlaps what was seen and brings the rest: only the new bytes count.
        AssertQuery(c.FromClient(Query[6..], sequence: start + 6));
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_missing_piece_leaves_what_was_kept_and_the_next_message_is_read()
    {
        var answer = Framed(AnswerMessage(Id, DnsType.A, 10)); // 2 + 52 + 9 * 16 bytes
        var next = Framed(AnswerMessage(SecondId, DnsType.A, 1));
        var c = new Connection();
        uint start = c.ServerNext;
        AssertPiece(c.FromServer(answer[..60]));
        // Bytes 60 to 120 never reach the capture; the segment after them ends the answer and carries the next one.
        var p = c.FromServer(Concat(answer[120..], next), sequence: start + 120);
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(Id, p.Dns.Id);
        Assert.Equal(10, p.Dns.AnswerCount);
        Assert.True(p.Dns.Incomplete);              // read from its first 58 bytes
        Assert.Equal("", p.Anomalies());            // not malformed: not all of it was seen
        Assert.Equal(IpAddr.Parse("192.0.2.1"), p.Dns.Records[0].Address);
        Assert.Equal(1, p.MoreDnsCount);
        Assert.Equal(SecondId, p.MoreDns(0).Id);
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_gap_past_the_end_of_a_message_reads_the_next_segment_from_its_start()
    {
        var c = new Connection();
        uint start = c.ServerNext;
        AssertPiece(c.FromServer(Answer[..20]));
        // The rest of the answer and some later bytes are lost; the segment after them starts a message. Where the lost
        // bytes put message boundaries is unknown, so the answer's first bytes are not read as a message: a piece taken
        // for a start (out of order) would make one that was never sent.
        var next = Framed(AnswerMessage(SecondId, DnsType.A, 1));
        var p = c.FromServer(next, sequence: start + (uint)Answer.Length + 100);
        Assert.Equal([SecondId], Ids(p));
        Assert.Equal("", p.Anomalies());
        Assert.Equal(0, c.Streams.InProgress);
        Assert.Equal(1, c.Streams.Abandoned);
    }

    [Fact]
    public void Pieces_out_of_order_neither_fail_nor_stay()
    {
        var c = new Connection();
        uint start = c.ClientNext;
        c.FromClient(Query[20..], sequence: start + 20);          // read as a start: its first bytes announce a long message
        var early = c.FromClient(Query[..20], sequence: start);   // before it: a new start, the stale one forgotten unread
        Assert.False(early.Has(PacketLayers.Dns));
        Assert.Equal(1, c.Streams.InProgress);
        // The connection goes on: the next query is read from its own segment.
        var again = c.FromClient(Framed(DnsQuery(SecondId, Name)), sequence: start + (uint)Query.Length);
        Assert.Equal([SecondId], Ids(again));
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_capture_cut_inside_a_prefix_is_cut_as_before_and_leaves_no_state()
    {
        // The snap length keeps one byte of a 38-byte segment: read alone, as tcpdump and the reader without state do.
        var c = new Connection();
        var p = c.FromClient(Query, captured: 1);
        Assert.True(p.Truncated);
        Assert.True(p.Anomalies.Contains(AnomalyKind.DnsHeaderTruncated));
        Assert.Equal(0, c.Streams.InProgress);

        // Two messages, the capture ending one byte into the second's prefix: the first is read, nothing is held.
        var d = new Connection();
        var second = Framed(DnsQuery(SecondId, Name));
        var q = d.FromClient(Concat(Query, second), captured: Query.Length + 1);
        AssertQueryIgnoringAnomalies(q);
        Assert.Equal("Ipv4TotalLengthExceedsCapture", q.Anomalies());   // the frame's cut, nothing of DNS
        Assert.Equal(0, q.MoreDnsCount);
        Assert.Equal(0, d.Streams.InProgress);
        // The next segment is read from its start.
        AssertQuery(d.FromClient(Framed(DnsQuery(SecondId, Name))), SecondId);
    }

    [Fact]
    public void A_prefix_too_short_for_a_header_is_a_mismatch_and_nothing_after_it_is_guessed()
    {
        var c = new Connection();
        var p = c.FromClient(Concat(Query, U16(5), new byte[5], Query));
        AssertQueryIgnoringAnomalies(p);
        Assert.Equal("DnsTcpLengthMismatch", p.Anomalies());
        Assert.Equal(0, p.MoreDnsCount);
        Assert.Equal(0, c.Streams.InProgress);
        var d = new Connection();
        d.FromClient(Concat(U16(5), new byte[5]));
        Assert.EndsWith("length 7 domain [length 5 < 12] (invalid)", LineAlone(d.Frames[0]), StringComparison.Ordinal);
    }

    private static void AssertQueryIgnoringAnomalies(DecodedPacket p)
    {
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(Id, p.Dns.Id);
        Assert.Equal(Name + ".", p.Text(p.Dns.Questions[0].Name));
    }

    private static List<ushort> Ids(DecodedPacket p)
    {
        var ids = new List<ushort>();
        if (p.Has(PacketLayers.Dns)) ids.Add(p.Dns.Id);
        for (int i = 0; i < p.MoreDnsCount; i++) ids.Add(p.MoreDns(i).Id);
        return ids;
    }

    [Fact]
    public void A_message_longer_than_what_is_kept_is_read_from_its_start_and_the_next_one_after_it()
    {
        // 300 A records: 2 + 52 + 299 * 16 = 4,838 bytes, in segments of 1,448.
        var big = Framed(AnswerMessage(Id, DnsType.A, 300));
        var next = Framed(AnswerMessage(SecondId, DnsType.A, 1));
        var bytes = Concat(big, next);
        var c = new Connection();
        var read = new List<(int Segment, List<ushort> Ids, DecodedPacket Packet)>();
        for (int at = 0, n = 0; at < bytes.Length; at += 1448, n++)
        {
            var p = c.FromServer(bytes[at..Math.Min(bytes.Length, at + 1448)]);
            Assert.Equal("", p.Anomalies());
            var ids = Ids(p);
            if (ids.Count > 0) read.Add((n, ids, p));
        }
        // Read once 4,096 of its bytes are in (the third segment), then the next one in the last segment.
        Assert.Equal(2, read.Count);
        Assert.Equal(2, read[0].Segment);
        Assert.Equal([Id], read[0].Ids);
        Assert.Equal(3, read[1].Segment);
        Assert.Equal([SecondId], read[1].Ids);
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_segment_of_many_messages_reads_the_first_eight_and_counts_the_rest()
    {
        var messages = Enumerable.Range(1, 20).Select(i => Framed(DnsQuery((ushort)i, Name))).ToArray();
        var c = new Connection();
        var p = c.FromClient(Concat(messages));
        Assert.Equal(Enumerable.Range(1, 1 + DecodedPacket.MaxMoreDns).Select(i => (ushort)i), Ids(p));
        Assert.Equal(20 - 1 - DecodedPacket.MaxMoreDns, c.Streams.Skipped);
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_message_cut_by_the_close_is_read_from_what_came()
    {
        var answer = Framed(AnswerMessage(Id, DnsType.A, 10));
        var c = new Connection();
        AssertPiece(c.FromServer(answer[..40]));
        var fin = c.FromServer(answer[40..90], TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack);
        Assert.Equal(Id, fin.Dns.Id);
        Assert.True(fin.Dns.Incomplete);
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_new_connection_on_the_same_ports_starts_afresh()
    {
        var c = new Connection();
        AssertPiece(c.FromClient(Query[..10]));
        c.ClientNext = 500_000;
        // A SYN with a whole query (TCP Fast Open): the data follows the SYN's sequence number.
        var syn = c.FromClient(Query, TcpFlags.Syn, sequence: 499_999);
        Assert.Contains(Id, Ids(syn));
        Assert.Equal(0, c.Streams.InProgress);
    }

    [Fact]
    public void A_message_waiting_longer_than_the_timeout_is_given_up()
    {
        var c = new Connection();
        AssertPiece(c.FromClient(Query[..10]));
        Assert.Equal(1, c.Streams.InProgress);
        var other = new Connection(c.Streams, clientPort: 40001) { Nanos = c.Nanos + DnsTcpReassembler.TimeoutNanos + PacketTimestamp.NanosPerSecond };
        AssertPiece(other.FromClient(Query[..10]));
        Assert.Equal(1, c.Streams.InProgress);
        Assert.Equal(1, c.Streams.Abandoned);
    }

    [Fact]
    public void Many_connections_that_declare_long_messages_hold_bounded_state_and_allocate_nothing_once_warm()
    {
        // An attacker's shape: each connection says 65,535 bytes follow, sends 1,000 of them, and never the rest.
        var streams = new DnsTcpReassembler();
        var payload = Concat(U16(65_535), DnsHeader(7, 0x0100, 1, 0, 0, 0), new byte[986]);
        const int Connections = 3 * DnsTcpReassembler.MaxStreams;
        var frames = new byte[Connections][];
        for (int i = 0; i < Connections; i++)
        {
            string client = $"10.{i >> 16 & 0xff}.{i >> 8 & 0xff}.{i & 0xff}";
            frames[i] = Ethernet(0x0800, Ipv4(client, Server, IpProtocol.Tcp, Tcp((ushort)(1024 + i), 53, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: payload)));
        }
        var packet = new DecodedPacket();
        long nanos = 0;
        foreach (var frame in frames) Read(frame, streams, nanos += 1000, packet: packet);   // warms the pool
        Assert.Equal(DnsTcpReassembler.MaxStreams, streams.InProgress);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 4; round++)
        {
            // Later bytes of the same messages, then the first segments again on new sequence numbers: all bounded.
            foreach (var frame in frames)
            {
                Read(frame, streams, nanos += 1000, packet: packet);
                Assert.False(packet.Has(PacketLayers.Dns));
            }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(DnsTcpReassembler.MaxStreams, streams.InProgress);
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for {4 * Connections} segments");
        Assert.True(streams.Abandoned >= Connections - DnsTcpReassembler.MaxStreams);
    }

    [Fact]
    public void Without_the_reader_a_segment_is_read_alone_as_before()
    {
        // `show` does not follow connections: the prefix alone is the start of a message still to come (tcpdump's
        // "(invalid)"), neither a message nor a cut one.
        var c = new Connection();
        c.FromClient(Query[..2]);
        var alone = Read(c.Frames[0], null, 0);
        Assert.False(alone.Has(PacketLayers.Dns));
        Assert.Equal(0, alone.Anomalies.Count);
        Assert.False(alone.Truncated);
        Assert.Equal(36, alone.Dns.TcpContinues);
        Assert.Equal(36, alone.Dns.TcpSegmentPrefix);
        Assert.False(alone.Dns.TcpCarriesDns);
    }
}
