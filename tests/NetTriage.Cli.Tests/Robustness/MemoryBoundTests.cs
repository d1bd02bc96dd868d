using System.Globalization;
using System.Text.Json;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using Xunit.Abstractions;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// An adversarial capture keeps memory bounded: a million DNS queries, each from its own client address and port
/// and for its own name, none answered, with TCP SYNs from yet other clients, all within seconds (so nothing
/// expires). Every table the tracker keeps would grow without end if it were not capped. The capture is streamed to
/// a temporary file and analysed by the real program in a child process whose peak resident memory (VmHWM) is
/// sampled; the report must say that state was capped.
/// </summary>
public sealed class MemoryBoundTests(ITestOutputHelper output) : IDisposable
{
    private const int Queries = 1_000_000;
    /// <summary>One TCP SYN after every this many queries.</summary>
    private const int QueriesPerSyn = 4;
    /// <summary>
    /// The managed heap's hard limit: the capped tables hold about 280 MiB of live state for this input (about 340 MiB
    /// once the connection table is full, at twice the input), so an uncapped table runs out of it and fails the run
    /// (exit 70) instead of growing. Without a limit the collector lets the process grow to about twice its live state.
    /// </summary>
    private const long HeapLimitBytes = 384L << 20;
    /// <summary>Peak resident memory allowed to the whole process: the heap limit and the runtime's own.</summary>
    private const long PeakBoundMiB = 512;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nettriage-adversarial-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");

    public void Dispose() => File.Delete(_path);

    /// <summary>Writes the capture; returns the packets written.</summary>
    private static long WriteAdversarialCapture(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new PcapWriter(file, LinkType.Ethernet);
        var frame = new byte[256];
        const int udp = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
        const int dns = udp + FrameBuilder.UdpHeaderLength;
        var clientMac = new MacAddress(0x02_00_00_00_00_0A);
        var routerMac = new MacAddress(0x02_00_00_00_00_01);
        var resolver = IpAddr.Parse("192.0.2.53");
        var web = IpAddr.Parse("198.51.100.80");
        long start = 1_700_000_000;
        for (int i = 0; i < Queries; i++)
        {
            // A distinct client (10.0.0.0/8), port and name for every query: a distinct flow and a distinct transaction.
            var client = IpAddr.FromV4(0x0A00_0000u + (uint)i);
            ushort port = (ushort)(1024 + (i % 60_000));
            var time = PacketTimestamp.FromUnix(start, i * 5_000L); // 5 µs apart: 5 s of capture, nothing times out
            string name = string.Create(CultureInfo.InvariantCulture, $"q{i:x6}.adversary{i % 1000}.example");
            int n = FrameBuilder.WriteDnsQuery(frame.AsSpan(dns), (ushort)i, name, 1);
            FrameBuilder.WriteEthernet(frame, clientMac, routerMac, EtherType.Ipv4);
            FrameBuilder.WriteUdpV4(frame.AsSpan(udp), client, resolver, port, 53, n);
            FrameBuilder.WriteIpv4(frame.AsSpan(FrameBuilder.EthernetHeaderLength), client, resolver, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + n, (ushort)i);
            writer.Write(time, frame.AsSpan(0, dns + n));

            if (i % QueriesPerSyn == 0)
            {
                var source = IpAddr.FromV4(0xAC10_0000u + (uint)i); // 172.16.0.0/12 and beyond: yet more hosts
                FrameBuilder.WriteTcpV4(frame.AsSpan(udp), source, web, port, 443, (uint)i, 0, TcpFlags.Syn, 64240, 0);
                FrameBuilder.WriteIpv4(frame.AsSpan(FrameBuilder.EthernetHeaderLength), source, web, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength, (ushort)i);
                writer.Write(time, frame.AsSpan(0, udp + FrameBuilder.TcpHeaderLength));
            }
        }
        return writer.PacketsWritten;
    }

    [Fact]
    public void A_million_distinct_flows_and_names_keep_memory_bounded_and_the_report_says_state_was_capped()
    {
        long packets = WriteAdversarialCapture(_path);
        output.WriteLine($"{packets} packets, {new FileInfo(_path).Length / (1 << 20)} MiB");

        var result = ChildProcess.Run(new ChildProcess.Options
        {
            Environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimitBytes.ToString("X", CultureInfo.InvariantCulture) },
            Timeout = TimeSpan.FromMinutes(3),
        }, "analyze", "--format", "json", "--no-progress", _path);

        output.WriteLine($"exit {result.ExitCode}, peak resident memory {result.PeakResidentKiB / 1024} MiB");
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Stderr}");
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.Equal(packets, root.GetProperty("capture").GetProperty("packets").GetInt64());
        Assert.Equal(Queries, root.GetProperty("dns").GetProperty("queries").GetInt64());
        var caveats = root.GetProperty("caveats").EnumerateArray().Select(c => c.GetProperty("kind").GetString()).ToList();
        output.WriteLine("caveats: " + string.Join(", ", caveats));
        Assert.Contains("state-capped", caveats);
        Assert.InRange(result.PeakResidentKiB, 1, PeakBoundMiB * 1024);
    }
}
