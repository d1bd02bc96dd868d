using System.Buffers.Binary;
using NetTriage.Packets;

namespace NetTriage.Capture.Writing;

/// <summary>
/// Builds well-formed frames byte by byte (Ethernet II, IPv4, UDP, DNS, ICMP errors quoting the packet
/// that caused them), with correct lengths and checksums. This is the project's own packet writer: it
/// makes the shipped samples and the benchmark captures, so no outside tool is needed to produce them.
/// </summary>
public static class FrameBuilder
{
    public const int EthernetHeaderLength = 14;
    public const int Ipv4HeaderLength = 20;
    public const int UdpHeaderLength = 8;
    public const int IcmpHeaderLength = 8;

    /// <summary>Writes an Ethernet II header (IEEE 802.3 clause 3.1) and returns its length.</summary>
    public static int WriteEthernet(Span<byte> destination, MacAddress source, MacAddress target, ushort etherType)
    {
        WriteMac(destination, target);
        WriteMac(destination[6..], source);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], etherType);
        return EthernetHeaderLength;
    }

    private static void WriteMac(Span<byte> destination, MacAddress mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(mac.Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)mac.Value);
    }

    /// <summary>Writes a 20-byte IPv4 header (RFC 791 3.1) with its checksum.</summary>
    public static int WriteIpv4(Span<byte> destination, IpAddr source, IpAddr target, byte protocol, int payloadLength, ushort identification, byte ttl = 64)
    {
        var h = destination[..Ipv4HeaderLength];
        h.Clear();
        h[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)(Ipv4HeaderLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], 0x4000); // DF
        h[8] = ttl;
        h[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(h[12..], source.V4Value);
        BinaryPrimitives.WriteUInt32BigEndian(h[16..], target.V4Value);
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], InternetChecksum(h, 0));
        return Ipv4HeaderLength;
    }

    /// <summary>Writes a UDP header (RFC 768) over IPv4, checksum included; the payload must already follow it.</summary>
    public static int WriteUdpV4(Span<byte> destination, IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, int payloadLength)
    {
        int length = UdpHeaderLength + payloadLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], targetPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        // Pseudo-header: source, destination, zero, protocol, UDP length (RFC 768).
        uint pseudo = (source.V4Value >> 16) + (source.V4Value & 0xFFFF) + (target.V4Value >> 16) + (target.V4Value & 0xFFFF)
            + IpProtocol.Udp + (uint)length;
        ushort sum = InternetChecksum(destination[..length], pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], sum == 0 ? (ushort)0xFFFF : sum);
        return UdpHeaderLength;
    }

    /// <summary>Writes a DNS query (RFC 1035 4.1) for one name and type, recursion desired; returns its length.</summary>
    public static int WriteDnsQuery(Span<byte> destination, ushort id, string name, ushort type, bool recursionDesired = true)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], recursionDesired ? (ushort)0x0100 : (ushort)0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        int n = 12 + WriteDnsName(destination[12..], name);
        BinaryPrimitives.WriteUInt16BigEndian(destination[n..], type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(n + 2)..], 1); // IN
        return n + 4;
    }

    /// <summary>Writes a name as uncompressed labels (RFC 1035 3.1); returns its length.</summary>
    public static int WriteDnsName(Span<byte> destination, string name)
    {
        int n = 0;
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (label.Length > 63) throw new ArgumentException("label longer than 63 bytes", nameof(name));
            destination[n++] = (byte)label.Length;
            foreach (char c in label) destination[n++] = (byte)c;
        }
        destination[n++] = 0;
        return n;
    }

    /// <summary>
    /// Writes an ICMPv4 error (RFC 792) of the given type and code quoting <paramref name="offending"/>
    /// (its IP header onward), cut to <paramref name="maxQuote"/> bytes; returns the ICMP message length.
    /// </summary>
    public static int WriteIcmpError(Span<byte> destination, byte type, byte code, ReadOnlySpan<byte> offending, int maxQuote = 548)
    {
        int quote = Math.Min(offending.Length, maxQuote);
        destination[0] = type;
        destination[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], 0); // unused
        offending[..quote].CopyTo(destination[IcmpHeaderLength..]);
        int length = IcmpHeaderLength + quote;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], InternetChecksum(destination[..length], 0));
        return length;
    }

    public const int TcpHeaderLength = 20;

    /// <summary>
    /// Writes a 20-byte TCP header (RFC 9293 3.1) without options over IPv4, checksum included;
    /// the payload must already follow it.
    /// </summary>
    public static int WriteTcpV4(Span<byte> destination, IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort,
        uint sequence, uint acknowledgment, TcpFlags flags, ushort window, int payloadLength)
    {
        int length = TcpHeaderLength + payloadLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], targetPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], acknowledgment);
        destination[12] = (TcpHeaderLength / 4) << 4;
        destination[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], window);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], 0);
        uint pseudo = (source.V4Value >> 16) + (source.V4Value & 0xFFFF) + (target.V4Value >> 16) + (target.V4Value & 0xFFFF)
            + IpProtocol.Tcp + (uint)length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], InternetChecksum(destination[..length], pseudo));
        return TcpHeaderLength;
    }

    /// <summary>
    /// Writes a DNS response (RFC 1035 4.1) to a one-question query: the question, then one A record per
    /// address with a compression pointer to the question name (RFC 1035 4.1.4). Returns its length.
    /// </summary>
    public static int WriteDnsResponse(Span<byte> destination, ushort id, string name, ushort type, int rcode, ReadOnlySpan<IpAddr> addresses, uint ttl = 300)
    {
        int n = WriteDnsQuery(destination, id, name, type);
        // QR, RD, RA and the rcode.
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(0x8180 | (rcode & 0xF)));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)addresses.Length);
        foreach (var address in addresses)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[n..], 0xC00C); // pointer to the question name at offset 12
            BinaryPrimitives.WriteUInt16BigEndian(destination[(n + 2)..], 1);   // A
            BinaryPrimitives.WriteUInt16BigEndian(destination[(n + 4)..], 1);   // IN
            BinaryPrimitives.WriteUInt32BigEndian(destination[(n + 6)..], ttl);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(n + 10)..], 4);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(n + 12)..], address.V4Value);
            n += 16;
        }
        return n;
    }

    /// <summary>RFC 1071 one's-complement sum, seeded with a partial sum (e.g. a pseudo-header).</summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data, uint seed)
    {
        ulong sum = seed;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
