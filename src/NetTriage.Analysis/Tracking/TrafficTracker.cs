using System.Runtime.CompilerServices;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The track stage: counts the traffic (hosts, flows, protocols) and hands each packet to the tracker of its
/// protocol, which follows DNS transactions (<see cref="DnsTracker"/>), TCP connections (<see cref="TcpTracker"/>)
/// and ICMP errors back to what caused them (<see cref="IcmpTracker"/>). What ends badly goes to the detect stage as
/// a typed fact (<see cref="ITrackingFacts"/>); tracking knows no finding kinds. State is bounded (see
/// <see cref="AnalysisOptions"/>) and expires on capture time.
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
internal sealed class TrafficTracker
{
    /// <summary>Packets between two looks at what has timed out.</summary>
    internal const int ExpiryInterval = 4096;
    /// <summary>
    /// Flows are counted over two generations of this length: a 5-tuple quiet for two to four minutes counts as a
    /// new flow when it resumes (as flow meters time flows out), and the table holds only recent flows.
    /// </summary>
    private static readonly long FlowGenerationNanos = 120 * PacketTimestamp.NanosPerSecond;

    private static readonly string[] ProtocolNames = ["DNS", "HTTP", "TLS", "TCP", "UDP", "ICMP", "ICMPv6", "ARP", "other IP", "unread text", "other"];

    private readonly long[] _protocolPackets = new long[ProtocolNames.Length];
    private readonly long[] _protocolBytes = new long[ProtocolNames.Length];
    private long _sinceExpiry;

    public TrafficTracker(AnalysisOptions options, ITrackingFacts facts)
    {
        Options = options;
        Facts = facts;
        Dns = new DnsTracker(this);
        Tcp = new TcpTracker(this);
        Icmp = new IcmpTracker(this);
        _flowsNow = new FlowFingerprints(2 * options.MaxFlows, grow: true);
        _flowsBefore = new FlowFingerprints(2 * options.MaxFlows, grow: true);
    }

    public AnalysisOptions Options { get; }
    /// <summary>Where failures go: the detect stage.</summary>
    internal ITrackingFacts Facts { get; }
    /// <summary>Makes the tcpdump lines of packets kept as evidence.</summary>
    internal EvidenceLines Lines { get; } = new();
    public DnsTracker Dns { get; }
    public TcpTracker Tcp { get; }
    public IcmpTracker Icmp { get; }
    /// <summary>Each service's health per minute, for the history store.</summary>
    public ServiceMinutes Minutes { get; } = new();
    /// <summary>The addresses names resolved to, with their TTLs, for the history store.</summary>
    public DnsAnswers Answers { get; } = new();
    /// <summary>The first hops: hardware addresses the IP traffic was framed to and from.</summary>
    public LinkTable Links { get; } = new();

    /// <summary>The time of the latest packet read (capture time; the order of the input).</summary>
    internal PacketTimestamp Now;

