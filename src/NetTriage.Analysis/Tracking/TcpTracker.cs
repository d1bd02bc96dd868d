using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Packets;
using static NetTriage.Analysis.Tracking.TrafficTracker;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Follows every TCP connection from its SYN (or its first packet, when the SYN is not in the capture) to its
/// outcome: established (RFC 9293 3.5), refused by a reset (3.10.7.3), rejected by an ICMP error quoting the SYN
/// (<see cref="Join"/>), unanswered, closed or reset later. Counts attempts per service and per client.
/// </summary>
internal sealed class TcpTracker(TrafficTracker t)
{
    /// <summary>Objects kept in the pool for reuse (more live objects than this are left to the collector when they end).</summary>
    private const int MaxPooled = 16_384;

    private readonly TrafficTracker _t = t;

    private readonly Dictionary<FlowKey, TcpConnection> _connections = [];
    private readonly Dictionary<ServiceKey, TcpConnection> _latestSynByService = [];
    private readonly Stack<TcpConnection> _connectionPool = new();
    private readonly List<KeyValuePair<FlowKey, TcpConnection>> _expiring = [];
    /// <summary>Where the counters of services past the cap go (counted nowhere).</summary>
    private readonly ServiceCounters _uncountedService = new();
    private long _lastForcedSweep = long.MinValue;

    public long Attempts { get; private set; }
    public long MidStream { get; private set; }
    public Dictionary<TcpOutcome, long> Outcomes { get; } = [];
    public Dictionary<(IpAddr Server, ushort Port), ServiceCounters> Services { get; } = [];
    public bool ConnectionsCapped { get; private set; }
    /// <summary>Per client: when it last tried to connect, and where its connections succeeded.</summary>
    public Dictionary<IpAddr, ClientAttempts> AttemptsByClient { get; } = [];

    internal sealed class ServiceCounters
    {
        public long Attempts;
        public long Established;
        /// <summary>Of the established (answered) attempts, those whose client completed the handshake.</summary>
        public long Completed;
        public long Refused;
        public long Unanswered;
        public long IcmpRejected;
        /// <summary>Distinct clients that tried the service, up to <see cref="MaxClients"/> (enough to tell many sources from few).</summary>
        public readonly BoundedAddressSet Clients = new(MaxClients);
        public const int MaxClients = 64;
        /// <summary>Where its connections' time goes; made at the first connection measured (null before).</summary>
        public ServiceTiming? Timing;
        /// <summary>Its connections stuck at a zero window or stalled; made at the first one (null before).</summary>
        public StuckCounters? Stuck;
    }

    /// <summary>Connections of a service whose receiver stopped reading, or whose data was never acknowledged.</summary>
    internal sealed class StuckCounters
    {
        public long ZeroWindowConnections, ClientZero, ServerZero, Probes;
        public long LongestZeroWindow;
        public (IpAddr Client, ushort Port, PacketTimestamp Time)? Example;
        public long StalledConnections, ClientStalled, ServerStalled, Retransmissions;
        public long LongestStall;
        public (IpAddr Client, ushort Port, PacketTimestamp Time)? StallExample;
    }

    /// <summary>Services whose timing is measured at most: fixed memory (about 1.5 KB each).</summary>
    internal const int MaxTimedServices = 4096;
    private int _timedServices;
    /// <summary>Longer than this from request to answer is a long poll or a stream by design, not a slow server.</summary>
    internal static readonly long LongPollNanos = 20 * PacketTimestamp.NanosPerSecond;

