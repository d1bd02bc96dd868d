using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// An incident that holds findings of several kinds speaks of each kind with that kind's own figures: a resolver
/// answering 6 queries with NXDOMAIN and 3 with SERVFAIL "answered NXDOMAIN 6 times", never 9.
/// </summary>
public sealed class MergedWordingTests
{
    private static readonly IpAddr Client = IpAddr.Parse("10.30.0.15");
    private static readonly IpAddr Resolver = IpAddr.Parse("10.30.0.53");

    /// <summary>Queries for names the resolver answers with <paramref name="rcodes"/>, one every 5 s.</summary>
    private static byte[] Capture(params (string Name, int Rcode)[] rcodes)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            Span<byte> frame = stackalloc byte[1514];
            long t = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
            const int ip = FrameBuilder.EthernetHeaderLength, udp = ip + FrameBuilder.Ipv4HeaderLength, dns = udp + FrameBuilder.UdpHeaderLength;
            var a = new MacAddress(0x02_00_00_1E_00_0F);
            var b = new MacAddress(0x02_00_00_1E_00_35);
            for (int i = 0; i < rcodes.Length; i++)
            {
                var (name, rcode) = rcodes[i];
                ushort id = (ushort)(100 + i), port = (ushort)(41000 + i);
                int length = FrameBuilder.WriteDnsQuery(frame[dns..], id, name, DnsType.A);
                FrameBuilder.WriteUdpV4(frame[udp..], Client, Resolver, port, 53, length);
                FrameBuilder.WriteIpv4(frame[ip..], Client, Resolver, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + length, (ushort)(2 * i));
                FrameBuilder.WriteEthernet(frame, a, b, EtherType.Ipv4);
                writer.Write(new PacketTimestamp(t, TimestampKind.Absolute), frame[..(dns + length)]);
                length = FrameBuilder.WriteDnsResponse(frame[dns..], id, name, DnsType.A, rcode, []);
                FrameBuilder.WriteUdpV4(frame[udp..], Resolver, Client, 53, port, length);
                FrameBuilder.WriteIpv4(frame[ip..], Resolver, Client, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + length, (ushort)(2 * i + 1));
                FrameBuilder.WriteEthernet(frame, b, a, EtherType.Ipv4);
                writer.Write(new PacketTimestamp(t + 2_000_000, TimestampKind.Absolute), frame[..(dns + length)]);
                t += 5 * PacketTimestamp.NanosPerSecond;
            }
        }
        return stream.ToArray();
    }

    private static AnalysisReport Analyze(byte[] capture)
    {
        var analyzer = new Analyzer();
        using var source = CaptureOpener.Open(new MemoryStream(capture), "merged.pcap");
        analyzer.Read(source);
        return analyzer.Finish();
    }

    [Fact]
    public void Each_kind_in_an_incident_is_counted_by_its_own_figures()
    {
        var report = Analyze(Capture(
            ("gone.example", 3), ("gone.example", 3), ("broken.example", 2), ("gone.example", 3), ("gone.example", 3),
            ("broken.example", 2), ("gone.example", 3), ("gone.example", 3), ("broken.example", 2)));
        var nxdomain = Assert.Single(report.Findings, f => f.Kind == FindingKind.DnsNxdomain);
        var servfail = Assert.Single(report.Findings, f => f.Kind == FindingKind.DnsServfail);
        Assert.Equal(6, nxdomain.Failed);
        Assert.Equal(3, servfail.Failed);
        foreach (var incident in report.Incidents)
        {
            var texts = incident.Causes.SelectMany(c => c.For).Select(p => p.Text).Append(incident.Summary.Text).ToList();
            // Whatever the grouping, no sentence gives one kind the other's failures.
            Assert.DoesNotContain(texts, t => t.Contains("NXDOMAIN 9 times", StringComparison.Ordinal) || t.Contains("SERVFAIL 9 times", StringComparison.Ordinal));
            if (incident.Kind == FindingKind.DnsNxdomain && incident.Findings.Contains(servfail.Id))
            {
                Assert.Contains(texts, t => t.Contains("answered NXDOMAIN 6 times", StringComparison.Ordinal));
            }
            if (incident.Kind == FindingKind.DnsServfail && incident.Findings.Contains(nxdomain.Id))
            {
                Assert.Contains(texts, t => t.Contains("with SERVFAIL 3 times", StringComparison.Ordinal));
            }
        }
        // The two kinds about one resolver in one window are one incident.
        Assert.Contains(report.Incidents, i => i.Findings.Contains(nxdomain.Id) && i.Findings.Contains(servfail.Id));
    }
}
