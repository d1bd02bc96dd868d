using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Beaconing;
using NetTriage.Analysis.Detection.BruteForce;
using NetTriage.Analysis.Detection.Diagnostics;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.Floods;
using NetTriage.Analysis.Detection.HttpErrors;
using NetTriage.Analysis.Detection.TlsFailures;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Detection.Slowness;
using NetTriage.Analysis.Detection.Stalls;
using NetTriage.Analysis.Detection.Reflection;
using NetTriage.Analysis.Detection.Spoofing;
using NetTriage.Analysis.Detection.Tunneling;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection.Activity;

/// <summary>
/// A family that recognises an activity (an attack, a scan, a diagnostic) from the packets themselves, beside
/// tracking: it keeps its own bounded state, judges it when the capture ends, and writes its findings and their
/// wording and causes. Its state must stay bounded whatever the input (an attacker chooses the traffic) and it
/// must not allocate per packet in the steady state.
/// </summary>
internal abstract class ActivityDetector
{
    /// <summary>
    /// The layers whose packets it reads: it is shown a packet only when the packet has one of them (none: a family that
    /// judges from what tracking measured, when the capture ends). Most families
    /// read one protocol (DNS, ARP, ICMP), and a call per family per packet was a fifth of the sensors' cost.
    /// </summary>
    public abstract PacketLayers Reads { get; }

    /// <summary>
    /// Whether it reads a connection's TCP segments (ACK set, neither SYN nor RST: its data and acknowledgements, most of
    /// a capture's packets), or only the segments that open, refuse or probe (SYN, RST, no ACK). The families that
    /// count handshakes and probes (scans, floods, reflection) do nothing with the others and are not shown them.
    /// </summary>
    public virtual bool ReadsTcpSegments => true;

    /// <summary>
    /// Whether it reads the TCP segments that carry nothing (no payload, none claimed, no TLS record): a connection's
    /// bare acknowledgements, a third of a capture's packets. Only families that read segments are asked.
    /// </summary>
    public virtual bool ReadsBareSegments => ReadsTcpSegments;

    /// <summary>
    /// Whether it reads the TCP segments that carry data but no TLS record (and no TLS message decoded): most of a
    /// transfer's segments, and of a TLS connection's those that do not start a record. Only families that read
    /// segments are asked.
    /// </summary>
    public virtual bool ReadsPlainSegments => ReadsTcpSegments;

    /// <summary>
    /// Sees every IPv4, IPv6 or ARP packet that has one of <see cref="Reads"/>, in the order read, beside tracking (on
    /// the reading thread when the analysis has two): it may read the packet, never the tracker, until <see cref="Finish"/>.
    /// </summary>
    public abstract void Observe(DecodedPacket p, int input);

    /// <summary>The capture ended: what the detector recognised.</summary>
    public abstract void Finish(TrafficView traffic, List<DetectedActivity> found);

    /// <summary>Its place in <see cref="ActivitySensors"/>' list: the pump runs the families below a split on one thread and the rest on the other.</summary>
    internal int Order { get; set; }
}

/// <summary>The activity detectors of one analysis, fed by the packet pump. The list of families is here.</summary>
internal sealed class ActivitySensors
{
    /// <summary>Every kind of activity, by family (the catalog's rows for them).</summary>
    public static IReadOnlyList<ActivityKindRow> Kinds { get; } = [.. ScanDetection.Kinds, .. FloodDetection.Kinds, .. TracerouteDetection.Kinds, .. PingSweepDetection.Kinds, .. BruteForceDetection.Kinds, .. ArpSpoofingDetection.Kinds, .. ReflectionDetection.Kinds, .. IcmpTunnelDetection.Kinds, .. DnsTunnelDetection.Kinds, .. DnsSpoofingDetection.Kinds, .. BeaconDetection.Kinds, .. HttpErrorDetection.Kinds, .. TlsFailureDetection.Kinds, .. SlownessDetection.Kinds, .. TcpStallDetection.Kinds];

    private ActivityDetector[] _detectors;
    /// <summary>
    /// The detectors that read a packet, by the packet's layers that any detector reads (<see cref="Slot"/>): one
    /// array lookup a packet chooses them, instead of every family testing every packet.
    /// </summary>
    private readonly ActivityDetector[][] _readers = new ActivityDetector[1 << SlotBits][];
    /// <summary>The families that read DNS messages alone: shown each further message of a TCP segment that completes several.</summary>
    private ActivityDetector[] _dnsReaders;

