using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Cli.Tests.History;

/// <summary>
/// Captures of one DNS service on given days, built byte by byte: a client asks 10.20.0.53 for a name every
/// 20 seconds for three minutes; the server either answers (healthy) or answers every query with ICMP port
/// unreachable (failing, the seed incident's shape). Healthy, it answers <c>answer</c> with <c>ttl</c>; with
/// <c>refusedConnect</c> the client then connects to that address on port 80 and is refused (a reset).
/// </summary>
internal static class HistoryScenario
{
    public static readonly IpAddr Client = IpAddr.Parse("10.20.0.15");
    public static readonly IpAddr Server = IpAddr.Parse("10.20.0.53");
    public const string Service = "10.20.0.53:53/udp";

    /// <summary>Writes the capture of <paramref name="day"/> (starting 09:00 UTC) into <paramref name="folder"/> and returns its path.</summary>
    public static string Write(string folder, DateTimeOffset day, bool healthy, string? name = null, string answer = "10.20.1.80", uint ttl = 300,
        bool refusedConnect = false, string? resolver = null)
    {
        var server = resolver is null ? Server : IpAddr.Parse(resolver);
        string path = Path.Combine(folder, name ?? $"{day:yyyy-MM-dd}-{(healthy ? "healthy" : "failing")}.pcap");
        using var file = File.Create(path);
        using var writer = new PcapWriter(file, LinkType.Ethernet);
        Span<byte> frame = stackalloc byte[1514];
        Span<byte> quoted = stackalloc byte[512];
        var clientMac = new MacAddress(0x02_00_00_14_00_0F);
        var serverMac = new MacAddress(0x02_00_00_14_00_35);
        long start = new DateTimeOffset(day.UtcDateTime.Date.AddHours(9), TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
        ushort ipId = 1;
        for (int i = 0; i < 9; i++)
        {
            long t = start + i * 20L * PacketTimestamp.NanosPerSecond;
            ushort id = (ushort)(4000 + i);
            ushort port = (ushort)(40000 + i);
            const int ip = FrameBuilder.EthernetHeaderLength;
            const int udp = ip + FrameBuilder.Ipv4HeaderLength;
            const int dns = udp + FrameBuilder.UdpHeaderLength;
            int length = FrameBuilder.WriteDnsQuery(frame[dns..], id, "intranet.example", DnsType.A);
            FrameBuilder.WriteUdpV4(frame[udp..], Client, server, port, 53, length);
            FrameBuilder.WriteIpv4(frame[ip..], Client, server, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + length, ipId++);
            FrameBuilder.WriteEthernet(frame, clientMac, serverMac, EtherType.Ipv4);
            int queryLength = dns + length;
            writer.Write(new PacketTimestamp(t, TimestampKind.Absolute), frame[..queryLength]);
            long answerAt = t + 3_000_000; // 3 ms later
            if (healthy)
            {
                var address = IpAddr.Parse(answer);
                length = FrameBuilder.WriteDnsResponse(frame[dns..], id, "intranet.example", DnsType.A, 0, [address], ttl);
                FrameBuilder.WriteUdpV4(frame[udp..], server, Client, 53, port, length);
                FrameBuilder.WriteIpv4(frame[ip..], server, Client, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + length, ipId++);
                FrameBuilder.WriteEthernet(frame, serverMac, clientMac, EtherType.Ipv4);
                writer.Write(new PacketTimestamp(answerAt, TimestampKind.Absolute), frame[..(dns + length)]);
                if (refusedConnect)
                {
                    // SYN to the answer's port 80, and the reset that refuses it.
                    ushort clientPort = (ushort)(50000 + i);
                    uint isn = 1000u + (uint)i;
                    FrameBuilder.WriteTcpV4(frame[udp..], Client, address, clientPort, 80, isn, 0, TcpFlags.Syn, 64240, 0);
                    FrameBuilder.WriteIpv4(frame[ip..], Client, address, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength, ipId++);
                    FrameBuilder.WriteEthernet(frame, clientMac, serverMac, EtherType.Ipv4);
                    writer.Write(new PacketTimestamp(answerAt + 1_000_000, TimestampKind.Absolute), frame[..(udp + FrameBuilder.TcpHeaderLength)]);
                    FrameBuilder.WriteTcpV4(frame[udp..], address, Client, 80, clientPort, 0, isn + 1, TcpFlags.Rst | TcpFlags.Ack, 0, 0);
                    FrameBuilder.WriteIpv4(frame[ip..], address, Client, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength, ipId++);
                    FrameBuilder.WriteEthernet(frame, serverMac, clientMac, EtherType.Ipv4);
                    writer.Write(new PacketTimestamp(answerAt + 2_000_000, TimestampKind.Absolute), frame[..(udp + FrameBuilder.TcpHeaderLength)]);
                }
            }
            else
            {
                int quotedLength = queryLength - ip;
                frame.Slice(ip, quotedLength).CopyTo(quoted);
                int icmpLength = FrameBuilder.WriteIcmpError(frame[udp..], 3, 3, quoted[..quotedLength]);
                FrameBuilder.WriteIpv4(frame[ip..], server, Client, IpProtocol.Icmp, icmpLength, ipId++);
                FrameBuilder.WriteEthernet(frame, serverMac, clientMac, EtherType.Ipv4);
                writer.Write(new PacketTimestamp(answerAt, TimestampKind.Absolute), frame[..(udp + icmpLength)]);
            }
        }
        return path;
    }
}
