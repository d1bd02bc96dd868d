namespace NetTriage.Analysis;

/// <summary>
/// The element of the path that failures toward several servers share, and the counts that show it, each counted
/// from the packets it names.
/// </summary>
public sealed record PathFacts
{
    /// <summary>
    /// "gateway" (the first hop: the hardware address every failing packet was framed to, which forwarded nothing back),
    /// "router" (the address that sent ICMP unreachable errors for every destination), or "first-hop" (the capture has
    /// no link layer: nothing from any other host reached the client).
    /// </summary>
    public required string Element { get; init; }
    /// <summary>The IP address of the element: the one its hardware address claimed in ARP, or the router's; null when unknown.</summary>
    public string? Address { get; init; }
    /// <summary>The hardware address of the gateway (the Ethernet destination of the failing packets), when the capture has it.</summary>
    public string? Mac { get; init; }
    /// <summary>Distinct servers whose failures share the element.</summary>
    public long Servers { get; init; }
    /// <summary>Gateway: IP packets framed to it over the capture, and of those it sent, the ones with a source other than its own address.</summary>
    public long? PacketsToGateway { get; init; }
    public long? PacketsForwarded { get; init; }
    /// <summary>Router: ICMP unreachable errors it sent for those servers.</summary>
    public long? Errors { get; init; }
    /// <summary>The client received this many IP packets over the whole capture (from any host).</summary>
    public long? PacketsToClient { get; init; }
}

/// <summary>Failures spread thinly over many services, none of them down: how thin and where worst.</summary>
public sealed record SpreadFacts
{
    /// <summary>Services (server and port) with some failed connection attempts, all of which mostly worked.</summary>
    public required long Services { get; init; }
    /// <summary>Connection attempts toward those services over the capture, and the ones that failed (refused or unanswered).</summary>
    public required long Attempts { get; init; }
    public required long Failed { get; init; }
    public long Refused { get; init; }
    public long Unanswered { get; init; }
    /// <summary>Failed over attempts.</summary>
    public required double FailedShare { get; init; }
    /// <summary>Distinct clients whose attempts failed.</summary>
    public long Clients { get; init; }
    /// <summary>The services with the highest share of failed attempts, worst first ("198.51.100.7:443 5/80").</summary>
    public required IReadOnlyList<string> Worst { get; init; }
}
