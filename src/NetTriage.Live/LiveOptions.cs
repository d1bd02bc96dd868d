using System.Net;

namespace NetTriage.Live;

/// <summary>What <see cref="LiveDiagnoser"/> probes and how long each step may take.</summary>
public sealed record LiveOptions
{
    public required LiveTarget Target { get; init; }
    /// <summary>Resolvers to ask, in order; empty means the system's (<see cref="SystemResolvers"/>).</summary>
    public IReadOnlyList<IPAddress> Resolvers { get; init; } = [];
    /// <summary>The interface to capture on; null chooses the one that routes to the first resolver (or the target).</summary>
    public string? Interface { get; init; }
    /// <summary>The pcapng file to write; null for no capture file (the capture is then not taken).</summary>
    public string? CapturePath { get; init; }
    /// <summary>False to skip the live capture altogether (the probes still run).</summary>
    public bool Capture { get; init; } = true;
    /// <summary>The whole run, probes and capture; every step's timeout is cut to what remains.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(20);
    public ProbeTimeouts Timeouts { get; init; } = new();
}

/// <summary>
/// Per-step timeouts. The DNS ones follow a stub resolver (glibc: a few tries per server, a second or so
/// each); connect waits for one SYN retransmission (Linux retransmits after 1 s, then 3 s), so an
/// unanswered SYN shows in the capture as retransmitted.
/// </summary>
public sealed record ProbeTimeouts
{
    /// <summary>How long each UDP query waits for its answer before it is sent again.</summary>
    public TimeSpan DnsTry { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>UDP queries per resolver and question (the first and its retransmissions).</summary>
    public int DnsTries { get; init; } = 3;
    /// <summary>A DNS query over TCP: connect, send, answer.</summary>
    public TimeSpan DnsTcp { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan Connect { get; init; } = TimeSpan.FromSeconds(2.5);
    public TimeSpan Tls { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Http { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long the capture runs on after the last probe, for late replies (ICMP errors after ARP fails).</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Addresses tried in turn when connections fail (a browser tries the next address).</summary>
    public int MaxAddresses { get; init; } = 4;
}
