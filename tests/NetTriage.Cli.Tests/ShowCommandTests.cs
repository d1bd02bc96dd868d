using System.Text.Json;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests;

public sealed class ShowCommandTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.Samples, name);

    [Fact]
    public void Seed_text_log_shows_six_records_with_their_frame_numbers()
    {
        var result = CliRunner.Run("show", Sample("seed-incident.txt"));

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("    1  13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com.", lines[0]);
        Assert.StartsWith("    2  13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable", lines[1]);
        Assert.StartsWith("    6  13:28:50.022967 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable", lines[5]);
        // The only word on standard error: a time of day alone has no date and no zone.
        Assert.EndsWith("seed-incident.txt: times are the time of day as the input gives it; the date and the time zone are unknown",
            Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Seed_pcap_matches_tcpdump_line_for_line()
    {
        var tcpdump = CliRunner.RunTool("tcpdump", "-n", "-#", "-r", Sample("seed-incident.pcap"));
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");

        var result = CliRunner.Run("show", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries), result.StdoutLines);
    }

    /// <summary>
    /// Tunnelled traffic of Zeek's traces, line for line as tcpdump prints it: the outer headers (IP in IP, GRE and PPTP's
    /// GRE, VXLAN's own line, Geneve), then the inner packet; the UDP tunnels tcpdump does not open stay datagrams. Each
    /// trace here agrees on every line (others differ only where tcpdump has a printer for an inner protocol that
    /// NetTriage has not, NTP or RIP for instance).
    /// </summary>
    [SkippableTheory]
    [InlineData("4in4.pcap")]
    [InlineData("4in6.pcap")]
    [InlineData("6in4.pcap")]
    [InlineData("6in6in6.pcap")]
    [InlineData("gre-pptp.pcap")]
    [InlineData("gre-aruba.pcap")]
    [InlineData("gre-erspan3-dot1q.pcap")]
    [InlineData("vxlan.pcap")]
    [InlineData("vxlan-encapsulated-http.pcap")]
    [InlineData("geneve.pcap")]
    [InlineData("geneve-many-options.pcap")]
    [InlineData("ping6-in-ipv4.pcap")]
    [InlineData("ayiya3.pcap")]
    [InlineData("teredo_bubble_with_payload.pcap")]
    public void Tunnelled_traffic_matches_tcpdump_line_for_line(string trace)
    {
        Skip.If(TestPaths.Shared is null, TestPaths.CorpusAbsent);
        string path = Path.Combine(TestPaths.Shared, "corpus", "zeek", "Traces", "tunnels", trace);
        var tcpdump = CliRunner.RunToolWith(new Dictionary<string, string> { ["TZ"] = "UTC" }, "tcpdump", "-n", "-#", "-r", path);
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");

        var result = CliRunner.Run("show", "--utc", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(tcpdump!.Split('\n', StringSplitOptions.RemoveEmptyEntries), result.StdoutLines);
    }

    [Fact]
    public void Json_lines_carry_the_dns_and_icmp_facts()
    {
        var result = CliRunner.Run("show", "--json", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(6, lines.Length);
        using var query = JsonDocument.Parse(lines[0]);
        var dns = query.RootElement.GetProperty("dns");
        Assert.Equal(35084, dns.GetProperty("id").GetInt32());
        Assert.Equal("yummyrecipesforme.com.", dns.GetProperty("questions")[0].GetProperty("name").GetString());
        using var error = JsonDocument.Parse(lines[1]);
        var icmp = error.RootElement.GetProperty("icmp");
        Assert.Equal(3, icmp.GetProperty("type").GetInt32());
        Assert.Equal(3, icmp.GetProperty("code").GetInt32());
        Assert.Equal(35084, icmp.GetProperty("quoted").GetProperty("dnsId").GetInt32());
    }

    [Fact]
    public void Count_stops_after_n_packets()
    {
        var result = CliRunner.Run("show", "-c", "2", Sample("seed-incident.pcap"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.StdoutLines.Length);
    }

    [Fact]
    public void Generate_reproduces_the_shipped_seed_pcap_byte_for_byte()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nettriage-seed-{Guid.NewGuid():N}.pcap");
        try
        {
            var result = CliRunner.Run("generate", "seed-incident", "-o", path);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(File.ReadAllBytes(Sample("seed-incident.pcap")), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Standard_input_reads_pcap_and_text_alike()
    {
        var fromPcap = CliRunner.RunProcess(File.ReadAllBytes(Sample("seed-incident.pcap")), "show", "-");
        var fromText = CliRunner.RunProcess(File.ReadAllBytes(Sample("seed-incident.txt")), "show", "-");

        Assert.Equal(0, fromPcap.ExitCode);
        Assert.Equal(0, fromText.ExitCode);
        Assert.Equal(6, fromPcap.StdoutLines.Length);
        Assert.Equal(6, fromText.StdoutLines.Length);
        Assert.Contains("35084+ A? yummyrecipesforme.com.", fromPcap.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("35084+ A? yummyrecipesforme.com.", fromText.StdoutLines[0], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Tcpdump_text_piped_in_is_read_back()
    {
        var tcpdump = CliRunner.RunTool("tcpdump", "-n", "-r", Sample("seed-incident.pcap"));
        Skip.If(tcpdump is null, "tcpdump is not installed (.ci/run installs it)");

        var result = CliRunner.RunProcess(System.Text.Encoding.ASCII.GetBytes(tcpdump!), "show", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(6, result.StdoutLines.Length);
        Assert.Contains("ICMP 203.0.113.2 udp port 53 unreachable", result.StdoutLines[5], StringComparison.Ordinal);
    }
}
