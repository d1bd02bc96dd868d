using System.Text;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Capture.Writing;

/// <summary>
/// A deterministic, seeded generator of realistic mixed traffic over Ethernet/IPv4: DNS answered,
/// NXDOMAIN, answered by ICMP port unreachable and unanswered; TCP sessions with an HTTP request,
/// refused and unanswered connections. The same seed and size always give the same bytes, so
/// benchmarks and tests can rely on it.
/// </summary>
public sealed class SyntheticCapture
{
    private static readonly byte[] HttpRequestTemplate = Encoding.ASCII.GetBytes("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n");
    private static readonly string[] Names = ["www.example.com", "api.example.net", "cdn.example.org", "mail.example.com", "missing.example.com"];

    private readonly PcapWriter _writer;
    private readonly Random _random;
    private readonly byte[] _frame = new byte[1600];
    private readonly byte[] _quote = new byte[1600];
    private readonly MacAddress _clientMac = new(0x02_00_00_00_00_10);
    private readonly MacAddress _routerMac = new(0x02_00_00_00_00_01);
    private readonly int _hostCount;
    private long _now;
    private ushort _ipId;

    private SyntheticCapture(PcapWriter writer, int seed, int hostCount)
    {
        _writer = writer;
        _random = new Random(seed);
        _hostCount = Math.Max(1, hostCount);
        _now = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
    }

    /// <summary>Writes a pcap of about <paramref name="approximateBytes"/> bytes; returns the number of packets.</summary>
    public static long Write(Stream output, long approximateBytes, int seed = 1, int hostCount = 5000)
    {
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        var generator = new SyntheticCapture(writer, seed, hostCount);
        long start = output.CanSeek ? output.Position : 0;
        long written = 24;
        while (written < approximateBytes)
        {
            written += generator.NextScenario();
            if (output.CanSeek) written = output.Position - start;
        }
        return writer.PacketsWritten;
    }

    /// <summary>Writes <paramref name="scenarios"/> scenarios; returns the number of packets.</summary>
    public static long WriteScenarios(Stream output, int scenarios, int seed = 1, int hostCount = 5000)
    {
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        var generator = new SyntheticCapture(writer, seed, hostCount);
        for (int i = 0; i < scenarios; i++)
        {
            generator.NextScenario();
        }
        return writer.PacketsWritten;
    }

    private IpAddr Client() => IpAddr.FromV4(0x0A00_0000u | (uint)(1 + _random.Next(_hostCount)));
    private static IpAddr Resolver(int i) => IpAddr.FromV4(0xC000_0235u + (uint)(i & 1)); // 192.0.2.53/54
    private IpAddr WebServer() => IpAddr.FromV4(0xC633_6400u | (uint)(1 + _random.Next(200))); // 198.51.100.x

    /// <summary>Writes one scenario; returns the approximate bytes written.</summary>
    private long NextScenario()
    {
        int roll = _random.Next(100);
        return roll switch
        {
            < 40 => DnsAnswered(rcode: DnsRcode.NoError),
            < 48 => DnsAnswered(rcode: DnsRcode.NXDomain),
            < 53 => DnsPortUnreachable(),
            < 57 => DnsUnanswered(),
            < 90 => TcpSession(),
            < 95 => TcpRefused(),
            _ => TcpUnanswered(),
        };
    }

    private void Advance() => _now += 1_000 + _random.Next(2_000_000);

    private int Emit(int length)
    {
        Advance();
        _writer.Write(new PacketTimestamp(_now, TimestampKind.Absolute), _frame.AsSpan(0, length));
        return length + 16;
    }

