using System.Globalization;
using System.Text;

namespace NetTriage.Packets.Tests.Formatting;

/// <summary>
/// Builds <see cref="DecodedPacket"/> instances by hand, filling the fields the way the binary decoders
/// and the text source do, so the printers can be tested without either of them.
/// </summary>
internal static class TestPackets
{
    /// <summary>A packet with frame-level fields set: Ethernet link, absolute time parsed from tcpdump -tttt form.</summary>
    public static DecodedPacket New(long frame, string utcTime, int length = 0)
    {
        var p = new DecodedPacket();
        p.Reset();
        p.FrameNumber = frame;
        p.Timestamp = At(utcTime);
        p.LinkType = LinkType.Ethernet;
        p.Layers = PacketLayers.Ethernet;
        p.CapturedLength = length;
        p.OriginalLength = length;
        return p;
    }

    /// <summary>"2020-06-10 09:21:03.720289" (UTC, any number of fractional digits up to nine).</summary>
    public static PacketTimestamp At(string utcTime)
    {
        var date = DateTime.ParseExact(utcTime[..19], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        long seconds = (date - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        long nanos = utcTime.Length > 20 ? long.Parse(utcTime[20..].PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
        return PacketTimestamp.FromUnix(seconds, nanos);
    }

    public static DecodedPacket Ipv4(this DecodedPacket p, string source, string destination, byte protocol, int totalLength = 0)
    {
        p.Layers |= PacketLayers.Ipv4;
        p.EtherType = EtherType.Ipv4;
        p.Ip.Version = 4;
        p.Ip.Source = IpAddr.Parse(source);
        p.Ip.Destination = IpAddr.Parse(destination);
        p.Ip.Protocol = protocol;
        p.Ip.Ttl = 64;
        p.Ip.HeaderLength = 20;
        p.Ip.TotalLength = totalLength;
        return p;
    }

    public static DecodedPacket Ipv6(this DecodedPacket p, string source, string destination, byte nextHeader, int payloadLength = 0)
    {
        p.Layers |= PacketLayers.Ipv6;
        p.EtherType = EtherType.Ipv6;
        p.Ip.Version = 6;
        p.Ip.Source = IpAddr.Parse(source);
        p.Ip.Destination = IpAddr.Parse(destination);
        p.Ip.Protocol = nextHeader;
        p.Ip.Ttl = 64;
        p.Ip.HeaderLength = 40;
        p.Ip.TotalLength = 40 + payloadLength;
        return p;
    }

    /// <summary>UDP with <paramref name="payloadLength"/> bytes after the 8-byte header (RFC 768).</summary>
    public static DecodedPacket Udp(this DecodedPacket p, ushort sourcePort, ushort destinationPort, int payloadLength)
    {
        p.Layers |= PacketLayers.Udp;
        p.SourcePort = sourcePort;
        p.DestinationPort = destinationPort;
        p.UdpLength = (ushort)(payloadLength + 8);
        p.PayloadLength = payloadLength;
        p.PayloadClaimedLength = payloadLength;
        return p;
    }

    public static DecodedPacket Tcp(this DecodedPacket p, ushort sourcePort, ushort destinationPort, TcpFlags flags,
        uint seq, uint ack, ushort window, int payloadLength = 0)
    {
        p.Layers |= PacketLayers.Tcp;
        p.SourcePort = sourcePort;
        p.DestinationPort = destinationPort;
        p.Tcp.Flags = flags;
        p.Tcp.Sequence = seq;
        p.Tcp.Acknowledgment = ack;
        p.Tcp.Window = window;
        p.Tcp.HeaderLength = 20;
        p.PayloadLength = payloadLength;
        p.PayloadClaimedLength = payloadLength;
        return p;
    }

    /// <summary>ICMP (RFC 792) or ICMPv6 (RFC 4443); <paramref name="length"/> is the whole ICMP message.</summary>
    public static DecodedPacket Icmp(this DecodedPacket p, byte type, byte code, int length, bool v6 = false)
    {
        p.Layers |= v6 ? PacketLayers.Icmpv6 : PacketLayers.Icmp;
        p.Icmp.IsV6 = v6;
        p.Icmp.Type = type;
        p.Icmp.Code = code;
        p.PayloadClaimedLength = length;
        return p;
    }

    /// <summary>Fills the packet an ICMP error quotes.</summary>
    public static DecodedPacket Quoting(this DecodedPacket p, string source, string destination, byte protocol,
        ushort? sourcePort = null, ushort? destinationPort = null)
    {
        ref QuotedPacket q = ref p.Icmp.Quoted;
        q.Present = true;
        q.Source = IpAddr.Parse(source);
        q.Destination = IpAddr.Parse(destination);
        q.IpVersion = q.Source.Version;
        q.Protocol = protocol;
        if (sourcePort is not null && destinationPort is not null)
        {
            q.HasPorts = true;
            q.SourcePort = sourcePort.Value;
            q.DestinationPort = destinationPort.Value;
        }
        else
        {
            q.Truncated = true;
        }
        return p;
    }

    /// <summary>DNS header facts (RFC 1035 4.1.1). Questions and records are added separately.</summary>
    public static DecodedPacket Dns(this DecodedPacket p, ushort id, ushort flags,
        ushort qd = 1, ushort an = 0, ushort ns = 0, ushort ar = 0)
    {
        p.Layers |= PacketLayers.Dns;
        p.Dns.Id = id;
        p.Dns.Flags = flags;
        p.Dns.QuestionCount = qd;
        p.Dns.AnswerCount = an;
        p.Dns.AuthorityCount = ns;
        p.Dns.AdditionalCount = ar;
        return p;
    }

    public static DecodedPacket Question(this DecodedPacket p, string name, ushort type, ushort @class = 1)
    {
        p.Dns.Questions[p.Dns.StoredQuestions++] = new DnsQuestion { Name = Text(p, name), Type = type, Class = @class };
        return p;
    }

    public static DecodedPacket Record(this DecodedPacket p, DnsSection section, string name, ushort type,
        string? address = null, string? data = null, uint ttl = 300, ushort @class = 1,
        ushort preference = 0, ushort weight = 0, ushort port = 0)
    {
        p.Dns.Store(new DnsRecord
        {
            Section = section,
            Name = Text(p, name),
            Type = type,
            Class = @class,
            Ttl = ttl,
            Address = address is null ? IpAddr.None : IpAddr.Parse(address),
            Data = data is null ? default : Text(p, data),
            Preference = preference,
            Weight = weight,
            Port = port,
        });
        return p;
    }

    public static DecodedPacket Anomaly(this DecodedPacket p, AnomalyKind kind)
    {
        p.AddAnomaly(kind);
        return p;
    }

    /// <summary>Stores <paramref name="value"/> in the packet's text store as Latin-1 bytes.</summary>
    public static TextRef Text(DecodedPacket p, string value)
    {
        Assert.True(p.Text.TryAppend(Encoding.Latin1.GetBytes(value), out TextRef text));
        return text;
    }

    /// <summary>Stores raw bytes in the packet's text store (for hostile content that is not Latin-1 text).</summary>
    public static TextRef Bytes(DecodedPacket p, byte[] value)
    {
        Assert.True(p.Text.TryAppend(value, out TextRef text));
        return text;
    }
}
