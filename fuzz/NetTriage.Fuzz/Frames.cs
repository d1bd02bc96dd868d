using System.Buffers.Binary;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Fuzz;

/// <summary>
/// Wraps fuzzed DNS messages and ICMP quotes in well-formed Ethernet/IP frames, written as a small pcap in
/// memory with the project's own writers, so the bytes travel the whole path a capture takes.
/// </summary>
internal static class Frames
{
    /// <summary>Largest payload wrapped: an IPv4 datagram holds at most 65535 bytes (RFC 791 3.1).</summary>
    public const int MaxPayload = 65_000;

    private const int Ethernet = FrameBuilder.EthernetHeaderLength;
    private const int Ipv4 = FrameBuilder.Ipv4HeaderLength;
    private const int Ipv6HeaderLength = 40;
    private const ushort ClientPort = 40_000;
    private const ushort DnsPort = 53;
    private const ushort QueryId = 0x1234;
    private const string QueryName = "www.example.com";
    private const byte IcmpV6 = 58;

    public static readonly IpAddr Client = IpAddr.Parse("192.0.2.10");
    public static readonly IpAddr Server = IpAddr.Parse("192.0.2.53");
    private static readonly MacAddress ClientMac = new(0x02_00_00_00_00_0A);
    private static readonly MacAddress RouterMac = new(0x02_00_00_00_00_01);
    private static readonly byte[] ClientV6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a];
    private static readonly byte[] ServerV6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35];

    /// <summary>ICMPv4 errors the ICMP target chooses from: unreachable (net, host, protocol, port, needs
    /// fragmentation, admin prohibited), time exceeded, parameter problem (RFC 792, RFC 1812 5.2.7.1).</summary>
    private static readonly (byte Type, byte Code)[] IcmpV4Errors = [(3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (3, 13), (11, 0), (12, 0)];

    private static readonly PacketTimestamp First = PacketTimestamp.FromUnix(1_700_000_000, 0);
    private static readonly PacketTimestamp Second = PacketTimestamp.FromUnix(1_700_000_000, 25_000_000);

    /// <summary>The message with its two-byte length prefix (RFC 1035 4.2.2).</summary>
    public static byte[] WithTcpLengthPrefix(ReadOnlySpan<byte> message)
    {
        var bytes = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)message.Length);
        message.CopyTo(bytes.AsSpan(2));
        return bytes;
    }

    /// <summary>A pcap of a DNS exchange in which <paramref name="message"/> is the query or the response.</summary>
    public static byte[] DnsExchange(ReadOnlySpan<byte> message, bool overTcp, bool fromServer)
    {
        Span<byte> wellFormed = stackalloc byte[512];
        int n = fromServer
            ? FrameBuilder.WriteDnsQuery(wellFormed, QueryId, QueryName, 1)
            : FrameBuilder.WriteDnsResponse(wellFormed, QueryId, QueryName, 1, 0, [Server]);
        ReadOnlySpan<byte> payload = overTcp ? WithTcpLengthPrefix(message) : message;
        ReadOnlySpan<byte> other = overTcp ? WithTcpLengthPrefix(wellFormed[..n]) : wellFormed[..n];
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            var buffer = new byte[Ethernet + Ipv4 + FrameBuilder.TcpHeaderLength + MaxPayload];
            if (fromServer)
            {
                writer.Write(First, Frame(buffer, other, overTcp, toServer: true));
                writer.Write(Second, Frame(buffer, payload, overTcp, toServer: false));
            }
            else
            {
                writer.Write(First, Frame(buffer, payload, overTcp, toServer: true));
                writer.Write(Second, Frame(buffer, other, overTcp, toServer: false));
            }
        }
        return stream.ToArray();
    }

    /// <summary>A pcap of a well-formed DNS query, then an ICMP error (chosen by <paramref name="mode"/>) quoting <paramref name="quote"/>.</summary>
    public static byte[] IcmpError(ReadOnlySpan<byte> quote, byte mode)
    {
        var buffer = new byte[Ethernet + Ipv6HeaderLength + FrameBuilder.IcmpHeaderLength + MaxPayload];
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            Span<byte> query = stackalloc byte[512];
            int n = FrameBuilder.WriteDnsQuery(query, QueryId, QueryName, 1);
            writer.Write(First, Frame(buffer, query[..n], overTcp: false, toServer: true));
            writer.Write(Second, (mode & 8) != 0 ? Icmpv6Frame(buffer, quote, mode) : Icmpv4Frame(buffer, quote, mode));
        }
        return stream.ToArray();
    }

    /// <summary>Ethernet / IPv4 / UDP or TCP between the client and the server, carrying <paramref name="payload"/>.</summary>
    private static ReadOnlySpan<byte> Frame(byte[] buffer, ReadOnlySpan<byte> payload, bool overTcp, bool toServer)
    {
        var (source, target) = toServer ? (Client, Server) : (Server, Client);
        var (sourcePort, targetPort) = toServer ? (ClientPort, DnsPort) : (DnsPort, ClientPort);
        var (sourceMac, targetMac) = toServer ? (ClientMac, RouterMac) : (RouterMac, ClientMac);
        var span = buffer.AsSpan();
        FrameBuilder.WriteEthernet(span, sourceMac, targetMac, EtherType.Ipv4);
        int transport = overTcp ? FrameBuilder.TcpHeaderLength : FrameBuilder.UdpHeaderLength;
        payload.CopyTo(span[(Ethernet + Ipv4 + transport)..]);
        if (overTcp)
        {
            FrameBuilder.WriteTcpV4(span[(Ethernet + Ipv4)..], source, target, sourcePort, targetPort, 1000, 2000,
                TcpFlags.Psh | TcpFlags.Ack, 65535, payload.Length);
        }
        else
        {
            FrameBuilder.WriteUdpV4(span[(Ethernet + Ipv4)..], source, target, sourcePort, targetPort, payload.Length);
        }
        FrameBuilder.WriteIpv4(span[Ethernet..], source, target, overTcp ? IpProtocol.Tcp : IpProtocol.Udp, transport + payload.Length, 1);
        return span[..(Ethernet + Ipv4 + transport + payload.Length)];
    }

    private static ReadOnlySpan<byte> Icmpv4Frame(byte[] buffer, ReadOnlySpan<byte> quote, byte mode)
    {
        var (type, code) = IcmpV4Errors[mode & 7];
        var span = buffer.AsSpan();
        FrameBuilder.WriteEthernet(span, RouterMac, ClientMac, EtherType.Ipv4);
        int icmp = FrameBuilder.WriteIcmpError(span[(Ethernet + Ipv4)..], type, code, quote, quote.Length);
        FrameBuilder.WriteIpv4(span[Ethernet..], Server, Client, IpProtocol.Icmp, icmp, 2);
        return span[..(Ethernet + Ipv4 + icmp)];
    }

    /// <summary>Ethernet / IPv6 / ICMPv6 destination unreachable (type 1) or time exceeded (type 3), RFC 4443 3.1 and 3.3.</summary>
    private static ReadOnlySpan<byte> Icmpv6Frame(byte[] buffer, ReadOnlySpan<byte> quote, byte mode)
    {
        var span = buffer.AsSpan();
        FrameBuilder.WriteEthernet(span, RouterMac, ClientMac, EtherType.Ipv6);
        var ip = span[Ethernet..];
        int icmpLength = FrameBuilder.IcmpHeaderLength + quote.Length;
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);        // version 6, class 0, flow 0 (RFC 8200 3)
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)icmpLength);
        ip[6] = IcmpV6;
        ip[7] = 64;                                                    // hop limit
        ServerV6.CopyTo(ip[8..]);
        ClientV6.CopyTo(ip[24..]);
        var icmp = ip[Ipv6HeaderLength..];
        icmp[0] = (mode & 16) != 0 ? (byte)3 : (byte)1;
        icmp[1] = (byte)(mode & 7);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);          // checksum: not checked by the decoders
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], 0);          // unused
        quote.CopyTo(icmp[FrameBuilder.IcmpHeaderLength..]);
        return span[..(Ethernet + Ipv6HeaderLength + icmpLength)];
    }
}
