using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal enum DnsOutcome : byte
{
    Pending,
    Answered,
    IcmpError,
    Unanswered,
}

/// <summary>An ICMP error as observed, with who sent it and what it quoted.</summary>
internal sealed class IcmpErrorRecord
{
    public required PacketRef Packet { get; init; }
    public required IpAddr Sender { get; init; }
    public required bool IsV6 { get; init; }
    public required byte Type { get; init; }
    public required byte Code { get; init; }
    public required byte QuotedProtocol { get; init; }
    /// <summary>The sender of the quoted packet: the host that got the error.</summary>
    public required IpAddr Client { get; init; }
    public required ushort ClientPort { get; init; }
    /// <summary>The destination of the quoted packet: where the failed traffic was going.</summary>
    public required IpAddr Target { get; init; }
    public required ushort TargetPort { get; init; }
    public required string Summary { get; init; }
    /// <summary>What it was joined to: "dns", "tcp" or null.</summary>
    public string? JoinedTo { get; set; }

    /// <summary>The target itself sent the error (its IP stack is up), rather than a router on the way.</summary>
    public bool FromTarget => Sender == Target;
}

/// <summary>One DNS query packet and what became of it.</summary>
internal sealed class DnsAttempt
{
    public required PacketRef Query { get; init; }
    public required IpAddr Client { get; init; }
    public required ushort ClientPort { get; init; }
    public required IpAddr Server { get; init; }
    public required ushort ServerPort { get; init; }
    public required ushort Id { get; init; }
    public required ushort QType { get; init; }
    public required string QName { get; init; }
    public required bool RecursionDesired { get; init; }
    public required int MessageLength { get; init; }
    public required bool OverTcp { get; init; }
    public required bool IsV6 { get; init; }
    public bool IsRetransmission { get; set; }
    /// <summary>The client sent the question again before any answer: its own timeout expired on this attempt.</summary>
    public bool Superseded { get; set; }

    public DnsOutcome Outcome { get; set; }
    public PacketRef? Response { get; set; }
    public int Rcode { get; set; }
    public int AnswerCount { get; set; }
    public string? ResponseSummary { get; set; }
    public IcmpErrorRecord? Icmp { get; set; }
    /// <summary>Unanswered, but sent so shortly before the capture ended that the answer may have come later.</summary>
    public bool AtCaptureEnd { get; set; }

    public bool Failed => Outcome is DnsOutcome.IcmpError or DnsOutcome.Unanswered
        || (Outcome == DnsOutcome.Answered && Rcode != 0);

    public DnsExchangeKey ExchangeKey => new(Client, ClientPort, Server, ServerPort, Id);
}

internal enum TcpOutcome : byte
{
    SynSent,
    Established,
    Refused,
    Unanswered,
    IcmpRejected,
    ResetAfterEstablished,
    Closed,
    /// <summary>First seen mid-stream: no SYN in the capture.</summary>
    MidStream,
}

/// <summary>One TCP connection, from its first SYN (or first packet when the SYN was not captured).</summary>
internal sealed class TcpConnection
{
    public required IpAddr Client { get; init; }
    public required ushort ClientPort { get; init; }
    public required IpAddr Server { get; init; }
    public required ushort ServerPort { get; init; }
    public required PacketRef First { get; init; }
    public required bool IsV6 { get; init; }
    public uint InitialSequence { get; init; }
    public ushort Window { get; init; }
    public int Syns { get; set; }
    public PacketRef Last { get; set; }
    public TcpOutcome Outcome { get; set; }
    public PacketRef? OutcomePacket { get; set; }
    public string? OutcomeSummary { get; set; }
    public IcmpErrorRecord? Icmp { get; set; }
    public bool Finished { get; set; }
    public bool AtCaptureEnd { get; set; }
    public bool SawFin { get; set; }

    public bool IsAttempt => Outcome != TcpOutcome.MidStream;
    public bool Failed => Outcome is TcpOutcome.Refused or TcpOutcome.Unanswered or TcpOutcome.IcmpRejected;
}

/// <summary>Traffic counters of one host.</summary>
internal sealed class HostCounters
{
    public long PacketsSent;
    public long PacketsReceived;
    public long BytesSent;
    public long BytesReceived;
}

/// <summary>A name a client resolved to an address, and whether it then connected there.</summary>
internal sealed class Resolution
{
    public required string Name { get; init; }
    public required PacketRef Answer { get; init; }
    public PacketRef? FirstConnection { get; set; }
    public TcpConnection? Connection { get; set; }
}
