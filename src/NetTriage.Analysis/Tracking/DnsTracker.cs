using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using static NetTriage.Analysis.Tracking.TrafficTracker;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Follows every DNS transaction (queries, RFC 1035 4.1.1, and the other requests: NOTIFY, UPDATE, IQUERY, STATUS) to its outcome: a response (any rcode), an ICMP
/// error quoting the query (<see cref="Join"/>), or nothing before <see cref="AnalysisOptions.DnsPendingTimeout"/>.
/// Counts queries per server and remembers, for a while, which addresses clients got (did a failed connection go
/// to an address its client resolved?) and, for the whole capture, which names they resolved.
/// </summary>
internal sealed class DnsTracker(TrafficTracker t)
{
    /// <summary>Distinct question names interned before the table starts afresh.</summary>
    private const int MaxNames = 50_000;
    /// <summary>Objects kept in the pool for reuse (more live objects than this are left to the collector when they end).</summary>
    private const int MaxPooled = 16_384;

    private readonly TrafficTracker _t = t;
    private readonly NameTable _names = new(MaxNames);

    /// <summary>The latest query of a question, as far as retransmissions are concerned.</summary>
    private struct LatestQuery
    {
        public DnsAttempt Attempt;
        public int Generation;
        public PacketTimestamp Time;
        /// <summary>It went unanswered (the attempt object may have been reused since).</summary>
        public bool Unanswered;
    }

    private readonly Dictionary<DnsExchangeKey, DnsAttempt> _pendingByExchange = [];
    private readonly Dictionary<ServiceKey, DnsAttempt> _latestPendingByService = [];
    /// <summary>Per question, its latest query while that query is pending or went unanswered recently.</summary>
    private readonly Dictionary<DnsQuestionKey, LatestQuery> _lastByQuestion = [];
    /// <summary>Queries in the order sent, for expiry; an entry whose generation no longer matches is stale.</summary>
    private readonly Queue<(DnsAttempt Attempt, int Generation)> _pendingOrder = new();
    private readonly Stack<DnsAttempt> _attemptPool = new();
    private readonly ResolvedNameTable _resolvedNames = new(t.Options.MaxResolvedNames);
    /// <summary>Where the counters of servers past the cap go (counted nowhere).</summary>
    private readonly DnsServerCounters _uncountedServer = new();

    public long Queries { get; private set; }
    public long Answered { get; private set; }
    public long AnsweredNoError { get; private set; }
    public long IcmpAnswered { get; private set; }
    public long Unanswered { get; private set; }
    public long UnansweredAtEnd { get; private set; }
    public long Retransmissions { get; private set; }
    public long UnmatchedResponses { get; private set; }
    public Dictionary<int, long> ErrorRcodes { get; } = [];
    public Dictionary<IpAddr, DnsServerCounters> Servers { get; } = [];
    public LatencyHistogram ResponseTimes { get; } = new();

    public bool PendingCapped { get; private set; }
    /// <summary>Requests waiting for their answer.</summary>
    internal int PendingQueries => _pendingByExchange.Count;

    /// <summary>
    /// Requests that are not queries, by opcode: a zone's maintenance (NOTIFY, RFC 1996; UPDATE, RFC 2136) or an obsolete
    /// request (IQUERY, STATUS). Counted apart from the queries: they resolve no name, and their failures are their own.
    /// </summary>
    public SortedDictionary<int, DnsOperationCounters> Operations { get; } = [];
    /// <summary>Requests that are not queries, per server and opcode (as many servers as hosts are counted).</summary>
    private readonly Dictionary<(IpAddr Server, int Opcode), long> _operationsTo = [];

    internal sealed class DnsOperationCounters
    {
        public long Sent;
        public long Answered;
        public long IcmpAnswered;
        public long Unanswered;
        /// <summary>The answered ones by rcode, NOERROR included.</summary>
        public readonly SortedDictionary<int, long> Rcodes = [];
    }

