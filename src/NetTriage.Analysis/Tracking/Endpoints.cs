using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>Where a packet is in the inputs, and when: enough to cite it as evidence.</summary>
internal readonly record struct PacketRef(int Input, long Frame, long Line, PacketTimestamp Time)
{
    public static PacketRef Of(DecodedPacket p, int input) => new(input, p.FrameNumber, p.LineNumber, p.Timestamp);
}

/// <summary>A transport flow in one direction: protocol, source and destination.</summary>
internal readonly record struct FlowKey(byte Protocol, IpAddr Source, ushort SourcePort, IpAddr Destination, ushort DestinationPort)
{
    /// <summary>The same flow whichever way a packet goes: the lower endpoint first.</summary>
    public FlowKey Canonical()
    {
        int c = Source.CompareTo(Destination);
        return c < 0 || (c == 0 && SourcePort <= DestinationPort)
            ? this
            : new FlowKey(Protocol, Destination, DestinationPort, Source, SourcePort);
    }

    public FlowKey Reverse() => new(Protocol, Destination, DestinationPort, Source, SourcePort);
}

/// <summary>A client's question to a server, whatever source port it used.</summary>
internal readonly record struct DnsQuestionKey(IpAddr Client, IpAddr Server, ushort QType, string QName);

/// <summary>A query as the answer must match it: both endpoints, both ports, and the id (RFC 5452 9.1).</summary>
internal readonly record struct DnsExchangeKey(IpAddr Client, ushort ClientPort, IpAddr Server, ushort ServerPort, ushort Id);

/// <summary>Client to server on a port, without the client's port: what a text ICMP quote names.</summary>
internal readonly record struct ServiceKey(IpAddr Client, IpAddr Server, ushort ServerPort);
