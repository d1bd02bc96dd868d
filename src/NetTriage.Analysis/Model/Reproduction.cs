namespace NetTriage.Analysis;

/// <summary>The steps of a reproduction, in the order a browser takes them (stable identifiers).</summary>
public static class ProbeSteps
{
    /// <summary>A DNS query over UDP to one resolver: what a browser's stub resolver sends.</summary>
    public const string Resolve = "resolve";
    /// <summary>The same query over TCP, after UDP failed or was truncated (RFC 7766).</summary>
    public const string ResolveTcp = "resolve-tcp";
    /// <summary>A TCP connection to one resolved address on the URL's port.</summary>
    public const string Connect = "connect";
    /// <summary>The TLS handshake of an https URL, with the certificate's names.</summary>
    public const string Tls = "tls";
    /// <summary>The HTTP request and the status of its response.</summary>
    public const string Http = "http";
}

/// <summary>What one probe step saw (stable identifiers).</summary>
public static class ProbeResults
{
    public const string Ok = "ok";
    /// <summary>UDP: an ICMP port unreachable came back (the socket reported "connection refused"). TCP: a RST answered the SYN.</summary>
    public const string Refused = "refused";
    /// <summary>An ICMP host unreachable or administratively prohibited came back.</summary>
    public const string HostUnreachable = "host-unreachable";
    /// <summary>An ICMP network unreachable came back.</summary>
    public const string NetworkUnreachable = "network-unreachable";
    /// <summary>This host has no route to the address: nothing was sent.</summary>
    public const string NoRoute = "no-route";
    /// <summary>No answer within the step's timeout.</summary>
    public const string Timeout = "timeout";
    /// <summary>DNS answered NXDOMAIN: the name does not exist.</summary>
    public const string NxDomain = "nxdomain";
    /// <summary>DNS answered NOERROR without an address of the asked type.</summary>
    public const string NoAddress = "no-address";
    public const string ServFail = "servfail";
    /// <summary>DNS answered with rcode REFUSED.</summary>
    public const string DnsRefused = "dns-refused";
    /// <summary>DNS answered with another error rcode, or an answer that cannot be read.</summary>
    public const string DnsError = "dns-error";
    /// <summary>The DNS answer over UDP had the TC bit: it did not fit and must be asked over TCP.</summary>
    public const string Truncated = "truncated";
    /// <summary>The TLS handshake failed (an alert, or the server closed the connection).</summary>
    public const string TlsFailed = "tls-failed";
    /// <summary>The handshake completed but a browser would refuse the certificate (name, chain, dates).</summary>
    public const string CertificateError = "certificate-error";
    /// <summary>The HTTP response had a status of 400 or more.</summary>
    public const string HttpError = "http-error";
    /// <summary>The server closed the connection without an answer.</summary>
    public const string Closed = "closed";
    /// <summary>Any other failure; the detail says which.</summary>
    public const string Error = "error";
}

