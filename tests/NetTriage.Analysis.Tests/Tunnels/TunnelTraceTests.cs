using NetTriage.Analysis.Logs;
using NetTriage.Capture;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests.Tunnels;

/// <summary>
/// Zeek's tunnel traces (../shared/corpus/zeek/Traces/tunnels): the traffic inside GRE, PPTP, VXLAN, Geneve, AYIYA,
/// GTP-U, Teredo and IP in IP is analysed as any traffic, and its connections name the tunnel they came through. The GRE
/// sample holds the seed incident's own pattern (DNS queries answered by ICMP port unreachable) inside GRE.
/// </summary>
public sealed class TunnelTraceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nettriage-tunnels-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static string? Trace(string name)
    {
        var shared = TestPaths.Shared;
        if (shared is null) return null;
        var path = Path.Combine(shared, "corpus", "zeek", "Traces", "tunnels", name);
        return File.Exists(path) ? path : null;
    }

    private (AnalysisReport Report, List<Dictionary<string, string>> Conns) Analyze(string path)
    {
        var logs = new ZeekLogWriter(_dir, ZeekLogFormat.Tsv);
        AnalysisReport report;
        using (logs)
        {
            var analyzer = new Analyzer(observer: logs);
            using (var source = CaptureOpener.Open(path))
            {
                analyzer.Read(source);
            }
            report = analyzer.Finish();
            logs.Finish(report);
        }
        var lines = File.ReadAllLines(Path.Combine(_dir, "conn.log"));
        var fields = lines.First(l => l.StartsWith("#fields\t", StringComparison.Ordinal)).Split('\t')[1..];
        var rows = lines.Where(l => !l.StartsWith('#')).Select(l => fields.Zip(l.Split('\t')).ToDictionary(p => p.First, p => p.Second)).ToList();
        return (report, rows);
    }

    [SkippableFact]
    public void The_seed_pattern_inside_GRE_is_diagnosed()
    {
        var path = Trace("gre-sample.pcap");
        Skip.If(path is null, TestPaths.CorpusAbsent);
        var (report, conns) = Analyze(path);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsServerUnreachable, incident.Kind);
        Assert.Contains("172.28.2.3", incident.Servers);
        Assert.Contains("66.59.111.190", incident.Clients);
        // Every inner connection names the GRE tunnel (one uid, not a connection of conn.log: an IP tunnel).
        var parents = conns.Select(c => c["tunnel_parents"]).Distinct().ToList();
        var parent = Assert.Single(parents);
        Assert.Matches("^C[0-9A-Za-z]+$", parent);
        Assert.DoesNotContain(conns, c => c["uid"] == parent);
        Assert.Contains(conns, c => c["proto"] == "tcp" && c["id.resp_p"] == "22" && c["conn_state"] == "SF");
        // tunnel.log names it: discovered once, a GRE tunnel between the two routers.
        var tunnel = Assert.Single(File.ReadAllLines(Path.Combine(_dir, "tunnel.log")), l => !l.StartsWith('#'));
        var fields = tunnel.Split('\t');
        Assert.Equal(parent, fields[1]);
        Assert.Equal("Tunnel::GRE", fields[6]);
        Assert.Equal("Tunnel::DISCOVER", fields[7]);
        // The finding and every evidence packet name the tunnel the failure came through, both directions alike.
        const string Gre = "in GRE between 66.59.109.137 and 172.27.1.66";
        var finding = Assert.Single(report.Findings);
        Assert.Equal([Gre], finding.Tunnels);
        Assert.All(finding.Evidence, e => Assert.EndsWith($" ({Gre})", e.Summary, StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData("vxlan.pcap", "vxlan", "icmp")]
    [InlineData("geneve.pcap", "geneve", "icmp")]
    [InlineData("ayiya3.pcap", "ayiya", "tcp")]
    public void A_UDP_tunnel_is_a_connection_and_the_parent_of_what_it_carries(string trace, string service, string innerProto)
    {
        var path = Trace(trace);
        Skip.If(path is null, TestPaths.CorpusAbsent);
        var (_, conns) = Analyze(path);
        var tunnels = conns.Where(c => c["proto"] == "udp" && c["service"] == service).Select(c => c["uid"]).ToHashSet();
        Assert.NotEmpty(tunnels);
        var inner = conns.Where(c => c["proto"] == innerProto && c["tunnel_parents"] != "-").ToList();
        Assert.NotEmpty(inner);
        Assert.All(inner, c => Assert.All(c["tunnel_parents"].Split(','), uid => Assert.Contains(uid, tunnels)));
    }

    [SkippableFact]
    public void Teredo_through_a_relays_own_port_is_followed()
    {
        // Zeek's Teredo trace: after the qualification with the server on 3544, the client's traffic to Google goes
        // through a relay's port 32900; the HTTP connection inside is the relay flow's child, as in Zeek's conn.log.
        var path = Trace("Teredo.pcap");
        Skip.If(path is null, TestPaths.CorpusAbsent);
        var (report, conns) = Analyze(path);
        var relay = Assert.Single(conns, c => c["proto"] == "udp" && c["id.resp_p"] == "32900");
        Assert.Equal("teredo", relay["service"]);
        var http = Assert.Single(conns, c => c["proto"] == "tcp" && c["id.resp_h"] == "2001:4860:0:2001::68");
        Assert.Equal(("80", "S1", "http"), (http["id.resp_p"], http["conn_state"], http["service"]));
        Assert.Contains(relay["uid"], http["tunnel_parents"].Split(','));
        Assert.Empty(report.Incidents);
    }

    [SkippableTheory]
    [InlineData("gre-pptp.pcap", "udp", "53")]
    [InlineData("4in6.pcap", "tcp", null)]
    [InlineData("6in4.pcap", "udp", null)]
    public void Traffic_inside_IP_tunnels_is_tracked(string trace, string proto, string? port)
    {
        var path = Trace(trace);
        Skip.If(path is null, TestPaths.CorpusAbsent);
        var (report, conns) = Analyze(path);
        var row = Assert.Single(conns);
        Assert.Equal(proto, row["proto"]);
        if (port is not null) Assert.Equal(port, row["id.resp_p"]);
        Assert.NotEqual("-", row["tunnel_parents"]);
        Assert.True(report.Capture.Packets > 0);
    }
}
