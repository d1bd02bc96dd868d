using NetTriage.Packets;
using NetTriage.Packets.Icmp;

namespace NetTriage.Analysis.Tracking;

/// <summary>An ICMP error as observed, with who sent it and what it quoted.</summary>
internal sealed class IcmpErrorRecord
{
    public PacketRef Packet { get; set; }
    public IpAddr Sender { get; set; }
    public bool IsV6 { get; set; }
    public byte Type { get; set; }
    public byte Code { get; set; }
    public byte QuotedProtocol { get; set; }
    /// <summary>The sender of the quoted packet: the host that got the error.</summary>
    public IpAddr Client { get; set; }
    public ushort ClientPort { get; set; }
    /// <summary>The destination of the quoted packet: where the failed traffic was going.</summary>
    public IpAddr Target { get; set; }
    public ushort TargetPort { get; set; }
    /// <summary>
    /// The error quoted no protocol or port (tcpdump text without -v: "ICMP host X unreachable - admin prohibited
    /// filter"), and was joined to the query it follows by its addresses and timing: an inference, said as such.
    /// </summary>
    public bool Inferred { get; set; }
    /// <summary>The error's tcpdump line.</summary>
    public string Summary => Line.ToString();
    internal PacketLine Line;

    /// <summary>What the error says about the traffic it quotes.</summary>
    public IcmpMeaning Meaning => IcmpMessages.Meaning(IsV6, Type, Code);

    /// <summary>The target itself sent the error (its IP stack is up), rather than a router on the way.</summary>
    public bool FromTarget => Sender == Target;

    /// <summary>A record of its own for an error kept as evidence, with its tcpdump line (the tracker reuses the one it reads into).</summary>
    public IcmpErrorRecord KeptCopy(PacketLine line)
    {
        var copy = (IcmpErrorRecord)MemberwiseClone();
        copy.Line = line;
        return copy;
    }
}
