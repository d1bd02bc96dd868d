using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal sealed partial class TrafficTracker
{
    private readonly Dictionary<DnsExchangeKey, DnsAttempt> _pendingByExchange = [];
    private readonly Dictionary<ServiceKey, DnsAttempt> _latestPendingByService = [];
    private readonly Dictionary<DnsQuestionKey, DnsAttempt> _lastByQuestion = [];
    private readonly Queue<DnsAttempt> _pendingOrder = new();
    private readonly List<double> _responseMilliseconds = [];
    private readonly Dictionary<(IpAddr Client, string Name), PacketTimestamp> _resolvedNames = [];

    public long DnsQueries { get; private set; }
    public long DnsAnswered { get; private set; }
    public long DnsAnsweredNoError { get; private set; }
    public long DnsIcmpAnswered { get; private set; }
    public long DnsUnanswered { get; private set; }
    public long DnsUnansweredAtEnd { get; private set; }
    public long DnsRetransmissions { get; private set; }
    public long DnsUnmatchedResponses { get; private set; }
    public Dictionary<int, long> DnsErrorRcodes { get; } = [];
    public Dictionary<IpAddr, DnsServerCounters> DnsServers { get; } = [];
    public IReadOnlyList<double> DnsResponseMilliseconds => _responseMilliseconds;

    /// <summary>Failed DNS attempts, in the order they were decided (capped).</summary>
    public List<DnsAttempt> FailedDns { get; } = [];
    public long FailedDnsDropped { get; private set; }
    public bool PendingDnsCapped { get; private set; }

    /// <summary>Addresses clients got in DNS answers, and whether they connected there.</summary>
    public Dictionary<(IpAddr Client, IpAddr Address), Resolution> Resolutions { get; } = [];
    public bool ResolutionsCapped { get; private set; }

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
    public bool TryGetResolved(IpAddr client, string name, out PacketTimestamp when) =>
        _resolvedNames.TryGetValue((client, name), out when);

    private DnsServerCounters DnsServer(IpAddr server)
    {
        if (!DnsServers.TryGetValue(server, out var counters))
        {
            if (DnsServers.Count >= _options.MaxHosts) return new DnsServerCounters();
            counters = new DnsServerCounters();
            DnsServers[server] = counters;
        }
        return counters;
    }

    private void ObserveDns(DecodedPacket p, int input)
    {
        var dns = p.Dns;
        if (dns.Opcode != 0) return; // only standard queries (RFC 1035 4.1.1) are transactions here
        if (!dns.IsResponse)
        {
            if (dns.StoredQuestions == 0) return;
            ObserveQuery(p, input);
        }
        else
        {
            ObserveResponse(p, input);
        }
    }

    private void ObserveQuery(DecodedPacket p, int input)
    {
        var q = p.Dns.Questions[0];
        var attempt = new DnsAttempt
        {
            Query = PacketRef.Of(p, input),
            Client = p.Ip.Source,
            ClientPort = p.SourcePort,
            Server = p.Ip.Destination,
            ServerPort = p.DestinationPort,
            Id = p.Dns.Id,
            QType = q.Type,
            QName = QuestionName(p),
            RecursionDesired = p.Dns.RecursionDesired,
            MessageLength = p.Dns.OverTcp ? Math.Max(p.PayloadClaimedLength - 2, 0) : p.PayloadClaimedLength,
            OverTcp = p.Dns.OverTcp,
            IsV6 = p.Ip.Version == 6,
        };
        DnsQueries++;
        var server = DnsServer(attempt.Server);
        server.Queries++;
        if (server.Clients.Count < 10_000) server.Clients.Add(attempt.Client);

        // The same exchange again (same ports and id) while the first is pending: the first went unanswered.
        if (_pendingByExchange.TryGetValue(attempt.ExchangeKey, out var previous))
        {
            previous.Superseded = GaveUp(previous, attempt);
            Decide(previous, DnsOutcome.Unanswered, atEnd: false);
            attempt.IsRetransmission = true;
        }
        // The same question to the same server shortly after an unanswered one, from any port: a retry.
        var questionKey = new DnsQuestionKey(attempt.Client, attempt.Server, attempt.QType, attempt.QName);
        if (_lastByQuestion.TryGetValue(questionKey, out var last)
            && last.Outcome is DnsOutcome.Pending or DnsOutcome.Unanswered
            && Elapsed(last.Query.Time, attempt.Query.Time) <= _options.DnsRetryWindow)
        {
            attempt.IsRetransmission = true;
            last.Superseded |= GaveUp(last, attempt);
        }
        if (attempt.IsRetransmission) DnsRetransmissions++;
        if (_lastByQuestion.Count >= _options.MaxPendingDnsQueries) _lastByQuestion.Clear();
        _lastByQuestion[questionKey] = attempt;

        _pendingByExchange[attempt.ExchangeKey] = attempt;
        _latestPendingByService[new ServiceKey(attempt.Client, attempt.Server, attempt.ServerPort)] = attempt;
        _pendingOrder.Enqueue(attempt);
        if (_pendingByExchange.Count > _options.MaxPendingDnsQueries)
        {
            PendingDnsCapped = true;
            ExpireDns(_now, atEnd: false, force: true);
        }
    }

    /// <summary>
    /// A retry at least a quarter second after the first attempt means the client's own timeout expired
    /// (resolvers wait a second or more); anything faster is a duplicate, not a verdict on the first.
    /// </summary>
    private static bool GaveUp(DnsAttempt first, DnsAttempt retry) =>
        Elapsed(first.Query.Time, retry.Query.Time) >= TimeSpan.FromMilliseconds(250);

    private void ObserveResponse(DecodedPacket p, int input)
    {
        var key = new DnsExchangeKey(p.Ip.Destination, p.DestinationPort, p.Ip.Source, p.SourcePort, p.Dns.Id);
        if (!_pendingByExchange.TryGetValue(key, out var attempt)
            || (p.Dns.StoredQuestions > 0 && !string.Equals(QuestionName(p), attempt.QName, StringComparison.OrdinalIgnoreCase)))
        {
            DnsUnmatchedResponses++;
            return;
        }
        attempt.Response = PacketRef.Of(p, input);
        attempt.Rcode = p.Dns.Rcode;
        attempt.AnswerCount = p.Dns.AnswerCount;
        if (attempt.Rcode != 0)
        {
            attempt.ResponseSummary = Summarize(p);
        }
        else
        {
            RecordResolution(p, attempt);
        }
        if (attempt.Query.Time.Kind == p.Timestamp.Kind)
        {
            double ms = (p.Timestamp.Nanoseconds - attempt.Query.Time.Nanoseconds) / 1e6;
            if (ms >= 0 && _responseMilliseconds.Count < 1_000_000) _responseMilliseconds.Add(ms);
        }
        Decide(attempt, DnsOutcome.Answered, atEnd: false);
    }

    private void RecordResolution(DecodedPacket p, DnsAttempt attempt)
    {
        if (_resolvedNames.Count < _options.MaxResolutions || _resolvedNames.ContainsKey((attempt.Client, attempt.QName)))
        {
            _resolvedNames[(attempt.Client, attempt.QName)] = p.Timestamp;
        }
        foreach (ref readonly var record in p.Dns.StoredRecordSpan)
        {
            if (record.Section != DnsSection.Answer || record.Address.IsNone) continue;
            var key = (attempt.Client, record.Address);
            if (Resolutions.ContainsKey(key)) continue;
            if (Resolutions.Count >= _options.MaxResolutions)
            {
                ResolutionsCapped = true;
                return;
            }
            Resolutions[key] = new Resolution { Name = attempt.QName, Answer = PacketRef.Of(p, attempt.Response!.Value.Input) };
        }
    }

    /// <summary>An ICMP error quoting a DNS query: the query's answer.</summary>
    private bool JoinDns(IcmpErrorRecord error)
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
        attempt.Icmp = error;
        Decide(attempt, DnsOutcome.IcmpError, atEnd: false);
        return true;
    }

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
        var server = DnsServer(attempt.Server);
        switch (outcome)
        {
            case DnsOutcome.Answered:
                DnsAnswered++;
                server.Answered++;
                if (attempt.Rcode == 0)
                {
                    DnsAnsweredNoError++;
                }
                else
                {
                    server.Errors++;
                    DnsErrorRcodes[attempt.Rcode] = DnsErrorRcodes.GetValueOrDefault(attempt.Rcode) + 1;
                }
                break;
            case DnsOutcome.IcmpError:
                DnsIcmpAnswered++;
                server.IcmpAnswered++;
                break;
            case DnsOutcome.Unanswered:
                DnsUnanswered++;
                server.Unanswered++;
                if (atEnd && Elapsed(attempt.Query.Time, Last ?? _now) < _options.DnsAnswerGrace)
                {
                    attempt.AtCaptureEnd = true;
                    DnsUnansweredAtEnd++;
                }
                break;
        }
        if (attempt.Failed)
        {
            if (FailedDns.Count < _options.MaxFailureRecords) FailedDns.Add(attempt);
            else FailedDnsDropped++;
        }
    }

    private void ExpireDns(PacketTimestamp now, bool atEnd, bool force = false)
    {
        while (_pendingOrder.TryPeek(out var oldest))
        {
            if (oldest.Outcome != DnsOutcome.Pending)
            {
                _pendingOrder.Dequeue();
                continue;
            }
            bool expired = atEnd || (force && _pendingByExchange.Count > _options.MaxPendingDnsQueries)
                || Elapsed(oldest.Query.Time, now) > _options.DnsPendingTimeout;
            if (!expired) break;
            _pendingOrder.Dequeue();
            Decide(oldest, DnsOutcome.Unanswered, atEnd);
        }
    }

    private static TimeSpan Elapsed(PacketTimestamp from, PacketTimestamp to) =>
        TimeSpan.FromTicks((to.Nanoseconds - from.Nanoseconds) / 100);
}
