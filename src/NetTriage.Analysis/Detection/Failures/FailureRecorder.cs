using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Detection.Failures;

/// <summary>
/// Where the facts of the track stage arrive: each failed transaction is classified by the detection families
/// (<see cref="FindingCatalog"/>) and recorded under its finding (kind and service) in the <see cref="FailureTable"/>,
/// kept in detail while there is room, else counted exactly.
/// </summary>
internal sealed class FailureRecorder(AnalysisOptions options) : ITrackingFacts
{
    public FailureTable Table { get; } = new(options);

    private static byte TransportOf(DnsAttempt attempt) => attempt.OverTcp ? IpProtocol.Tcp : IpProtocol.Udp;

    private bool WouldKeep(FindingKind? kind, IpAddr server, ushort port, byte transport) =>
        kind is { } k && Table.GroupOf(k, server, port, transport) is { } group && Table.HasRoom(group);

    public bool KeepsDetail(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error) =>
        WouldKeep(FindingCatalog.Classify(attempt, outcome, error), attempt.Server, attempt.ServerPort, TransportOf(attempt));

    public bool KeepsDetail(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error) =>
        WouldKeep(FindingCatalog.Classify(conn, outcome, error), conn.Server, conn.ServerPort, IpProtocol.Tcp);

    public bool KeepsDetail(IcmpErrorRecord error) =>
        WouldKeep(FindingCatalog.ClassifyUnanswered(error), error.Target, error.TargetPort, error.QuotedProtocol);

    /// <summary>A DNS attempt that failed: kept in detail (never reused) if its finding has room, else counted.</summary>
    public void DnsFailed(DnsAttempt attempt, PacketTimestamp now)
    {
        if (FindingCatalog.Classify(attempt, attempt.Outcome, attempt.Icmp) is not { } kind) return; // an error no finding reports (FORMERR, NOTIMP, ...): counted in the statistics only
        var group = Table.GroupOf(kind, attempt.Server, attempt.ServerPort, TransportOf(attempt));
        if (group is null)
        {
            Table.CountUngrouped();
            return;
        }
        if (Table.HasRoom(group))
        {
            Table.Keep(group);
            attempt.Kept = true;
            group.Dns.Add(attempt);
            if (attempt.Icmp is not null) group.Icmp.Add(attempt.Icmp);
            return;
        }
        group.UnkeptDns++;
        group.UnkeptEvidence++;
        group.AddUnkeptTime(attempt.Query.Time);
        var row = FindingCatalog.Of(kind);
        group.UnkeptAtCaptureEnd |= attempt.AtCaptureEnd;
        group.UnkeptRetransmissions |= attempt.IsRetransmission;
        Table.AddUnkeptClient(group, attempt.Client);
        if (attempt.Icmp is { } error)
        {
            group.UnkeptEvidence++;
            Table.AddUnkeptSender(group, error);
        }
        else if (attempt.Response is { } response && attempt.Rcode != 0)
        {
            group.UnkeptEvidence++;
            group.AddUnkeptTime(response.Time);
        }
        if (group.UnkeptNameSample.Count < FailureGroup.NamesKept && !group.UnkeptNameSample.Contains(attempt.QName, StringComparer.OrdinalIgnoreCase))
        {
            group.UnkeptNameSample.Add(attempt.QName);
        }
        row.CountUnkeptDns?.Invoke(Table, group, attempt, now);
    }

    /// <summary>A TCP attempt that failed: kept in detail (never reused) if its finding has room, else counted.</summary>
    public void TcpFailed(TcpConnection conn, Resolution? resolution)
    {
        if (FindingCatalog.Classify(conn, conn.Outcome, conn.Icmp) is not { } kind) return;
        var group = Table.GroupOf(kind, conn.Server, conn.ServerPort, IpProtocol.Tcp);
        if (group is null)
        {
            Table.CountUngrouped();
            return;
        }
        // Whether the client had resolved the address it tried (answers are remembered only for a while): the
        // first failure that had, kept in detail or not.
        if (group.FirstResolution is null && resolution is { } answer)
        {
            group.FirstResolution = (conn.Client, answer);
        }
        if (Table.HasRoom(group))
        {
            Table.Keep(group);
            conn.Kept = true;
            group.Tcp.Add(conn);
            if (conn.Icmp is not null) group.Icmp.Add(conn.Icmp);
            return;
        }
        if (FindingCatalog.Of(kind).IgnoresUnkeptTcp is { } ignores && ignores(conn)) return;
        group.UnkeptTcp++;
        group.UnkeptEvidence++;
        group.AddUnkeptTime(conn.First.Time);
        group.AddUnkeptTime(conn.Last.Time);
        if (conn.Syns > 1)
        {
            group.UnkeptTcpRetried++;
            group.UnkeptRetransmissions = true;
        }
        group.UnkeptAtCaptureEnd |= conn.AtCaptureEnd;
        Table.AddUnkeptClient(group, conn.Client);
        if (conn.Icmp is { } error)
        {
            group.UnkeptEvidence++;
            Table.AddUnkeptSender(group, error);
        }
        else if (conn.OutcomePacket is { } outcome)
        {
            if (conn.Outcome == TcpOutcome.Refused)
            {
                group.UnkeptEvidence++;
                group.UnkeptTcpReset++;
            }
            group.AddUnkeptTime(outcome.Time);
        }
    }

    /// <summary>An ICMP error that answered no transaction: evidence of a reachability finding, if a family reads one in it.</summary>
    public void IcmpErrorUnanswered(IcmpErrorRecord error)
    {
        if (FindingCatalog.ClassifyUnanswered(error) is not { } kind) return;
        var group = Table.GroupOf(kind, error.Target, error.TargetPort, error.QuotedProtocol);
        if (group is null)
        {
            Table.CountUngrouped();
            return;
        }
        if (Table.HasRoom(group))
        {
            Table.Keep(group);
            group.Icmp.Add(error);
            return;
        }
        group.UnkeptUnjoinedIcmp++;
        Table.AddUnkeptClient(group, error.Client);
        Table.AddUnkeptSender(group, error);
    }
}