    /// <summary>Requests of <paramref name="opcode"/> (not a query) sent to <paramref name="server"/>, if any.</summary>
    public long? OperationsTo(IpAddr server, int opcode) => _operationsTo.TryGetValue((server, opcode), out long n) ? n : null;

    /// <summary>Addresses clients got in DNS answers recently: the name and the answer, for "the client connected to what it resolved".</summary>
    private readonly ResolutionTable _resolutions = new();
    private long _resolutionGenerationStart = long.MinValue;
    /// <summary>How long a generation of resolutions lasts: an answer is remembered for one to two of these.</summary>
    private static readonly long ResolutionGenerationNanos = 60 * PacketTimestamp.NanosPerSecond;
    public bool ResolutionsCapped { get; private set; }
    private const int MaxClientsPerDnsServer = 10_000;
    private const int MaxDnsServerClients = 200_000;
    private int _dnsServerClients;
    /// <summary>Clients of DNS servers past the budget over all servers were not remembered (the counts of queries stay exact).</summary>
    public bool ServerClientsCapped { get; private set; }

    internal sealed class DnsServerCounters
    {
        public long Queries;
        public long Answered;
        public long Errors;
        public long IcmpAnswered;
        public long Unanswered;
        public readonly HashSet<IpAddr> Clients = [];
    }

