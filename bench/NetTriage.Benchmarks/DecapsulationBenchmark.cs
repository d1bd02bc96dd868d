using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>
/// What the analysis opens before it tracks: GRE, VXLAN and Geneve decapsulation, IPv4 reassembly (a datagram in two
/// fragments), and DNS over TCP read across segments (a length prefix sent alone, then its message). Each frame kind is
/// its own capture of <see cref="Packets"/> frames held in memory and read through the binary source with the
/// analysis's options; BenchmarkDotNet reports time and allocated bytes per packet, which must be 0 in steady state
/// (the source's own objects, made once per invocation, are spread over the 100,000 packets).
/// </summary>
[MemoryDiagnoser]
public class DecapsulationBenchmark
{
    public const int Packets = 100_000;

    [Params("plain", "gre", "vxlan", "geneve", "ipv4-fragments", "dns-tcp-split")]
    public string Kind { get; set; } = "plain";

    private byte[] _capture = [];
    private readonly DecodedPacket _packet = new() { DecodeTunnels = true, ReassembleFragments = true, ReassembleDnsOverTcp = true };

    private static readonly IpAddr OuterA = IpAddr.Parse("192.0.2.1"), OuterB = IpAddr.Parse("192.0.2.2");
    private static readonly IpAddr Client = IpAddr.Parse("10.1.1.1"), Server = IpAddr.Parse("10.2.2.2");
    private static readonly MacAddress MacA = MacAddress.Read([2, 0, 0, 0, 0, 1]), MacB = MacAddress.Read([2, 0, 0, 0, 0, 2]);

