using System.Buffers.Binary;
using NetTriage.Analysis;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// A healthy DNS exchange over TCP whose answer spans two segments (RFC 7766 8: a message may be split anywhere): the
/// gap between what one segment holds and the length its prefix declares is the protocol, not a failure of the
/// service; it must never become a packet "cut short", a bogus message from the second segment, or a failure rate.
/// </summary>
public sealed class DnsOverTcpSegmentsTests
{
    private const ushort ClientPort = 45000;

    /// <summary>A handshake, a query for a name with 120 addresses, the answer (1,944 bytes and its prefix) in two segments, the close.</summary>
    private static byte[] SplitAnswer()
    {
        var client = TestCaptures.Client;
        var server = TestCaptures.Resolver;
        var b = new TestCaptures.Builder();
        b.Tcp(client, server, ClientPort, 53, 1000, 0, TcpFlags.Syn);
        b.Advance(0.01);
        b.Tcp(server, client, 53, ClientPort, 9000, 1001, TcpFlags.Syn | TcpFlags.Ack);
        b.Advance(0.001);
        b.Tcp(client, server, ClientPort, 53, 1001, 9001, TcpFlags.Ack);

        var query = new byte[300];
        int q = FrameBuilder.WriteDnsQuery(query.AsSpan(2), 4242, "big.example.com", DnsType.A);
        BinaryPrimitives.WriteUInt16BigEndian(query, (ushort)q);
        b.TcpData(client, server, ClientPort, 53, 1001, 9001, query.AsSpan(0, q + 2));
        uint clientNext = 1001 + (uint)(q + 2);
        b.Advance(0.02);

        var addresses = Enumerable.Range(1, 120).Select(i => IpAddr.Parse($"198.51.100.{i}")).ToArray();
        var answer = new byte[4000];
        int a = FrameBuilder.WriteDnsResponse(answer.AsSpan(2), 4242, "big.example.com", DnsType.A, 0, addresses);
        BinaryPrimitives.WriteUInt16BigEndian(answer, (ushort)a);
        int whole = a + 2;
        const int mss = 1448;
        b.TcpData(server, client, 53, ClientPort, 9001, clientNext, answer.AsSpan(0, mss), TcpFlags.Ack);
        b.TcpData(server, client, 53, ClientPort, 9001 + mss, clientNext, answer.AsSpan(mss, whole - mss));
        uint serverNext = 9001 + (uint)whole;
        b.Advance(0.001);
        b.Tcp(client, server, ClientPort, 53, clientNext, serverNext, TcpFlags.Ack);
        b.Advance(0.01);
        b.Tcp(client, server, ClientPort, 53, clientNext, serverNext, TcpFlags.Fin | TcpFlags.Ack);
        b.Advance(0.001);
        b.Tcp(server, client, 53, ClientPort, serverNext, clientNext + 1, TcpFlags.Fin | TcpFlags.Ack);
        b.Advance(0.001);
        b.Tcp(client, server, ClientPort, 53, clientNext + 1, serverNext + 1, TcpFlags.Ack);
        return b.ToArray();
    }

    [Fact]
    public void An_answer_in_two_segments_is_one_answered_query_and_no_failure()
    {
        var report = TestCaptures.Analyze(SplitAnswer(), "dns-tcp-split.pcap");

        Assert.Empty(report.Incidents);
        Assert.Equal(0, report.Capture.TruncatedPackets);
        Assert.DoesNotContain(report.Caveats, c => c.Kind == "truncated-packets");
        Assert.Equal(1, report.Dns.Queries);
        Assert.Equal(1, report.Dns.Answered);
        Assert.Equal(0, report.Dns.FailureRate);
        Assert.DoesNotContain(report.Findings, f => f.Protocol == "DNS");
        Assert.Equal(0, report.Capture.AnomalousPackets);
    }
}
