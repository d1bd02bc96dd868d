using System.Buffers.Binary;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

/// <summary>
/// `show` prints DNS over TCP as tcpdump does: each segment read alone, its first two bytes taken for the length of one
/// message that fills it. A prefix sent alone, the pieces of a split message and a segment of two messages are
/// "(invalid)" to tcpdump, and so to `show`; they used to be printed as messages made of whatever bytes the piece held.
/// Held against tcpdump's own output for Zeek's dns/tkey.pcap and for a capture built byte by byte (and against the lines
/// tcpdump 4.99 printed for it, where tcpdump is not installed).
/// </summary>
public sealed class ShowDnsOverTcpTests
{
    private static readonly IpAddr Client = IpAddr.Parse("192.0.2.10"), Server = IpAddr.Parse("192.0.2.53");

    /// <summary>What follows "length N" on each line with a payload, as tcpdump 4.99.3 prints the capture <see cref="Segments"/> builds.</summary>
    private static readonly string[] Expected =
    [
        "length 2 [prefix length(33) != length(0)] (invalid)",
        "length 33 [prefix length(4369) != length(31)] (invalid)",
        "length 7 [prefix length(33) != length(5)] (invalid)",
        "length 28 [prefix length(256) != length(26)] (invalid)",
        "length 20 [prefix length(33) != length(18)] (invalid)",
        "length 15 [prefix length(30817) != length(13)] (invalid)",
        "length 70 [prefix length(33) != length(68)] (invalid)",
        "length 1 [DNS over TCP: length 1 < 2] (invalid)",
        "length 34 [prefix length(8465) != length(32)] (invalid)",
        "length 7 domain [length 5 < 12] (invalid)",
        "length 35 4369+ A? www.example.com. (33)",
        "length 51 4369 1/0/0 A 192.0.2.80 (49)",
    ];

    /// <summary>One connection: a query sent every way a stack may cut it, then a short bogus one, a whole query and its answer.</summary>
    private static byte[] Segments()
    {
        var query = new byte[64];
        int q = FrameBuilder.WriteDnsQuery(query.AsSpan(2), 0x1111, "www.example.com", DnsType.A);
        BinaryPrimitives.WriteUInt16BigEndian(query, (ushort)q);
        query = query[..(q + 2)];
        var answer = new byte[80];
        int a = FrameBuilder.WriteDnsResponse(answer.AsSpan(2), 0x1111, "www.example.com", DnsType.A, 0, [IpAddr.Parse("192.0.2.80")]);
        BinaryPrimitives.WriteUInt16BigEndian(answer, (ushort)a);
        answer = answer[..(a + 2)];
        var second = new byte[64];
        int s = FrameBuilder.WriteDnsQuery(second.AsSpan(2), 0x2222, "www.example.com", DnsType.AAAA);
        BinaryPrimitives.WriteUInt16BigEndian(second, (ushort)s);
        second = second[..(s + 2)];

        byte[][] pieces =
        [
            query[..2], query[2..],         // the prefix alone
            query[..7], query[7..],         // cut in the header
            query[..20], query[20..],       // cut in the question
            [.. query, .. second],          // two messages
            query[..1], query[1..],         // one byte, then the rest
            [0, 5, 1, 2, 3, 4, 5],          // a length too short for a header
            query,                          // whole
        ];
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            long now = new DateTimeOffset(2024, 5, 6, 9, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
            uint seq = 1001;
            foreach (var piece in pieces)
            {
                writer.Write(new PacketTimestamp(now += 1_000_000, TimestampKind.Absolute), Frame(Client, Server, 40000, 53, seq, 9001, piece));
                seq += (uint)piece.Length;
            }
            writer.Write(new PacketTimestamp(now += 1_000_000, TimestampKind.Absolute), Frame(Server, Client, 53, 40000, 9001, seq, answer));
        }
        return stream.ToArray();
    }

    private static byte[] Frame(IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, uint seq, uint ack, byte[] payload)
    {
        const int tcp = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
        var frame = new byte[tcp + FrameBuilder.TcpHeaderLength + payload.Length];
        payload.CopyTo(frame, tcp + FrameBuilder.TcpHeaderLength);
        FrameBuilder.WriteTcpV4(frame.AsSpan(tcp), source, target, sourcePort, targetPort, seq, ack, TcpFlags.Psh | TcpFlags.Ack, 64240, payload.Length);
        FrameBuilder.WriteIpv4(frame.AsSpan(FrameBuilder.EthernetHeaderLength), source, target, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + payload.Length, 1);
        FrameBuilder.WriteEthernet(frame, new MacAddress(0x02_00_00_00_00_0A), new MacAddress(0x02_00_00_00_00_0B), EtherType.Ipv4);
        return frame;
    }

    /// <summary>What follows the segment's length: the DNS reading (lines without a payload are left out).</summary>
    private static string[] DnsParts(IEnumerable<string> lines) =>
        [.. lines.Select(l => l.IndexOf(", length ", StringComparison.Ordinal) is int at and >= 0 ? l[(at + 2)..] : "")
            .Where(rest => rest.Length > 0 && !rest.EndsWith("length 0", StringComparison.Ordinal))];

    [SkippableFact]
    public void Segments_read_alone_are_what_tcpdump_prints()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nettriage-dnstcp-{Guid.NewGuid():N}.pcap");
        try
        {
            File.WriteAllBytes(path, Segments());
            var result = CliRunner.Run("show", "--utc", path);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(Expected, DnsParts(result.StdoutLines));

            var tcpdump = CliRunner.RunTool("tcpdump", "-n", "-#", "-r", path);
            Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");
            Assert.Equal(DnsParts(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries)), DnsParts(result.StdoutLines));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void A_query_in_three_segments_is_three_invalid_lines_as_tcpdump_prints_them()
    {
        // Zeek's dns/tkey.pcap: a 3,245-byte TKEY query in three segments, the answer whole in one.
        var shared = TestPaths.Shared;
        var trace = shared is null ? null : Path.Combine(shared, "corpus", "zeek", "Traces", "dns", "tkey.pcap");
        Skip.If(trace is null || !File.Exists(trace), TestPaths.CorpusAbsent);

        var result = CliRunner.Run("show", "--utc", trace!);
        Assert.Equal(0, result.ExitCode);
        string[] expected =
        [
            "length 1460 [prefix length(3245) != length(1458)] (invalid)",
            "length 1460 [prefix length(33286) != length(1458)] (invalid)",
            "length 327 [prefix length(57558) != length(325)] (invalid)",
            "length 483 52640- 1/0/1 ANY TKEY (481)",
        ];
        Assert.Equal(expected, DnsParts(result.StdoutLines));

        var tcpdump = CliRunner.RunTool("tcpdump", "-n", "-#", "-r", trace!);
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");
        Assert.Equal(DnsParts(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries)), DnsParts(result.StdoutLines));
    }
}
