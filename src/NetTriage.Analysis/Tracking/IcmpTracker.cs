using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Follows every ICMP error back to what caused it: the quoted packet (RFC 792: the datagram's IP header and first
/// eight bytes; RFC 4443 2.4: as much as fits) names the flow, and the error becomes the outcome of the DNS query or
/// connection attempt it answers. An error that answers no tracked transaction goes to the detect stage as it is.
/// </summary>
internal sealed class IcmpTracker(TrafficTracker t)
{
    private readonly TrafficTracker _t = t;
    /// <summary>The error being read: copied into a record of its own only when kept as evidence.</summary>
    private readonly IcmpErrorRecord _reading = new();

    /// <summary>Errors that named no port, joined to the DNS query they follow by addresses and timing.</summary>
    public long InferredJoins { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ObserveError(DecodedPacket p, int input)
    {
        var quoted = p.Icmp.Quoted;
        if (!quoted.Present || quoted.Destination.IsNone)
        {
            return;
        }
        // The quoted packet was sent by the host that receives the error (RFC 792: the datagram's header);
        // a text quote may not name its source, which is then the error's destination.
        var error = _reading;
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
        error.Inferred = false;
        // An error answering a query or a connection attempt is that transaction's outcome (kept with it).
        if (quoted.Protocol == IpProtocol.Udp && _t.Dns.Join(error, p)) return;
        if (quoted.Protocol == IpProtocol.Tcp && _t.Tcp.Join(error, p)) return;
        // tcpdump without -v prints "ICMP host X unreachable - admin prohibited filter": no protocol, no port. Such an
        // error answers the query its receiver has pending to X, if it has one: joined by addresses and timing.
        if (quoted.Protocol == 0 && !quoted.HasPorts && p.Origin == PacketOrigin.Text
            && (_t.Dns.JoinByAddresses(error, p) || _t.Tcp.JoinByAddresses(error, p)))
        {
            InferredJoins++;
            return;
        }
        _t.Facts.IcmpErrorUnanswered(_t.Facts.KeepsDetail(error) ? error.KeptCopy(_t.Lines.Of(p)) : error);
    }
}
