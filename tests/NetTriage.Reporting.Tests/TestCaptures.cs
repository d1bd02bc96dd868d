using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Captures made with the project's own packet writer (<see cref="FrameBuilder"/>), in memory, and the analysis of
/// any input by name. Addresses are from the documentation ranges (RFC 5737).
/// </summary>
internal static class TestCaptures
{
    public static readonly IpAddr Client = IpAddr.Parse("192.51.100.15");
    public static readonly IpAddr DnsServer = IpAddr.Parse("203.0.113.2");
    public static readonly IpAddr Resolver = IpAddr.Parse("192.0.2.53");
    public static readonly IpAddr WebServer = IpAddr.Parse("198.51.100.80");

    /// <summary>Names that would do harm if any renderer let them through unescaped.</summary>
    public static readonly string[] HostileNames =
    [
        "<script>document.title='PWNED'</script>.example",
        "\"><img src=x onerror=document.title='PWNED'>.example",
        "[click](javascript:alert(1)).example",
        "\u001b[31mred\u001b[0m.example",
        "evil\u00E2\u0080\u00AEgnp.exe.example",
        "`` ```fence.example",
        "|cell|break|.www.evil.example",
        new string('a', 63) + "." + new string('b', 63) + "." + new string('c', 63) + ".long.example",
    ];

    /// <summary>The seed incident as shipped (samples/), read under its repository path so reports are the same everywhere.</summary>
    public static AnalysisReport Sample(string file)
    {
        var path = Path.Combine(TestPaths.Samples, file);
        return Analyze(File.ReadAllBytes(path), "samples/" + file);
    }

