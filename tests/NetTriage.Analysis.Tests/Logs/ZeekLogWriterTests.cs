using System.Text.Json;
using NetTriage.Analysis.Logs;
using NetTriage.Capture;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Logs;

/// <summary>
/// The Zeek logs of captures built byte by byte: each connection outcome Zeek names (conn_state), its history, sizes
/// and counts; DNS rows paired by transaction id; uids joining the logs; escaping of hostile bytes; rows written as
/// connections end, not at the end of the input.
/// </summary>
public sealed class ZeekLogWriterTests : IDisposable
{
    private const string Client = "10.0.0.5", Server = "192.0.2.80", Resolver = "10.0.0.53";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nettriage-zeek-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed record Log(string[] Fields, List<Dictionary<string, string>> Rows, string Text);

    private (Log Conn, Log Dns, Log Notice, ZeekLogCounts Counts) Write(Scenario scenario, ZeekLogFormat format = ZeekLogFormat.Tsv, bool ignoreChecksums = false)
    {
        using var logs = new ZeekLogWriter(_dir, format, ignoreChecksums: ignoreChecksums);
        var analyzer = new Analyzer(observer: logs);
        using (var source = CaptureOpener.Open(new MemoryStream(scenario.Bytes()), "scenario.pcap"))
        {
            analyzer.Read(source);
        }
        logs.Finish(analyzer.Finish());
        var counts = logs.Counts;
        logs.Dispose();
        if (format == ZeekLogFormat.Json) return (null!, null!, null!, counts);
        return (Read("conn.log"), Read("dns.log"), Read("notice.log"), counts);
    }

