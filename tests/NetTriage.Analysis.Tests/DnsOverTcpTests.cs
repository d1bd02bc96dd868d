using System.Buffers.Binary;
using NetTriage.Analysis.Logs;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// DNS over TCP as resolvers and stacks send it, built byte by byte: the length prefix written on its own, a message
/// split inside its header or question, queries pipelined in one segment and answered in another (RFC 7766 6.2.1.1,
/// answers in any order). Every query must meet its answer: a message lost or read from a piece of another is a query
/// "never answered" or a failure rate the service does not have. The Zeek logs and the two-thread pipeline see the same.
/// </summary>
public sealed class DnsOverTcpTests : IDisposable
{
    private const string Client = "10.0.0.5", Resolver = "10.0.0.53";
    private const ushort Port = 45000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nettriage-dnstcp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A query with its two-byte length prefix (RFC 1035 4.2.2).</summary>
    private static byte[] Query(ushort id, string name, ushort type = DnsType.A)
    {
        var buffer = new byte[512];
        int n = FrameBuilder.WriteDnsQuery(buffer.AsSpan(2), id, name, type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)n);
        return buffer[..(n + 2)];
    }

    private static byte[] Answer(ushort id, string name, int rcode = 0, params string[] addresses)
    {
        var buffer = new byte[1400];
        int n = FrameBuilder.WriteDnsResponse(buffer.AsSpan(2), id, name, DnsType.A, rcode, [.. addresses.Select(IpAddr.Parse)]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)n);
        return buffer[..(n + 2)];
    }

    /// <summary>A connection whose client sends <paramref name="fromClient"/> and server <paramref name="fromServer"/>, each piece its own segment, then both close.</summary>
    private static Scenario Exchange(byte[][] fromClient, byte[][] fromServer, ushort port = Port, Scenario? scenario = null)
    {
        var s = scenario ?? new Scenario();
        uint c = 1000, v = 9000;
        s.Tcp(Client, port, Resolver, 53, TcpFlags.Syn, c++).After(0.001)
            .Tcp(Resolver, 53, Client, port, TcpFlags.Syn | TcpFlags.Ack, v++, c).After(0.001)
            .Tcp(Client, port, Resolver, 53, TcpFlags.Ack, c, v);
        foreach (var piece in fromClient)
        {
            s.After(0.001).TcpData(Client, port, Resolver, 53, piece, c, v);
            c += (uint)piece.Length;
        }
        s.After(0.02);
        foreach (var piece in fromServer)
        {
            s.After(0.001).TcpData(Resolver, 53, Client, port, piece, v, c);
            v += (uint)piece.Length;
        }
        return s.After(0.01).Tcp(Client, port, Resolver, 53, TcpFlags.Fin | TcpFlags.Ack, c, v).After(0.001)
            .Tcp(Resolver, 53, Client, port, TcpFlags.Fin | TcpFlags.Ack, v, c + 1).After(0.001)
            .Tcp(Client, port, Resolver, 53, TcpFlags.Ack, c + 1, v + 1);
    }

    private static void AssertAllAnswered(AnalysisReport report, int queries)
    {
        Assert.Equal(queries, report.Dns.Queries);
        Assert.Equal(queries, report.Dns.Answered);
        Assert.Equal(0, report.Dns.Unanswered);
        Assert.Equal(0, report.Dns.UnmatchedResponses);
        Assert.Equal(0, report.Dns.FailureRate);
        Assert.Equal(0, report.Capture.AnomalousPackets);
        Assert.Equal(0, report.Capture.TruncatedPackets);
        Assert.DoesNotContain(report.Findings, f => f.Protocol == "DNS");
    }

    [Fact]
    public void A_prefix_written_alone_still_brings_its_query_and_its_answer()
    {
        var query = Query(7, "www.example.com");
        var answer = Answer(7, "www.example.com", 0, "192.0.2.80");
        var report = Exchange([query[..2], query[2..]], [answer[..2], answer[2..]]).Analyze();
        AssertAllAnswered(report, 1);
    }

    [Theory]
    [InlineData(7)]    // inside the header
    [InlineData(20)]   // inside the question's name
    [InlineData(31)]   // inside its type and class
    public void A_message_split_inside_its_header_or_question_is_one_answered_query(int cut)
    {
        // Before, the second piece was read as a message of its own: a query for a name made of the first one's bytes,
        // never answered.
        var query = Query(8, "www.example.com");
        var answer = Answer(8, "www.example.com", 0, "192.0.2.80");
        var report = Exchange([query[..cut], query[cut..]], [answer[..cut], answer[cut..]]).Analyze();
        AssertAllAnswered(report, 1);
    }

    /// <summary>Two queries written back to back in one segment, and the server's answers, the second first, in one segment.</summary>
    private static Scenario Pipelined() => Exchange(
        [[.. Query(1, "a.example.com"), .. Query(2, "b.example.com")]],
        [[.. Answer(2, "b.example.com", 0, "192.0.2.2"), .. Answer(1, "a.example.com", 0, "192.0.2.1")]]);

    [Fact]
    public void Pipelined_queries_and_answers_in_one_segment_each_meet_their_answer()
    {
        AssertAllAnswered(Pipelined().Analyze(), 2);
    }

    [Fact]
    public void Queries_sent_apart_and_answered_together_are_both_answered()
    {
        // Before, only the first answer of the segment was read: the second query went "unanswered".
        var report = Exchange([Query(1, "a.example.com"), Query(2, "b.example.com")],
            [[.. Answer(1, "a.example.com", 0, "192.0.2.1"), .. Answer(2, "b.example.com", 0, "192.0.2.2")]]).Analyze();
        AssertAllAnswered(report, 2);
    }

    [Fact]
    public void An_error_answer_split_from_its_prefix_is_a_finding_whose_evidence_shows_the_message()
    {
        var query = Query(9, "broken.example.com");
        var answer = Answer(9, "broken.example.com", rcode: 2);
        var report = Exchange([query], [answer[..2], answer[2..]]).Analyze();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.DnsServfail, finding.Kind);
        Assert.Equal(["broken.example.com"], finding.Names);
        var response = Assert.Single(finding.Evidence, e => e.Role == "response");
        // The message read across the two segments, with its own length (not tcpdump's "(invalid)" of the segment alone).
        Assert.True(response.Summary.EndsWith($"length 36 9 ServFail 0/0/0 ({answer.Length - 2})", StringComparison.Ordinal), response.Summary);
    }

    [Fact]
    public void One_thread_and_two_read_the_same_messages()
    {
        var bytes = Pipelined().Bytes();
        string Json(int threads)
        {
            var analyzer = new Analyzer(new AnalysisOptions { Threads = threads });
            using (var source = CaptureOpener.Open(new MemoryStream(bytes), "pipelined.pcap"))
            {
                analyzer.Read(source);
            }
            return AnalysisJson.Serialize(analyzer.Finish());
        }
        Assert.Equal(Json(1), Json(2));
    }

    [Fact]
    public void The_dns_log_has_a_row_for_each_pipelined_transaction_and_none_for_pieces()
    {
        var query = Query(5, "c.example.com");
        var scenario = Exchange([query[..2], query[2..]], [Answer(5, "c.example.com", 0, "192.0.2.5")]);
        Exchange([[.. Query(1, "a.example.com"), .. Query(2, "b.example.com")]],
            [[.. Answer(2, "b.example.com", 0, "192.0.2.2"), .. Answer(1, "a.example.com", 0, "192.0.2.1")]], port: Port + 1, scenario: scenario);

        using (var logs = new ZeekLogWriter(_dir, ZeekLogFormat.Tsv))
        {
            var analyzer = new Analyzer(observer: logs);
            using (var source = CaptureOpener.Open(new MemoryStream(scenario.Bytes()), "dns-tcp.pcap"))
            {
                analyzer.Read(source);
            }
            logs.Finish(analyzer.Finish());
        }
        var lines = File.ReadAllLines(Path.Combine(_dir, "dns.log"));
        var fields = lines.First(l => l.StartsWith("#fields\t", StringComparison.Ordinal)).Split('\t')[1..];
        var rows = lines.Where(l => !l.StartsWith('#'))
            .Select(l => fields.Zip(l.Split('\t')).ToDictionary(p => p.First, p => p.Second))
            .OrderBy(r => r["query"], StringComparer.Ordinal)
            .ToList();
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], rows.Select(r => r["query"]));
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.5"], rows.Select(r => r["answers"]));
        Assert.All(rows, r => Assert.Equal("tcp", r["proto"]));
        Assert.All(rows, r => Assert.NotEqual("-", r["rtt"]));
        Assert.False(File.Exists(Path.Combine(_dir, "weird.log")) && File.ReadAllLines(Path.Combine(_dir, "weird.log")).Any(l => !l.StartsWith('#')));
    }

    [Fact]
    public void Connections_that_announce_long_messages_and_never_send_them_are_no_queries()
    {
        // 2,000 connections each say 65,535 bytes follow, send 600 and stop: nothing is read, nothing is held for long.
        var s = new Scenario();
        var piece = new byte[600];
        BinaryPrimitives.WriteUInt16BigEndian(piece, 65_535);
        piece[4] = 0x01; // RD: a query's header, if it were read
        for (int i = 0; i < 2000; i++)
        {
            s.After(0.0001).TcpData(Client, (ushort)(20_000 + i), Resolver, 53, piece, 1, 1);
        }
        var report = s.After(1).Analyze();
        Assert.Equal(0, report.Dns.Queries);
        Assert.Equal(0, report.Capture.AnomalousPackets);
        Assert.DoesNotContain(report.Findings, f => f.Protocol == "DNS");
    }
}
