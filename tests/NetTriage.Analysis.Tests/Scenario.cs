using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Tracking;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// Builds a capture byte by byte with the project's own packet writer (Ethernet/IPv4, real checksums), then
/// analyses it: each test states its traffic as a short script of packets at given times.
/// </summary>
internal sealed class Scenario
{
    private readonly MemoryStream _stream = new();
    private readonly PcapWriter _writer;
    private readonly byte[] _frame = new byte[1600];
    private byte[] _lastIp = [];
    private long _now = new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
    private ushort _ipId = 100;
    private MacAddress? _gateway;
    private string _local = "";

    public Scenario() => _writer = new PcapWriter(_stream, LinkType.Ethernet, leaveOpen: true);

    public int Packets => (int)_writer.PacketsWritten;

    /// <summary>Moves the clock forward.</summary>
    public Scenario After(double seconds)
    {
        _now += (long)(seconds * PacketTimestamp.NanosPerSecond);
        return this;
    }

    public Scenario Query(string client, ushort port, string server, ushort id, string name, ushort type = DnsType.A)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(dns), id, name, type);
        return Udp(client, port, server, 53, len);
    }

    /// <summary>A multicast DNS query (RFC 6762) from <paramref name="client"/> port 5353 to 224.0.0.251.</summary>
    public Scenario MulticastQuery(string client, string name, ushort type = DnsType.PTR)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(dns), 0, name, type);
        return Udp(client, DnsPorts.Mdns, "224.0.0.251", DnsPorts.Mdns, len);
    }

    /// <summary>
    /// A NetBIOS name service query (RFC 1002 4.2.12) from port 137 to port 137: DNS's message format, the name first-level
    /// encoded (<paramref name="encodedName"/>, 32 letters), type NB (0x20) or NBSTAT (0x21).
    /// </summary>
    public Scenario NetbiosQuery(string client, string destination, ushort id, string encodedName, ushort type = 0x20)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(dns), id, encodedName, type);
        return Udp(client, DnsPorts.NetbiosNameService, destination, DnsPorts.NetbiosNameService, len);
    }

    public Scenario Response(string server, string client, ushort port, ushort id, string name, int rcode = 0, params string[] addresses) =>
        Answer(server, client, port, id, name, rcode, addresses);

    /// <summary>A DNS response with its DNS TTL (of every record) and its IP TTL chosen: a forger's answer differs in both.</summary>
    public Scenario Answer(string server, string client, ushort port, ushort id, string name, int rcode = 0, string[]? addresses = null, uint ttl = 300, byte ipTtl = 64)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        var list = (addresses ?? []).Select(IpAddr.Parse).ToArray();
        int len = FrameBuilder.WriteDnsResponse(_frame.AsSpan(dns), id, name, DnsType.A, rcode, list, ttl);
        return Udp(server, 53, client, port, len, ipTtl);
    }

    /// <summary>
    /// A request of another opcode than QUERY (NOTIFY 4, UPDATE 5, IQUERY 1, STATUS 2) for <paramref name="zone"/>, as its one
    /// question or zone entry of type SOA (RFC 1996 3.7, RFC 2136 2.3).
    /// </summary>
    public Scenario Request(string client, ushort port, string server, ushort id, int opcode, string zone)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(dns), id, zone, DnsType.SOA, recursionDesired: false);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(dns + 2), (ushort)(opcode << 11));
        return Udp(client, port, server, 53, len);
    }

    /// <summary>The response to <see cref="Request"/>: the same opcode and zone, with <paramref name="rcode"/>.</summary>
    public Scenario RequestAnswer(string server, string client, ushort port, ushort id, int opcode, string zone, int rcode)
    {
        const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        int len = FrameBuilder.WriteDnsQuery(_frame.AsSpan(dns), id, zone, DnsType.SOA, recursionDesired: false);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(dns + 2), (ushort)(0x8000 | (opcode << 11) | (rcode & 0xF)));
        return Udp(server, 53, client, port, len);
    }

    /// <summary>A UDP datagram with <paramref name="payload"/> bytes of zeros.</summary>
    public Scenario Datagram(string src, ushort sport, string dst, ushort dport, int payload)
    {
        const int data = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        _frame.AsSpan(data, payload).Clear();
        return Udp(src, sport, dst, dport, payload);
    }

    private Scenario Udp(string src, ushort sport, string dst, ushort dport, int payload, byte ipTtl = 64)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int udp = ip + FrameBuilder.Ipv4HeaderLength;
        var s = IpAddr.Parse(src);
        var d = IpAddr.Parse(dst);
        FrameBuilder.WriteUdpV4(_frame.AsSpan(udp), s, d, sport, dport, payload);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), s, d, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + payload, _ipId++, ipTtl);
        return Emit(udp + FrameBuilder.UdpHeaderLength + payload);
    }

    /// <summary>A packet between two bystanders (NTP): the capture goes on, and nothing else changes.</summary>
    public Scenario Bystander()
    {
        const int ntp = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        _frame.AsSpan(ntp, 48).Clear();
        _frame[ntp] = 0x23; // NTPv4 client (RFC 5905 7.3)
        return Udp("10.9.9.9", 123, "10.9.9.10", 123, 48);
    }

    public Scenario Tcp(string src, ushort sport, string dst, ushort dport, TcpFlags flags, uint seq, uint ack = 0, int payload = 0)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int tcp = ip + FrameBuilder.Ipv4HeaderLength;
        var s = IpAddr.Parse(src);
        var d = IpAddr.Parse(dst);
        _frame.AsSpan(tcp + FrameBuilder.TcpHeaderLength, payload).Fill((byte)'x');
        FrameBuilder.WriteTcpV4(_frame.AsSpan(tcp), s, d, sport, dport, seq, ack, flags, 64240, payload);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), s, d, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + payload, _ipId++);
        return Emit(tcp + FrameBuilder.TcpHeaderLength + payload);
    }

    /// <summary>A pure ACK advertising <paramref name="window"/> (0: a receiver whose buffer is full).</summary>
    public Scenario TcpWindow(string src, ushort sport, string dst, ushort dport, uint seq, uint ack, ushort window)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int tcp = ip + FrameBuilder.Ipv4HeaderLength;
        var s = IpAddr.Parse(src);
        var d = IpAddr.Parse(dst);
        FrameBuilder.WriteTcpV4(_frame.AsSpan(tcp), s, d, sport, dport, seq, ack, TcpFlags.Ack, window, 0);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), s, d, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength, _ipId++);
        return Emit(tcp + FrameBuilder.TcpHeaderLength);
    }

    /// <summary>A TCP segment (PSH, ACK) carrying <paramref name="data"/> as its payload.</summary>
    public Scenario TcpData(string src, ushort sport, string dst, ushort dport, byte[] data, uint seq, uint ack)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int tcp = ip + FrameBuilder.Ipv4HeaderLength;
        var s = IpAddr.Parse(src);
        var d = IpAddr.Parse(dst);
        data.CopyTo(_frame.AsSpan(tcp + FrameBuilder.TcpHeaderLength));
        FrameBuilder.WriteTcpV4(_frame.AsSpan(tcp), s, d, sport, dport, seq, ack, TcpFlags.Psh | TcpFlags.Ack, 64240, data.Length);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), s, d, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + data.Length, _ipId++);
        return Emit(tcp + FrameBuilder.TcpHeaderLength + data.Length);
    }

    /// <summary>A TCP segment (PSH, ACK) carrying <paramref name="text"/> as its payload (an HTTP message, an FTP reply).</summary>
    public Scenario TcpText(string src, ushort sport, string dst, ushort dport, string text, uint seq = 1000, uint ack = 1000)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int tcp = ip + FrameBuilder.Ipv4HeaderLength;
        var s = IpAddr.Parse(src);
        var d = IpAddr.Parse(dst);
        int payload = System.Text.Encoding.ASCII.GetBytes(text, _frame.AsSpan(tcp + FrameBuilder.TcpHeaderLength));
        FrameBuilder.WriteTcpV4(_frame.AsSpan(tcp), s, d, sport, dport, seq, ack, TcpFlags.Psh | TcpFlags.Ack, 64240, payload);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), s, d, IpProtocol.Tcp, FrameBuilder.TcpHeaderLength + payload, _ipId++);
        return Emit(tcp + FrameBuilder.TcpHeaderLength + payload);
    }

    /// <summary>
    /// An ICMP echo request (RFC 792) from <paramref name="src"/> to <paramref name="dst"/>: 56 bytes of zeros as data
    /// unless <paramref name="data"/> is given.
    /// </summary>
    public Scenario Echo(string src, string dst, ushort sequence, bool reply = false, byte[]? data = null)
    {
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int icmp = ip + FrameBuilder.Ipv4HeaderLength;
        int length = FrameBuilder.IcmpHeaderLength + (data?.Length ?? 56);
        var message = _frame.AsSpan(icmp, length);
        message.Clear();
        data?.CopyTo(message[FrameBuilder.IcmpHeaderLength..]);
        message[0] = (byte)(reply ? 0 : 8); // echo reply or request
        message[4] = 0x12;
        message[5] = 0x34;
        message[6] = (byte)(sequence >> 8);
        message[7] = (byte)sequence;
        ushort checksum = FrameBuilder.InternetChecksum(message, 0);
        message[2] = (byte)(checksum >> 8);
        message[3] = (byte)checksum;
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), IpAddr.Parse(src), IpAddr.Parse(dst), IpProtocol.Icmp, length, _ipId++);
        return Emit(icmp + length);
    }

    /// <summary>An ICMP error from <paramref name="sender"/> quoting the last packet sent, cut to <paramref name="quote"/> bytes.</summary>
    public Scenario IcmpError(string sender, byte type, byte code, int quote = 548)
    {
        var quoted = _lastIp;
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int icmp = ip + FrameBuilder.Ipv4HeaderLength;
        // The error goes back to the quoted packet's source (bytes 12..15 of its IPv4 header).
        var client = IpAddr.FromV4(quoted.AsSpan(12, 4));
        int len = FrameBuilder.WriteIcmpError(_frame.AsSpan(icmp), type, code, quoted, quote);
        FrameBuilder.WriteIpv4(_frame.AsSpan(ip), IpAddr.Parse(sender), client, IpProtocol.Icmp, len, _ipId++);
        return Emit(icmp + len, keepAsQuote: false);
    }

    /// <summary>
    /// An Ethernet/IPv4 ARP message (RFC 826): <paramref name="reply"/> or a request, sent by <paramref name="senderMac"/>
    /// claiming <paramref name="senderIp"/>; a reply goes to the target's MAC, a request to broadcast.
    /// </summary>
    public Scenario Arp(bool reply, ulong senderMac, string senderIp, ulong targetMac, string targetIp)
    {
        const int arp = FrameBuilder.EthernetHeaderLength;
        var m = _frame.AsSpan(arp, 28);
        m.Clear();
        m[1] = 1;    // hardware type Ethernet
        m[2] = 0x08; // protocol type IPv4
        m[4] = 6;
        m[5] = 4;
        m[7] = (byte)(reply ? 2 : 1);
        WriteMac(m[8..], senderMac);
        IpAddr.Parse(senderIp).WriteBytes(m[14..]);
        WriteMac(m[18..], reply ? targetMac : 0);
        IpAddr.Parse(targetIp).WriteBytes(m[24..]);
        FrameBuilder.WriteEthernet(_frame, new MacAddress(senderMac), new MacAddress(reply ? targetMac : 0xFFFF_FFFF_FFFF), EtherType.Arp);
        _writer.Write(new PacketTimestamp(_now, TimestampKind.Absolute), _frame.AsSpan(0, arp + 28));
        _now += 1_000_000;
        return this;

        static void WriteMac(Span<byte> to, ulong mac)
        {
            for (int i = 0; i < 6; i++) to[i] = (byte)(mac >> (8 * (5 - i)));
        }
    }

    private int? _snap;

    /// <summary>The next packet is captured only up to <paramref name="bytes"/> bytes of its frame (a snap length).</summary>
    /// <summary>
    /// From now on, addresses that do not start with <paramref name="localPrefix"/> are off-link: packets to them are
    /// framed to <paramref name="mac"/>, and packets from them come framed from it, as a gateway forwards them.
    /// Without it every host is on one link, each with a hardware address of its own (02:00 and its IPv4 address).
    /// </summary>
    public Scenario Gateway(ulong mac, string localPrefix)
    {
        _gateway = new MacAddress(mac);
        _local = localPrefix;
        return this;
    }

    private MacAddress MacOf(ReadOnlySpan<byte> ipv4)
    {
        var ip = IpAddr.FromV4(ipv4);
        if (_gateway is { } gateway && !ip.ToString().StartsWith(_local, StringComparison.Ordinal)) return gateway;
        return new MacAddress(0x02_00_00_00_00_00UL | ip.V4Value);
    }

    public Scenario Snapped(int bytes)
    {
        _snap = bytes;
        return this;
    }

    private bool _badIpChecksum, _badTransportChecksum;

    /// <summary>The next packet goes out with a wrong IPv4 header checksum, or a wrong TCP or UDP checksum.</summary>
    public Scenario BadChecksum(bool ipHeader)
    {
        if (ipHeader) _badIpChecksum = true;
        else _badTransportChecksum = true;
        return this;
    }

    private Scenario Emit(int length, bool keepAsQuote = true)
    {
        const int ip = FrameBuilder.EthernetHeaderLength, transport = ip + FrameBuilder.Ipv4HeaderLength;
        if (_badIpChecksum) _frame[ip + 10] ^= 0x5A;
        if (_badTransportChecksum) _frame[transport + (_frame[ip + 9] == IpProtocol.Tcp ? 16 : 6)] ^= 0x5A;
        _badIpChecksum = _badTransportChecksum = false;
        var ipHeader = _frame.AsSpan(FrameBuilder.EthernetHeaderLength);
        FrameBuilder.WriteEthernet(_frame, MacOf(ipHeader.Slice(12, 4)), MacOf(ipHeader.Slice(16, 4)), EtherType.Ipv4);
        if (keepAsQuote) _lastIp = _frame.AsSpan(FrameBuilder.EthernetHeaderLength, length - FrameBuilder.EthernetHeaderLength).ToArray();
        if (_snap is { } snap && snap < length) _writer.Write(new PacketTimestamp(_now, TimestampKind.Absolute), _frame.AsSpan(0, snap), length);
        else _writer.Write(new PacketTimestamp(_now, TimestampKind.Absolute), _frame.AsSpan(0, length));
        _snap = null;
        _now += 1_000_000; // 1 ms between packets unless told otherwise
        return this;
    }

    public byte[] Bytes()
    {
        _stream.Flush();
        return _stream.ToArray();
    }

    /// <summary>Only the track stage, packet by packet (<paramref name="afterEach"/> looks at the tracker after each), without finishing.</summary>
    internal TrafficTracker Track(AnalysisOptions? options = null, Action<TrafficTracker>? afterEach = null)
    {
        options ??= new AnalysisOptions();
        var tracker = new TrafficTracker(options, new FailureRecorder(options));
        using var source = CaptureOpener.Open(new MemoryStream(Bytes()), "scenario.pcap");
        var packet = new DecodedPacket();
        while (source.TryRead(packet))
        {
            tracker.Observe(packet, 0);
            afterEach?.Invoke(tracker);
        }
        return tracker;
    }

    public AnalysisReport Analyze(AnalysisOptions? options = null)
    {
        var analyzer = new Analyzer(options);
        using var source = CaptureOpener.Open(new MemoryStream(Bytes()), "scenario.pcap");
        analyzer.Read(source);
        return analyzer.Finish();
    }
}