    /// <summary>A TCP segment of the flow <paramref name="canonical"/>, whose connection (if tracked) is <paramref name="conn"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(DecodedPacket p, int input, FlowKey canonical, TcpConnection? conn)
    {
        var flags = p.Tcp.Flags;

        bool syn = (flags & TcpFlags.Syn) != 0;
        bool ack = (flags & TcpFlags.Ack) != 0;
        if (syn && !ack)
        {
            if (conn is not null && !conn.Finished && conn.Client == p.Ip.Source && conn.InitialSequence == p.Tcp.Sequence
                && conn.Outcome == TcpOutcome.SynSent)
            {
                // A retransmitted SYN (RFC 6298 5): same initial sequence number, after a retransmission timeout. The same
                // SYN again within milliseconds is the capture seeing it twice (a mirror port and a tunnel, a bridge), not
                // the client trying again: it proves no second attempt.
                // (Without time stamps, tcpdump -t text, no gap can be told: a repeat counts as a retransmission.)
                if (p.Timestamp.Kind != TimestampKind.None && p.Timestamp.Nanoseconds - conn.Last.Time.Nanoseconds < CaptureDuplicateNanos) return;
                conn.Syns++;
                conn.Last = PacketRef.Of(p, input);
                return;
            }
            if (conn is not null)
            {
                Close(canonical, conn, atEnd: false);
            }
            StartConnection(p, input, canonical);
            return;
        }
        if (conn is null)
        {
            if ((flags & TcpFlags.Rst) != 0) return; // a stray reset of something never seen
            conn = RentConnection();
            conn.Client = p.Ip.Source;
            conn.ClientPort = p.SourcePort;
            conn.Server = p.Ip.Destination;
            conn.ServerPort = p.DestinationPort;
            conn.First = PacketRef.Of(p, input);
            conn.IsV6 = p.Ip.Version == 6;
        conn.Tunnel = p.Tunnel.Depth == 0 ? null : _t.Tunnels.Of(p);
            conn.NextHop = default;
            conn.Outcome = TcpOutcome.MidStream;
            conn.Last = conn.First;
            MidStream++;
            _t.KeepCounters(conn);
            Admit(canonical, conn);
            return;
        }
        conn.Last = PacketRef.Of(p, input);
        bool fromServer = p.Ip.Source == conn.Server && p.SourcePort == conn.ServerPort;
        // A SYN-ACK behind the client's ACK (reordered in the capture) or any later packet of the server: both
        // directions are in the capture after all.
        if (fromServer) conn.AnswerUnseen = false;
        if (!fromServer && (flags & TcpFlags.Ack) != 0 && conn.Outcome == TcpOutcome.Established)
        {
            conn.ClientAcked = true;
            if (conn.AckAt == 0 && conn.SynAckAt != 0)
            {
                // Only the ACK of the SYN-ACK itself ends the round trip: a capture that lacks it (a filter that keeps
                // SYNs and FINs) would time the whole connection. Otherwise the connection is not measured.
                if (p.Tcp.Acknowledgment == conn.ServerIsn + 1 && (flags & (TcpFlags.Fin | TcpFlags.Rst)) == 0) conn.AckAt = p.Timestamp.Nanoseconds;
                else conn.SynAckAt = 0;
            }
        }
        if (syn && ack && fromServer && conn.Outcome == TcpOutcome.SynSent)
        {
            conn.Outcome = TcpOutcome.Established;
            conn.OutcomePacket = PacketRef.Of(p, input);
            // A retransmitted SYN makes the round trip ambiguous (Karn's rule, RFC 6298 3): not measured.
            if (conn.Syns == 1)
            {
                conn.SynAckAt = p.Timestamp.Nanoseconds;
                conn.ServerIsn = p.Tcp.Sequence;
            }
            return;
        }
        if (conn.Outcome == TcpOutcome.Established) Flow(conn, p, fromServer, flags);
        if (conn.AckAt != 0 && conn.ResponseAt == 0 && Math.Max(p.PayloadLength, p.PayloadClaimedLength) > 0)
        {
            if (!fromServer)
            {
                if (conn.RequestAt == 0) conn.RequestAt = p.Timestamp.Nanoseconds;
            }
            else if (conn.RequestAt != 0)
            {
                conn.ResponseAt = p.Timestamp.Nanoseconds;
            }
            else
            {
                conn.ServerSpokeFirst = true;
                conn.ResponseAt = -1; // nothing more to measure on this connection
            }
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (conn.Outcome == TcpOutcome.SynSent && fromServer)
            {
                conn.Outcome = TcpOutcome.Refused; // RFC 9293 3.10.7.3: a reset in reply to a SYN, the port is closed
                conn.OutcomePacket = PacketRef.Of(p, input);
                // Only a refusal kept as evidence needs its line.
                if (_t.Facts.KeepsDetail(conn, TcpOutcome.Refused, null)) conn.OutcomeLine = _t.Lines.Of(p);
                Close(canonical, conn, atEnd: false);
            }
            else if (conn.Outcome == TcpOutcome.Established)
            {
                conn.Outcome = TcpOutcome.ResetAfterEstablished;
                conn.OutcomePacket = PacketRef.Of(p, input);
                Close(canonical, conn, atEnd: false);
            }
            return;
        }
        if ((flags & TcpFlags.Fin) != 0 && conn.Outcome == TcpOutcome.Established)
        {
            conn.SawFin = true;
            if (fromServer) conn.FinFromServer = true;
            else conn.FinFromClient = true;
        }
        else if (conn.Outcome == TcpOutcome.SynSent && fromServer)
        {
            // Data or ACKs from the server without the SYN-ACK in the capture: the connection was answered.
            conn.Outcome = TcpOutcome.Established;
            conn.OutcomePacket = PacketRef.Of(p, input);
        }
        else if (conn.Outcome == TcpOutcome.SynSent && !syn && ack)
        {
            // The client acknowledges: it got the SYN-ACK (RFC 9293 3.5: a client in SYN-SENT sends nothing else with
            // ACK), which the capture does not hold. The server answered; its packets are missing from the capture
            // (a one-way tap, asymmetric routing, a filter on one direction).
            conn.Outcome = TcpOutcome.Established;
            conn.ClientAcked = true;
            conn.OutcomePacket = PacketRef.Of(p, input);
            conn.AnswerUnseen = true;
        }
    }

