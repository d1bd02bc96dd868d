namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>
/// How the tunnel capture tests compare a capture of encapsulated traffic with the same traffic captured plain: the
/// report as it matters to whoever reads it, without times, byte counts or frame numbers, and evidence lines without
/// the words the tunnel adds (" (in GRE between A and B)").
/// </summary>
internal static class SameDiagnosis
{
    /// <summary>An evidence line without the tunnel's words <paramref name="tunnel"/> at its end.</summary>
    public static string WithoutTunnel(string line, string tunnel) =>
        line.EndsWith($" ({tunnel})", StringComparison.Ordinal) ? line[..^(tunnel.Length + 3)] : line;

    public static string Describe(Incident i, string tunnel) => string.Join(" | ",
        i.Kind.Name(), i.Severity, i.Layer, i.Protocol, i.Transport, i.Service, i.Port, string.Join(",", i.Servers),
        string.Join(",", i.Clients), i.Attempts, i.Failed, string.Join(",", i.Causes.Select(c => c.Id + ":" + c.Confidence)),
        string.Join(",", i.RuledOut.Select(r => r.Item)), string.Join(",", i.Evidence.Select(e => e.Role + " " + WithoutTunnel(e.Summary, tunnel))),
        i.AtFault?.End);

    public static string Describe(Finding f) => string.Join(" | ",
        f.Kind.Name(), f.Severity, f.Protocol, f.Port, f.Server, string.Join(",", f.Clients), f.Attempts, f.Failed,
        string.Join(",", f.IcmpSenders.Select(s => $"{s.Address}/{s.Role}/{s.Type}/{s.Code}/{s.Count}")));

    /// <summary>
    /// The DNS and TCP figures and the protocol table, ARP aside: an underlay resolves its own neighbours, which the
    /// overlay (or a TUN device, which has no link layer) does not see.
    /// </summary>
    public static object Counts(AnalysisReport r) => new
    {
        r.Verdict,
        r.Dns.Queries, r.Dns.Answered, r.Dns.AnsweredNoError, r.Dns.IcmpAnswered, r.Dns.Unanswered, r.Dns.Retransmissions,
        r.Dns.UnmatchedResponses, r.Dns.FailureRate,
        r.Tcp.Attempts, r.Tcp.Established, r.Tcp.Refused, TcpUnanswered = r.Tcp.Unanswered, r.Tcp.Closed,
        Protocols = string.Join(",", r.Overview.Protocols.Where(p => p.Protocol != "ARP").Select(p => p.Protocol + ":" + p.Packets)),
    };
}