    public static AnalysisReport Analyze(byte[] input, string name)
    {
        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(new MemoryStream(input), name))
        {
            analyzer.Read(source);
        }
        return analyzer.Finish();
    }

    /// <summary>Each hostile name queried from <see cref="Client"/> to <see cref="DnsServer"/>, answered with ICMP port unreachable.</summary>
    public static byte[] HostileNamesPcap()
    {
        var b = new Builder();
        ushort id = 100;
        foreach (var name in HostileNames)
        {
            var query = b.DnsQuery(Client, DnsServer, 50000, id++, name);
            b.Advance(0.2);
            b.IcmpUnreachable(DnsServer, Client, 3, query);
            b.Advance(1);
        }
        return b.ToArray();
    }

    /// <summary>
    /// tcpdump text whose query names hold raw '&lt;', '&gt;', '"', '[', '`' and '|' (tcpdump prints such bytes as they are),
    /// each answered with ICMP port unreachable: unlike a binary capture, nothing is \DDD-escaped on the way in.
    /// </summary>
    public static byte[] HostileNamesText()
    {
        string[] names =
        [
            "<script>document.title='PWNED'</script>.example.",
            "\"><img/src=x/onerror=document.title='PWNED'>.example.",
            "<img\tsrc=x\tonerror=alert(1)>.example.",
            "[click](javascript:alert(1)).example.",
            "`code`|pipe|**bold**_x_.example.",
            "#heading-like.www.evil.example.",
        ];
        var lines = new List<string>();
        int second = 10;
        ushort id = 200;
        foreach (var name in names)
        {
            lines.Add($"13:24:{second:D2}.100000 IP 192.51.100.15.5{id} > 203.0.113.2.53: {id}+ A? {name} (40)");
            lines.Add($"13:24:{second:D2}.300000 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 68");
            second += 2;
            id++;
        }
        return System.Text.Encoding.Latin1.GetBytes(string.Join("\n", lines) + "\n");
    }

    /// <summary>A healthy exchange: a DNS query answered NOERROR, then a TCP connection opened and closed.</summary>
    public static byte[] HealthyPcap()
    {
        var client = IpAddr.Parse("192.0.2.10");
        var b = new Builder();
        b.DnsQuery(client, Resolver, 40000, 7, "www.example.com");
        b.Advance(0.012);
        b.DnsResponse(Resolver, client, 40000, 7, "www.example.com", WebServer);
        b.Advance(0.01);
        b.Tcp(client, WebServer, 41000, 443, 1000, 0, TcpFlags.Syn);
        b.Advance(0.02);
        b.Tcp(WebServer, client, 443, 41000, 5000, 1001, TcpFlags.Syn | TcpFlags.Ack);
        b.Advance(0.001);
        b.Tcp(client, WebServer, 41000, 443, 1001, 5001, TcpFlags.Ack);
        b.Advance(0.5);
        b.Tcp(client, WebServer, 41000, 443, 1001, 5001, TcpFlags.Fin | TcpFlags.Ack);
        b.Advance(0.02);
        b.Tcp(WebServer, client, 443, 41000, 5001, 1002, TcpFlags.Fin | TcpFlags.Ack);
        b.Advance(0.001);
        b.Tcp(client, WebServer, 41000, 443, 1002, 5002, TcpFlags.Ack);
        return b.ToArray();
    }

    /// <summary>Two failures: the seed's DNS server answers port unreachable, and a web server refuses port 80 with RST.</summary>
    public static byte[] TwoIncidentsPcap()
    {
        var b = new Builder();
        for (int i = 0; i < 3; i++)
        {
            var query = b.DnsQuery(Client, DnsServer, 52444, 35084, "yummyrecipesforme.com");
            b.Advance(0.5);
            b.IcmpUnreachable(DnsServer, Client, 3, query);
            b.Advance(20);
        }
        for (int i = 0; i < 3; i++)
        {
            ushort port = (ushort)(43000 + i);
            b.Tcp(Client, WebServer, port, 80, 7000, 0, TcpFlags.Syn);
            b.Advance(0.03);
            b.Tcp(WebServer, Client, 80, port, 0, 7001, TcpFlags.Rst | TcpFlags.Ack);
            b.Advance(5);
        }
        return b.ToArray();
    }

    /// <summary>Writes frames (Ethernet II, IPv4) into an in-memory pcap, advancing a capture clock.</summary>
    internal sealed class Builder
    {
        private static readonly MacAddress MacA = new(0x02_00_00_00_00_0A);
        private static readonly MacAddress MacB = new(0x02_00_00_00_00_0B);
        private readonly MemoryStream _stream = new();
        private readonly PcapWriter _writer;
        private readonly byte[] _frame = new byte[1514];
        private long _now = new DateTimeOffset(2024, 5, 6, 9, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
        private ushort _ipId = 1;

        public Builder() => _writer = new PcapWriter(_stream, LinkType.Ethernet, leaveOpen: true);

        public void Advance(double seconds) => _now += (long)(seconds * PacketTimestamp.NanosPerSecond);

        /// <summary>Writes a DNS query and returns its IP packet (for an ICMP error to quote).</summary>
        public byte[] DnsQuery(IpAddr source, IpAddr target, ushort sourcePort, ushort id, string name) =>
            Udp(source, target, sourcePort, 53, span => FrameBuilder.WriteDnsQuery(span, id, name, DnsType.A));

        public byte[] DnsResponse(IpAddr source, IpAddr target, ushort targetPort, ushort id, string name, IpAddr answer) =>
            Udp(source, target, 53, targetPort, span => FrameBuilder.WriteDnsResponse(span, id, name, DnsType.A, 0, [answer]));

        public void IcmpUnreachable(IpAddr source, IpAddr target, byte code, byte[] quoted)
        {
            Span<byte> frame = _frame;
            const int icmpStart = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
            int length = FrameBuilder.WriteIcmpError(frame[icmpStart..], 3, code, quoted);
            FrameBuilder.WriteIpv4(frame[FrameBuilder.EthernetHeaderLength..], source, target, IpProtocol.Icmp, length, _ipId++);
            FrameBuilder.WriteEthernet(frame, MacB, MacA, EtherType.Ipv4);
            Write(frame[..(icmpStart + length)]);
        }

        public void Tcp(IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, uint sequence, uint acknowledgment, TcpFlags flags)
        {
            Span<byte> frame = _frame;
            const int tcpStart = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
            FrameBuilder.WriteTcpV4(frame[tcpStart..], source, target, sourcePort, targetPort, sequence, acknowledgment, flags, 64240, 0);
            FrameBuilder.WriteIpv4(frame[FrameBuilder.EthernetHeaderLength..], source, target, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength, _ipId++);
            FrameBuilder.WriteEthernet(frame, MacA, MacB, EtherType.Ipv4);
            Write(frame[..(tcpStart + FrameBuilder.TcpHeaderLength)]);
        }

        /// <summary>A TCP segment carrying <paramref name="payload"/> (PSH|ACK unless other flags are given).</summary>
        public void TcpData(IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, uint sequence, uint acknowledgment,
            ReadOnlySpan<byte> payload, TcpFlags flags = TcpFlags.Psh | TcpFlags.Ack)
        {
            Span<byte> frame = _frame;
            const int tcpStart = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength;
            const int payloadStart = tcpStart + FrameBuilder.TcpHeaderLength;
            payload.CopyTo(frame[payloadStart..]);
            FrameBuilder.WriteTcpV4(frame[tcpStart..], source, target, sourcePort, targetPort, sequence, acknowledgment, flags, 64240, payload.Length);
            FrameBuilder.WriteIpv4(frame[FrameBuilder.EthernetHeaderLength..], source, target, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + payload.Length, _ipId++);
            FrameBuilder.WriteEthernet(frame, MacA, MacB, EtherType.Ipv4);
            Write(frame[..(payloadStart + payload.Length)]);
        }

        private byte[] Udp(IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, Func<byte[], int> payload)
        {
            const int ipStart = FrameBuilder.EthernetHeaderLength;
            const int udpStart = ipStart + FrameBuilder.Ipv4HeaderLength;
            const int payloadStart = udpStart + FrameBuilder.UdpHeaderLength;
            var body = new byte[1400];
            int length = payload(body);
            Span<byte> frame = _frame;
            body.AsSpan(0, length).CopyTo(frame[payloadStart..]);
            FrameBuilder.WriteUdpV4(frame[udpStart..], source, target, sourcePort, targetPort, length);
            FrameBuilder.WriteIpv4(frame[ipStart..], source, target, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + length, _ipId++);
            FrameBuilder.WriteEthernet(frame, MacA, MacB, EtherType.Ipv4);
            Write(frame[..(payloadStart + length)]);
            return frame[ipStart..(payloadStart + length)].ToArray();
        }

        private void Write(ReadOnlySpan<byte> frame) => _writer.Write(new PacketTimestamp(_now, TimestampKind.Absolute), frame);

        public byte[] ToArray()
        {
            _writer.Dispose();
            return _stream.ToArray();
        }
    }
}
