using NetTriage.Analysis.Detection.Tunneling;
using NetTriage.Packets.Dns;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// ICMP tunnels built packet by packet, each threshold met and just missed, and the trap of ping with its changing
/// timestamp and large packets.
/// </summary>
public sealed class TunnelingTests
{
    private const string Client = "10.0.0.10";
    private const string Far = "198.51.100.7";

    private static Scenario IcmpChannel(int requests, Func<int, byte[]> data)
    {
        var s = new Scenario();
        for (int i = 0; i < requests; i++)
        {
            var d = data(i);
            s.Echo(Client, Far, (ushort)i, data: d);
            s.Echo(Far, Client, (ushort)i, reply: true, data: d);
        }
        return s;
    }

    [Fact]
    public void Echo_requests_whose_data_changes_every_time_are_an_icmp_tunnel()
    {
        var random = new Random(5);
        var report = IcmpChannel(100, i => { var b = new byte[200 + (i % 5) * 100]; random.NextBytes(b); return b; }).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.IcmpTunneling, incident.Kind);
        Assert.Equal([Client], incident.Clients);
        Assert.Equal([Far], incident.Servers);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(1.0, facts.ChangedShare);
        long sent = Enumerable.Range(0, 100).Sum(i => 200L + (i % 5) * 100);
        Assert.Equal(sent, facts.BytesOut);
        Assert.Equal(sent, facts.BytesIn);
        Assert.Equal(200, facts.Packets);
    }

    [Fact]
    public void Ping_with_its_changing_timestamp_and_large_packets_is_no_tunnel()
    {
        // Linux ping -s 1000 for 100 s: a 16-byte timestamp that changes, then one repeated pattern.
        var report = IcmpChannel(100, i =>
        {
            var b = new byte[1000];
            BitConverter.TryWriteBytes(b.AsSpan(0, 8), 1_700_000_000L + i);
            BitConverter.TryWriteBytes(b.AsSpan(8, 8), (long)i * 1234);
            for (int k = 16; k < b.Length; k++) b[k] = (byte)k;
            return b;
        }).Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.IcmpTunneling);
    }

    [Fact]
    public void The_icmp_thresholds_requests_and_bytes_are_each_needed()
    {
        var random = new Random(9);
        byte[] Random200(int _) { var b = new byte[200]; random.NextBytes(b); return b; }
        Assert.DoesNotContain(IcmpChannel(IcmpTunnelDetection.MinRequests - 1, Random200).Analyze().Findings, f => f.Kind == FindingKind.IcmpTunneling);
        Assert.Contains(IcmpChannel(IcmpTunnelDetection.MinRequests, Random200).Analyze().Findings, f => f.Kind == FindingKind.IcmpTunneling);
        // 40 requests of 40 changing bytes each way: 3.2 kB, below the 10 kB a channel carries.
        byte[] Random40(int _) { var b = new byte[40]; random.NextBytes(b); return b; }
        Assert.DoesNotContain(IcmpChannel(40, Random40).Analyze().Findings, f => f.Kind == FindingKind.IcmpTunneling);
    }

    private const string Resolver = "10.0.0.53";

    /// <summary>RFC 4648 base32 in lower case, as iodine and dnscat2 write their data into names.</summary>
    private static string Base32(Random random, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        return string.Create(length, random, (chars, r) => { for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[r.Next(alphabet.Length)]; });
    }

    /// <summary>
    /// Base32 that the encoded-name test accepts: random base32 now and then has a quarter of vowels or few digits
    /// (about 1 name in 25 at 40 characters; the real captures show it), which a threshold test must not count.
    /// </summary>
    private static string Encoded(Random random, int length)
    {
        while (true)
        {
            string s = Base32(random, length);
            if (DnsTunnelDetection.LooksEncoded(System.Text.Encoding.ASCII.GetBytes(s), out _)) return s;
        }
    }

    private static Scenario DnsChannel(int queries, Func<int, string> name, ushort type = 10, int rcode = 0, string client = Client, ushort port = 53)
    {
        var s = new Scenario();
        for (int i = 0; i < queries; i++)
        {
            s.After(0.05);
            string n = name(i);
            if (port == 53)
            {
                s.Query(client, (ushort)(40000 + i), Resolver, (ushort)i, n, type);
                s.After(0.01).Response(Resolver, client, (ushort)(40000 + i), (ushort)i, n, rcode, rcode == 0 ? ["192.0.2.1"] : []);
            }
            else
            {
                s.MulticastQuery(client, n, type);
            }
        }
        return s;
    }

    [Fact]
    public void Distinct_encoded_names_under_one_domain_are_a_dns_tunnel()
    {
        var random = new Random(3);
        var report = DnsChannel(80, i => $"{Encoded(random, 60)}.{Base32(random, 40)}.t.tunnel.example").Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsTunneling, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal([Client], incident.Clients);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal("tunnel.example", facts.Domain);
        Assert.Equal(80, facts.EncodedNames);
        Assert.Equal(["NULL 80"], facts.QueryTypes);
        Assert.Equal(80 * 101, facts.BytesOut); // 60 + 40 characters and the dot between them, of each name ("t" is under the domain too)
        Assert.Equal(80 * 4, facts.BytesIn); // one A record of 4 bytes in each answer
        Assert.Equal(160, facts.Packets);
    }

    [Fact]
    public void The_dns_threshold_of_distinct_encoded_names_is_needed()
    {
        var random = new Random(4);
        string Name(int _) => $"{Encoded(random, 40)}.example.net";
        Assert.DoesNotContain(DnsChannel(DnsTunnelDetection.MinEncodedNames - 1, Name).Analyze().Findings, f => f.Kind == FindingKind.DnsTunneling);
        Assert.Contains(DnsChannel(DnsTunnelDetection.MinEncodedNames, Name).Analyze().Findings, f => f.Kind == FindingKind.DnsTunneling);
        // One encoded name asked 200 times is one name: a cached hash lookup, not a channel.
        string same = Encoded(random, 40) + ".example.net";
        Assert.DoesNotContain(DnsChannel(200, _ => same).Analyze().Findings, f => f.Kind == FindingKind.DnsTunneling);
    }

    [Fact]
    public void Tunnel_queries_the_resolver_fails_are_counted_into_the_tunnel_not_an_outage()
    {
        // dnscat2 through a resolver that cannot reach the tunnel's server: every query answered SERVFAIL.
        var random = new Random(6);
        var report = DnsChannel(60, _ => $"{Base32(random, 50)}.c2.example.org", type: DnsType.TXT, rcode: 2).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsTunneling, incident.Kind);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsServfail);
        Assert.Equal(60, Assert.Single(report.Findings).Attack!.FailuresAbsorbed);
    }

    [Fact]
    public void Busy_everyday_names_are_no_dns_tunnel()
    {
        // 300 distinct long hostnames of words and digits under one company domain (a monitoring host walking its
        // inventory), reverse lookups of 300 addresses, long service names over mDNS, and cloud hosts' names with
        // their addresses in them: none is encoded data.
        string[] words = ["mail", "server", "frontend", "backend", "west", "east", "europe", "storage", "database", "replica", "monitor", "gateway"];
        var everyday = DnsChannel(300, i => $"{words[i % 12]}-{words[(i / 12) % 12]}-{words[(i / 7) % 12]}-{i:000}.site-{i % 9}.corp.example.com", type: DnsType.A).Analyze();
        var reverse = DnsChannel(300, i => $"{i % 250}.{i / 250}.168.192.in-addr.arpa", type: DnsType.PTR).Analyze();
        var random = new Random(8);
        var mdns = DnsChannel(300, _ => $"{Base32(random, 40)}._airplay._tcp.local", port: 5353).Analyze();
        var cloud = DnsChannel(300, i => $"ec2-54-{i % 250}-{i / 250}-{(i * 7) % 250}.eu-west-1.compute.amazonaws.com").Analyze();
        foreach (var report in new[] { everyday, reverse, mdns, cloud })
        {
            Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.DnsTunneling);
        }
    }

    [Theory]
    [InlineData("ladj3gduusm51wq2h0hr4a2j3mbpo4qy", true)] // iodine base32
    [InlineData("6f1c2a9be04d7731c0a8e2f4b9d1e6a7", true)] // hex (dnscat2)
    [InlineData("z10fa\\228\\195germeister\\200\\201-x", true)] // raw bytes, escaped in presentation form
    [InlineData("mail-server-eu-west-frontend", false)]
    [InlineData("www-mail-eu-west-0.service0", false)]
    [InlineData("ec2-54-123-45-67.compute-1", false)]
    [InlineData("prod-eu-west-1-k8s-node-0a1b2c3d", false)]
    [InlineData("a1b2c3d4e5", false)] // too short to say
    public void Encoded_names_are_told_from_hostnames(string labels, bool encoded) =>
        Assert.Equal(encoded, DnsTunnelDetection.LooksEncoded(System.Text.Encoding.ASCII.GetBytes(labels), out _));
}
