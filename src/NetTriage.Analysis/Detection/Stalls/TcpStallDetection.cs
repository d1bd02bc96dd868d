using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Stalls;

/// <summary>
/// <c>tcp-zero-window</c> and <c>tcp-stall</c>: established connections that stop moving. A receiver that advertises a
/// window of 0 (RFC 9293 3.8.6.1) for a second or more has stopped reading its socket; flow control pauses it for
/// milliseconds. A sender that resends one stretch of data 3 times or more over a second or more, never acknowledged,
/// while the other side was heard earlier in the connection, has lost its peer or its path (RFC 6298 5.5: the timer
/// doubles at each resend). TCP tracking follows both on every established connection and counts, when a connection
/// ends, the ones stuck (<see cref="TcpTracker.StuckCounters"/>); this family judges them when the capture ends, one
/// finding a service and kind.
/// </summary>
internal sealed class TcpStallDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.TcpZeroWindow, Name = "tcp-zero-window", Layer = Layer.Transport },
        new() { Kind = FindingKind.TcpStall, Name = "tcp-stall", Layer = Layer.Transport },
    ];

    public override PacketLayers Reads => PacketLayers.None;

    public override void Observe(DecodedPacket p, int input)
    {
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (server, port, stuck) in traffic.TcpStuck().OrderBy(x => x.Server).ThenBy(x => x.Port))
        {
            if (stuck.ZeroWindowConnections > 0) found.Add(ZeroWindow(server, port, stuck, traffic));
            if (stuck.StalledConnections > 0) found.Add(Stall(server, port, stuck, traffic));
        }
    }

    /// <summary>"10.0.0.5:40000 at 09:00:01.2"; an IPv6 client in brackets ("[2001:db8::5]:40000"), as URLs write it.</summary>
    private static string Example((IpAddr Client, ushort Port, PacketTimestamp Time)? example) =>
        example is { } e ? $"{(e.Client.IsV6 ? $"[{e.Client}]" : e.Client.ToString())}:{e.Port} at {Describe.Clock(e.Time)}" : "";

    private static double Seconds(long nanos) => Math.Round(nanos / 1e9, 3);

    private static DetectedActivity ZeroWindow(IpAddr server, ushort port, TcpTracker.StuckCounters s, TrafficView traffic)
    {
        bool client = s.ClientZero >= s.ServerZero;
        string side = client ? "client" : "server";
        string service = $"{server} port {port}";
        double longest = Seconds(s.LongestZeroWindow);
        var facts = new StallFacts
        {
            Connections = s.ZeroWindowConnections,
            Side = side,
            LongestZeroWindowSeconds = longest,
            Probes = s.Probes,
            Example = Example(s.Example),
        };
        string who = client ? $"the client{(s.ZeroWindowConnections > 1 ? "s" : "")} of {service}" : service;
        var first = s.Example?.Time ?? traffic.End ?? default;
        return Activity(FindingKind.TcpZeroWindow, server, port, traffic, facts, first, s.ZeroWindowConnections,
            $"{Describe.Capitalize(who)} stopped reading: a zero window for up to {Describe.Duration(longest)} on {Describe.Count(s.ZeroWindowConnections, "connection")} ({s.Probes} probes)",
            $"Receiver stuck at a zero window: {service} ({side} side)",
            Phrase.Of($"On {Describe.Count(s.ZeroWindowConnections, "connection")} of {service}, the {side} advertised a window of 0 for up to {Describe.Duration(longest)} (first: {facts.Example}); the other side sent {Describe.Count(s.Probes, "segment")} into it. The network is fine: the {side}'s application is not reading its socket."),
            [
                Make("receiver-not-reading", $"The {side}'s application stopped reading its socket (blocked, busy, or waiting on something else), so its receive buffer filled", 0.75,
                    [$"A window of 0 for {Describe.Duration(longest)}: flow control pauses a sender for milliseconds, not seconds."],
                    ["A receive buffer set very small makes zero windows come and go quickly; they would not last this long."],
                    [
                        Phrase.Of($"On the {side} ({(client && s.Example is { } e ? e.Client : server)}): `ss -tmi` shows the connection's receive queue (Recv-Q) full; look at what the application is doing (a thread dump, `strace -p`)."),
                    ]),
            ]);
    }

    private static DetectedActivity Stall(IpAddr server, ushort port, TcpTracker.StuckCounters s, TrafficView traffic)
    {
        bool serverSends = s.ServerStalled >= s.ClientStalled;
        string sender = serverSends ? "server" : "client";
        string peer = serverSends ? "client" : "server";
        string service = $"{server} port {port}";
        double longest = Seconds(s.LongestStall);
        var facts = new StallFacts
        {
            Connections = s.StalledConnections,
            Side = peer,
            Retransmissions = s.Retransmissions,
            LongestStallSeconds = longest,
            Example = Example(s.StallExample),
        };
        var first = s.StallExample?.Time ?? traffic.End ?? default;
        return Activity(FindingKind.TcpStall, server, port, traffic, facts, first, s.StalledConnections,
            $"Data from the {sender} of {service} never acknowledged: {Describe.Count(s.Retransmissions, "retransmission")} over up to {Describe.Duration(longest)} on {Describe.Count(s.StalledConnections, "connection")}",
            $"TCP stall: the {peer} of {service} stopped acknowledging",
            Phrase.Of($"On {Describe.Count(s.StalledConnections, "connection")} of {service}, the {sender} sent the same data again and again ({Describe.Count(s.Retransmissions, "retransmission")} over up to {Describe.Duration(longest)}, first: {facts.Example}) and the {peer}, heard earlier in the connection, never acknowledged it: the {peer} or the path to it went away mid-transfer."),
            [
                Make("peer-gone", $"The {peer} disappeared mid-transfer (crashed, lost its link, or a firewall or NAT on the path started dropping the connection's packets)", 0.7,
                    [$"The {sender} resent unacknowledged data {Describe.Count(s.Retransmissions, "time")} over {Describe.Duration(longest)}, with the timer backing off, while the {peer} had been answering before."],
                    ["A path losing every packet one way looks the same from one end; a capture at the other end tells which."],
                    [
                        Phrase.Of($"Check whether the {peer} is still up and reachable (`ping`, its logs at {facts.Example.Split(" at ")[^1]})."),
                        Phrase.Plain("Look for a firewall or NAT state that expired or changed on the path (connection tracking tables, idle timeouts)."),
                    ]),
            ]);
    }

    private static DetectedActivity Activity(FindingKind kind, IpAddr server, ushort port, TrafficView traffic, StallFacts facts, PacketTimestamp first,
        long affected, string findingTitle, string incidentTitle, Phrase summary, List<Cause> causes) => new()
    {
        Kind = kind,
        Layer = Layer.Transport,
        Severity = Severity.Medium,
        Protocol = NetTriage.Packets.Services.WellKnownServices.Of(port, true).Protocol ?? "TCP",
        Transport = "TCP",
        Port = port,
        Targets = [server],
        Actors = traffic.TcpClientList(server, port),
        First = first,
        Last = traffic.End ?? first,
        Attempts = affected,
        Failed = affected,
        Stall = facts,
        Evidence = [],
        EvidenceTotal = 0,
        Absorbs = _ => false,
        FindingTitle = _ => findingTitle,
        IncidentTitle = _ => incidentTitle,
        Summary = _ => summary,
        Causes = _ => causes,
    };
}
