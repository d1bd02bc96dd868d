using System.Security.Cryptography;
using System.Text.Json;
using NetTriage.Capture;
using NetTriage.Packets;
using NetTriage.Synthetic;

namespace NetTriage.Cli.Tests;

/// <summary>
/// One bulk capture for the tests that read or analyse it: long enough (about six seconds of traffic) that the
/// dead resolver's queries are older than the analysis's wait for an answer (5 s) when the capture ends.
/// </summary>
public sealed class BulkCaptureFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-bulk-").FullName;

    public BulkCaptureFixture()
    {
        Path = System.IO.Path.Combine(_dir, "bulk.pcap");
        Generated = CliRunner.Run("generate", "mixed", "--profile", "bulk", "--size", "128M", "--seed", "7", "-o", Path);
    }

    public string Path { get; }
    internal CliRunner.Result Generated { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>
/// `nettriage generate mixed --profile`: the browsing profile (the default) writes the same bytes as before there
/// were profiles; the bulk profile is deterministic for a seed, looks like a busy link of downloads (TCP's share,
/// full segments, the servers and ports, the rate), and gives the analysis its dead resolver, refused and unanswered
/// connections and NXDOMAIN to find.
/// </summary>
public sealed class GenerateProfileTests(BulkCaptureFixture bulk) : IClassFixture<BulkCaptureFixture>, IDisposable
{
    private const string DeadResolver = "203.0.113.3";
    private static readonly ushort[] WebPorts = [80, 443, 8080, 8443];
    private static readonly string[] BulkFindings = ["dns-no-response", "tcp-connection-refused", "tcp-no-response", "dns-nxdomain"];
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-profile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Generate(string name, params string[] options)
    {
        string path = Path.Combine(_dir, name);
        var result = CliRunner.Run(["generate", "mixed", .. options, "-o", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return path;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void The_default_profile_is_browsing_and_writes_the_bytes_it_wrote_before_profiles()
    {
        // Benchmarks and tests depend on these bytes: seed 1, 4,000 hosts, 20 MiB, as written before --profile existed.
        const string Before = "75720c3b8713425156b8ca26a49008827e75c7cc5b03fac287b636a68e9b55b4";
        Assert.Equal(Before, Sha256(Generate("default.pcap", "--size", "20M")));
        Assert.Equal(Before, Sha256(Generate("browsing.pcap", "--size", "20M", "--profile", "browsing", "--hosts", "4000", "--seed", "1")));
    }

    [Fact]
    public void The_bulk_profile_is_deterministic_for_a_seed()
    {
        string a = Generate("a.pcap", "--profile", "bulk", "--size", "6M", "--seed", "3");
        string b = Generate("b.pcap", "--profile", "bulk", "--size", "6M", "--seed", "3");
        string c = Generate("c.pcap", "--profile", "bulk", "--size", "6M", "--seed", "4");
        Assert.Equal(Sha256(a), Sha256(b));
        Assert.NotEqual(Sha256(a), Sha256(c));

        // The library gives the command's bytes, and the same bytes twice for a packet count.
        using var library = new MemoryStream();
        SyntheticCapture.Write(library, 6L << 20, seed: 3, profile: SyntheticProfile.Bulk);
        Assert.Equal(Sha256(a), Convert.ToHexStringLower(SHA256.HashData(library.ToArray())));
        using var once = new MemoryStream();
        using var twice = new MemoryStream();
        SyntheticCapture.WritePackets(once, 30_000, seed: 9, profile: SyntheticProfile.Bulk);
        SyntheticCapture.WritePackets(twice, 30_000, seed: 9, profile: SyntheticProfile.Bulk);
        Assert.Equal(once.ToArray(), twice.ToArray());
    }

    [Fact]
    public void The_bulk_capture_is_mostly_full_tcp_segments_from_59_servers_on_4_ports()
    {
        Assert.True(bulk.Generated.ExitCode == 0, bulk.Generated.Stderr);
        long packets = 0, tcp = 0, udp = 0, tcpData = 0, full = 0, pureAcks = 0, frameBytes = 0;
        var clients = new HashSet<IpAddr>();
        var servers = new HashSet<IpAddr>();
        var ports = new HashSet<ushort>();
        long first = 0, last = 0;
        using (var source = CaptureOpener.Open(bulk.Path))
        {
            var p = new DecodedPacket();
            while (source.TryRead(p))
            {
                if (packets++ == 0) first = p.Timestamp.Nanoseconds;
                last = p.Timestamp.Nanoseconds;
                frameBytes += p.CapturedLength;
                if (p.Has(PacketLayers.Udp)) udp++;
                if (!p.Has(PacketLayers.Tcp)) continue;
                tcp++;
                if (p.PayloadLength > 0) tcpData++;
                if (p.PayloadLength == 1460) full++;
                if (p.PayloadLength == 0 && p.Tcp.Flags == TcpFlags.Ack) pureAcks++;
                if (p.Tcp.Flags == TcpFlags.Syn)
                {
                    clients.Add(p.Ip.Source);
                    servers.Add(p.Ip.Destination);
                    ports.Add(p.DestinationPort);
                }
            }
        }
        double seconds = (last - first) / 1e9;

        // About 84% of the packets TCP, the rest mostly QUIC and DNS over UDP.
        Assert.InRange((double)tcp / packets, 0.82, 0.86);
        Assert.InRange((double)(tcp + udp) / packets, 0.99, 1.0);
        // Most TCP segments are full 1,460-byte payloads; nearly every one that carries data is; the ACKs go the other
        // way, one for every second segment.
        Assert.InRange((double)full / tcp, 0.6, 0.7);
        Assert.InRange((double)full / tcpData, 0.98, 1.0);
        Assert.InRange((double)pureAcks / full, 0.45, 0.55);
        // Large packets: about 980 bytes a frame (the browsing profile's are about 555 with the record header).
        Assert.InRange((double)frameBytes / packets, 900, 1050);
        // About 20,000 packets a second of capture time (fewer in the first second, while downloads build up).
        Assert.InRange(packets / seconds, 16_000, 24_000);
        // Connections to the 59 web servers (and the filtered one among them) on their 4 ports, from up to 2,000 clients.
        Assert.Equal(WebPorts, ports.Order());
        Assert.InRange(servers.Count, 40, SyntheticCapture.BulkServers);
        Assert.InRange(clients.Count, 100, SyntheticCapture.DefaultBulkHosts);
    }

    [Fact]
    public void Analyze_finds_the_dead_resolver_and_the_refused_and_unanswered_connections_of_a_bulk_capture()
    {
        Assert.True(bulk.Generated.ExitCode == 0, bulk.Generated.Stderr);
        var result = CliRunner.Run("analyze", bulk.Path, "--no-store", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (Kind: f.GetProperty("kind").GetString(), Server: f.TryGetProperty("server", out var s) ? s.GetString() : null))
            .ToList();

        Assert.Contains(("dns-no-response", DeadResolver), findings);
        Assert.Contains(findings, f => f.Kind == "tcp-connection-refused");
        Assert.Contains(findings, f => f.Kind == "tcp-no-response");
        Assert.Contains(findings, f => f.Kind == "dns-nxdomain");
        // Only those: the downloads themselves, the QUIC and the working resolvers raise nothing.
        Assert.All(findings, f => Assert.Contains(f.Kind, BulkFindings));
        var incidents = json.RootElement.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();
        Assert.Contains("dns-no-response", incidents);
    }

    [Fact]
    public void The_help_says_what_each_profile_looks_like()
    {
        var result = CliRunner.Run("generate", "--help");
        Assert.Equal(0, result.ExitCode);
        string help = string.Join(' ', result.Stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--profile", help, StringComparison.Ordinal);
        Assert.Contains("browsing: a site's gateway", help, StringComparison.Ordinal);
        Assert.Contains("bulk: a busy link. 2,000 clients download", help, StringComparison.Ordinal);
        Assert.Contains("nettriage generate mixed --profile bulk", help, StringComparison.Ordinal);

        var unknown = CliRunner.Run("generate", "mixed", "--profile", "video", "-o", Path.Combine(_dir, "x.pcap"));
        Assert.Equal(ExitCodes.BadInput, unknown.ExitCode);
        Assert.Contains("video", unknown.Stderr, StringComparison.Ordinal);
    }
}