    [GlobalSetup]
    public void Setup()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            var frame = new byte[4096];
            long seconds = 1_700_000_000;
            for (int i = 0; i < Packets;)
            {
                var time = PacketTimestamp.FromUnix(seconds + i / 1000, i % 1000 * 1000);
                foreach (int length in Frames(frame, i))
                {
                    writer.Write(time, frame.AsSpan(0, length));
                    i++;
                }
            }
        }
        _capture = stream.ToArray();
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long Read()
    {
        using var source = CaptureOpener.Open(new MemoryStream(_capture, writable: false), "bench");
        long inner = 0;
        while (source.TryRead(_packet))
        {
            if (_packet.Has(PacketLayers.Dns) || _packet.Tunnel.Depth > 0) inner++;
        }
        return inner;
    }

    /// <summary>Writes the next frame(s) of the kind into <paramref name="frame"/>, one at a time, yielding each length.</summary>
    private IEnumerable<int> Frames(byte[] frame, int i)
    {
        ushort port = (ushort)(20000 + i % 40000);
        switch (Kind)
        {
            case "plain":
                yield return Ethernet(frame, DnsDatagram(frame.AsSpan(14), Client, Server, port, (ushort)i));
                break;
            case "gre":
            {
                // GRE (RFC 2784): flags 0, protocol IPv4, then the datagram.
                var gre = frame.AsSpan(14 + 20);
                BinaryPrimitives.WriteUInt32BigEndian(gre, 0x0000_0800);
                int inner = DnsDatagram(gre[4..], Client, Server, port, (ushort)i);
                int n = FrameBuilder.WriteIpv4(frame.AsSpan(14), OuterA, OuterB, IpProtocol.Gre, 4 + inner, (ushort)i);
                yield return Ethernet(frame, n + 4 + inner);
                break;
            }
            case "vxlan":
            case "geneve":
            {
                // VXLAN (RFC 7348) or Geneve (RFC 8926) header of 8 bytes, an Ethernet frame, the datagram.
                bool vxlan = Kind == "vxlan";
                var udp = frame.AsSpan(14 + 20);
                var header = udp[8..];
                BinaryPrimitives.WriteUInt32BigEndian(header, vxlan ? 0x0800_0000u : 0x0000_6558u);
                BinaryPrimitives.WriteUInt32BigEndian(header[4..], 42u << 8);
                int innerFrame = FrameBuilder.WriteEthernet(header[8..], MacA, MacB, EtherType.Ipv4);
                int inner = innerFrame + DnsDatagram(header[(8 + innerFrame)..], Client, Server, port, (ushort)i);
                FrameBuilder.WriteUdpV4(udp, OuterA, OuterB, 40000, (ushort)(vxlan ? 4789 : 6081), 8 + inner);
                int n = FrameBuilder.WriteIpv4(frame.AsSpan(14), OuterA, OuterB, IpProtocol.Udp, 8 + 8 + inner, (ushort)i);
                yield return Ethernet(frame, n + 8 + 8 + inner);
                break;
            }
            case "ipv4-fragments":
                // A 1,600-byte UDP datagram in two fragments (RFC 791): 1,480 bytes at offset 0 with MF, 128 at offset 185.
                yield return FirstFragment(frame, port, (ushort)i);
                yield return LastFragment(frame, (ushort)i);
                break;
            default:
                // DNS over TCP (RFC 7766 8): the 2-byte length alone, then the message, in sequence on one connection.
                yield return TcpPrefix(frame, port, (ushort)i);
                yield return TcpMessage(frame, port, (ushort)i);
                break;
        }
    }

    private const int FragmentedData = 1600, FirstFragmentLength = 1480;

    private static int FirstFragment(byte[] frame, ushort port, ushort id)
    {
        var ip = frame.AsSpan(14);
        ip.Slice(20 + 8, FragmentedData).Clear();
        FrameBuilder.WriteUdpV4(ip[20..], Client, Server, port, 9999, FragmentedData);
        FrameBuilder.WriteIpv4(ip, Client, Server, IpProtocol.Udp, FirstFragmentLength, id);
        Fragment(ip, moreFragments: true, offset: 0);
        return Ethernet(frame, 20 + FirstFragmentLength);
    }

    /// <summary>The rest of the datagram <see cref="FirstFragment"/> wrote (still in the buffer past the first fragment).</summary>
    private static int LastFragment(byte[] frame, ushort id)
    {
        var ip = frame.AsSpan(14);
        int rest = 8 + FragmentedData - FirstFragmentLength;
        ip.Slice(20 + FirstFragmentLength, rest).CopyTo(ip[20..]);
        FrameBuilder.WriteIpv4(ip, Client, Server, IpProtocol.Udp, rest, id);
        Fragment(ip, moreFragments: false, offset: FirstFragmentLength / 8);
        return Ethernet(frame, 20 + rest);
    }

    private const uint Sequence = 1000;

    private static int TcpPrefix(byte[] frame, ushort port, ushort id)
    {
        var tcp = frame.AsSpan(14 + 20);
        int message = FrameBuilder.WriteDnsQuery(tcp[(20 + 2)..], id, "www.example.test", 1);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[20..], (ushort)message);
        FrameBuilder.WriteTcpV4(tcp, Client, Server, port, 53, Sequence, 1, TcpFlags.Ack | TcpFlags.Psh, 64240, 2);
        return Ethernet(frame, FrameBuilder.WriteIpv4(frame.AsSpan(14), Client, Server, IpProtocol.Tcp, 20 + 2, id) + 20 + 2);
    }

    private static int TcpMessage(byte[] frame, ushort port, ushort id)
    {
        var tcp = frame.AsSpan(14 + 20);
        int message = FrameBuilder.WriteDnsQuery(tcp[20..], id, "www.example.test", 1);
        FrameBuilder.WriteTcpV4(tcp, Client, Server, port, 53, Sequence + 2, 1, TcpFlags.Ack | TcpFlags.Psh, 64240, message);
        return Ethernet(frame, FrameBuilder.WriteIpv4(frame.AsSpan(14), Client, Server, IpProtocol.Tcp, 20 + message, id) + 20 + message);
    }

    private static int Ethernet(byte[] frame, int ipLength) => FrameBuilder.WriteEthernet(frame, MacA, MacB, EtherType.Ipv4) + ipLength;

    /// <summary>An IPv4 datagram carrying a DNS query; returns its length.</summary>
    private static int DnsDatagram(Span<byte> ip, IpAddr source, IpAddr target, ushort port, ushort id)
    {
        int dns = FrameBuilder.WriteDnsQuery(ip[28..], id, "www.example.test", 1);
        FrameBuilder.WriteUdpV4(ip[20..], source, target, port, 53, dns);
        return FrameBuilder.WriteIpv4(ip, source, target, IpProtocol.Udp, 8 + dns, id) + 8 + dns;
    }

    /// <summary>Sets the fragment fields of the IPv4 header at <paramref name="ip"/> and its checksum again.</summary>
    private static void Fragment(Span<byte> ip, bool moreFragments, int offset)
    {
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], (ushort)((moreFragments ? 0x2000 : 0) | offset));
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], FrameBuilder.InternetChecksum(ip[..20], 0));
    }
}