    /// <summary>Connections whose client acknowledged a SYN-ACK the capture does not hold: answered, one direction missing.</summary>
    public long AnsweredUnseen { get; private set; }

    /// <summary>The first of them, for the caveat that says so.</summary>
    public (IpAddr Client, IpAddr Server, ushort Port)? AnsweredUnseenExample { get; private set; }

    private TcpConnection RentConnection() => _connectionPool.TryPop(out var conn) ? conn : new TcpConnection();

    /// <summary>
    /// A connection that ended: its client's attempt record gets the outcome, and unless it is kept as
    /// evidence it goes back to the pool (nothing refers to it any more).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Release(TcpConnection conn)
    {
        if (conn.Outcome is TcpOutcome.Established or TcpOutcome.Closed or TcpOutcome.ResetAfterEstablished
            && AttemptsByClient.TryGetValue(conn.Client, out var attempts))
        {
            attempts.Connected(conn.Server);
        }
        if (conn.Kept) return;
        conn.Recycle();
        if (_connectionPool.Count < MaxPooled) _connectionPool.Push(conn);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StartConnection(DecodedPacket p, int input, FlowKey canonical)
    {
        var conn = RentConnection();
        conn.Client = p.Ip.Source;
        conn.ClientPort = p.SourcePort;
        conn.Server = p.Ip.Destination;
        conn.ServerPort = p.DestinationPort;
        conn.First = PacketRef.Of(p, input);
        conn.IsV6 = p.Ip.Version == 6;
        conn.Tunnel = p.Tunnel.Depth == 0 ? null : _t.Tunnels.Of(p);
        conn.NextHop = p.DestinationMac;
        conn.InitialSequence = p.Tcp.Sequence;
        conn.Window = p.Tcp.Window;
        conn.Syns = 1;
        conn.Outcome = TcpOutcome.SynSent;
        conn.Last = conn.First;
        _t.KeepCounters(conn);
        Attempts++;
        var service = Service(conn.Server, conn.ServerPort);
        service.Attempts++;
        service.Clients.Add(conn.Client);
        if (!AttemptsByClient.TryGetValue(conn.Client, out var attempts))
        {
            if (AttemptsByClient.Count < _t.Options.MaxHosts)
            {
                attempts = new ClientAttempts();
                AttemptsByClient[conn.Client] = attempts;
            }
        }
        attempts?.Attempted(conn.First.Time);
        if (!Admit(canonical, conn)) return;
        _latestSynByService[new ServiceKey(conn.Client, conn.Server, conn.ServerPort)] = conn;
    }

    /// <summary>Puts a new connection in the table; at the cap, makes room or counts it and lets it go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Admit(FlowKey canonical, TcpConnection conn)
    {
        if (_connections.Count >= _t.Options.MaxTcpConnections)
        {
            ConnectionsCapped = true;
            // One sweep per expiry interval at most: a flood of new connections must not cost a sweep each.
            if (_lastForcedSweep == long.MinValue || _t.Packets - _lastForcedSweep >= TrafficTracker.ExpiryInterval)
            {
                _lastForcedSweep = _t.Packets;
                Expire(_t.Now, atEnd: false, force: true);
            }
            if (_connections.Count >= _t.Options.MaxTcpConnections)
            {
                Tally(conn.Outcome == TcpOutcome.SynSent ? TcpOutcome.Unanswered : conn.Outcome, conn);
                Release(conn);
                return false;
            }
        }
        _connections[canonical] = conn;
        ScheduleExpiry(conn);
        return true;
    }

    /// <summary>
    /// Flow control and retransmissions of an established connection, one segment at a time: zero windows opened and
    /// closed, probes into them, data sent again and whether the other side ever acknowledged it. Sequence numbers
    /// compare modulo 2^32 (RFC 9293 3.4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flow(TcpConnection conn, DecodedPacket p, bool fromServer, TcpFlags flags)
    {
        long now = p.Timestamp.Nanoseconds;
        if (fromServer) conn.LastFromServer = now;
        else conn.LastFromClient = now;
        if ((flags & TcpFlags.Rst) != 0) return;
        // Without a zero window or a retransmission so far there is nothing to close, acknowledge or probe.
        var trouble = conn.Trouble;
        if (p.Tcp.Window == 0) trouble ??= conn.Trouble = new TcpConnection.FlowTrouble();
        int length = Math.Max(p.PayloadLength, p.PayloadClaimedLength) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0);
        ref var mine = ref fromServer ? ref conn.ServerSent : ref conn.ClientSent;
        if (trouble is not null)
        {
            ref long zeroSince = ref fromServer ? ref trouble.ServerZeroSince : ref trouble.ClientZeroSince;
            if (p.Tcp.Window == 0)
            {
                if (zeroSince == 0) zeroSince = now;
            }
            else if (zeroSince != 0)
            {
                ref long longest = ref fromServer ? ref trouble.ServerZeroLongest : ref trouble.ClientZeroLongest;
                longest = Math.Max(longest, now - zeroSince);
                zeroSince = 0;
            }
            ref var theirs = ref fromServer ? ref trouble.ClientResent : ref trouble.ServerResent;
            // Their data acknowledged past the retransmitted stretch: it got through, no stall.
            if ((flags & TcpFlags.Ack) != 0 && theirs.Count > 0 && (int)(p.Tcp.Acknowledgment - theirs.Seq) > 0)
            {
                theirs.Count = 0;
            }
            // A segment into a closed window is a probe (RFC 9293 3.8.6.1): the next byte, or none with the sequence one
            // below the highest sent, as Linux sends them; a plain acknowledgement of the other side's data is none.
            if ((fromServer ? trouble.ClientZeroSince : trouble.ServerZeroSince) != 0 && (flags & TcpFlags.Fin) == 0
                && (length == 1 || (length == 0 && mine.Started && p.Tcp.Sequence == mine.MaxEnd - 1)))
            {
                trouble.ZeroProbes++;
            }
        }
        if (length == 0) return;
        uint seq = p.Tcp.Sequence;
        uint end = seq + (uint)length;
        if (!mine.Started || (int)(end - mine.MaxEnd) > 0)
        {
            if (mine.Started && (int)(seq - mine.MaxEnd) < 0) Retransmitted(conn, fromServer, seq, now); // new data with old in it
            mine.MaxEnd = end;
            mine.Started = true;
            return;
        }
        Retransmitted(conn, fromServer, seq, now);
    }

