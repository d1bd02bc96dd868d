using System.Globalization;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Link;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// What the capture holds that was not decoded, by what it is: IP protocols no decoder reads (OSPF, ESP, SCTP, a tunnel
/// of an unknown kind), link-layer protocols (an EtherType, 802.3 frame or PPP protocol no decoder reads), link types, and 802.11
/// frames sent encrypted. A diagnosis says nothing of that traffic: the capture-quality line must say it is there,
/// not "no decoding anomaly". Bounded: 256 IP protocols in an array, at most <see cref="MaxKinds"/> other kinds.
/// </summary>
internal sealed class UndecodedTraffic
{
    /// <summary>Distinct EtherTypes and link types named; more are counted under one name.</summary>
    private const int MaxKinds = 32;

    private readonly long[] _ipProtocols = new long[256];
    /// <summary>The other kinds by a number, named only in <see cref="Summary"/>: nothing is allocated per packet.</summary>
    private readonly Dictionary<int, long> _other = [];
    private long _otherBeyond;

    /// <summary>The keys of <see cref="_other"/>: an EtherType, a link type, a PPP protocol, or one of these.</summary>
    private const int LinkTypeKey = 0x1_0000, Llc = 0x2_0000, Encrypted = 0x2_0001, PppKey = 0x3_0000;

    /// <summary>A packet whose highest layer was IP (no transport read), or no network layer at all.</summary>
    public void Observe(DecodedPacket p, bool ipOnly)
    {
        if (ipOnly)
        {
            // A fragment's transport is read in the reassembled datagram; the transports decoded here and cut short
            // are decoding anomalies; IPv6's "no next header" (59) carries nothing to decode.
            if (p.Ip.IsFragment || p.Ip.Protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmp or IpProtocol.Icmpv6 or NoNextHeader) return;
            _ipProtocols[p.Ip.Protocol]++;
            return;
        }
        if (p.Anomalies.Count == 0) return;
        if (p.Anomalies.Contains(AnomalyKind.WirelessEncrypted)) Count(Encrypted);
        else if (p.Anomalies.Contains(AnomalyKind.UnknownLinkType)) Count(LinkTypeKey | (ushort)p.LinkType);
        else if (p.Anomalies.Contains(AnomalyKind.UnsupportedEtherType))
        {
            Count(p.PppProtocol != 0 ? PppKey | p.PppProtocol : p.EtherType < 0x0600 && p.Has(PacketLayers.Ethernet) ? Llc : p.EtherType);
        }
    }

    private const byte NoNextHeader = 59;

    private void Count(int key)
    {
        if (_other.TryGetValue(key, out long n)) _other[key] = n + 1;
        else if (_other.Count < MaxKinds) _other[key] = 1;
        else _otherBeyond++;
    }

    private static string Name(int key) => key switch
    {
        Encrypted => "802.11 data frames sent encrypted",
        Llc => "802.3 frames (LLC: spanning tree, CDP and the like)",
        >= PppKey => $"PPP protocol 0x{key & 0xFFFF:x4} ({PppHeader.Name((ushort)key)})",
        >= LinkTypeKey => "link type " + (key & 0xFFFF).ToString(CultureInfo.InvariantCulture),
        _ => $"EtherType 0x{key:x4} ({TcpdumpLineFormatter.EtherTypeName((ushort)key)})",
    };

    /// <summary>What was not decoded, most packets first; null when everything was.</summary>
    public List<NamedCount>? Summary()
    {
        var list = new List<NamedCount>();
        for (int i = 0; i < _ipProtocols.Length; i++)
        {
            if (_ipProtocols[i] > 0) list.Add(new NamedCount(IpProtocolName((byte)i), _ipProtocols[i]));
        }
        list.AddRange(_other.Select(kv => new NamedCount(Name(kv.Key), kv.Value)));
        if (_otherBeyond > 0) list.Add(new NamedCount("other link-layer protocols", _otherBeyond));
        return list.Count == 0 ? null : [.. list.OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>IP protocol numbers as IANA's registry names them, for the ones commonly met.</summary>
    private static string IpProtocolName(byte protocol)
    {
        string? name = protocol switch
        {
            0 => "IPv6 hop-by-hop",
            2 => "IGMP",
            4 => "IP in IP",
            41 => "IPv6 in IP",
            47 => "GRE",
            50 => "ESP",
            51 => "AH",
            88 => "EIGRP",
            89 => "OSPF",
            103 => "PIM",
            112 => "VRRP",
            115 => "L2TP",
            132 => "SCTP",
            _ => null,
        };
        string number = "IP protocol " + protocol.ToString(CultureInfo.InvariantCulture);
        return name is null ? number : $"{number} ({name})";
    }
}