/// <summary>Which end a reproduced failure lies at (stable identifiers).</summary>
public static class FaultEnds
{
    /// <summary>Nothing failed.</summary>
    public const string None = "none";
    /// <summary>This host: no route, nothing left it.</summary>
    public const string ThisHost = "this-host";
    /// <summary>A device between this host and the server (a router's ICMP error, a filter on the path).</summary>
    public const string Network = "network";
    /// <summary>The DNS server (resolver) or a filter in front of it.</summary>
    public const string DnsServer = "dns-server";
    /// <summary>The name itself: it does not exist in DNS, or has no address.</summary>
    public const string Name = "name";
    /// <summary>The web server (or a filter in front of it): connection, TLS or HTTP.</summary>
    public const string WebServer = "web-server";
    /// <summary>A server of another service (SSH, mail, a database...) or the host itself.</summary>
    public const string Server = "server";
    /// <summary>The clients: their configuration, their credentials, their pace.</summary>
    public const string Client = "client";
    /// <summary>Someone acting against the network: a flood, a scan, guessing, spoofing, a tunnel.</summary>
    public const string Attacker = "attacker";
    /// <summary>The evidence does not say.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// A failure reproduced from this host by <c>nettriage diagnose</c>: the probes it ran like a browser
/// (resolve, connect, TLS, HTTP), each with its result and timing, the live capture taken meanwhile, and
/// the conclusion joined from both: which step failed and therefore which end is at fault, with the evidence.
/// </summary>
public sealed record Reproduction
{
    /// <summary>The target as given (URL or host name).</summary>
    public required string Target { get; init; }
    /// <summary>The URL probed ("http://www.example.test/").</summary>
    public required string Url { get; init; }
    public required string Host { get; init; }
    public required int Port { get; init; }
    /// <summary>"http" or "https".</summary>
    public required string Scheme { get; init; }
    /// <summary>The resolvers asked, in order.</summary>
    public required IReadOnlyList<string> Resolvers { get; init; }
    /// <summary>Where the resolvers came from: "option" (--resolver) or the file read ("/etc/resolv.conf").</summary>
    public required string ResolverSource { get; init; }
    /// <summary>When the probes started (absolute, UTC).</summary>
    public required TimeValue Started { get; init; }
    public required double DurationSeconds { get; init; }
    public required double BudgetSeconds { get; init; }
    public required LiveCaptureSummary Capture { get; init; }
    /// <summary>Every step run, in order (a step not run for lack of budget is listed with result "timeout").</summary>
    public required IReadOnlyList<ProbeStep> Steps { get; init; }
    /// <summary>"reproduced" (a step a browser needs failed) or "not-reproduced" (everything worked).</summary>
    public required string Outcome { get; init; }
    /// <summary>The step a browser would have failed at, or null.</summary>
    public string? FailedStep { get; init; }
    /// <summary>The number of the step (in <see cref="Steps"/>) that shows the failure, or null.</summary>
    public int? FailedStepNumber { get; init; }
    /// <summary>
    /// The failure as a finding kind (<see cref="FindingKind"/>; from the capture's incident when one matches,
    /// else from the probe alone), or one of "tls-failure", "certificate-error", "http-error"; null when nothing failed.
    /// </summary>
    public string? FailureKind { get; init; }
    /// <summary>The id of the capture analysis's incident that shows the failure, or null.</summary>
    public string? Incident { get; init; }
    /// <summary>Which end is at fault (<see cref="FaultEnds"/>).</summary>
    public required string AtFault { get; init; }
    /// <summary>The address of the device at fault when known (the resolver, the web server, or the router that sent an ICMP error).</summary>
    public string? FaultAddress { get; init; }
    /// <summary>"high", "medium" or "low".</summary>
    public required Confidence Confidence { get; init; }
    /// <summary>The conclusion in one or two sentences.</summary>
    public required string Conclusion { get; init; }
    /// <summary>The facts behind the conclusion, from the probes and the capture.</summary>
    public required IReadOnlyList<string> Evidence { get; init; }
    /// <summary>What the reproduction cannot show, and what it costs in certainty.</summary>
    public required IReadOnlyList<Caveat> Caveats { get; init; }
}

/// <summary>The live capture taken while the probes ran.</summary>
public sealed record LiveCaptureSummary
{
    /// <summary>True when packets were captured (the file may still hold none if nothing matched the filter).</summary>
    public required bool Captured { get; init; }
    /// <summary>The pcapng file written, or null.</summary>
    public string? File { get; init; }
    public string? Interface { get; init; }
    /// <summary>The BPF filter in force at the end (it widens to the resolved addresses once they are known).</summary>
    public string? Filter { get; init; }
    public long Packets { get; init; }
    /// <summary>Packets the kernel dropped (buffer full) or the interface dropped, as libpcap counts them.</summary>
    public long Dropped { get; init; }
    /// <summary>Why nothing was captured (no permission, libpcap missing, no such interface), or null.</summary>
    public string? Problem { get; init; }
}

/// <summary>One probe step: what was asked of whom, what came back, and when.</summary>
public sealed record ProbeStep
{
    /// <summary>1, 2, ... in the order run.</summary>
    public required int Number { get; init; }
    /// <summary>The step (<see cref="ProbeSteps"/>).</summary>
    public required string Step { get; init; }
    /// <summary>The peer as address:port ("10.99.2.2:53", "[2001:db8::1]:443").</summary>
    public required string Peer { get; init; }
    /// <summary>"UDP" or "TCP".</summary>
    public required string Transport { get; init; }
    /// <summary>DNS steps: the question ("www.example.test A").</summary>
    public string? Question { get; init; }
    /// <summary>The result (<see cref="ProbeResults"/>).</summary>
    public required string Result { get; init; }
    /// <summary>What happened, in words (server strings escaped by every renderer).</summary>
    public required string Detail { get; init; }
    /// <summary>Seconds from the start of the probes to the start of the step.</summary>
    public required double StartSeconds { get; init; }
    public required double Milliseconds { get; init; }
    /// <summary>Packets sent: DNS queries (with retransmissions); 1 otherwise.</summary>
    public int Attempts { get; init; } = 1;
    /// <summary>False for a step run past the failure, only for more evidence (a browser would have stopped).</summary>
    public bool BrowserPath { get; init; } = true;
    /// <summary>DNS steps: the addresses answered.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];
    /// <summary>DNS steps: the rcode of the answer (NOERROR, NXDOMAIN, ...).</summary>
    public string? Rcode { get; init; }
    /// <summary>TLS: the protocol negotiated ("Tls13").</summary>
    public string? TlsProtocol { get; init; }
    /// <summary>TLS: the certificate's DNS and IP names (subject alternative names, else the common name).</summary>
    public IReadOnlyList<string> CertificateNames { get; init; } = [];
    /// <summary>TLS: the certificate's subject and validity end.</summary>
    public string? CertificateSubject { get; init; }
    public string? CertificateNotAfter { get; init; }
    /// <summary>
    /// TLS: why a browser would refuse the certificate, as codes: "no-certificate", "name-mismatch" (RFC 6125),
    /// "untrusted" (the chain does not lead to an authority this host trusts, RFC 5280 6). Absent when none.
    /// </summary>
    public IReadOnlyList<string>? CertificateProblems { get; init; }
    /// <summary>HTTP: the status code and the status line.</summary>
    public int? HttpStatus { get; init; }
    public string? StatusLine { get; init; }
    /// <summary>The capture analysis's finding about this step's traffic, or null.</summary>
    public string? Finding { get; init; }
    /// <summary>Frames of the capture that show this step's traffic failing (from the finding's evidence).</summary>
    public IReadOnlyList<long> Frames { get; init; } = [];
}
