using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// What the detect and diagnose stages may ask of the tracked traffic once the capture has ended: counts per
/// server, service, host and client, and the capture's end. Read-only; the trackers' tables stay theirs.
/// </summary>
internal sealed class TrafficView(TrafficTracker tracker)
{
    private readonly TrafficTracker _t = tracker;

    public AnalysisOptions Options => _t.Options;

    /// <summary>
    /// TCP connections the clients' acknowledgments prove answered while the capture holds nothing of their servers
    /// (RFC 9293 3.5): the capture misses a direction (caveat one-way-capture). 0 for a capture of both directions.
    /// </summary>
    public long AnsweredUnseen => _t.Tcp.AnsweredUnseen;

    /// <summary>The time of the capture's last packet, if any had a time.</summary>
    public PacketTimestamp? End => _t.Last;

    /// <summary>DNS queries sent to <paramref name="server"/> over the capture, or null when it was never asked (or past the table).</summary>
    public long? DnsQueriesTo(IpAddr server) => _t.Dns.Servers.TryGetValue(server, out var s) ? s.Queries : null;

    /// <summary>Requests of another opcode than a query (NOTIFY, UPDATE) sent to <paramref name="server"/>, or null when none was.</summary>
    public long? DnsOperationsTo(IpAddr server, int opcode) => _t.Dns.OperationsTo(server, opcode);

    /// <summary>Connection attempts to <paramref name="server"/> on <paramref name="port"/>, or null when none was seen (or past the table).</summary>
    public long? TcpAttemptsTo(IpAddr server, ushort port) => _t.Tcp.Services.TryGetValue((server, port), out var s) ? s.Attempts : null;

    /// <summary>Connection attempts to the service whose client completed the handshake (acknowledged the SYN-ACK).</summary>
    public long TcpCompletedTo(IpAddr server, ushort port) => _t.Tcp.Services.TryGetValue((server, port), out var s) ? s.Completed : 0;

    /// <summary>Packets in the capture.</summary>
    public long Packets => _t.Packets;

    /// <summary>Distinct clients that queried <paramref name="server"/> (as many as the table kept).</summary>
    public long DnsClientsOf(IpAddr server) => _t.Dns.Servers.TryGetValue(server, out var s) ? s.Clients.Count : 0;

    /// <summary>Distinct clients that tried the service, up to <see cref="TcpClientsKept"/>.</summary>
    public long TcpClientsOf(IpAddr server, ushort port) => _t.Tcp.Services.TryGetValue((server, port), out var s) ? s.Clients.Count : 0;

    /// <summary>How many clients of a TCP service are told apart at most (enough to tell many sources from few).</summary>
    public const int TcpClientsKept = TcpTracker.ServiceCounters.MaxClients;

    /// <summary>Packets the host sent during the capture.</summary>
    public long PacketsSentBy(IpAddr host) => _t.Hosts.TryGetValue(host, out var h) ? h.PacketsSent : 0;

    /// <summary>The TCP services whose connections were timed, with where their time went.</summary>
    public IEnumerable<(IpAddr Server, ushort Port, ServiceTiming Timing)> TcpTimings() =>
        _t.Tcp.Services.Where(s => s.Value.Timing is not null).Select(s => (s.Key.Server, s.Key.Port, s.Value.Timing!));

    /// <summary>The clients that tried a TCP service, as many as were told apart (<see cref="TcpClientsKept"/>).</summary>
    public IReadOnlyList<IpAddr> TcpClientList(IpAddr server, ushort port) =>
        _t.Tcp.Services.TryGetValue((server, port), out var s) ? s.Clients.Order().ToList() : [];

    /// <summary>The TCP services some of whose connections got stuck at a zero window or stalled.</summary>
    public IEnumerable<(IpAddr Server, ushort Port, TcpTracker.StuckCounters Stuck)> TcpStuck() =>
        _t.Tcp.Services.Where(s => s.Value.Stuck is not null).Select(s => (s.Key.Server, s.Key.Port, s.Value.Stuck!));

    /// <summary>Packets the host received during the capture.</summary>
    public long PacketsReceivedBy(IpAddr host) => _t.Hosts.TryGetValue(host, out var h) ? h.PacketsReceived : 0;

    /// <summary>The first hop with hardware address <paramref name="mac"/>: the IP packets framed to it and from it, its ARP claims (zero: the packets without a link layer).</summary>
    public LinkTable.Hop? Hop(MacAddress mac) => _t.Links.Of(mac);

    /// <summary>Whether <paramref name="client"/> resolved <paramref name="name"/> successfully at any time in the capture.</summary>
    public bool Resolved(IpAddr client, string name) => _t.Dns.Resolved(client, name);

    /// <summary>The start of the latest connection attempt of <paramref name="client"/>, if it made any.</summary>
    public PacketTimestamp? LatestAttemptOf(IpAddr client) =>
        _t.Tcp.AttemptsByClient.TryGetValue(client, out var attempts) ? attempts.Latest : null;

    /// <summary>
    /// Successful exchanges of <paramref name="clients"/> with hosts other than <paramref name="server"/>: DNS answers
    /// without error from other servers they asked, and connections established to other servers.
    /// </summary>
    public long SuccessesElsewhere(IReadOnlyCollection<IpAddr> clients, IpAddr server)
    {
        long n = 0;
        var set = clients.ToHashSet();
        foreach (var (other, counters) in _t.Dns.Servers)
        {
            if (other != server && counters.Answered > counters.Errors && counters.Clients.Overlaps(set)) n += counters.Answered - counters.Errors;
        }
        foreach (var client in clients)
        {
            if (!_t.Tcp.AttemptsByClient.TryGetValue(client, out var attempts)) continue;
            n += attempts.EstablishedToOthers(server);
        }
        return n;
    }
}
