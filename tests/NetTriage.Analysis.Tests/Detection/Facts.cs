using NetTriage.Analysis.Detection;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// The facts tracking hands to detection, built in the test without packets: failed DNS queries, failed connection
/// attempts and ICMP errors, recorded by a real <see cref="FailureRecorder"/>, then detected and diagnosed by the
/// real stages. Times are seconds from an absolute origin.
/// </summary>
internal sealed class Facts
{
    private static readonly long Origin = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * PacketTimestamp.NanosPerSecond;
    private long _frame;

    public Facts(AnalysisOptions? options = null)
    {
        Options = options ?? new AnalysisOptions();
        Recorder = new FailureRecorder(Options);
        Tracker = new TrafficTracker(Options, Recorder);
    }

    public AnalysisOptions Options { get; }
    public FailureRecorder Recorder { get; }
    public TrafficTracker Tracker { get; }
    public TrafficView Traffic => new(Tracker);

    public static PacketTimestamp At(double seconds) => new(Origin + (long)(seconds * PacketTimestamp.NanosPerSecond), TimestampKind.Absolute);

    private PacketRef Ref(double seconds) => new(0, ++_frame, 0, At(seconds));

    public static IcmpErrorRecord Icmp(string sender, string client, string target, ushort port, byte type, byte code, bool v6 = false, byte quoted = IpProtocol.Udp) => new()
    {
        Sender = IpAddr.Parse(sender),
        Client = IpAddr.Parse(client),
        Target = IpAddr.Parse(target),
        TargetPort = port,
        ClientPort = 40000,
        Type = type,
        Code = code,
        IsV6 = v6,
        QuotedProtocol = quoted,
    };

    public static DnsAttempt Query(string client, string server, string name = "www.example.com.", int rcode = 0) => new()
    {
        Client = IpAddr.Parse(client),
        ClientPort = 40000,
        Server = IpAddr.Parse(server),
        ServerPort = 53,
        QName = name,
        Rcode = rcode,
    };

    /// <summary>A query sent at <paramref name="sent"/> that ended with <paramref name="outcome"/> (answered <paramref name="after"/> seconds later).</summary>
    public DnsAttempt DnsFailure(DnsAttempt attempt, double sent, DnsOutcome outcome, IcmpErrorRecord? error = null, double after = 0.05, bool superseded = false)
    {
        attempt.Query = Ref(sent);
        attempt.Outcome = outcome;
        attempt.Superseded = superseded;
        if (error is not null)
        {
            error.Packet = Ref(sent + after);
            attempt.Icmp = error;
        }
        else if (outcome == DnsOutcome.Answered)
        {
            attempt.Response = Ref(sent + after);
        }
        Recorder.DnsFailed(attempt, At(sent + after));
        return attempt;
    }

    /// <summary>A connection attempt from <paramref name="client"/> that ended with <paramref name="outcome"/>.</summary>
    public TcpConnection TcpFailure(string client, string server, ushort port, double sent, TcpOutcome outcome, int syns = 1, IcmpErrorRecord? error = null, bool atCaptureEnd = false)
    {
        var conn = new TcpConnection
        {
            Client = IpAddr.Parse(client),
            ClientPort = (ushort)(30000 + _frame),
            Server = IpAddr.Parse(server),
            ServerPort = port,
            First = Ref(sent),
            Syns = syns,
            Outcome = outcome,
            AtCaptureEnd = atCaptureEnd,
        };
        conn.Last = syns > 1 ? Ref(sent + syns) : conn.First;
        if (error is not null)
        {
            error.Packet = Ref(sent + 0.01);
            conn.Icmp = error;
            conn.OutcomePacket = error.Packet;
        }
        else if (outcome == TcpOutcome.Refused)
        {
            conn.OutcomePacket = Ref(sent + 0.01);
        }
        Recorder.TcpFailed(conn, null);
        return conn;
    }

    /// <summary>An ICMP error that answered no tracked transaction.</summary>
    public void Unanswered(IcmpErrorRecord error, double at)
    {
        error.Packet = Ref(at);
        Recorder.IcmpErrorUnanswered(error);
    }

    /// <summary>The detect stage over what was recorded, findings built.</summary>
    public List<DetectedFinding> Detect()
    {
        var view = Traffic;
        var found = Detector.Detect(Recorder.Table, view, []);
        int n = 0;
        foreach (var f in found) f.Finding = FindingBuilder.Build(f, $"F{++n}", view);
        return found;
    }

    /// <summary>The one incident the findings make, as the diagnosis rules see it.</summary>
    public IncidentContext Incident() => new(Traffic, Detect());
}
