using System.Buffers.Binary;
using NetTriage.Packets.Ip;

namespace NetTriage.Packets.Icmp;

/// <summary>Outcome of decoding the packet an ICMP error quotes.</summary>
public enum QuoteStatus : byte
{
    Ok = 0,
    /// <summary>The quote ended before the IP header or the transport ports.</summary>
    Truncated = 1,
    /// <summary>The quoted IP header is not valid (version, header length).</summary>
    Malformed = 2,
}

/// <summary>
/// Decodes the invoking packet quoted in an ICMP error (RFC 792: IP header + 64 bits; RFC 4443 2.4 (c):
/// as much as fits) into its 5-tuple, without touching the outer packet's fields.
/// </summary>
public static class QuotedPacketDecoder
{
    private const int PortsLength = 4;
    /// <summary>UDP header then the DNS message id (RFC 1035 4.1.1).</summary>
    private const int DnsIdOffset = 8;
    private const int DnsIdEnd = DnsIdOffset + 2;
    private const byte Dccp = 33;
    private const byte UdpLite = 136;

    public static QuoteStatus Decode(ReadOnlySpan<byte> quote, out QuotedPacket quoted)
    {
        quoted = default;
        if (quote.IsEmpty)
        {
            quoted.Truncated = true;
            return QuoteStatus.Truncated;
        }
        return (quote[0] >> 4) switch
        {
            4 => DecodeV4(quote, ref quoted),
            6 => DecodeV6(quote, ref quoted),
            _ => QuoteStatus.Malformed,
        };
    }

    private static QuoteStatus DecodeV4(ReadOnlySpan<byte> quote, ref QuotedPacket quoted)
    {
        if (!Ipv4Header.TryRead(quote, out var ip))
        {
            quoted.Truncated = true;
            return QuoteStatus.Truncated;
        }
        quoted.Present = true;
        quoted.IpVersion = 4;
        quoted.Protocol = ip.Protocol;
        quoted.Source = ip.Source;
        quoted.Destination = ip.Destination;
        quoted.TotalLength = ip.TotalLength;
        int headerLength = ip.HeaderLength;
        if (headerLength < Ipv4Header.MinLength)
        {
            return QuoteStatus.Malformed;
        }
        if (headerLength > quote.Length)
        {
            quoted.Truncated = true;
            return QuoteStatus.Truncated;
        }
        // A quoted non-first fragment holds no transport header (RFC 791 3.2).
        if (ip.FragmentOffset != 0)
        {
            return QuoteStatus.Ok;
        }
        return DecodeTransport(quote[headerLength..], ref quoted);
    }

    private static QuoteStatus DecodeV6(ReadOnlySpan<byte> quote, ref QuotedPacket quoted)
    {
        if (!Ipv6Header.TryRead(quote, out var ip))
        {
            quoted.Truncated = true;
            return QuoteStatus.Truncated;
        }
        quoted.Present = true;
        quoted.IpVersion = 6;
        quoted.Source = ip.Source;
        quoted.Destination = ip.Destination;
        quoted.TotalLength = Ipv6Header.Length + ip.PayloadLength;
        var rest = quote[Ipv6Header.Length..];
        byte next = ip.NextHeader;
        int count = 0;
        while (Ipv6ExtensionHeader.IsExtension(next))
        {
            quoted.Protocol = next;
            if (count == Ipv6Decoder.MaxExtensionHeaders)
            {
                return QuoteStatus.Malformed;
            }
            if (!Ipv6ExtensionHeader.TryRead(next, rest, out var ext))
            {
                quoted.Truncated = true;
                return QuoteStatus.Truncated;
            }
            count++;
            next = ext.NextHeader;
            rest = rest[ext.Length..];
            if (ext.IsFragment && ext.FragmentOffset != 0)
            {
                quoted.Protocol = next;
                return QuoteStatus.Ok;
            }
        }
        quoted.Protocol = next;
        return DecodeTransport(rest, ref quoted);
    }

    /// <summary>Ports are the first four bytes of UDP, TCP, SCTP, DCCP and UDP-Lite headers.</summary>
    private static QuoteStatus DecodeTransport(ReadOnlySpan<byte> transport, ref QuotedPacket quoted)
    {
        byte protocol = quoted.Protocol;
        if (protocol is not (IpProtocol.Udp or IpProtocol.Tcp or IpProtocol.Sctp or Dccp or UdpLite))
        {
            return QuoteStatus.Ok;
        }
        if (transport.Length < PortsLength)
        {
            quoted.Truncated = true;
            return QuoteStatus.Truncated;
        }
        quoted.HasPorts = true;
        quoted.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
        quoted.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        if (protocol == IpProtocol.Udp && transport.Length >= DnsIdEnd &&
            (PacketDecoder.IsDnsUdpPort(quoted.SourcePort) || PacketDecoder.IsDnsUdpPort(quoted.DestinationPort)))
        {
            quoted.HasDnsId = true;
            quoted.DnsId = BinaryPrimitives.ReadUInt16BigEndian(transport[DnsIdOffset..]);
        }
        return QuoteStatus.Ok;
    }
}