    private Log Read(string name)
    {
        string text = File.ReadAllText(Path.Combine(_dir, name));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fields = lines.First(l => l.StartsWith("#fields\t", StringComparison.Ordinal)).Split('\t')[1..];
        var rows = lines.Where(l => !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(cols =>
            {
                Assert.Equal(fields.Length, cols.Length);
                return fields.Zip(cols).ToDictionary(p => p.First, p => p.Second);
            })
            .ToList();
        return new Log(fields, rows, text);
    }

    private static Dictionary<string, string> Only(Log log, string proto)
    {
        var rows = log.Rows.Where(r => r["proto"] == proto).ToList();
        return Assert.Single(rows);
    }

    [Fact]
    public void A_complete_connection_is_SF_with_its_history_sizes_and_counts()
    {
        var s = new Scenario()
            .Tcp(Client, 40000, Server, 80, TcpFlags.Syn, 1000)
            .Tcp(Server, 80, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001)
            .Tcp(Client, 40000, Server, 80, TcpFlags.Ack, 1001, 5001)
            .Tcp(Client, 40000, Server, 80, TcpFlags.Psh | TcpFlags.Ack, 1001, 5001, payload: 100)
            .Tcp(Server, 80, Client, 40000, TcpFlags.Psh | TcpFlags.Ack, 5001, 1101, payload: 300)
            .Tcp(Client, 40000, Server, 80, TcpFlags.Fin | TcpFlags.Ack, 1101, 5301)
            .Tcp(Server, 80, Client, 40000, TcpFlags.Fin | TcpFlags.Ack, 5301, 1102)
            .Tcp(Client, 40000, Server, 80, TcpFlags.Ack, 1102, 5302);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal(Client, row["id.orig_h"]);
        Assert.Equal("80", row["id.resp_p"]);
        Assert.Equal("SF", row["conn_state"]);
        // The server sends no pure acknowledgment (its data and FIN carry them): no 'a'.
        Assert.Equal("ShADdFf", row["history"]);
        Assert.Equal("100", row["orig_bytes"]);
        Assert.Equal("300", row["resp_bytes"]);
        Assert.Equal("5", row["orig_pkts"]);
        Assert.Equal("3", row["resp_pkts"]);
        // 40-byte headers (20 IP + 20 TCP) and the payloads.
        Assert.Equal((5 * 40 + 100).ToString(), row["orig_ip_bytes"]);
        Assert.Equal((3 * 40 + 300).ToString(), row["resp_ip_bytes"]);
        // The last ACK after both FINs does not extend the duration (1 ms between packets, 7 packets to the second FIN).
        Assert.Equal("0.006000", row["duration"]);
        Assert.Matches("^C[0-9A-Za-z]{2,23}$", row["uid"]);
        Assert.Equal("0", row["missed_bytes"]);
        Assert.Equal("T", row["local_orig"]);
        Assert.Equal("T", row["local_resp"]); // 192.0.2.0/24 is documentation space: local as in Zeek
    }

    [Fact]
    public void An_unanswered_SYN_is_S0_and_a_single_packet_has_no_duration_or_sizes()
    {
        var s = new Scenario().Tcp(Client, 40001, Server, 443, TcpFlags.Syn, 7);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal("S0", row["conn_state"]);
        Assert.Equal("S", row["history"]);
        Assert.Equal("-", row["duration"]);
        Assert.Equal("-", row["orig_bytes"]);
        Assert.Equal("-", row["resp_bytes"]);
    }

    [Fact]
    public void A_retransmitted_SYN_is_the_same_connection_until_Zeeks_attempt_timer_ends_it()
    {
        var s = new Scenario()
            .Tcp(Client, 40002, Server, 443, TcpFlags.Syn, 7)
            .After(1).Tcp(Client, 40002, Server, 443, TcpFlags.Syn, 7)
            .After(9).Tcp(Client, 40002, Server, 443, TcpFlags.Syn, 7);
        var rows = Write(s).Conn.Rows.Where(r => r["proto"] == "tcp").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("2", rows[0]["orig_pkts"]);
        Assert.Equal("1.001000", rows[0]["duration"]);
        Assert.Equal("1", rows[1]["orig_pkts"]);
        Assert.NotEqual(rows[0]["uid"], rows[1]["uid"]);
    }

    [Fact]
    public void A_SYN_answered_by_a_reset_is_REJ()
    {
        var s = new Scenario()
            .Tcp(Client, 40003, Server, 22, TcpFlags.Syn, 7)
            .Tcp(Server, 22, Client, 40003, TcpFlags.Rst | TcpFlags.Ack, 0, 8);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal("REJ", row["conn_state"]);
        Assert.Equal("Sr", row["history"]);
    }

    [Fact]
    public void An_originator_reset_after_the_handshake_is_RSTO()
    {
        var s = new Scenario()
            .Tcp(Client, 40004, Server, 80, TcpFlags.Syn, 100)
            .Tcp(Server, 80, Client, 40004, TcpFlags.Syn | TcpFlags.Ack, 900, 101)
            .Tcp(Client, 40004, Server, 80, TcpFlags.Ack, 101, 901)
            .Tcp(Client, 40004, Server, 80, TcpFlags.Rst | TcpFlags.Ack, 101, 901);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal("RSTO", row["conn_state"]);
        Assert.Equal("ShAR", row["history"]);
    }

    [Fact]
    public void A_connection_seen_from_its_SYN_ACK_is_turned_round_and_marked_with_a_caret()
    {
        var s = new Scenario()
            .Tcp(Server, 80, Client, 40005, TcpFlags.Syn | TcpFlags.Ack, 900, 101)
            .Tcp(Client, 40005, Server, 80, TcpFlags.Ack, 101, 901)
            .Tcp(Client, 40005, Server, 80, TcpFlags.Psh | TcpFlags.Ack, 101, 901, payload: 50);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal(Client, row["id.orig_h"]);
        Assert.Equal("80", row["id.resp_p"]);
        Assert.Equal("^hAD", row["history"]);
        Assert.Equal("S1", row["conn_state"]);
        Assert.Equal("50", row["orig_bytes"]);
    }

    [Fact]
    public void A_retransmitted_segment_is_T_and_counted_once_in_the_sizes()
    {
        var s = new Scenario()
            .Tcp(Client, 40006, Server, 80, TcpFlags.Syn, 100)
            .Tcp(Server, 80, Client, 40006, TcpFlags.Syn | TcpFlags.Ack, 900, 101)
            .Tcp(Client, 40006, Server, 80, TcpFlags.Psh | TcpFlags.Ack, 101, 901, payload: 200)
            .Tcp(Client, 40006, Server, 80, TcpFlags.Psh | TcpFlags.Ack, 101, 901, payload: 200);
        var row = Only(Write(s).Conn, "tcp");
        Assert.Equal("ShDT", row["history"]);
        Assert.Equal("200", row["orig_bytes"]);
        Assert.Equal("3", row["orig_pkts"]);
    }

    [Fact]
    public void Dns_rows_pair_query_and_answer_and_share_the_connections_uid()
    {
        var s = new Scenario()
            .Query(Client, 5353 + 1000, Resolver, 0x1234, "www.Example.test")
            .Response(Resolver, Client, 6353, 0x1234, "www.example.test", 0, "192.0.2.7")
            .Query(Client, 6354, Resolver, 0x4321, "lost.example.test");
        var (conn, dns, _, _) = Write(s);
        Assert.Equal(2, dns.Rows.Count);
        var answered = dns.Rows.Single(r => r["trans_id"] == "4660");
        Assert.Equal("www.example.test", answered["query"]); // lower case, as Zeek logs it
        Assert.Equal("A", answered["qtype_name"]);
        Assert.Equal("NOERROR", answered["rcode_name"]);
        Assert.Equal("192.0.2.7", answered["answers"]);
        Assert.Equal("300.000000", answered["TTLs"]);
        Assert.Equal("0.001000", answered["rtt"]);
        var lost = dns.Rows.Single(r => r["trans_id"] == "17185");
        Assert.Equal("-", lost["rcode"]);
        Assert.Equal("-", lost["rtt"]);
        Assert.Equal("-", lost["answers"]);
        var answeredConn = conn.Rows.Single(r => r["uid"] == answered["uid"]);
        Assert.Equal("dns", answeredConn["service"]);
        Assert.Equal("SF", answeredConn["conn_state"]);
        Assert.Equal("Dd", answeredConn["history"]);
        Assert.Equal("S0", conn.Rows.Single(r => r["uid"] == lost["uid"])["conn_state"]);
    }

    [Fact]
    public void NetBIOS_name_queries_are_logged_as_dns_as_Zeek_logs_them()
    {
        // Zeek's DNS analyzer reads UDP 137 (the NetBIOS name service speaks DNS's format): conn.log names the service dns,
        // dns.log has the queries (Zeek's Teredo trace: three broadcasts of one query, S0, history D).
        var s = new Scenario();
        for (int i = 0; i < 3; i++) s.NetbiosQuery("192.168.2.16", "192.168.2.255", 0x8664, "EJFAFGDGCOEHEPEPEHEMEFCOEDEPENAA").After(0.75);
        var (conn, dns, notice, _) = Write(s);
        var row = Only(conn, "udp");
        Assert.Equal(("137", "192.168.2.255", "137"), (row["id.orig_p"], row["id.resp_h"], row["id.resp_p"]));
        Assert.Equal("dns", row["service"]);
        Assert.Equal(("S0", "D", "3"), (row["conn_state"], row["history"], row["orig_pkts"]));
        Assert.NotEmpty(dns.Rows);
        Assert.All(dns.Rows, r => Assert.Equal(("32", row["uid"]), (r["qtype"], r["uid"])));
        Assert.Empty(notice.Rows);
    }

    [Fact]
    public void An_echo_request_and_its_reply_are_one_icmp_connection()
    {
        var s = new Scenario().Echo(Client, Server, 1).Echo(Server, Client, 1, reply: true);
        var row = Only(Write(s).Conn, "icmp");
        Assert.Equal(Client, row["id.orig_h"]);
        Assert.Equal("8", row["id.orig_p"]);
        Assert.Equal("0", row["id.resp_p"]);
        Assert.Equal("OTH", row["conn_state"]);
        Assert.Equal("1", row["orig_pkts"]);
        Assert.Equal("1", row["resp_pkts"]);
        Assert.Equal("56", row["orig_bytes"]);
        Assert.Equal("1", row["ip_proto"]);
    }

    [Fact]
    public void Hostile_bytes_in_a_name_are_escaped_and_never_shift_a_column()
    {
        // A query name holding a tab, a newline, an escape sequence and a backslash.
        var s = new Scenario().Query(Client, 7000, Resolver, 1, "a\tb\nc\u001b[31md\\e.example.test");
        var (_, dns, _, _) = Write(s);
        var row = Assert.Single(dns.Rows);
        Assert.Equal("a\\x09b\\x0ac\\x1b[31md\\x5ce.example.test", row["query"]);
        Assert.DoesNotContain('\u001b', dns.Text);
    }

    [Fact]
    public void Json_lines_parse_and_leave_unset_fields_out()
    {
        var s = new Scenario()
            .Tcp(Client, 40007, Server, 443, TcpFlags.Syn, 7)
            .Query(Client, 7001, Resolver, 9, "x\"y.example.test");
        Write(s, ZeekLogFormat.Json);
        foreach (var name in new[] { "conn.log", "dns.log" })
        {
            var lines = File.ReadAllLines(Path.Combine(_dir, name));
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                Assert.True(doc.RootElement.TryGetProperty("uid", out _));
            }
        }
        var syn = File.ReadAllLines(Path.Combine(_dir, "conn.log")).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("proto").GetString() == "tcp");
        Assert.Equal("S0", syn.GetProperty("conn_state").GetString());
        Assert.Equal(443, syn.GetProperty("id.resp_p").GetInt32());
        Assert.False(syn.TryGetProperty("duration", out _));
        var query = JsonDocument.Parse(File.ReadAllLines(Path.Combine(_dir, "dns.log")).Single()).RootElement;
        Assert.Equal("x\"y.example.test", query.GetProperty("query").GetString());
    }

    [Fact]
    public void Connections_are_written_as_they_end_so_memory_holds_only_the_live_ones()
    {
        // Ten minutes of short DNS exchanges, one every 2 s from a new port: Zeek's DNS timer ends each within 20 s.
        var s = new Scenario();
        for (int i = 0; i < 300; i++)
        {
            ushort port = (ushort)(20000 + i);
            s.After(2).Query(Client, port, Resolver, (ushort)i, "n" + i + ".example.test")
                .Response(Resolver, Client, port, (ushort)i, "n" + i + ".example.test", 0, "192.0.2.9");
        }
        using var logs = new ZeekLogWriter(_dir, ZeekLogFormat.Tsv);
        var analyzer = new Analyzer(observer: logs);
        using (var source = CaptureOpener.Open(new MemoryStream(s.Bytes()), "long.pcap"))
        {
            analyzer.Read(source);
        }
        // Before the end of the input: nearly all written, at most about 20 s of connections (10) still held.
        Assert.True(logs.Counts.Connections >= 285, $"{logs.Counts.Connections} written before the end");
        Assert.True(logs.LiveConnections <= 12, $"{logs.LiveConnections} held");
        logs.Finish(analyzer.Finish());
        Assert.Equal(300, logs.Counts.Connections);
        Assert.Equal(300, logs.Counts.DnsTransactions);
    }

    [Fact]
    public void Notices_name_the_uid_of_their_evidence()
    {
        var s = new Scenario();
        for (int i = 0; i < 6; i++)
        {
            s.After(1).Query(Client, (ushort)(30000 + i), Resolver, (ushort)(100 + i), "shop.example.test");
        }
        s.After(10).Bystander();
        var (conn, _, notice, _) = Write(s);
        Assert.NotEmpty(notice.Rows);
        var uids = conn.Rows.Select(r => r["uid"]).ToHashSet();
        Assert.Contains(notice.Rows, r => r["note"] == "NetTriage::Incident" && uids.Contains(r["uid"]));
        Assert.All(notice.Rows, r => Assert.StartsWith("NetTriage::", r["note"], StringComparison.Ordinal));
    }
    [Fact]
    public void A_packet_with_a_wrong_IPv4_header_checksum_is_dropped_as_Zeek_drops_it_unless_checksums_are_ignored()
    {
        Scenario Build() => new Scenario()
            .Datagram(Client, 41000, Server, 9999, 20)
            .BadChecksum(ipHeader: true).Datagram(Server, 9999, Client, 41000, 30);
        var row = Only(Write(Build()).Conn, "udp");
        Assert.Equal("S0", row["conn_state"]);
        Assert.Equal("0", row["resp_pkts"]);

        var ignored = Only(Write(Build(), ignoreChecksums: true).Conn, "udp");
        Assert.Equal("SF", ignored["conn_state"]);
        Assert.Equal("1", ignored["resp_pkts"]);
    }

    [Fact]
    public void A_wrong_UDP_or_TCP_checksum_is_noted_in_the_history_and_the_packet_not_counted()
    {
        var s = new Scenario()
            .BadChecksum(ipHeader: false).Datagram(Client, 41001, Server, 9999, 20)
            .BadChecksum(ipHeader: false).Tcp(Client, 40100, Server, 80, TcpFlags.Syn, 1000);
        var conn = Write(s).Conn;
        var udp = Only(conn, "udp");
        Assert.Equal("C", udp["history"]);
        Assert.Equal("OTH", udp["conn_state"]);
        Assert.Equal("0", udp["orig_pkts"]);
        var tcp = Only(conn, "tcp");
        Assert.Equal("C", tcp["history"]);
        Assert.Equal("0", tcp["orig_pkts"]);
    }

    private static byte[] SshNewKeys() => [0, 0, 0, 12, 10, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>An SSH handshake on <paramref name="port"/>: the server's line, the client's (unless left out), the server's NEWKEYS.</summary>
    private static Scenario Ssh(ushort port, bool clientLine)
    {
        var s = new Scenario()
            .Tcp(Client, 40200, Server, port, TcpFlags.Syn, 1000)
            .Tcp(Server, port, Client, 40200, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001)
            .TcpText(Server, port, Client, 40200, "SSH-2.0-OpenSSH_9.6\r\n", 5001, 1001);
        if (clientLine) s.TcpText(Client, 40200, Server, port, "SSH-2.0-OpenSSH_9.6\r\n", 1001, 5022);
        return s.TcpData(Server, port, Client, 40200, SshNewKeys(), 5022, clientLine ? 1022u : 1001u);
    }

    [Fact]
    public void SSH_is_named_once_both_sides_identified_themselves_and_the_key_exchange_ended_on_any_port()
    {
        Assert.Equal("ssh", Only(Write(Ssh(2222, clientLine: true)).Conn, "tcp")["service"]);
        // One side only (a half-duplex capture): Zeek's SSH analyzer cannot tell the version and parses no further.
        Assert.Equal("-", Only(Write(Ssh(22, clientLine: false)).Conn, "tcp")["service"]);
    }

    [Fact]
    public void A_data_connection_announced_on_an_FTP_control_connection_is_ftp_data()
    {
        var s = new Scenario()
            .Tcp(Client, 40300, Server, 21, TcpFlags.Syn, 1000)
            .Tcp(Server, 21, Client, 40300, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001)
            .TcpText(Client, 40300, Server, 21, "PASV\r\n", 1001, 5001)
            .TcpText(Server, 21, Client, 40300, "227 Entering Passive Mode (192,0,2,80,200,10).\r\n", 5001, 1007)
            .Tcp(Client, 40301, Server, 51210, TcpFlags.Syn, 3000);
        var conn = Write(s).Conn;
        Assert.Equal("ftp", conn.Rows.Single(r => r["id.resp_p"] == "21")["service"]);
        Assert.Equal("ftp-data", conn.Rows.Single(r => r["id.resp_p"] == "51210")["service"]);
    }
}
