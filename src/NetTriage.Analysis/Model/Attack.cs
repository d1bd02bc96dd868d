namespace NetTriage.Analysis;

/// <summary>
/// The figures of an attack or a scan, each counted from the packets it names. Counts of distinct things are
/// exact unless <see cref="Capped"/> says a table reached its bound (they are then lower bounds).
/// </summary>
public sealed record AttackFacts
{
    /// <summary>
    /// How the probes were made: "syn" (half-open: SYN, then RST after a SYN-ACK), "connect" (full handshakes),
    /// "fin", "null", "xmas" (probes without SYN or ACK, RFC 9293 3.10.7.1), "udp", or several joined by "+".
    /// </summary>
    public required string Technique { get; init; }
    /// <summary>
    /// Packets the actors sent toward the targets (probes, SYNs, queries and answers). Where a detection counts something
    /// else, this is that: login sessions (techniques "login-sessions" and "ssh-auth"), connections ("periodic-connections"),
    /// conflicting answers ("answer-race", "wrong-server"), queries to the new resolver ("resolver-switch").
    /// </summary>
    public long Packets { get; init; }
    /// <summary>Distinct sources of those packets (floods: of the SYNs from the surge on, which are the flood's).</summary>
    public long Sources { get; init; }
    /// <summary>Distinct targets (hosts).</summary>
    public long Targets { get; init; }
    /// <summary>Scans: distinct ports probed (port scan) on the target.</summary>
    public long Ports { get; init; }
    /// <summary>Scans: ports (port scan) or hosts (address scan) that answered as open (SYN-ACK, or a UDP answer).</summary>
    public long Open { get; init; }
    /// <summary>Scans: ports or hosts that answered closed (RST, or ICMP port unreachable).</summary>
    public long Closed { get; init; }
    /// <summary>Scans: ports or hosts that never answered, or answered with an ICMP filter message.</summary>
    public long Filtered { get; init; }
    /// <summary>Scans: the open ports (port scan, first ones) or the hosts that answered open (address scan, first ones).</summary>
    public IReadOnlyList<string> OpenList { get; init; } = [];
    /// <summary>Floods: connection attempts that never completed a handshake.</summary>
    public long HalfOpen { get; init; }
    /// <summary>The busiest second: packets of the activity in it.</summary>
    public long PeakPerSecond { get; init; }
    /// <summary>Packets of the activity per second over its window (one second at least).</summary>
    public double RatePerSecond { get; init; }
    /// <summary>Floods: packets per second toward the target before the surge (its own earlier rate), when seen.</summary>
    public double? BaselinePerSecond { get; init; }
    /// <summary>Share of all packets in the activity's window that were the activity's.</summary>
    public double? ShareOfTraffic { get; init; }
    /// <summary>Floods: the sources look spoofed (nearly every one sent a single SYN and none completed a handshake).</summary>
    public bool? SpoofedSources { get; init; }
    /// <summary>Failures the activity caused that were counted here instead of making findings of their own.</summary>
    public long FailuresAbsorbed { get; init; }
    /// <summary>Brute force: failed logins (HTTP 401, 403 or 407 answers; refused FTP, SMTP, POP3 or IMAP logins) or, for encrypted logins, the login sessions; for SSH the server's refusals counted inside the sessions (technique "ssh-auth").</summary>
    public long? LoginFailures { get; init; }
    /// <summary>Brute force: a login was accepted after the failures (true), none was (false), or the protocol is encrypted and the capture cannot tell (null).</summary>
    public bool? LoginSucceeded { get; init; }
    /// <summary>Brute force over HTTP: the path the failed logins asked for, when known.</summary>
    public string? Path { get; init; }
    /// <summary>Brute force over encrypted logins: share of the sessions whose size is within a quarter of the typical one.</summary>
    public double? SameSizeShare { get; init; }
    /// <summary>ARP spoofing: the hardware addresses that claimed the address, its owner's first.</summary>
    public IReadOnlyList<string>? Macs { get; init; }
    /// <summary>Reflection: answers that match no query or SYN of the victim in the capture.</summary>
    public long? Unasked { get; init; }
    /// <summary>Reflection: IP bytes of the answers, later fragments included.</summary>
    public long? Bytes { get; init; }
    /// <summary>Reflection: later IP fragments of the answers (they carry no port).</summary>
    public long? Fragments { get; init; }
    /// <summary>Reflection: answer bytes over the bytes of the queries that drew them, when the queries are in the capture.</summary>
    public double? AmplificationFactor { get; init; }
    /// <summary>Tunnels: bytes carried out (in echo requests, or written into query names) and back (in echo replies, or in answers' data).</summary>
    public long? BytesOut { get; init; }
    public long? BytesIn { get; init; }
    /// <summary>ICMP tunnel: share of the echo requests whose data differs from the one before.</summary>
    public double? ChangedShare { get; init; }
    /// <summary>DNS tunnel: the registered domain whose names carry the data.</summary>
    public string? Domain { get; init; }
    /// <summary>DNS tunnel: distinct encoded names asked for under the domain.</summary>
    public long? EncodedNames { get; init; }
    /// <summary>DNS tunnel: the queries under the domain by type, most first ("NULL 310", "A 20").</summary>
    public IReadOnlyList<string>? QueryTypes { get; init; }
    /// <summary>DNS spoofing: queries answered twice with different answers, and answers from a server not asked.</summary>
    public long? RaceAnswers { get; init; }
    public long? WrongServerAnswers { get; init; }
    /// <summary>DNS spoofing: the first conflicting answers, described; DNS hijack: the first names redirected.</summary>
    public IReadOnlyList<string>? Examples { get; init; }
    /// <summary>DNS hijack: the one address that names of unrelated domains were answered with.</summary>
    public string? RedirectAddress { get; init; }
    /// <summary>DNS hijack: unrelated registered domains answered with that address.</summary>
    public long? UnrelatedDomains { get; init; }
    /// <summary>DNS hijack: of the names redirected, those answered NXDOMAIN elsewhere in the capture.</summary>
    public long? NxdomainElsewhere { get; init; }
    /// <summary>Beaconing: the median interval between connections, in seconds, and its spread (median absolute deviation over the median).</summary>
    public double? IntervalSeconds { get; init; }
    public double? IntervalSpread { get; init; }
    /// <summary>Beaconing: the median bytes of a session (both ways) and their spread, when the sessions were measured.</summary>
    public long? TypicalBytes { get; init; }
    public double? SizeSpread { get; init; }
    /// <summary>Beaconing: regularity from 0 to 1 (the mean of the intervals' and sizes' skew and spread scores, as RITA computes them).</summary>
    public double? BeaconScore { get; init; }
    /// <summary>A table of the detection reached its bound: distinct counts are lower bounds.</summary>
    public bool Capped { get; init; }
}