    private static void Retransmitted(TcpConnection conn, bool fromServer, uint seq, long now)
    {
        var trouble = conn.Trouble ??= new TcpConnection.FlowTrouble();
        ref var state = ref fromServer ? ref trouble.ServerResent : ref trouble.ClientResent;
        if (state.Count == 0)
        {
            state.Seq = seq;
            state.First = now;
        }
        state.Count++;
        state.Last = now;
    }

    /// <summary>
    /// A SYN repeated sooner than this is a copy of the first in the capture, not a retransmission: 100 ms is a tenth of
    /// the initial retransmission timeout (RFC 6298 2.1: 1 s; no stack retries a SYN sooner than 200 ms), and a copy
    /// seen twice by the capture arrives within a millisecond or so.
    /// </summary>
    internal const long CaptureDuplicateNanos = 100_000_000;

    /// <summary>Retransmissions this many times over at least <see cref="StallNanos"/>, never acknowledged, are a stall.</summary>
    internal const int StallRetransmissions = 3;
    internal static readonly long StallNanos = PacketTimestamp.NanosPerSecond;
    /// <summary>A receiver at a zero window this long has stopped reading (flow control pauses are far shorter).</summary>
    internal static readonly long StuckZeroWindowNanos = PacketTimestamp.NanosPerSecond;

