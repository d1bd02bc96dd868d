using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal sealed partial class TrafficTracker
{
    /// <summary>The error being read: copied into a record of its own only when kept as evidence.</summary>
    private readonly IcmpErrorRecord _unkeptError = new();

    public long IcmpErrorsTotal { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ObserveIcmpError(DecodedPacket p, int input)
    {
        IcmpErrorsTotal++;
        var quoted = p.Icmp.Quoted;
        if (!quoted.Present || quoted.Destination.IsNone)
        {
            return;
        }
        // The quoted packet was sent by the host that receives the error (RFC 792: the datagram's header);
        // a text quote may not name its source, which is then the error's destination.
        var error = _unkeptError;
        error.Packet = PacketRef.Of(p, input);
        error.Sender = p.Ip.Source;
        error.IsV6 = p.Icmp.IsV6;
        error.Type = p.Icmp.Type;
        error.Code = p.Icmp.Code;
        error.QuotedProtocol = quoted.Protocol;
        error.Client = quoted.Source.IsNone ? p.Ip.Destination : quoted.Source;
        error.ClientPort = quoted.HasPorts ? quoted.SourcePort : (ushort)0;
        error.Target = quoted.Destination;
        error.TargetPort = quoted.HasPorts ? quoted.DestinationPort : (ushort)0;
        error.Line = default;
        error.JoinedTo = null;
        // An error answering a query or a connection attempt is that transaction's outcome (kept with it).
        if (quoted.Protocol == IpProtocol.Udp && JoinDns(error, p)) return;
        if (quoted.Protocol == IpProtocol.Tcp && JoinTcp(error, p)) return;
        // Any other error speaks for itself only about reachability; a port unreachable for a datagram no tracked
        // transaction sent (a late reply, a traceroute's last hop) is not a failure of a service.
        string? kind = Detection.Detector.KindOfIcmp(error, dns: false);
        if (kind is not (FindingKinds.HostUnreachable or FindingKinds.NetworkUnreachable or FindingKinds.TtlExceeded)) return;
        var group = GroupOf(kind, error.Target, error.TargetPort, error.QuotedProtocol);
        if (group is null)
        {
            FailuresUncounted++;
            return;
        }
        if (HasRoom(group))
        {
            Keep(group);
            group.Icmp.Add(KeepableError(error, p, kept: true));
            return;
        }
        group.UnkeptUnjoinedIcmp++;
        AddUnkeptClient(group, error.Client);
        AddUnkeptSender(group, error);
    }

    /// <summary>The error as a record a kept transaction may hold: the unkept stand-in is copied (with its line) when needed.</summary>
    private IcmpErrorRecord KeepableError(IcmpErrorRecord error, DecodedPacket p, bool kept)
    {
        if (!ReferenceEquals(error, _unkeptError) || !kept) return error;
        var copy = error.Clone();
        copy.Line = Summarize(p);
        return copy;
    }
}