    private int Udp(IpAddr src, IpAddr dst, ushort sport, ushort dport, int payloadLength, bool toServer)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int udp = ip + FrameBuilder.Ipv4HeaderLength;
        var frame = _frame.AsSpan();
        FrameBuilder.WriteUdpV4(frame[udp..], src, dst, sport, dport, payloadLength);
        FrameBuilder.WriteIpv4(frame[ip..], src, dst, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + payloadLength, _ipId++);
        FrameBuilder.WriteEthernet(frame, toServer ? _clientMac : _routerMac, toServer ? _routerMac : _clientMac, EtherType.Ipv4);
        return udp + FrameBuilder.UdpHeaderLength + payloadLength;
    }

    private int Tcp(IpAddr src, IpAddr dst, ushort sport, ushort dport, uint seq, uint ack, TcpFlags flags, int payloadLength, bool toServer)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int tcp = ip + FrameBuilder.Ipv4HeaderLength;
        var frame = _frame.AsSpan();
        FrameBuilder.WriteTcpV4(frame[tcp..], src, dst, sport, dport, seq, ack, flags, 64240, payloadLength);
        FrameBuilder.WriteIpv4(frame[ip..], src, dst, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + payloadLength, _ipId++);
        FrameBuilder.WriteEthernet(frame, toServer ? _clientMac : _routerMac, toServer ? _routerMac : _clientMac, EtherType.Ipv4);
        return tcp + FrameBuilder.TcpHeaderLength + payloadLength;
    }

    private const int DnsOffset = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
    private const int TcpPayloadOffset = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.TcpHeaderLength;

    private long DnsAnswered(int rcode)
    {
        var client = Client();
        var resolver = Resolver(_random.Next(2));
        ushort port = (ushort)_random.Next(32768, 61000);
        ushort id = (ushort)_random.Next(65536);
        string name = rcode == DnsRcode.NXDomain ? Names[4] : Names[_random.Next(4)];
        long bytes = 0;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(DnsOffset), id, name, DnsType.A);
        bytes += Emit(Udp(client, resolver, port, 53, len, toServer: true));
        ReadOnlySpan<IpAddr> answers = rcode == DnsRcode.NoError ? [WebServer(), WebServer()] : [];
        len = FrameBuilder.WriteDnsResponse(_frame.AsSpan(DnsOffset), id, name, DnsType.A, rcode, answers);
        bytes += Emit(Udp(resolver, client, 53, port, len, toServer: false));
        return bytes;
    }

    private long DnsPortUnreachable()
    {
        var client = Client();
        var resolver = IpAddr.FromV4(0xCB00_7102); // 203.0.113.2
        ushort port = (ushort)_random.Next(32768, 61000);
        ushort id = (ushort)_random.Next(65536);
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(DnsOffset), id, Names[_random.Next(4)], DnsType.A);
        int queryLength = Udp(client, resolver, port, 53, len, toServer: true);
        long bytes = Emit(queryLength);
        int ipLength = queryLength - FrameBuilder.EthernetHeaderLength;
        _frame.AsSpan(FrameBuilder.EthernetHeaderLength, ipLength).CopyTo(_quote);
        const int icmp = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
        int icmpLength = FrameBuilder.WriteIcmpError(_frame.AsSpan(icmp), 3, 3, _quote.AsSpan(0, ipLength));
        FrameBuilder.WriteIpv4(_frame.AsSpan(FrameBuilder.EthernetHeaderLength), resolver, client, IpProtocol.Icmp, icmpLength, _ipId++);
        FrameBuilder.WriteEthernet(_frame, _routerMac, _clientMac, EtherType.Ipv4);
        bytes += Emit(icmp + icmpLength);
        return bytes;
    }

    private long DnsUnanswered()
    {
        var client = Client();
        var resolver = IpAddr.FromV4(0xCB00_7103); // 203.0.113.3
        ushort port = (ushort)_random.Next(32768, 61000);
        ushort id = (ushort)_random.Next(65536);
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(DnsOffset), id, Names[_random.Next(4)], DnsType.A);
        return Emit(Udp(client, resolver, port, 53, len, toServer: true));
    }

    private long TcpSession()
    {
        var client = Client();
        var server = WebServer();
        ushort port = (ushort)_random.Next(32768, 61000);
        uint cseq = (uint)_random.Next();
        uint sseq = (uint)_random.Next();
        long bytes = 0;
        bytes += Emit(Tcp(client, server, port, 80, cseq, 0, TcpFlags.Syn, 0, true));
        bytes += Emit(Tcp(server, client, 80, port, sseq, cseq + 1, TcpFlags.Syn | TcpFlags.Ack, 0, false));
        bytes += Emit(Tcp(client, server, port, 80, cseq + 1, sseq + 1, TcpFlags.Ack, 0, true));
        HttpRequestTemplate.CopyTo(_frame.AsSpan(TcpPayloadOffset));
        int req = HttpRequestTemplate.Length;
        bytes += Emit(Tcp(client, server, port, 80, cseq + 1, sseq + 1, TcpFlags.Psh | TcpFlags.Ack, req, true));
        int segments = 1 + _random.Next(6);
        uint s = sseq + 1;
        for (int i = 0; i < segments; i++)
        {
            _random.NextBytes(_frame.AsSpan(TcpPayloadOffset, 1400));
            bytes += Emit(Tcp(server, client, 80, port, s, cseq + 1 + (uint)req, TcpFlags.Ack, 1400, false));
            s += 1400;
        }
        bytes += Emit(Tcp(client, server, port, 80, cseq + 1 + (uint)req, s, TcpFlags.Fin | TcpFlags.Ack, 0, true));
        bytes += Emit(Tcp(server, client, 80, port, s, cseq + 2 + (uint)req, TcpFlags.Fin | TcpFlags.Ack, 0, false));
        bytes += Emit(Tcp(client, server, port, 80, cseq + 2 + (uint)req, s + 1, TcpFlags.Ack, 0, true));
        return bytes;
    }

    private long TcpRefused()
    {
        var client = Client();
        var server = WebServer();
        ushort port = (ushort)_random.Next(32768, 61000);
        uint cseq = (uint)_random.Next();
        long bytes = Emit(Tcp(client, server, port, 443, cseq, 0, TcpFlags.Syn, 0, true));
        bytes += Emit(Tcp(server, client, 443, port, 0, cseq + 1, TcpFlags.Rst | TcpFlags.Ack, 0, false));
        return bytes;
    }

    private long TcpUnanswered()
    {
        var client = Client();
        var server = IpAddr.FromV4(0xC633_64FE); // 198.51.100.254
        ushort port = (ushort)_random.Next(32768, 61000);
        uint cseq = (uint)_random.Next();
        long bytes = 0;
        for (int i = 0; i < 3; i++)
        {
            bytes += Emit(Tcp(client, server, port, 443, cseq, 0, TcpFlags.Syn, 0, true));
        }
        return bytes;
    }
}
