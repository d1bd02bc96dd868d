using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// A connection's identity in either direction: the two endpoints in a fixed order (lower address and port first), so
/// both directions of a flow find the same entry. ICMP keys hold the message pair (an echo request and its reply share
/// a key) in place of ports.
/// </summary>
internal readonly record struct ZeekFlowKey(IpAddr A, ushort PortA, IpAddr B, ushort PortB, byte Protocol)
{
    public static ZeekFlowKey Of(IpAddr source, ushort sourcePort, IpAddr destination, ushort destinationPort, byte protocol)
    {
        int order = source.CompareTo(destination);
        return order < 0 || (order == 0 && sourcePort <= destinationPort)
            ? new ZeekFlowKey(source, sourcePort, destination, destinationPort, protocol)
            : new ZeekFlowKey(destination, destinationPort, source, sourcePort, protocol);
    }
}
