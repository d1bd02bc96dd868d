using System.Globalization;
using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// notice.log: one row per finding and per incident of the analysis, in Zeek's notice fields (note, msg, sub, src, dst,
/// p, n) and three of NetTriage's own (kind, severity, and the finding or incident id the report uses), so a pipeline
/// that alerts on notice.log alerts on what the report says. The note is "NetTriage::" and the kind in Zeek's style
/// (NetTriage::Dns_No_Response); an incident's note is NetTriage::Incident.
/// </summary>
internal static class ZeekNotices
{
    public static readonly ZeekField[] Fields =
    [
        new("ts", "time"), new("uid", "string"),
        new("id.orig_h", "addr"), new("id.orig_p", "port"), new("id.resp_h", "addr"), new("id.resp_p", "port"),
        new("proto", "enum"), new("note", "enum"), new("msg", "string"), new("sub", "string"),
        new("src", "addr"), new("dst", "addr"), new("p", "port"), new("n", "count"),
        new("actions", "set[enum]"), new("kind", "string"), new("severity", "string"), new("finding", "string"),
    ];

    private static readonly string[] LogAction = ["Notice::ACTION_LOG"];

    /// <summary>Writes the rows; <paramref name="connectionOf"/> gives the connection of an evidence packet (input, frame) when known.</summary>
    public static void Write(ZeekLogFile log, AnalysisReport report, Func<int, long, ZeekConnId?> connectionOf)
    {
        foreach (var f in report.Findings)
        {
            string? src = f.Clients.Count == 1 ? f.Clients[0] : null;
            Row(log, f.First, Connection(f.Evidence, connectionOf), f.Transport, Note(f.Kind.Name()), f.Title.Text, Sub(f), src, f.Server, f.Port,
                f.Failed > 0 ? f.Failed : f.Attempts, f.Kind.Name(), f.Severity.Name(), f.Id);
        }
        foreach (var i in report.Incidents)
        {
            string? dst = i.Servers.Count == 1 ? i.Servers[0] : null;
            string? src = i.Clients.Count == 1 ? i.Clients[0] : null;
            Row(log, i.First, Connection(i.Evidence, connectionOf), i.Transport, "NetTriage::Incident", i.Title, i.Summary.Text, src, dst, i.Port,
                i.Failed > 0 ? i.Failed : i.Attempts, i.Kind.Name(), i.Severity.Name(), i.Id);
        }
    }

    /// <summary>The connection of the first evidence packet that belongs to one.</summary>
    private static ZeekConnId? Connection(IReadOnlyList<EvidencePacket> evidence, Func<int, long, ZeekConnId?> connectionOf)
    {
        foreach (var e in evidence)
        {
            if (connectionOf(e.Input, e.Frame) is { } id) return id;
        }
        return null;
    }

    private static string? Sub(Finding f) => f.Names.Count > 0 ? string.Join(", ", f.Names.Take(5)) : f.Service;

    private static void Row(ZeekLogFile log, TimeValue time, ZeekConnId? conn, string transport, string note, string msg, string? sub,
        string? src, string? dst, int? port, long n, string kind, string severity, string id)
    {
        log.BeginRow();
        log.Time((long)Math.Round(time.Seconds * PacketTimestamp.NanosPerSecond));
        if (conn is { } c) log.ConnectionId(c.Serial, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        else log.Unset(5);
        string proto = transport.ToLowerInvariant();
        log.String(proto is "tcp" or "udp" or "icmp" ? proto : null);
        log.String(note);
        log.String(msg);
        log.String(string.IsNullOrEmpty(sub) ? null : sub);
        log.Addr(Address(src));
        log.Addr(Address(dst));
        if (port is >= 0 and <= ushort.MaxValue) log.Port((ushort)port.Value);
        else log.Unset();
        log.Count(n);
        log.Strings(LogAction);
        log.String(kind);
        log.String(severity);
        log.String(id);
        log.EndRow();
    }

    private static IpAddr Address(string? text) => text is not null && IpAddr.TryParse(text.AsSpan(), out var a) ? a : IpAddr.None;

    /// <summary>"dns-no-response" as Zeek names notes: NetTriage::Dns_No_Response.</summary>
    private static string Note(string kind)
    {
        var words = kind.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..]);
        return "NetTriage::" + string.Join('_', words);
    }
}
