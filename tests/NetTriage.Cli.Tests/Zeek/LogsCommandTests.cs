using System.Text.Json;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests.Zeek;

/// <summary>
/// `nettriage logs` end to end: the logs of the shipped sample and of a generated mixed capture read back with a TSV
/// reader that follows their header, in Zeek's format; the JSON variant parses line by line; bad output folders and
/// networks are usage errors.
/// </summary>
public sealed class LogsCommandTests : IDisposable
{
    private static readonly string[] Logs = ["conn", "dns", "notice", "weird", "tunnel"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nettriage-logs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private Dictionary<string, ZeekTsvLog> WriteAndCheck(params string[] inputs)
    {
        var result = CliRunner.Run(["logs", .. inputs, "-d", _dir]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var logs = new Dictionary<string, ZeekTsvLog>();
        foreach (var name in Logs)
        {
            string text = File.ReadAllText(Path.Combine(_dir, name + ".log"));
            Assert.Empty(ZeekTsvLog.Check(text));
            logs[name] = ZeekTsvLog.Parse(text);
            Assert.Equal(name, logs[name].PathName);
        }
        // Every DNS row belongs to a connection of conn.log.
        var uids = logs["conn"].Rows.Select(r => r["uid"]).ToHashSet();
        Assert.All(logs["dns"].Rows, r => Assert.Contains(r["uid"], uids));
        Assert.Equal(uids.Count, logs["conn"].Rows.Count);
        return logs;
    }

    [Theory]
    [InlineData("seed-incident.pcap")]
    [InlineData("seed-incident.txt")]
    public void The_seed_sample_gives_its_three_unanswered_queries_and_their_icmp_errors(string sample)
    {
        var logs = WriteAndCheck(Path.Combine(TestPaths.Samples, sample));
        var dns = logs["dns"].Rows;
        Assert.Equal(3, dns.Count);
        Assert.All(dns, r =>
        {
            Assert.Equal("yummyrecipesforme.com", r["query"]);
            Assert.Equal("203.0.113.2", r["id.resp_h"]);
            Assert.Equal("53", r["id.resp_p"]);
            Assert.Equal("-", r.Raw["rcode"]);
        });
        var conn = logs["conn"].Rows;
        Assert.Equal(3, conn.Count(r => r["proto"] == "udp" && r["conn_state"] == "S0" && r["service"] == "dns"));
        // The port-unreachable errors: ICMP type 3 code 3, from the DNS server.
        Assert.Equal(3, conn.Count(r => r["proto"] == "icmp" && r["id.orig_h"] == "203.0.113.2" && r["id.orig_p"] == "3" && r["id.resp_p"] == "3"));
        var notices = logs["notice"].Rows;
        Assert.Contains(notices, r => r["note"] == "NetTriage::Dns_Server_Unreachable" && r["severity"] == "high");
        Assert.Contains(notices, r => r["note"] == "NetTriage::Incident" && dns.Any(d => d["uid"] == r["uid"]));
    }

    [Fact]
    public void A_generated_mixed_capture_gives_well_formed_logs_in_both_formats()
    {
        Directory.CreateDirectory(_dir);
        string capture = Path.Combine(_dir, "mixed.pcap");
        Assert.Equal(0, CliRunner.Run("generate", "mixed", "--size", "1M", "-o", capture).ExitCode);
        var logs = WriteAndCheck(capture);
        Assert.True(logs["conn"].Rows.Count > 100);
        Assert.Contains(logs["conn"].Rows, r => r["proto"] == "tcp" && r["conn_state"] == "SF");
        Assert.Contains(logs["dns"].Rows, r => r["rcode_name"] == "NOERROR" && r["answers"] != "-");

        var json = CliRunner.Run("logs", capture, "-d", _dir, "--format", "json");
        Assert.Equal(0, json.ExitCode);
        foreach (var name in Logs)
        {
            var lines = File.ReadAllLines(Path.Combine(_dir, name + ".log"));
            if (name is not ("weird" or "tunnel")) Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                Assert.True(doc.RootElement.TryGetProperty("ts", out var ts) && ts.ValueKind == JsonValueKind.Number);
            }
        }
        Assert.Equal(logs["conn"].Rows.Count, File.ReadAllLines(Path.Combine(_dir, "conn.log")).Length);
    }

    [Fact]
    public void Local_networks_mark_local_addresses()
    {
        var result = CliRunner.Run("logs", Path.Combine(TestPaths.Samples, "seed-incident.pcap"), "-d", _dir, "--local-nets", "192.51.100.0/24");
        Assert.Equal(0, result.ExitCode);
        var conn = ZeekTsvLog.Load(Path.Combine(_dir, "conn.log"));
        var query = conn.Rows.First(r => r["proto"] == "udp");
        Assert.Equal("T", query["local_orig"]);
        Assert.Equal("T", query["local_resp"]); // 203.0.113.0/24 is documentation space, local as in Zeek
    }

    [Fact]
    public void A_bad_output_folder_or_network_is_a_one_line_usage_error()
    {
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(file, "x");
        string sample = Path.Combine(TestPaths.Samples, "seed-incident.pcap");
        foreach (var args in new[]
        {
            new[] { "logs", sample, "-d", file },
            new[] { "logs", sample, "-d", _dir, "--local-nets", "10.0.0.0/33" },
        })
        {
            var result = CliRunner.Run(args);
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            var line = Assert.Single(result.StderrLines);
            Assert.StartsWith("nettriage: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_capture_without_a_packet_is_an_error_not_empty_logs()
    {
        Directory.CreateDirectory(_dir);
        string empty = Path.Combine(_dir, "empty.pcap");
        // A pcap global header (microsecond magic, version 2.4, snaplen 65535, Ethernet) and no record.
        File.WriteAllBytes(empty, [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
        var result = CliRunner.Run("logs", empty, "-d", Path.Combine(_dir, "out"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("no packet", result.Stderr, StringComparison.Ordinal);
    }
}
