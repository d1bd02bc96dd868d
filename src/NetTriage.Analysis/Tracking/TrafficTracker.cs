using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The track stage: follows every DNS transaction, TCP connection and ICMP error back to what caused it, and
/// counts the traffic. State is bounded (see <see cref="AnalysisOptions"/>) and expires on capture time.
/// Successful transactions are only counted; failures are kept in detail (up to a cap) as evidence.
/// </summary>
internal sealed partial class TrafficTracker
{
    private const int ExpiryInterval = 4096;

    private readonly AnalysisOptions _options;
    private readonly TcpdumpLineFormatter _formatter = new(new TcpdumpLineOptions
    {
        TimestampStyle = TimestampStyle.None,
        FrameNumbers = false,
        AbsoluteSequenceNumbers = true,
        Annotations = false,
    });

    private long _sinceExpiry;
    private PacketTimestamp _now;

    public TrafficTracker(AnalysisOptions options) => _options = options;

    public AnalysisOptions Options => _options;

    // ---- overview -------------------------------------------------------------------------------

    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long TruncatedPackets { get; private set; }
    public long AnomalousPackets { get; private set; }
    public long TextPackets { get; private set; }
    public PacketTimestamp? First { get; private set; }
    public PacketTimestamp? Last { get; private set; }
    public Dictionary<AnomalyKind, long> AnomalyCounts { get; } = [];
    public Dictionary<string, (long Packets, long Bytes)> Protocols { get; } = new(StringComparer.Ordinal);
    public Dictionary<IpAddr, HostCounters> Hosts { get; } = [];
    public bool HostsCapped { get; private set; }
    private readonly HashSet<FlowKey> _flows = [];
    public long FlowCount { get; private set; }
    public bool FlowsCapped { get; private set; }

    /// <summary>Observes one packet of input <paramref name="input"/>.</summary>
    public void Observe(DecodedPacket p, int input)
    {
        Packets++;
        long length = p.Origin == PacketOrigin.Text ? Math.Max(p.Ip.TotalLength, 0) : p.OriginalLength;
        Bytes += length;
        if (p.Origin == PacketOrigin.Text) TextPackets++;
        if (p.Truncated) TruncatedPackets++;
        if (p.Anomalies.Count > 0)
        {
            AnomalousPackets++;
            foreach (var kind in p.Anomalies.Kept)
            {
                AnomalyCounts[kind] = AnomalyCounts.GetValueOrDefault(kind) + 1;
            }
        }
        if (p.Timestamp.Kind != TimestampKind.None)
        {
            _now = p.Timestamp;
            if (First is null || p.Timestamp.Nanoseconds < First.Value.Nanoseconds) First = p.Timestamp;
            if (Last is null || p.Timestamp.Nanoseconds > Last.Value.Nanoseconds) Last = p.Timestamp;
        }
        CountProtocol(p, length);

        bool ip = p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6);
        if (ip)
        {
            CountHosts(p.Ip.Source, p.Ip.Destination, length);
            CountFlow(p);
            if ((p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6)) && p.Icmp.IsError)
            {
                ObserveIcmpError(p, input);
            }
            if (p.Has(PacketLayers.Dns) && !p.Has(PacketLayers.Fragment))
            {
                ObserveDns(p, input);
            }
            if (p.Has(PacketLayers.Tcp))
            {
                ObserveTcp(p, input);
            }
        }

        if (++_sinceExpiry >= ExpiryInterval)
        {
            _sinceExpiry = 0;
            Expire(_now, atEnd: false);
        }
    }

    /// <summary>The capture ended: everything still pending gets its outcome.</summary>
    public void Finish()
    {
        Expire(Last ?? _now, atEnd: true);
    }

    private void CountProtocol(DecodedPacket p, long length)
    {
        string name =
            p.Has(PacketLayers.Dns) ? "DNS" :
            p.Has(PacketLayers.Http) ? "HTTP" :
            p.Has(PacketLayers.Tls) ? "TLS" :
            p.Has(PacketLayers.Tcp) ? "TCP" :
            p.Has(PacketLayers.Udp) ? "UDP" :
            p.Has(PacketLayers.Icmp) ? "ICMP" :
            p.Has(PacketLayers.Icmpv6) ? "ICMPv6" :
            p.Has(PacketLayers.Arp) ? "ARP" :
            p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6) ? "other IP" :
            p.Unparsed ? "unread text" : "other";
        var (packets, bytes) = Protocols.GetValueOrDefault(name);
        Protocols[name] = (packets + 1, bytes + length);
    }

    private void CountHosts(IpAddr source, IpAddr destination, long length)
    {
        if (Host(source) is { } s)
        {
            s.PacketsSent++;
            s.BytesSent += length;
        }
        if (Host(destination) is { } d)
        {
            d.PacketsReceived++;
            d.BytesReceived += length;
        }
    }

    private HostCounters? Host(IpAddr address)
    {
        if (address.IsNone) return null;
        if (Hosts.TryGetValue(address, out var counters)) return counters;
        if (Hosts.Count >= _options.MaxHosts)
        {
            HostsCapped = true;
            return null;
        }
        counters = new HostCounters();
        Hosts[address] = counters;
        return counters;
    }

    private void CountFlow(DecodedPacket p)
    {
        var key = new FlowKey(p.Ip.Protocol, p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort).Canonical();
        if (_flows.Contains(key)) return;
        FlowCount++;
        if (_flows.Count >= _options.MaxFlows)
        {
            // Only the count matters past the cap; the set just keeps repeated packets from being counted twice.
            FlowsCapped = true;
            _flows.Clear();
        }
        _flows.Add(key);
    }

    /// <summary>A rare packet (an error) as a tcpdump line, for evidence.</summary>
    private string Summarize(DecodedPacket p) => _formatter.Format(p);

    private static bool IsDnsPort(ushort port) => port is DnsPorts.Dns or DnsPorts.Mdns or DnsPorts.Llmnr;

    private void Expire(PacketTimestamp now, bool atEnd)
    {
        ExpireDns(now, atEnd);
        ExpireTcp(now, atEnd);
    }

    internal static string QuestionName(DecodedPacket p) =>
        p.Dns.StoredQuestions > 0 ? p.GetText(p.Dns.Questions[0].Name) : "";

    internal static string TypeName(ushort type) => DnsNames.TypeName(type) ?? "TYPE" + type.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
