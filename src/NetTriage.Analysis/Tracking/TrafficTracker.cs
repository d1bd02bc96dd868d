using System.Runtime.CompilerServices;
using System.Buffers;
using System.Text;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The track stage: follows every DNS transaction, TCP connection and ICMP error back to what caused it, and
/// counts the traffic. State is bounded (see <see cref="AnalysisOptions"/>) and expires on capture time.
/// Successful transactions are only counted; failures are kept in detail (up to a cap) as evidence.
/// <para>
/// Steady state allocates nothing per packet: transactions and connections come from pools and go back when
/// they end well, names are interned, counters live in tables that stop growing once every host, server and
/// flow is known. Strings are made only for what a report may show (failures, up to the caps).
/// </para>
/// <para>
/// The per-packet methods are compiled fully optimized at their first call (AggressiveOptimization): an analysis
/// of a second or two would otherwise spend a good part of it in the runtime's quick first-tier code.
/// </para>
/// </summary>
internal sealed partial class TrafficTracker
{
    private const int ExpiryInterval = 4096;
    /// <summary>Distinct question names interned before the table starts afresh.</summary>
    private const int MaxNames = 50_000;
    /// <summary>Objects kept in each pool for reuse (more live objects than this are left to the collector when they end).</summary>
    private const int MaxPooled = 16_384;
    /// <summary>
    /// Flows are counted over two generations of this length: a 5-tuple quiet for two to four minutes counts as a
    /// new flow when it resumes (as flow meters time flows out), and the table holds only recent flows.
    /// </summary>
    private static readonly long FlowGenerationNanos = 120 * PacketTimestamp.NanosPerSecond;

    private static readonly string[] ProtocolNames = ["DNS", "HTTP", "TLS", "TCP", "UDP", "ICMP", "ICMPv6", "ARP", "other IP", "unread text", "other"];

    private readonly AnalysisOptions _options;
    private readonly TcpdumpLineFormatter _formatter = new(new TcpdumpLineOptions
    {
        TimestampStyle = TimestampStyle.None,
        FrameNumbers = false,
        AbsoluteSequenceNumbers = true,
        Annotations = false,
    });
    private readonly NameTable _names = new(MaxNames);
    private readonly ArrayBufferWriter<char> _lineWriter = new(256);
    private readonly long[] _protocolPackets = new long[ProtocolNames.Length];
    private readonly long[] _protocolBytes = new long[ProtocolNames.Length];

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
    public Dictionary<IpAddr, HostCounters> Hosts { get; } = [];
    public bool HostsCapped { get; private set; }
    private HashSet<ulong> _flowsNow = [];
    private HashSet<ulong> _flowsBefore = [];
    private long _flowGenerationStart = long.MinValue;
    /// <summary>Changes whenever the current generation of flows is emptied (connections remember the epoch they were counted in).</summary>
    private int _flowEpoch;
    public long FlowCount { get; private set; }
    public bool FlowsCapped { get; private set; }

    /// <summary>Packets and bytes by protocol (the highest layer decoded), for the protocols seen.</summary>
    public Dictionary<string, (long Packets, long Bytes)> Protocols
    {
        get
        {
            var protocols = new Dictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
            for (int i = 0; i < ProtocolNames.Length; i++)
            {
                if (_protocolPackets[i] > 0) protocols[ProtocolNames[i]] = (_protocolPackets[i], _protocolBytes[i]);
            }
            return protocols;
        }
    }

    /// <summary>Observes one packet of input <paramref name="input"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        int protocol = ProtocolIndex(p);
        _protocolPackets[protocol]++;
        _protocolBytes[protocol] += length;

