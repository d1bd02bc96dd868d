using NetTriage.Analysis.Detection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal sealed partial class TrafficTracker
{
    private readonly Dictionary<FlowKey, TcpConnection> _connections = [];
    private readonly Dictionary<ServiceKey, TcpConnection> _latestSynByService = [];
    private readonly Stack<TcpConnection> _connectionPool = new();
    private readonly List<KeyValuePair<FlowKey, TcpConnection>> _expiring = [];
    /// <summary>Where the counters of services past the cap go (counted nowhere).</summary>
    private readonly ServiceCounters _uncountedService = new();
    private long _lastForcedSweep = long.MinValue;

    public long TcpAttempts { get; private set; }
    public long TcpMidStream { get; private set; }
    public Dictionary<TcpOutcome, long> TcpOutcomes { get; } = [];
    public Dictionary<(IpAddr Server, ushort Port), ServiceCounters> TcpServices { get; } = [];
    public bool ConnectionsCapped { get; private set; }
    /// <summary>Per client: when it last tried to connect, and where its connections succeeded.</summary>
    public Dictionary<IpAddr, ClientAttempts> AttemptsByClient { get; } = [];

    internal sealed class ServiceCounters
    {
        public long Attempts;
        public long Established;
        public long Refused;
        public long Unanswered;
        public long IcmpRejected;
        /// <summary>Distinct clients that tried the service, up to <see cref="MaxClients"/> (enough to tell many sources from few).</summary>
        public readonly HashSet<IpAddr> Clients = [];
        public const int MaxClients = 64;
    }

    /// <summary>A TCP segment of the flow <paramref name="canonical"/>, whose connection (if tracked) is <paramref name="conn"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ObserveTcp(DecodedPacket p, int input, FlowKey canonical, TcpConnection? conn)
    {
        var flags = p.Tcp.Flags;

        bool syn = (flags & TcpFlags.Syn) != 0;
        bool ack = (flags & TcpFlags.Ack) != 0;
        if (syn && !ack)
        {
            if (conn is not null && !conn.Finished && conn.Client == p.Ip.Source && conn.InitialSequence == p.Tcp.Sequence
                && conn.Outcome == TcpOutcome.SynSent)
            {
                conn.Syns++; // a retransmitted SYN (RFC 6298 5): same initial sequence number
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
            conn.Outcome = TcpOutcome.MidStream;
            conn.Last = conn.First;
            TcpMidStream++;
            KeepCounters(conn);
            Admit(canonical, conn);
            return;
        }
        conn.Last = PacketRef.Of(p, input);
        bool fromServer = p.Ip.Source == conn.Server && p.SourcePort == conn.ServerPort;
        if (syn && ack && fromServer && conn.Outcome == TcpOutcome.SynSent)
        {
            conn.Outcome = TcpOutcome.Established;
            conn.OutcomePacket = PacketRef.Of(p, input);
            return;
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (conn.Outcome == TcpOutcome.SynSent && fromServer)
            {
                conn.Outcome = TcpOutcome.Refused; // RFC 9293 3.10.7.3: a reset in reply to a SYN, the port is closed
                conn.OutcomePacket = PacketRef.Of(p, input);
                // Only a refusal kept as evidence needs its line.
                if (WouldKeep(FindingKinds.TcpConnectionRefused, conn.Server, conn.ServerPort, IpProtocol.Tcp)) conn.OutcomeLine = Summarize(p);
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
    }

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
        conn.InitialSequence = p.Tcp.Sequence;
        conn.Window = p.Tcp.Window;
        conn.Syns = 1;
        conn.Outcome = TcpOutcome.SynSent;
        conn.Last = conn.First;
        KeepCounters(conn);
        TcpAttempts++;
        var service = Service(conn.Server, conn.ServerPort);
        service.Attempts++;
        if (service.Clients.Count < ServiceCounters.MaxClients) service.Clients.Add(conn.Client);
        if (!AttemptsByClient.TryGetValue(conn.Client, out var attempts))
        {
            if (AttemptsByClient.Count < _options.MaxHosts)
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
        if (_connections.Count >= _options.MaxTcpConnections)
        {
            ConnectionsCapped = true;
            // One sweep per expiry interval at most: a flood of new connections must not cost a sweep each.
            if (_lastForcedSweep == long.MinValue || Packets - _lastForcedSweep >= ExpiryInterval)
            {
                _lastForcedSweep = Packets;
                ExpireTcp(_now, atEnd: false, force: true);
            }
            if (_connections.Count >= _options.MaxTcpConnections)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ServiceCounters Service(IpAddr server, ushort port)
    {
        if (!TcpServices.TryGetValue((server, port), out var counters))
        {
            if (TcpServices.Count >= _options.MaxHosts) return _uncountedService;
            counters = new ServiceCounters();
            TcpServices[(server, port)] = counters;
        }
        return counters;
    }

    /// <summary>An ICMP error quoting a TCP segment: the connection attempt's answer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool JoinTcp(IcmpErrorRecord error, DecodedPacket p)
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
        conn.Icmp = KeepableError(error, p, WouldKeep(Detector.KindOfIcmp(error, dns: false), conn.Server, conn.ServerPort, IpProtocol.Tcp));
        conn.Icmp.JoinedTo = "tcp";
        conn.OutcomePacket = error.Packet;
        conn.OutcomeLine = conn.Icmp.Line;
        Close(canonical, conn, atEnd: false);
        return true;
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
            if (atEnd && Elapsed(conn.Last.Time, Last ?? _now) < _options.TcpAnswerGrace) conn.AtCaptureEnd = true;
        }
        else if (conn.Outcome == TcpOutcome.Established && conn.SawFin)
        {
            conn.Outcome = TcpOutcome.Closed;
        }
        Tally(conn.Outcome, conn);
        Release(conn);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tally(TcpOutcome outcome, TcpConnection conn)
    {
        ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(TcpOutcomes, outcome, out _);
        count++;
        if (!conn.IsAttempt) return;
        var service = Service(conn.Server, conn.ServerPort);
        switch (outcome)
        {
            case TcpOutcome.Established or TcpOutcome.Closed or TcpOutcome.ResetAfterEstablished:
                service.Established++;
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
        if (conn.Failed) RecordFailure(conn);
    }

    private void ReleaseTcpTables()
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
    private TimeSpan Timeout(TcpConnection conn)
    {
        var timeout = _options.TcpIdleTimeout;
        if (conn.Outcome == TcpOutcome.SynSent && _options.TcpSynTimeout < timeout) timeout = _options.TcpSynTimeout;
        if (conn.ClosedBothWays && _options.TcpClosingTimeout < timeout) timeout = _options.TcpClosingTimeout;
        return timeout;
    }

    /// <summary>
    /// Closes the connections whose time is up: an unanswered SYN after <see cref="AnalysisOptions.TcpSynTimeout"/>,
    /// one closed both ways after <see cref="AnalysisOptions.TcpClosingTimeout"/>, any other after
    /// <see cref="AnalysisOptions.TcpIdleTimeout"/> without packets. Only the connections whose deadline has come
    /// are looked at (<see cref="TcpTimers"/>); at the end, or forced at the table's cap, the whole table is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExpireTcp(PacketTimestamp now, bool atEnd, bool force = false)
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
            _timers.Due(now, this);
        }
        foreach (var (key, conn) in _expiring)
        {
            Close(key, conn, atEnd);
        }
        _expiring.Clear();
    }

    private readonly TcpTimers _timers = new();

    /// <summary>Entries in the timing wheel of connection deadlines.</summary>
    internal int TimerEntries => _timers.Count;

    private void ScheduleExpiry(TcpConnection conn) =>
        _timers.Schedule(conn, conn.Last.Time.Nanoseconds + Timeout(conn).Ticks * 100, _now);

    /// <summary>
    /// A timing wheel of one-second slots for the connections' deadlines: a connection is looked at when its
    /// deadline comes, not at every sweep. A deadline moves on with every packet; the wheel is not told, but a
    /// connection found not yet due is put back at its new deadline. A connection that ends takes its entry out
    /// (the lists are doubly linked), so the wheel holds one entry per tracked connection, never more than the
    /// table's cap, however many connections come and go within a timeout. Entries live in one array with
    /// free-list reuse: nothing is allocated once it is large enough.
    /// </summary>
    private sealed class TcpTimers
    {
        private const int Slots = 1024;
        private struct Entry
        {
            public TcpConnection? Conn;
            public int Generation;
            public int Next;
            public int Prev;
            /// <summary>The slot of the wheel whose list holds the entry.</summary>
            public int Wheel;
        }

        private readonly int[] _heads = CreateHeads();
        private Entry[] _entries = new Entry[256];
        private int _used;
        private int _free = -1;
        /// <summary>The next second to look at; the wheel covers it and the <see cref="Slots"/> - 1 after it.</summary>
        private long _next = long.MinValue;

        private static int[] CreateHeads()
        {
            var heads = new int[Slots];
            Array.Fill(heads, -1);
            return heads;
        }

        private static long Second(long nanoseconds) => Math.DivRem(nanoseconds, PacketTimestamp.NanosPerSecond, out long rem) - (rem < 0 ? 1 : 0);

        public void Schedule(TcpConnection conn, long deadline, PacketTimestamp now)
        {
            if (_next == long.MinValue) _next = Second(now.Nanoseconds);
            int slot;
            if (_free >= 0)
            {
                slot = _free;
                _free = _entries[slot].Next;
            }
            else
            {
                if (_used == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
                slot = _used++;
            }
            _entries[slot].Conn = conn;
            _entries[slot].Generation = conn.Generation;
            conn.TimerSlot = slot;
            Link(slot, deadline);
        }

        private void Link(int slot, long deadline)
        {
            long second = Math.Clamp(Second(deadline), _next, _next + Slots - 1);
            int wheel = (int)(((second % Slots) + Slots) % Slots);
            int head = _heads[wheel];
            _entries[slot].Next = head;
            _entries[slot].Prev = -1;
            _entries[slot].Wheel = wheel;
            if (head >= 0) _entries[head].Prev = slot;
            _heads[wheel] = slot;
        }

        /// <summary>Takes out the entry of a connection that ended.</summary>
        public void Cancel(TcpConnection conn)
        {
            int slot = conn.TimerSlot;
            conn.TimerSlot = -1;
            if (slot < 0 || slot >= _used || !ReferenceEquals(_entries[slot].Conn, conn) || _entries[slot].Generation != conn.Generation) return;
            ref var entry = ref _entries[slot];
            if (entry.Prev >= 0) _entries[entry.Prev].Next = entry.Next;
            else _heads[entry.Wheel] = entry.Next;
            if (entry.Next >= 0) _entries[entry.Next].Prev = entry.Prev;
            Free(slot);
        }

        /// <summary>Looks at every connection whose slot's second has passed: due ones go to the tracker's list to close, the others move on.</summary>
        public void Due(PacketTimestamp now, TrafficTracker tracker)
        {
            if (_next == long.MinValue) return;
            long last = Second(now.Nanoseconds) - 1;
            if (last < _next) return;
            long first = last - _next >= Slots ? last - Slots + 1 : _next;
            _next = last + 1;
            for (long second = first; second <= last; second++)
            {
                int wheel = (int)(((second % Slots) + Slots) % Slots);
                int slot = _heads[wheel];
                _heads[wheel] = -1;
                while (slot >= 0)
                {
                    int next = _entries[slot].Next;
                    var conn = _entries[slot].Conn!;
                    if (conn.Generation != _entries[slot].Generation || conn.Finished)
                    {
                        Free(slot);
                    }
                    else
                    {
                        long deadline = conn.Last.Time.Nanoseconds + tracker.Timeout(conn).Ticks * 100;
                        if (now.Nanoseconds > deadline)
                        {
                            var key = new FlowKey(IpProtocol.Tcp, conn.Client, conn.ClientPort, conn.Server, conn.ServerPort).Canonical();
                            tracker._expiring.Add(new KeyValuePair<FlowKey, TcpConnection>(key, conn));
                            conn.TimerSlot = -1;
                            Free(slot);
                        }
                        else
                        {
                            Link(slot, deadline);
                        }
                    }
                    slot = next;
                }
            }
        }

        /// <summary>Number of entries in the wheel (for tests).</summary>
        public int Count => _used - FreeCount();

        private int FreeCount()
        {
            int n = 0;
            for (int slot = _free; slot >= 0; slot = _entries[slot].Next) n++;
            return n;
        }

        private void Free(int slot)
        {
            _entries[slot].Conn = null;
            _entries[slot].Next = _free;
            _free = slot;
        }

        /// <summary>Forgets everything (after the end).</summary>
        public void Clear()
        {
            Array.Fill(_heads, -1);
            _entries = new Entry[256];
            _used = 0;
            _free = -1;
            _next = long.MinValue;
        }
    }
}