    public ActivitySensors() : this(null) { }

    /// <summary>Only the families whose class names <paramref name="only"/> holds (the benchmarks time each alone), or all.</summary>
    internal ActivitySensors(string? only)
    {
        ActivityDetector[] all = [new ScanDetection(), new FloodDetection(), new TracerouteDetection(), new PingSweepDetection(), new BruteForceDetection(), new ArpSpoofingDetection(), new ReflectionDetection(), new IcmpTunnelDetection(), new DnsTunnelDetection(), new DnsSpoofingDetection(), new ResolverSwitchDetection(), new BeaconDetection(), new HttpErrorDetection(), new TlsFailureDetection(), new SlownessDetection(), new TcpStallDetection()];
        _detectors = only is null ? all : [.. all.Where(d => d.GetType().Name == only)];
        for (int i = 0; i < _detectors.Length; i++) _detectors[i].Order = i;
        _dnsReaders = [.. _detectors.Where(d => d.Reads == PacketLayers.Dns)];
        // The 8,192 slots share a few dozen distinct lists of families: each list is made once, by the set of families
        // it holds (one bit each), and shared by the slots that choose the same. Made per slot, they were 8,192 arrays
        // and a sixtieth of the time of a 200 MB capture's analysis, before the first packet.
        if (_detectors.Length > 64)
        {
            throw new InvalidOperationException("More than 64 activity families: a slot's set of them no longer fits 64 bits.");
        }
        var lists = new Dictionary<ulong, ActivityDetector[]>();
        var chosen = new List<ActivityDetector>(_detectors.Length);
        for (int slot = 0; slot < _readers.Length; slot++)
        {
            var layers = LayersOf(slot);
            int segment = slot & SegmentSlots;
            ulong set = 0;
            for (int i = 0; i < _detectors.Length; i++)
            {
                var d = _detectors[i];
                if ((d.Reads & layers) != 0 && (segment == 0 || d.ReadsTcpSegments)
                    && (segment != BareSegmentSlot || d.ReadsBareSegments) && (segment != PlainSegmentSlot || d.ReadsPlainSegments))
                {
                    set |= 1UL << i;
                }
            }
            if (!lists.TryGetValue(set, out var list))
            {
                chosen.Clear();
                for (int i = 0; i < _detectors.Length; i++)
                {
                    if ((set & (1UL << i)) != 0) chosen.Add(_detectors[i]);
                }
                lists[set] = list = [.. chosen];
            }
            _readers[slot] = list;
        }
    }

