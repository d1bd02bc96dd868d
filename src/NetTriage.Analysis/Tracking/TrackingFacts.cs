using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// What the track stage tells the detect stage, as typed facts: a DNS query that ended without a good answer (an
/// ICMP error, an error rcode, nothing), a connection attempt that failed (a reset, an ICMP error, silence), an
/// ICMP error that answered no tracked transaction. Tracking knows no finding kinds: it says what happened to a
/// transaction, and the detectors decide what that means. Called for failures only, never for every packet.
/// </summary>
internal interface ITrackingFacts
{
    /// <summary>
    /// Whether a DNS query about to end with <paramref name="outcome"/> (answered by <paramref name="error"/>, or
    /// by a response whose rcode is already on the attempt) would be kept in detail: only then is the tcpdump line
    /// of what answered it worth making.
    /// </summary>
    bool KeepsDetail(DnsAttempt attempt, DnsOutcome outcome, IcmpErrorRecord? error);

    /// <summary>The same for a connection attempt about to end with <paramref name="outcome"/>.</summary>
    bool KeepsDetail(TcpConnection conn, TcpOutcome outcome, IcmpErrorRecord? error);

    /// <summary>The same for an ICMP error that answered no tracked transaction.</summary>
    bool KeepsDetail(IcmpErrorRecord error);

    /// <summary>A DNS query failed (its outcome, rcode and error are on it); <paramref name="now"/> is the capture time.</summary>
    void DnsFailed(DnsAttempt attempt, PacketTimestamp now);

    /// <summary>A connection attempt failed; <paramref name="resolution"/> is the recent answer that gave its client the server's address, if any.</summary>
    void TcpFailed(TcpConnection conn, Resolution? resolution);

    /// <summary>An ICMP error answered no tracked transaction (a kept one carries its line; else it is the record the tracker reuses).</summary>
    void IcmpErrorUnanswered(IcmpErrorRecord error);
}