    // ---- overview -------------------------------------------------------------------------------

    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long TruncatedPackets { get; private set; }
    public long AnomalousPackets { get; private set; }
    public long TextPackets { get; private set; }
    public PacketTimestamp? First { get; private set; }
    public PacketTimestamp? Last { get; private set; }
    public Dictionary<AnomalyKind, long> AnomalyCounts { get; } = [];
    /// <summary>The words of the tunnels the tracked packets came through, shared by their records.</summary>
    public TunnelNames Tunnels { get; } = new();
    /// <summary>Packets of protocols no decoder reads, by protocol.</summary>
    public UndecodedTraffic Undecoded { get; } = new();
    public Dictionary<IpAddr, HostCounters> Hosts { get; } = [];
    public bool HostsCapped { get; private set; }
    // Flat sets of flow fingerprints (one read a lookup), grown as flows come: asked for nearly every packet that is
    // not a known connection's.
    private FlowFingerprints _flowsNow, _flowsBefore;
    private long _flowGenerationStart = long.MinValue;
    /// <summary>Changes whenever the current generation of flows is emptied (connections remember the epoch they were counted in).</summary>
    internal int FlowEpoch;
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
        if (p.Timestamp.Kind != TimestampKind.None)
        {
            long time = p.Timestamp.Nanoseconds;
            // Where packet time enters tracking, the one rule for a clock that goes back: more than 30 s below the
            // segment's latest time (CaptureClock.JumpBackNanos, which says why 30 s) is a new segment of capture, and
            // what is open ends as at the end of input. Less is packets out of order, which change nothing.
            if (CaptureClock.JumpedBack(_segmentEnd.Nanoseconds, time)) StartSegment();
            Now = p.Timestamp;
            if (First is null || time < First.Value.Nanoseconds) First = p.Timestamp;
            if (Last is null || time > Last.Value.Nanoseconds) Last = p.Timestamp;
            if (time > _segmentEnd.Nanoseconds) _segmentEnd = p.Timestamp;
        }
        int protocol = ProtocolIndex(p);
        _protocolPackets[protocol]++;
        _protocolBytes[protocol] += length;
        if (protocol >= OtherIpIndex && protocol != UnreadTextIndex) Undecoded.Observe(p, ipOnly: protocol == OtherIpIndex);

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
                conn = Tcp.Find(connection);
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
            if (conn is null || conn.FlowEpoch != FlowEpoch)
            {
                CountFlow(tcp ? connection : new FlowKey(p.Ip.Protocol, p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort).Canonical());
                if (conn is not null) conn.FlowEpoch = FlowEpoch;
            }
            if ((p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6)) && p.Icmp.IsError)
            {
                Icmp.ObserveError(p, input);
            }
            if (IsDns(p) && !p.Has(PacketLayers.Fragment))
            {
                Dns.Observe(p, input);
                // DNS over TCP: the other messages the segment completed (RFC 7766 6.2.1.1), each read as the packet's.
                for (int i = 0; i < p.MoreDnsCount; i++)
                {
                    p.SwapDns(i);
                    Dns.Observe(p, input);
                    p.SwapDns(i);
                }
            }
            if (tcp)
            {
                Tcp.Observe(p, input, connection, conn);
            }
        }

        if (ip || p.Has(PacketLayers.Arp)) Links.Observe(p, input, Lines);
        if (p.Anomalies.Count > 0)
        {
            AnomalousPackets++;
            foreach (var kind in p.Anomalies.Kept)
            {
                AnomalyCounts[kind] = AnomalyCounts.GetValueOrDefault(kind) + 1;
            }
        }

        if (++_sinceExpiry >= ExpiryInterval)
        {
            _sinceExpiry = 0;
            Expire(Now, atEnd: false);
        }
    }

    /// <summary>
    /// The capture ended: everything still pending gets its outcome. The tables that only served tracking are
    /// emptied, so detection and diagnosis can use their memory.
    /// </summary>
    public void Finish()
    {
        Expire(SegmentEnd, atEnd: true);
        _flowsNow = new FlowFingerprints(1, grow: true);
        _flowsBefore = new FlowFingerprints(1, grow: true);
        Dns.Release();
        Tcp.Release();
    }

    /// <summary>
    /// The capture's clock went back by more than <see cref="CaptureClock.JumpBackNanos"/> (the packet about to be
    /// tracked is that far below <see cref="SegmentEnd"/>): a new segment of capture starts. Its earlier time means the
    /// segment before has ended, so what is open ends exactly as at the end of input (<see cref="Finish"/>'s expiry,
    /// at the segment's latest time: a SYN or a query just before it is unanswered at the capture's end, not a failure)
    /// and the expiry clocks start again from the new time. What only recent traffic explains is forgotten as if time had
    /// passed every timeout: the flows' generations (a 5-tuple seen again counts as a new flow), the questions a retry
    /// is matched with, the answers a failed connection is matched with. Counters, findings' records and the names
    /// resolved over the whole capture stay. Without this, every timeout would wait for the clock to pass the earlier
    /// segment's latest time again, and the tables would hold everything until then.
    /// </summary>
    private void StartSegment()
    {
        Segments++;
        Expire(SegmentEnd, atEnd: true);
        Dns.StartSegment();
        Tcp.StartSegment();
        _flowsNow.Clear();
        _flowsBefore.Clear();
        FlowEpoch++;
        _flowGenerationStart = long.MinValue;
        _sinceExpiry = 0;
        _segmentEnd = NoTime;
    }

    /// <summary>Segments of capture after the first, each begun by the clock going back (<see cref="StartSegment"/>).</summary>
    internal int Segments { get; private set; }

    private static readonly PacketTimestamp NoTime = new(long.MinValue, TimestampKind.Absolute);
    /// <summary>The latest time of the present segment of capture (<see cref="NoTime"/> before its first time stamp).</summary>
    private PacketTimestamp _segmentEnd = NoTime;

    /// <summary>
    /// Where the present segment of capture ends so far: its latest time stamp (the capture's, <see cref="Last"/>, when
    /// the clock never went back), or <see cref="Now"/> when no packet had a time.
    /// </summary>
    internal PacketTimestamp SegmentEnd => _segmentEnd.Nanoseconds == long.MinValue ? Now : _segmentEnd;

    /// <summary>Some table reached its limit and dropped details (the counts stay exact).</summary>
    public bool Capped => HostsCapped || FlowsCapped || Dns.PendingCapped || Tcp.ConnectionsCapped || Dns.ResolutionsCapped || Dns.ServerClientsCapped;

    private void Expire(PacketTimestamp now, bool atEnd)
    {
        Dns.Expire(now, atEnd);
        Tcp.Expire(now, atEnd);
    }

    /// <summary>
    /// A DNS message that is DNS: the NetBIOS name service's messages share its format (the logs name them dns, as Zeek
    /// does) but resolve NetBIOS names by broadcast, with no DNS server to fail; here they are UDP datagrams.
    /// </summary>
    private static bool IsDns(DecodedPacket p) => p.Has(PacketLayers.Dns) && !DnsPorts.IsNetbios(p.SourcePort, p.DestinationPort);

    /// <summary>The highest layer decoded, as an index into <see cref="ProtocolNames"/>.</summary>
    private static int ProtocolIndex(DecodedPacket p) =>
        // A segment that carries only part of a DNS message over TCP (its prefix, its middle) is DNS traffic too.
        IsDns(p) || p.Dns.TcpCarriesDns ? 0 :
        p.Has(PacketLayers.Http) ? 1 :
        p.Has(PacketLayers.Tls) ? 2 :
        p.Has(PacketLayers.Tcp) ? 3 :
        p.Has(PacketLayers.Udp) ? 4 :
        p.Has(PacketLayers.Icmp) ? 5 :
        p.Has(PacketLayers.Icmpv6) ? 6 :
        p.Has(PacketLayers.Arp) ? 7 :
        p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6) ? OtherIpIndex :
        p.Unparsed ? UnreadTextIndex : 10;

    /// <summary>The indexes of "other IP" and "unread text" in <see cref="ProtocolNames"/>.</summary>
    private const int OtherIpIndex = 8, UnreadTextIndex = 9;

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
        if (Hosts.Count >= Options.MaxHosts)
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
    internal void KeepCounters(TcpConnection conn)
    {
        conn.ClientCounters = Hosts.GetValueOrDefault(conn.Client);
        conn.ServerCounters = Hosts.GetValueOrDefault(conn.Server);
        conn.FlowEpoch = FlowEpoch;
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
            FlowEpoch++;
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
            if (_flowsNow.Count + _flowsBefore.Count >= Options.MaxFlows)
            {
                // Only the count matters past the cap; the sets just keep repeated packets from being counted twice.
                FlowsCapped = true;
                _flowsBefore.Clear();
                if (_flowsNow.Count >= Options.MaxFlows)
                {
                    _flowsNow.Clear();
                    FlowEpoch++;
                }
            }
        }
        _flowsNow.Add(flow);
    }

    internal static TimeSpan Elapsed(PacketTimestamp from, PacketTimestamp to) =>
        TimeSpan.FromTicks((to.Nanoseconds - from.Nanoseconds) / 100);
}