    /// <summary>
    /// The layers detectors choose packets by: ARP (bit 4) to fragment (bit 14) of <see cref="PacketLayers"/>, the
    /// network, transport and application layers, as eleven low bits. The link layers (bits 0 to 3) are dropped. The
    /// twelfth and thirteenth bits say which kind of TCP segment of a connection it is, if one (<see cref="SegmentSlots"/>).
    /// </summary>
    private const int LayerBits = 11;
    private const int SlotBits = LayerBits + 2;
    /// <summary>
    /// A TCP segment of a connection (ACK, no SYN, no RST; see <see cref="ActivityDetector.ReadsTcpSegments"/>), by what it
    /// carries: a TLS record or message, nothing (<see cref="ActivityDetector.ReadsBareSegments"/>), or other data
    /// (<see cref="ActivityDetector.ReadsPlainSegments"/>). Zero: no such segment.
    /// </summary>
    private const int SegmentSlots = 3 << LayerBits;
    private const int TlsSegmentSlot = 1 << LayerBits;
    private const int BareSegmentSlot = 2 << LayerBits;
    private const int PlainSegmentSlot = 3 << LayerBits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Slot(PacketLayers layers) => (int)(((uint)layers >> 4) & ((1u << LayerBits) - 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(DecodedPacket p)
    {
        int slot = Slot(p.Layers);
        if (p.Has(PacketLayers.Tcp) && (p.Tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Ack)
        {
            slot |= p.TlsRecord != 0 || p.Has(PacketLayers.Tls) ? TlsSegmentSlot
                : p.PayloadLength <= 0 && p.PayloadClaimedLength <= 0 ? BareSegmentSlot
                : PlainSegmentSlot;
        }
        return slot;
    }

    internal static PacketLayers LayersOf(int slot) => (PacketLayers)((uint)(slot & ((1 << LayerBits) - 1)) << 4);

    internal IReadOnlyList<ActivityDetector> Detectors => _detectors;

    /// <summary>The families <see cref="Observe"/> shows this packet to.</summary>
    internal IReadOnlyList<ActivityDetector> ReadersOf(DecodedPacket p) => _readers[Slot(p)];

    /// <summary>The families, counted: <see cref="Observe(DecodedPacket, int, int, int)"/>'s range runs over 0 to this.</summary>
    internal int Count => _detectors.Length;

    /// <summary>Shows the packet to every family that reads it.</summary>
    public void Observe(DecodedPacket p, int input) => Observe(p, input, 0, int.MaxValue, 0, 1);

    /// <summary>
    /// Shows the packet to the families that read it whose <see cref="ActivityDetector.Order"/> is in [<paramref name="from"/>,
    /// <paramref name="to"/>): the pump splits the families between its two threads this way (each family still sees
    /// every packet, in order, on one thread at a time).
    /// </summary>
    public void Observe(DecodedPacket p, int input, int from, int to) => Observe(p, input, from, to, 0, 1);

    /// <summary>
    /// Shows the packet to the families that read it whose <see cref="ActivityDetector.Order"/> is <paramref name="share"/>
    /// modulo <paramref name="shares"/>: the pump's sensor threads, when it has more than two, split the families this way.
    /// </summary>
    public void ObserveShare(DecodedPacket p, int input, int share, int shares) => Observe(p, input, 0, int.MaxValue, share, shares);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Observe(DecodedPacket p, int input, int from, int to, int share, int shares)
    {
        if (!p.Has(PacketLayers.Ipv4) && !p.Has(PacketLayers.Ipv6) && !p.Has(PacketLayers.Arp)) return;
        var readers = _readers[Slot(p)];
        for (int i = 0; i < readers.Length; i++)
        {
            var d = readers[i];
            // The readers of a slot are in the families' order.
            if (d.Order >= to) break;
            if (d.Order >= from && (shares == 1 || d.Order % shares == share)) d.Observe(p, input);
        }
        if (p.MoreDnsCount > 0) ObserveMoreDns(p, input, from, to, share, shares);
    }

    /// <summary>DNS over TCP: the other messages the segment completed (RFC 7766 6.2.1.1), each shown as the packet's.</summary>
    private void ObserveMoreDns(DecodedPacket p, int input, int from, int to, int share, int shares)
    {
        for (int m = 0; m < p.MoreDnsCount; m++)
        {
            p.SwapDns(m);
            for (int i = 0; i < _dnsReaders.Length; i++)
            {
                var d = _dnsReaders[i];
                if (d.Order >= from && d.Order < to && (shares == 1 || d.Order % shares == share)) d.Observe(p, input);
            }
            p.SwapDns(m);
        }
    }

    public List<DetectedActivity> Finish(TrafficView traffic)
    {
        var found = new List<DetectedActivity>();
        foreach (var d in _detectors) d.Finish(traffic, found);
        // What each family followed is read: only the activities found stay (their findings hold what they cite).
        _detectors = [];
        _dnsReaders = [];
        Array.Fill(_readers, []);
        return found;
    }
}

/// <summary>
/// An activity recognised in the capture, with everything its finding and incident say. Its family fills it in;
/// diagnosis only assembles it. Failures it caused (a scan's refused probes, the connections a flood starves)
/// are absorbed: counted into it, and no finding of their own.
/// </summary>
internal sealed class DetectedActivity
{
    public required FindingKind Kind { get; init; }
    public required Layer Layer { get; init; }
    public required Severity Severity { get; set; }
    /// <summary>The protocol attacked or probed ("TCP", "UDP", "HTTP"...) and the transport.</summary>
    public required string Protocol { get; init; }
    public required string Transport { get; init; }
    /// <summary>The port attacked (floods, address scans), or null for many.</summary>
    public int? Port { get; init; }
    /// <summary>Who was attacked or probed (the first ones when many).</summary>
    public required IReadOnlyList<IpAddr> Targets { get; init; }
    /// <summary>Who attacked or probed (the first ones when many).</summary>
    public required IReadOnlyList<IpAddr> Actors { get; init; }
    public required PacketTimestamp First { get; init; }
    public required PacketTimestamp Last { get; init; }
    /// <summary>Probes or attempts sent, and of them the ones that failed (closed, unanswered, never completed).</summary>
    public long Attempts { get; init; }
    public long Failed { get; init; }
    /// <summary>An attack's or a scan's figures; null for an activity that is no attack (a service answering errors).</summary>
    public AttackFacts? Facts { get; set; }
    /// <summary>HTTP errors: the statuses, paths and share of the service's answers.</summary>
    public HttpFacts? Http { get; init; }
    /// <summary>TLS failures: the failed handshakes, their alerts and server names.</summary>
    public TlsFacts? Tls { get; init; }
    /// <summary>Slowness: where the service's time went.</summary>
    public TimingFacts? Timing { get; init; }
    /// <summary>Zero windows and stalls: the connections stuck, which side, for how long.</summary>
    public StallFacts? Stall { get; init; }
    /// <summary>The first packets of the activity, as evidence.</summary>
    public required List<EvidencePacket> Evidence { get; init; }
    public long EvidenceTotal { get; init; }

    /// <summary>Whether a failure recorded by the failure families was caused by this activity.</summary>
    public required Func<FailureGroup, bool> Absorbs { get; init; }
    /// <summary>Failures absorbed, by kind.</summary>
    public Dictionary<FindingKind, long> Absorbed { get; } = [];

    /// <summary>One sentence saying what happened, with the counts.</summary>
    public required Func<DetectedActivity, string> FindingTitle { get; init; }
    public required Func<DetectedActivity, string> IncidentTitle { get; init; }
    /// <summary>The incident's summary: what, who, when, what it learned or did.</summary>
    public required Func<DetectedActivity, Phrase> Summary { get; init; }
    /// <summary>What it could be, ranked by score (an attack, an authorised test, a misbehaving program...).</summary>
    public required Func<DetectedActivity, List<Cause>> Causes { get; init; }
    /// <summary>What the incident's timeline shows, besides the first and last packets.</summary>
    public List<(PacketTimestamp Time, Phrase Event)> Moments { get; } = [];

    public Finding Finding { get; set; } = null!;
    public long AbsorbedTotal => Absorbed.Values.Sum();
}

/// <summary>
/// Collects the first packets of an activity as evidence, while the decoded packet is at hand: the packet's line is
/// written then, and the rest of its record (its time in the report's words) when the capture ends. Most activities
/// followed never become findings, and a busy capture holds thousands of them at once.
/// <para>
/// The lines stay UTF-8 (<see cref="PacketLine"/>) until the report asks for them: on 2 GB of browsing traffic the
/// sensors held 28,000 evidence lines, 4.8 MB as strings.
/// </para>
/// </summary>
internal sealed class ActivityEvidence(int limit)
{
    private readonly List<(PacketRef Ref, string Role, PacketLine Line)> _kept = [];
    private List<EvidencePacket>? _packets;

    /// <summary>The packets kept, as the report cites them.</summary>
    public List<EvidencePacket> Packets => _packets ??= [.. _kept.Select(k => FindingBuilder.Packet(k.Ref, k.Role, k.Line.ToString()))];

    public long Total { get; private set; }

    public void Add(EvidenceLines lines, DecodedPacket p, int input, string role)
    {
        // Every packet offered is counted and the first ones kept, so the list is full exactly when more than the limit
        // came: told from the count, not the list (an activity past its first packets costs no second object a packet).
        if (++Total > limit) return;
        _kept.Add((PacketRef.Of(p, input), role, lines.Of(p)));
        _packets = null;
    }
}

/// <summary>A service or a host as a detection keys it: a TCP or UDP port, or port 0 for a host (ICMP) or any port.</summary>
internal readonly record struct TargetKey(IpAddr Server, ushort Port, byte Protocol)
{
    public bool Equals(TargetKey other) => Port == other.Port && Protocol == other.Protocol && Server == other.Server;

    public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Server) ^ ((uint)Port << 16) ^ Protocol);
}