    /// <summary>Whether <paramref name="client"/> resolved <paramref name="name"/> successfully, and when last.</summary>
    public bool Resolved(IpAddr client, string name) => _resolvedNames.Contains(client, name);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DnsServerCounters DnsServer(IpAddr server)
    {
        if (!Servers.TryGetValue(server, out var counters))
        {
            if (Servers.Count >= _t.Options.MaxHosts) return _uncountedServer;
            counters = new DnsServerCounters();
            Servers[server] = counters;
        }
        return counters;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(DecodedPacket p, int input)
    {
        var dns = p.Dns;
        // DSO (RFC 8490) is a session over TCP, not a request with one answer; opcode 3 and 7 to 15 are unassigned:
        // neither direction of those is a transaction, nor an answer to no query.
        if (dns.Opcode is not (DnsOpcode.Query or DnsOpcode.IQuery or DnsOpcode.Status or DnsOpcode.Notify or DnsOpcode.Update)) return;
        if (!dns.IsResponse)
        {
            if (!IsRequest(dns)) return;
            ObserveQuery(p, input);
        }
        else
        {
            ObserveResponse(p, input);
        }
    }

    /// <summary>
    /// A request that has a response (RFC 1035 4.1.1, 1996, 2136): a query or NOTIFY with its question, an UPDATE with its
    /// one zone (the zone section has the question's place and form), an IQUERY or a STATUS.
    /// </summary>
    private static bool IsRequest(DnsInfo dns) => dns.Opcode switch
    {
        DnsOpcode.Update => dns.QuestionCount == 1 && dns.StoredQuestions == 1,
        DnsOpcode.IQuery or DnsOpcode.Status => true,
        _ => dns.StoredQuestions > 0,
    };

    private DnsAttempt RentAttempt()
    {
        if (_attemptPool.TryPop(out var attempt)) return attempt;
        return new DnsAttempt();
    }

    /// <summary>An attempt that ended and is not kept goes back to the pool; nothing refers to it any more.</summary>
    private void ReturnAttempt(DnsAttempt attempt)
    {
        if (attempt.Kept) return;
        attempt.Recycle();
        if (_attemptPool.Count < MaxPooled) _attemptPool.Push(attempt);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ObserveQuery(DecodedPacket p, int input)
    {
        var attempt = RentAttempt();
        attempt.Query = PacketRef.Of(p, input);
        attempt.Client = p.Ip.Source;
        attempt.ClientPort = p.SourcePort;
        attempt.Server = p.Ip.Destination;
        attempt.ServerPort = p.DestinationPort;
        attempt.Id = p.Dns.Id;
        attempt.Opcode = p.Dns.Opcode;
        if (p.Dns.StoredQuestions > 0)
        {
            var q = p.Dns.Questions[0];
            attempt.QType = q.Type;
            attempt.QName = _names.Get(p.Text.GetSpan(q.Name));
        }
        else
        {
            attempt.QType = 0;
        }
        attempt.RecursionDesired = p.Dns.RecursionDesired;
        // Over TCP the prefix says the message's length (its segment may hold less, or more); tcpdump text says only the segment's.
        attempt.MessageLength = !p.Dns.OverTcp ? p.PayloadClaimedLength
            : p.Dns.TcpMessageLength > 0 ? p.Dns.TcpMessageLength : Math.Max(p.PayloadClaimedLength - 2, 0);
        attempt.OverTcp = p.Dns.OverTcp;
        attempt.IsV6 = p.Ip.Version == 6;
        attempt.Tunnel = p.Tunnel.Depth == 0 ? null : _t.Tunnels.Of(p);
        attempt.NextHop = p.DestinationMac;
        if (attempt.Opcode != DnsOpcode.Query)
        {
            ObserveOperation(attempt);
            return;
        }
        Queries++;
        var server = DnsServer(attempt.Server);
        server.Queries++;
        if (server.Clients.Count < MaxClientsPerDnsServer)
        {
            // Over all servers too: a capture of many servers each asked by many clients must not grow this without end.
            if (_dnsServerClients < MaxDnsServerClients)
            {
                if (server.Clients.Add(attempt.Client)) _dnsServerClients++;
            }
            else if (!server.Clients.Contains(attempt.Client))
            {
                ServerClientsCapped = true;
            }
        }

        // The same exchange again (same ports and id) while the first is pending: the first went unanswered.
        var exchange = attempt.ExchangeKey;
        if (_pendingByExchange.TryGetValue(exchange, out var previous))
        {
            previous.Superseded = GaveUp(previous.Query.Time, attempt.Query.Time);
            Decide(previous, DnsOutcome.Unanswered, atEnd: false);
            attempt.IsRetransmission = true;
        }
        // The same question to the same server shortly after an unanswered one, from any port: a retry.
        var questionKey = attempt.QuestionKey;
        ref var last = ref CollectionsMarshal.GetValueRefOrNullRef(_lastByQuestion, questionKey);
        if (!Unsafe.IsNullRef(ref last))
        {
            bool alive = last.Attempt.Generation == last.Generation;
            if ((last.Unanswered || (alive && last.Attempt.Outcome == DnsOutcome.Pending))
                && Elapsed(last.Time, attempt.Query.Time) <= _t.Options.DnsRetryWindow)
            {
                attempt.IsRetransmission = true;
                if (alive && GaveUp(last.Time, attempt.Query.Time)) last.Attempt.Superseded = true;
            }
        }
        if (attempt.IsRetransmission) Retransmissions++;
        if (_lastByQuestion.Count >= _t.Options.MaxPendingDnsQueries) _lastByQuestion.Clear();
        _lastByQuestion[questionKey] = new LatestQuery { Attempt = attempt, Generation = attempt.Generation, Time = attempt.Query.Time };

        Pend(attempt);
    }

    private void Pend(DnsAttempt attempt)
    {
        _pendingByExchange[attempt.ExchangeKey] = attempt;
        _latestPendingByService[new ServiceKey(attempt.Client, attempt.Server, attempt.ServerPort)] = attempt;
        _pendingOrder.Enqueue((attempt, attempt.Generation));
        if (_pendingByExchange.Count > _t.Options.MaxPendingDnsQueries)
        {
            PendingCapped = true;
            Expire(_t.Now, atEnd: false, force: true);
        }
    }

    /// <summary>
    /// A request that is not a query: counted apart, and pending as a query is (an answer, an ICMP error or silence
    /// ends it), but no retry of a question and no resolution. The same exchange sent again while pending is a retry
    /// that ends the first, as for queries.
    /// </summary>
    private void ObserveOperation(DnsAttempt attempt)
    {
        Operation(attempt.Opcode).Sent++;
        var key = (attempt.Server, attempt.Opcode);
        if (_operationsTo.ContainsKey(key) || _operationsTo.Count < _t.Options.MaxHosts)
        {
            _operationsTo[key] = _operationsTo.GetValueOrDefault(key) + 1;
        }
        if (_pendingByExchange.TryGetValue(attempt.ExchangeKey, out var previous))
        {
            previous.Superseded = GaveUp(previous.Query.Time, attempt.Query.Time);
            Decide(previous, DnsOutcome.Unanswered, atEnd: false);
            attempt.IsRetransmission = true;
        }
        Pend(attempt);
    }

    private DnsOperationCounters Operation(int opcode)
    {
        if (!Operations.TryGetValue(opcode, out var counters))
        {
            counters = new DnsOperationCounters();
            Operations[opcode] = counters;
        }
        return counters;
    }

    /// <summary>
    /// A retry at least a quarter second after the first attempt means the client's own timeout expired
    /// (resolvers wait a second or more); anything faster is a duplicate, not a verdict on the first.
    /// </summary>
    private static bool GaveUp(PacketTimestamp first, PacketTimestamp retry) =>
        Elapsed(first, retry) >= TimeSpan.FromMilliseconds(250);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ObserveResponse(DecodedPacket p, int input)
    {
        var key = new DnsExchangeKey(p.Ip.Destination, p.DestinationPort, p.Ip.Source, p.SourcePort, p.Dns.Id);
        if (!_pendingByExchange.TryGetValue(key, out var attempt)
            || (p.Dns.StoredQuestions > 0 && !NameTable.EqualsIgnoreCase(p.Text.GetSpan(p.Dns.Questions[0].Name), attempt.QName)))
        {
            UnmatchedResponses++;
            return;
        }
        attempt.Response = PacketRef.Of(p, input);
        attempt.Rcode = p.Dns.Rcode;
        attempt.AnswerCount = p.Dns.AnswerCount;
        if (attempt.Rcode != 0)
        {
            // Only a response kept as evidence needs its line.
            if (_t.Facts.KeepsDetail(attempt, DnsOutcome.Answered, null))
            {
                attempt.ResponseLine = _t.Lines.Of(p);
            }
        }
        else if (attempt.Opcode == DnsOpcode.Query)
        {
            RecordResolution(p, attempt);
        }
        if (attempt.Opcode == DnsOpcode.Query && attempt.Query.Time.Kind == p.Timestamp.Kind) ResponseTimes.Add(p.Timestamp.Nanoseconds - attempt.Query.Time.Nanoseconds);
        Decide(attempt, DnsOutcome.Answered, atEnd: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RecordResolution(DecodedPacket p, DnsAttempt attempt)
    {
        if (p.Timestamp.Kind != TimestampKind.None)
        {
            long now = p.Timestamp.Nanoseconds;
            if (_resolutionGenerationStart == long.MinValue) _resolutionGenerationStart = now;
            else if (now - _resolutionGenerationStart >= ResolutionGenerationNanos)
            {
                _resolutions.Rotate();
                _resolutionGenerationStart = now;
            }
        }
        if (!_resolvedNames.Add(attempt.Client, attempt.QName)) ResolutionsCapped = true;
        foreach (ref readonly var record in p.Dns.StoredRecordSpan)
        {
            if (record.Section != DnsSection.Answer || record.Address.IsNone) continue;
            _t.Answers.Add(attempt.QName, record.Address, record.Ttl);
            var key = (attempt.Client, record.Address);
            if (_resolutions.Count >= _t.Options.MaxResolutions)
            {
                if (_resolutions.ContainsKey(key)) continue;
                ResolutionsCapped = true;
                return;
            }
            // The first answer that gave the client this address is the one kept.
            _resolutions.TryAdd(key, new Resolution(attempt.QName, new AnswerRef(p.FrameNumber, p.Timestamp)));
        }
    }

    /// <summary>An ICMP error quoting a DNS query: the query's answer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Join(IcmpErrorRecord error, DecodedPacket p)
    {
        if (!IsDnsPort(error.TargetPort)) return false;
        var service = new ServiceKey(error.Client, error.Target, error.TargetPort);
        if (!_latestPendingByService.TryGetValue(service, out var attempt)) return false;
        // Text quotes name no client port; a binary quote must name the attempt's port.
        if (error.ClientPort != 0 && error.ClientPort != attempt.ClientPort)
        {
            attempt = null;
            foreach (var candidate in _pendingByExchange.Values)
            {
                if (candidate.Client == error.Client && candidate.Server == error.Target && candidate.ServerPort == error.TargetPort
                    && candidate.ClientPort == error.ClientPort && (attempt is null || candidate.Query.Time.Nanoseconds > attempt.Query.Time.Nanoseconds))
                {
                    attempt = candidate;
                }
            }
            if (attempt is null) return false;
        }
        // The attempt failed: it is kept if there is room, and then needs an error record of its own.
        attempt.Icmp = _t.Facts.KeepsDetail(attempt, DnsOutcome.IcmpError, error) ? error.KeptCopy(_t.Lines.Of(p)) : error;
        Decide(attempt, DnsOutcome.IcmpError, atEnd: false);
        return true;
    }

    /// <summary>
    /// An ICMP error that quotes no protocol and no port (tcpdump text without -v): the outcome of the query its
    /// receiver has pending to the error's target, the latest one if several, on any DNS port. Pending means sent and
    /// not yet answered nor timed out, so the error follows it in time. The error then names the query's ports.
    /// </summary>
    public bool JoinByAddresses(IcmpErrorRecord error, DecodedPacket p)
    {
        DnsAttempt? attempt = null;
        foreach (ushort port in (ReadOnlySpan<ushort>)[DnsPorts.Dns, DnsPorts.Mdns, DnsPorts.Llmnr])
        {
            if (_latestPendingByService.TryGetValue(new ServiceKey(error.Client, error.Target, port), out var candidate)
                && (attempt is null || candidate.Query.Time.Nanoseconds > attempt.Query.Time.Nanoseconds))
            {
                attempt = candidate;
            }
        }
        if (attempt is null) return false;
        error.Inferred = true;
        error.QuotedProtocol = IpProtocol.Udp;
        error.ClientPort = attempt.ClientPort;
        error.TargetPort = attempt.ServerPort;
        attempt.Icmp = _t.Facts.KeepsDetail(attempt, DnsOutcome.IcmpError, error) ? error.KeptCopy(_t.Lines.Of(p)) : error;
        Decide(attempt, DnsOutcome.IcmpError, atEnd: false);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Decide(DnsAttempt attempt, DnsOutcome outcome, bool atEnd)
    {
        if (attempt.Outcome != DnsOutcome.Pending) return;
        attempt.Outcome = outcome;
        _pendingByExchange.Remove(attempt.ExchangeKey);
        var service = new ServiceKey(attempt.Client, attempt.Server, attempt.ServerPort);
        if (_latestPendingByService.TryGetValue(service, out var latest) && ReferenceEquals(latest, attempt))
        {
            _latestPendingByService.Remove(service);
        }
        if (attempt.Opcode != DnsOpcode.Query)
        {
            DecideOperation(attempt, outcome, atEnd);
            return;
        }
        var server = DnsServer(attempt.Server);
        switch (outcome)
        {
            case DnsOutcome.Answered:
                Answered++;
                server.Answered++;
                if (attempt.Rcode == 0)
                {
                    AnsweredNoError++;
                }
                else
                {
                    server.Errors++;
                    ErrorRcodes[attempt.Rcode] = ErrorRcodes.GetValueOrDefault(attempt.Rcode) + 1;
                }
                break;
            case DnsOutcome.IcmpError:
                IcmpAnswered++;
                server.IcmpAnswered++;
                break;
            case DnsOutcome.Unanswered:
                Unanswered++;
                server.Unanswered++;
                if (atEnd && Elapsed(attempt.Query.Time, _t.SegmentEnd) < _t.Options.DnsAnswerGrace)
                {
                    attempt.AtCaptureEnd = true;
                    UnansweredAtEnd++;
                }
                break;
        }
        if (!attempt.OverTcp) _t.Minutes.Dns(attempt);
        if (attempt.Failed) _t.Facts.DnsFailed(attempt, _t.Now);
        ForgetUnlessRetried(attempt, outcome);
        ReturnAttempt(attempt);
    }

    private void DecideOperation(DnsAttempt attempt, DnsOutcome outcome, bool atEnd)
    {
        var counters = Operation(attempt.Opcode);
        switch (outcome)
        {
            case DnsOutcome.Answered:
                counters.Answered++;
                counters.Rcodes[attempt.Rcode] = counters.Rcodes.GetValueOrDefault(attempt.Rcode) + 1;
                break;
            case DnsOutcome.IcmpError:
                counters.IcmpAnswered++;
                break;
            case DnsOutcome.Unanswered:
                counters.Unanswered++;
                if (atEnd && Elapsed(attempt.Query.Time, _t.SegmentEnd) < _t.Options.DnsAnswerGrace) attempt.AtCaptureEnd = true;
                break;
        }
        if (attempt.Failed) _t.Facts.DnsFailed(attempt, _t.Now);
        ReturnAttempt(attempt);
    }

    /// <summary>
    /// Only a pending or unanswered query can make a later one a retransmission; an answered one is forgotten
    /// as its question's latest query, and so is an unanswered one too old for the retry window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForgetUnlessRetried(DnsAttempt attempt, DnsOutcome outcome)
    {
        var question = attempt.QuestionKey;
        ref var last = ref CollectionsMarshal.GetValueRefOrNullRef(_lastByQuestion, question);
        if (Unsafe.IsNullRef(ref last) || !ReferenceEquals(last.Attempt, attempt) || last.Generation != attempt.Generation) return;
        if (outcome == DnsOutcome.Unanswered && Elapsed(attempt.Query.Time, _t.Now) <= _t.Options.DnsRetryWindow)
        {
            last.Unanswered = true;
        }
        else
        {
            _lastByQuestion.Remove(question);
        }
    }

    /// <summary>
    /// A new segment of capture (<see cref="TrafficTracker"/>; every query has just been decided): the questions a retry
    /// is matched with and the recent answers are forgotten, as if time had passed the retry window and the answers'
    /// two generations. A query after the jump is no retry of one before it.
    /// </summary>
    public void StartSegment()
    {
        _lastByQuestion.Clear();
        _resolutions.Rotate();
        _resolutions.Rotate();
        _resolutionGenerationStart = long.MinValue;
    }

    /// <summary>After the end: what only served to match packets is dropped (the counters and kept records stay).</summary>
    public void Release()
    {
        _names.Clear();
        _resolutions.Clear();
        _pendingByExchange.Clear();
        _pendingByExchange.TrimExcess();
        _latestPendingByService.Clear();
        _latestPendingByService.TrimExcess();
        _lastByQuestion.Clear();
        _lastByQuestion.TrimExcess();
        _pendingOrder.Clear();
        _pendingOrder.TrimExcess();
        _attemptPool.Clear();
        _attemptPool.TrimExcess();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Expire(PacketTimestamp now, bool atEnd, bool force = false)
    {
        while (_pendingOrder.TryPeek(out var head))
        {
            var (oldest, generation) = head;
            if (oldest.Generation != generation || oldest.Outcome != DnsOutcome.Pending)
            {
                _pendingOrder.Dequeue();
                continue;
            }
            bool expired = atEnd || (force && _pendingByExchange.Count > _t.Options.MaxPendingDnsQueries)
                || Elapsed(oldest.Query.Time, now) > _t.Options.DnsPendingTimeout;
            if (!expired) break;
            _pendingOrder.Dequeue();
            Decide(oldest, DnsOutcome.Unanswered, atEnd);
        }
    }

    private static bool IsDnsPort(ushort port) => DnsPorts.IsDns(port);

    /// <summary>The recent answer that gave <paramref name="client"/> the address <paramref name="server"/>, if remembered.</summary>
    public Resolution? ResolutionOf(IpAddr client, IpAddr server) =>
        _resolutions.TryGetValue((client, server), out var resolution) ? resolution : null;
}
