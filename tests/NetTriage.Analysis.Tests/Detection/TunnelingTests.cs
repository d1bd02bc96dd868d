using NetTriage.Analysis.Detection.Tunneling;

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
}
