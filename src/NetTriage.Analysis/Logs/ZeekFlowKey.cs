using System.Numerics;
using NetTriage.Analysis.Tracking;
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

    /// <summary>The tracker's cheap address hash (<see cref="KeyHash"/>) in place of the record's field-by-field combine: one lookup a packet.</summary>
    public override int GetHashCode() =>
        KeyHash.Finish(KeyHash.Of(A) ^ BitOperations.RotateLeft(KeyHash.Of(B), 11) ^ ((((uint)PortA << 16) | PortB) * 0x9E37_79B9u) ^ Protocol);
}