        bool ip = p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6);
        if (ip)
        {
            // A segment of a connection already tracked finds its hosts' counters and its flow through the
            // connection: one table lookup instead of four.
            TcpConnection? conn = null;
            FlowKey connection = default;
            bool tcp = p.Has(PacketLayers.Tcp);
            if (tcp)
            {
                connection = new FlowKey(IpProtocol.Tcp, p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort).Canonical();
                _connections.TryGetValue(connection, out conn);
            }
            if (conn is not null)
            {
                CountHosts(conn, p.Ip.Source, length);
            }
            else
            {
                CountHosts(p.Ip.Source, p.Ip.Destination, length);
            }
            RotateFlows(p.Timestamp);
            if (conn is null || conn.FlowEpoch != _flowEpoch)
            {
                CountFlow(tcp ? connection : new FlowKey(p.Ip.Protocol, p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort).Canonical());
                if (conn is not null) conn.FlowEpoch = _flowEpoch;
            }
            if ((p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6)) && p.Icmp.IsError)
            {
                ObserveIcmpError(p, input);
            }
            if (p.Has(PacketLayers.Dns) && !p.Has(PacketLayers.Fragment))
            {
                ObserveDns(p, input);
            }
            if (tcp)
            {
                ObserveTcp(p, input, connection, conn);
            }
        }

        if (++_sinceExpiry >= ExpiryInterval)
        {
            _sinceExpiry = 0;
            Expire(_now, atEnd: false);
        }
    }

    /// <summary>
    /// The capture ended: everything still pending gets its outcome. The tables that only served tracking are
    /// emptied, so detection and diagnosis can use their memory.
    /// </summary>
    public void Finish()
    {
        Expire(Last ?? _now, atEnd: true);
        _flowsNow = [];
        _flowsBefore = [];
        _names.Clear();
        ReleaseTrackingTables();
    }

    /// <summary>The highest layer decoded, as an index into <see cref="ProtocolNames"/>.</summary>
    private static int ProtocolIndex(DecodedPacket p) =>
        p.Has(PacketLayers.Dns) ? 0 :
        p.Has(PacketLayers.Http) ? 1 :
        p.Has(PacketLayers.Tls) ? 2 :
        p.Has(PacketLayers.Tcp) ? 3 :
        p.Has(PacketLayers.Udp) ? 4 :
        p.Has(PacketLayers.Icmp) ? 5 :
        p.Has(PacketLayers.Icmpv6) ? 6 :
        p.Has(PacketLayers.Arp) ? 7 :
        p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6) ? 8 :
        p.Unparsed ? 9 : 10;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>The same as looking both hosts up, through the counters the connection keeps (null: past the cap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountHosts(TcpConnection conn, IpAddr source, long length)
    {
        bool fromClient = source == conn.Client;
        var sender = fromClient ? conn.ClientCounters : conn.ServerCounters;
        var receiver = fromClient ? conn.ServerCounters : conn.ClientCounters;
        if (sender is not null)
        {
            sender.PacketsSent++;
            sender.BytesSent += length;
        }
        if (receiver is not null)
        {
            receiver.PacketsReceived++;
            receiver.BytesReceived += length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>A new connection keeps its hosts' counters (both were just counted, so they are in the table unless it is full).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KeepCounters(TcpConnection conn)
    {
        conn.ClientCounters = Hosts.GetValueOrDefault(conn.Client);
        conn.ServerCounters = Hosts.GetValueOrDefault(conn.Server);
        conn.FlowEpoch = _flowEpoch;
    }

    /// <summary>Starts a new generation of flows when the current one is old enough.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RotateFlows(PacketTimestamp time)
    {
        if (time.Kind == TimestampKind.None) return;
        long now = time.Nanoseconds;
        if (_flowGenerationStart == long.MinValue)
        {
            _flowGenerationStart = now;
        }
        else if (now - _flowGenerationStart >= FlowGenerationNanos)
        {
            (_flowsBefore, _flowsNow) = (_flowsNow, _flowsBefore);
            _flowsNow.Clear();
            _flowEpoch++;
            _flowGenerationStart = now;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountFlow(FlowKey canonical)
    {
        ulong flow = canonical.Fingerprint();
        if (_flowsNow.Contains(flow)) return;
        if (!_flowsBefore.Contains(flow))
        {
            FlowCount++;
            if (_flowsNow.Count + _flowsBefore.Count >= _options.MaxFlows)
            {
                // Only the count matters past the cap; the sets just keep repeated packets from being counted twice.
                FlowsCapped = true;
                _flowsBefore.Clear();
                if (_flowsNow.Count >= _options.MaxFlows)
                {
                    _flowsNow.Clear();
                    _flowEpoch++;
                }
            }
        }
        _flowsNow.Add(flow);
    }

    /// <summary>A rare packet (an error) as a tcpdump line, for evidence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PacketLine Summarize(DecodedPacket p)
    {
        _lineWriter.ResetWrittenCount();
        _formatter.Write(p, _lineWriter);
        var line = _lineWriter.WrittenSpan[..^1]; // without the line feed
        var utf8 = new byte[Encoding.UTF8.GetByteCount(line)];
        Encoding.UTF8.GetBytes(line, utf8);
        return new PacketLine(utf8);
    }

    private static bool IsDnsPort(ushort port) => port is DnsPorts.Dns or DnsPorts.Mdns or DnsPorts.Llmnr;

    private void ReleaseTrackingTables()
    {
        ReleaseDnsTables();
        ReleaseTcpTables();
    }

    private void Expire(PacketTimestamp now, bool atEnd)
    {
        ExpireDns(now, atEnd);
        ExpireTcp(now, atEnd);
    }

    internal static string QuestionName(DecodedPacket p) =>
        p.Dns.StoredQuestions > 0 ? p.GetText(p.Dns.Questions[0].Name) : "";

    internal static string TypeName(ushort type) => DnsNames.TypeName(type) ?? "TYPE" + type.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static TimeSpan Elapsed(PacketTimestamp from, PacketTimestamp to) =>
        TimeSpan.FromTicks((to.Nanoseconds - from.Nanoseconds) / 100);
}