    /// <summary>An ended connection's zero windows and unacknowledged retransmissions into its service's counters.</summary>
    private static void Stalls(ServiceCounters service, TcpConnection conn)
    {
        if (conn.Trouble is not { } trouble) return; // no zero window, no retransmission
        long end = conn.Last.Time.Nanoseconds;
        long client = Math.Max(trouble.ClientZeroLongest, trouble.ClientZeroSince != 0 ? end - trouble.ClientZeroSince : 0);
        long server = Math.Max(trouble.ServerZeroLongest, trouble.ServerZeroSince != 0 ? end - trouble.ServerZeroSince : 0);
        if (Math.Max(client, server) >= StuckZeroWindowNanos)
        {
            var z = service.Stuck ??= new StuckCounters();
            z.ZeroWindowConnections++;
            if (client >= server) z.ClientZero++;
            else z.ServerZero++;
            z.LongestZeroWindow = Math.Max(z.LongestZeroWindow, Math.Max(client, server));
            z.Probes += trouble.ZeroProbes;
            z.Example ??= (conn.Client, conn.ClientPort, conn.First.Time);
        }
        foreach (bool fromServer in (ReadOnlySpan<bool>)[false, true])
        {
            var sent = fromServer ? trouble.ServerResent : trouble.ClientResent;
            if (sent.Count < StallRetransmissions || sent.Last - sent.First < StallNanos) continue;
            // The other side must have been heard once established: a capture of one direction shows retransmissions
            // whose acknowledgements it lacks.
            if ((fromServer ? conn.LastFromClient : conn.LastFromServer) == 0) continue;
            var z = service.Stuck ??= new StuckCounters();
            z.StalledConnections++;
            if (fromServer) z.ServerStalled++;
            else z.ClientStalled++;
            z.Retransmissions += sent.Count;
            z.LongestStall = Math.Max(z.LongestStall, sent.Last - sent.First);
            z.StallExample ??= (conn.Client, conn.ClientPort, new PacketTimestamp(sent.First, conn.First.Time.Kind));
        }
    }

