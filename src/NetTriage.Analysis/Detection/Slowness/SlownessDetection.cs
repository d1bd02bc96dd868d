using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Slowness;

/// <summary>
/// <c>slow-network</c>, <c>slow-server</c>, <c>slow-client</c>: "the site is slow", answered with where the time of a
/// TCP service's connections goes, as an analyst reads it from Wireshark's stream graphs: the network round trip (SYN
/// to the client's ACK of the SYN-ACK), the server's time to its first answer byte less the capture point's own round
/// trip to it, the client's time from the completed handshake to its first request byte. Tracking measures them on
/// every connection that completed a handshake of one SYN (<see cref="ServiceTiming"/>); this family judges their
/// medians when the capture ends. One finding a service, named for the slowest part; the others are in its figures.
/// <para>
/// Not measured, so never slow: a connection first seen mid-stream (no handshake), a retransmitted SYN (Karn's rule),
/// a server that speaks first (SMTP, FTP, SSH banners: the client waits for it), later requests on a kept-alive
/// connection (idle by design), and answers after 20 s (long polls and streams).
/// </para>
/// </summary>
internal sealed class SlownessDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.SlowNetwork, Name = "slow-network", Layer = Layer.Network },
        new() { Kind = FindingKind.SlowServer, Name = "slow-server", Layer = Layer.Application },
        new() { Kind = FindingKind.SlowClient, Name = "slow-client", Layer = Layer.Application },
    ];

    /// <summary>Connections measured before a median means anything: three, one page's worth.</summary>
    internal const int MinConnections = 3;
    /// <summary>
    /// A median round trip of 300 ms: twice ITU-T G.114's 150 ms one-way budget for interactive use, above any
    /// terrestrial path (a fibre round trip across the world is about 250 ms); satellite and saturated links are above.
    /// </summary>
    internal const double SlowRoundTrip = 0.3;
    /// <summary>
    /// A median of one second from request to first answer byte at the server: past the one second after which a user
    /// loses the flow (Nielsen's response-time limits); a loaded application server or a slow backend.
    /// </summary>
    internal const double SlowServer = 1.0;
    /// <summary>A median of one second from handshake to request at the client: the same limit, on the other side.</summary>
    internal const double SlowClient = 1.0;

    public override PacketLayers Reads => PacketLayers.None;

    public override void Observe(DecodedPacket p, int input)
    {
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (server, port, timing) in traffic.TcpTimings().OrderBy(x => x.Server).ThenBy(x => x.Port))
        {
            double rtt = Median(timing.RoundTrip) ?? 0;
            double work = Median(timing.Server) ?? 0;
            double wait = Median(timing.ClientWait) ?? 0;
            // How far over its threshold each part is: the slowest part names the finding.
            var parts = new List<(FindingKind Kind, double Over)>();
            if (rtt >= SlowRoundTrip) parts.Add((FindingKind.SlowNetwork, rtt / SlowRoundTrip));
            if (work >= SlowServer) parts.Add((FindingKind.SlowServer, work / SlowServer));
            if (wait >= SlowClient) parts.Add((FindingKind.SlowClient, wait / SlowClient));
            if (parts.Count == 0) continue;
            var kind = parts.MaxBy(x => x.Over).Kind;
            found.Add(Judge(kind, server, port, timing, traffic));
        }
    }

    /// <summary>The median of a part, when enough connections measured it.</summary>
    private static double? Median(TimingSample sample) => sample.Count >= MinConnections ? sample.Quantile(0.5) : null;

    private static string Ms(double? seconds) => seconds switch
    {
        null => "not measured",
        < 0.001 => "under 1 ms",
        { } s => Describe.Duration(s),
    };

    private static DetectedActivity Judge(FindingKind kind, IpAddr server, ushort port, ServiceTiming t, TrafficView traffic)
    {
        var facts = new TimingFacts
        {
            Slowest = kind switch { FindingKind.SlowNetwork => "network", FindingKind.SlowServer => "server", _ => "client" },
            Connections = t.RoundTrip.Count,
            RoundTripMedian = Round(t.RoundTrip.Quantile(0.5)),
            RoundTripP90 = Round(t.RoundTrip.Quantile(0.9)),
            ServerMeasured = t.Server.Count,
            ServerMedian = Round(t.Server.Quantile(0.5)),
            ServerP90 = Round(t.Server.Quantile(0.9)),
            ClientMeasured = t.ClientWait.Count,
            ClientWaitMedian = Round(t.ClientWait.Quantile(0.5)),
            ClientWaitP90 = Round(t.ClientWait.Quantile(0.9)),
        };
        string service = $"{server} port {port}";
        string where = $"network round trip {Ms(facts.RoundTripMedian)}, server {Ms(facts.ServerMedian)}, client {Ms(facts.ClientWaitMedian)} (medians of {Describe.Count(t.RoundTrip.Count, "connection")})";
        string what = kind switch
        {
            FindingKind.SlowNetwork => $"the network is slow to {service}: a round trip takes {Ms(facts.RoundTripMedian)}",
            FindingKind.SlowServer => $"{service} is slow to answer: {Ms(facts.ServerMedian)} from request to first answer byte",
            _ => $"the clients of {service} are slow to ask: {Ms(facts.ClientWaitMedian)} from handshake to request",
        };
        var clients = traffic.TcpClientList(server, port);
        return new DetectedActivity
        {
            Kind = kind,
            Layer = kind == FindingKind.SlowNetwork ? Layer.Network : Layer.Application,
            Severity = Severity.Medium,
            Protocol = NetTriage.Packets.Services.WellKnownServices.Of(port, true).Protocol ?? "TCP",
            Transport = "TCP",
            Port = port,
            Targets = [server],
            Actors = clients,
            First = t.First,
            Last = t.Last,
            Attempts = t.RoundTrip.Count,
            Failed = 0,
            Timing = facts,
            Evidence = [],
            EvidenceTotal = 0,
            Absorbs = _ => false,
            FindingTitle = _ => $"{Describe.Capitalize(what)}; {where}",
            IncidentTitle = _ => kind switch
            {
                FindingKind.SlowNetwork => $"Slow network to {service}",
                FindingKind.SlowServer => $"Slow server: {service}",
                _ => $"Slow clients of {service}",
            },
            Summary = _ => Phrase.Of($"{Describe.Capitalize(what)}. Where the time goes: {where}; {Describe.Count(clients.Count, "client")}, connections {Describe.Window(t.First, t.Last)}. The connections complete: nothing fails, it is slow."),
            Causes = _ => Causes(kind, server, port, facts),
        };
    }

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 4) : null;

    private static List<Cause> Causes(FindingKind kind, IpAddr server, ushort port, TimingFacts f)
    {
        string service = $"{server} port {port}";
        return kind switch
        {
            FindingKind.SlowNetwork =>
            [
                Make("path-latency", $"The path to {server} adds the delay: a long or congested route, a saturated link, a satellite or mobile hop", 0.7,
                    [$"The handshake's round trip has a median of {Ms(f.RoundTripMedian)} (90% under {Ms(f.RoundTripP90)}), while the server answers in {Ms(f.ServerMedian)} once asked."],
                    ["A host or VM with a CPU starved from the kernel up answers the SYN late too; its other services would be slow as well."],
                    [
                        Phrase.Of($"`mtr -rwc 50 {server}` from the client: the hop where the delay appears is where to look."),
                        Phrase.Plain("Check the links on the path for saturation (interface counters, queue drops) at the time of the capture."),
                    ]),
            ],
            FindingKind.SlowServer =>
            [
                Make("server-slow", $"The application on {service} takes long to answer: load, a slow backend (database, upstream), or contention", 0.7,
                    [$"From request to first answer byte: median {Ms(f.ServerMedian)} (90% under {Ms(f.ServerP90)}) less the round trip, over {Describe.Count(f.ServerMeasured, "connection")}; the network round trip is {Ms(f.RoundTripMedian)}."],
                    [],
                    [
                        Phrase.Of($"Time the request on {server} itself (`curl -w '%{{time_starttransfer}}\\n' -o /dev/null -s http://127.0.0.1:{port}/`): slow there too means the application, not the path."),
                        Phrase.Plain("Read the server's load and its backends' response times (database slow query log, upstream timings in the proxy's access log)."),
                    ]),
            ],
            _ =>
            [
                Make("client-slow", $"The clients wait before asking {service}: a slow client application, a proxy or a resolver step between connecting and sending", 0.6,
                    [$"From the completed handshake to the first request byte: median {Ms(f.ClientWaitMedian)} (90% under {Ms(f.ClientWaitP90)}), over {Describe.Count(f.ClientMeasured, "connection")}."],
                    ["A client that opens connections ahead of need (a browser's preconnect) waits by design: its first request comes when the page needs it."],
                    [Phrase.Plain("Profile the client application around connection set-up; check whether it opens connections before it has something to send.")]),
            ],
        };
    }
}