    /// <summary>A measured connection's times into its service's timing.</summary>
    private void Time(ServiceCounters service, TcpConnection conn)
    {
        if (service.Timing is null)
        {
            if (_timedServices >= MaxTimedServices || ReferenceEquals(service, _uncountedService)) return;
            service.Timing = new ServiceTiming();
            _timedServices++;
        }
        var timing = service.Timing;
        long syn = conn.First.Time.Nanoseconds;
        if (timing.RoundTrip.Count == 0 || syn < timing.First.Nanoseconds) timing.First = conn.First.Time;
        if (syn > timing.Last.Nanoseconds) timing.Last = conn.First.Time;
        timing.RoundTrip.Add(conn.AckAt - syn);
        if (conn.ServerSpokeFirst)
        {
            timing.ServerFirst++;
            return;
        }
        if (conn.RequestAt == 0) return;
        timing.ClientWait.Add(conn.RequestAt - conn.AckAt);
        if (conn.ResponseAt > 0 && conn.ResponseAt - conn.RequestAt <= LongPollNanos)
        {
            // The capture point's own round trip to the server (SYN to SYN-ACK) is in the answer's delay: taken out.
            timing.Server.Add(conn.ResponseAt - conn.RequestAt - (conn.SynAckAt - syn));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ServiceCounters Service(IpAddr server, ushort port)
    {
        if (!Services.TryGetValue((server, port), out var counters))
        {
            if (Services.Count >= _t.Options.MaxHosts) return _uncountedService;
            counters = new ServiceCounters();
            Services[(server, port)] = counters;
        }
        return counters;
    }

    /// <summary>An ICMP error quoting a TCP segment: the connection attempt's answer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Join(IcmpErrorRecord error, DecodedPacket p)
    {
        TcpConnection? conn = null;
        FlowKey canonical = default;
        if (error.ClientPort != 0)
        {
            canonical = new FlowKey(IpProtocol.Tcp, error.Client, error.ClientPort, error.Target, error.TargetPort).Canonical();
            _connections.TryGetValue(canonical, out conn);
        }
        else if (_latestSynByService.TryGetValue(new ServiceKey(error.Client, error.Target, error.TargetPort), out conn))
        {
            canonical = new FlowKey(IpProtocol.Tcp, conn.Client, conn.ClientPort, conn.Server, conn.ServerPort).Canonical();
        }
        if (conn is null || conn.Outcome != TcpOutcome.SynSent) return false;
        conn.Outcome = TcpOutcome.IcmpRejected;
        // The attempt failed: it is kept if there is room, and then needs an error record of its own.
        conn.Icmp = _t.Facts.KeepsDetail(conn, TcpOutcome.IcmpRejected, error) ? error.KeptCopy(_t.Lines.Of(p)) : error;
        conn.OutcomePacket = error.Packet;
        conn.OutcomeLine = conn.Icmp.Line;
        Close(canonical, conn, atEnd: false);
        return true;
    }

    /// <summary>Attempts in progress past which an error without ports is not looked up by its addresses (the lookup is a scan).</summary>
    private const int MaxScannedForInference = 4096;

    /// <summary>
    /// An ICMP error that quotes no protocol and no port (tcpdump text without -v): the outcome of the latest
    /// unanswered connection attempt its receiver made to the error's target, on any port. Text inputs hold few
    /// attempts in progress at once; past <see cref="MaxScannedForInference"/> the error is left unjoined.
    /// </summary>
    public bool JoinByAddresses(IcmpErrorRecord error, DecodedPacket p)
    {
        if (_latestSynByService.Count > MaxScannedForInference) return false;
        TcpConnection? latest = null;
        foreach (var (key, conn) in _latestSynByService)
        {
            if (key.Client == error.Client && key.Server == error.Target && conn.Outcome == TcpOutcome.SynSent
                && (latest is null || conn.First.Time.Nanoseconds > latest.First.Time.Nanoseconds))
            {
                latest = conn;
            }
        }
        if (latest is null) return false;
        error.Inferred = true;
        error.QuotedProtocol = IpProtocol.Tcp;
        error.ClientPort = latest.ClientPort;
        error.TargetPort = latest.ServerPort;
        return Join(error, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Close(FlowKey canonical, TcpConnection conn, bool atEnd)
    {
        if (conn.Finished) return;
        conn.Finished = true;
        _timers.Cancel(conn);
        if (_connections.TryGetValue(canonical, out var current) && ReferenceEquals(current, conn)) _connections.Remove(canonical);
        var service = new ServiceKey(conn.Client, conn.Server, conn.ServerPort);
        if (_latestSynByService.TryGetValue(service, out var latest) && ReferenceEquals(latest, conn)) _latestSynByService.Remove(service);

        if (conn.Outcome == TcpOutcome.SynSent)
        {
            conn.Outcome = TcpOutcome.Unanswered;
            if (atEnd && Elapsed(conn.Last.Time, _t.SegmentEnd) < _t.Options.TcpAnswerGrace) conn.AtCaptureEnd = true;
        }
        else if (conn.Outcome == TcpOutcome.Established && conn.SawFin)
        {
            conn.Outcome = TcpOutcome.Closed;
        }
        if (conn.AnswerUnseen)
        {
            AnsweredUnseen++;
            AnsweredUnseenExample ??= (conn.Client, conn.Server, conn.ServerPort);
        }
        Tally(conn.Outcome, conn);
        Release(conn);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tally(TcpOutcome outcome, TcpConnection conn)
    {
        ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(Outcomes, outcome, out _);
        count++;
        if (!conn.IsAttempt) return;
        _t.Minutes.Tcp(conn, outcome);
        var service = Service(conn.Server, conn.ServerPort);
        switch (outcome)
        {
            case TcpOutcome.Established or TcpOutcome.Closed or TcpOutcome.ResetAfterEstablished:
                service.Established++;
                if (conn.ClientAcked) service.Completed++;
                if (conn.AckAt != 0) Time(service, conn);
                Stalls(service, conn);
                break;
            case TcpOutcome.Refused:
                service.Refused++;
                break;
            case TcpOutcome.Unanswered:
                service.Unanswered++;
                break;
            case TcpOutcome.IcmpRejected:
                service.IcmpRejected++;
                break;
        }
        if (conn.Failed) _t.Facts.TcpFailed(conn, _t.Dns.ResolutionOf(conn.Client, conn.Server));
    }

    public void Release()
    {
        _connections.Clear();
        _connections.TrimExcess();
        _latestSynByService.Clear();
        _latestSynByService.TrimExcess();
        _connectionPool.Clear();
        _connectionPool.TrimExcess();
        _expiring.Clear();
        _expiring.TrimExcess();
        _timers.Clear();
    }

    /// <summary>How long <paramref name="conn"/> may stay without packets in its present state.</summary>
    internal TimeSpan Timeout(TcpConnection conn)
    {
        var timeout = _t.Options.TcpIdleTimeout;
        if (conn.Outcome == TcpOutcome.SynSent && _t.Options.TcpSynTimeout < timeout) timeout = _t.Options.TcpSynTimeout;
        if (conn.ClosedBothWays && _t.Options.TcpClosingTimeout < timeout) timeout = _t.Options.TcpClosingTimeout;
        return timeout;
    }

    /// <summary>
    /// Closes the connections whose time is up: an unanswered SYN after <see cref="AnalysisOptions.TcpSynTimeout"/>,
    /// one closed both ways after <see cref="AnalysisOptions.TcpClosingTimeout"/>, any other after
    /// <see cref="AnalysisOptions.TcpIdleTimeout"/> without packets. Only the connections whose deadline has come
    /// are looked at (<see cref="TcpTimers"/>); at the end, or forced at the table's cap, the whole table is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Expire(PacketTimestamp now, bool atEnd, bool force = false)
    {
        _expiring.Clear();
        if (atEnd || force)
        {
            foreach (var entry in _connections)
            {
                var conn = entry.Value;
                bool expire = atEnd || Elapsed(conn.Last.Time, now) > Timeout(conn)
                    || (force && (conn.Outcome != TcpOutcome.SynSent || Elapsed(conn.Last.Time, now) > TimeSpan.FromSeconds(1)));
                if (expire) _expiring.Add(entry);
            }
        }
        else
        {
            _timers.Due(now, this, _expiring);
        }
        foreach (var (key, conn) in _expiring)
        {
            Close(key, conn, atEnd);
        }
        _expiring.Clear();
    }

    private readonly TcpTimers _timers = new();

    /// <summary>A new segment of capture (<see cref="TrafficTracker"/>; every connection has just been closed): the deadlines' wheel starts again at the new time.</summary>
    public void StartSegment() => _timers.Restart();

    /// <summary>Entries in the timing wheel of connection deadlines.</summary>
    internal int TimerEntries => _timers.Count;

    private void ScheduleExpiry(TcpConnection conn) =>
        _timers.Schedule(conn, conn.Last.Time.Nanoseconds + Timeout(conn).Ticks * 100, _t.Now);

    /// <summary>The connection of a flow, if tracked (looked up for every TCP segment: inlined into the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TcpConnection? Find(FlowKey canonical) => _connections.GetValueOrDefault(canonical);
}
