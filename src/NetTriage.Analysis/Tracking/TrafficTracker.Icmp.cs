using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal sealed partial class TrafficTracker
{
    /// <summary>ICMP errors, in capture order (capped).</summary>
    public List<IcmpErrorRecord> IcmpErrors { get; } = [];
    public long IcmpErrorsTotal { get; private set; }
    public long IcmpErrorsDropped { get; private set; }

    private void ObserveIcmpError(DecodedPacket p, int input)
    {
        IcmpErrorsTotal++;
        var quoted = p.Icmp.Quoted;
        if (!quoted.Present)
        {
            return;
        }
        if (IcmpErrors.Count >= _options.MaxFailureRecords)
        {
            IcmpErrorsDropped++;
            return;
        }
        // The quoted packet was sent by the host that receives the error (RFC 792: the datagram's header);
        // a text quote may not name its source, which is then the error's destination.
        var client = quoted.Source.IsNone ? p.Ip.Destination : quoted.Source;
        var error = new IcmpErrorRecord
        {
            Packet = PacketRef.Of(p, input),
            Sender = p.Ip.Source,
            IsV6 = p.Icmp.IsV6,
            Type = p.Icmp.Type,
            Code = p.Icmp.Code,
            QuotedProtocol = quoted.Protocol,
            Client = client,
            ClientPort = quoted.HasPorts ? quoted.SourcePort : (ushort)0,
            Target = quoted.Destination,
            TargetPort = quoted.HasPorts ? quoted.DestinationPort : (ushort)0,
            Summary = Summarize(p),
        };
        if (error.Target.IsNone)
        {
            return;
        }
        IcmpErrors.Add(error);
        if (quoted.Protocol == IpProtocol.Udp && JoinDns(error)) error.JoinedTo = "dns";
        else if (quoted.Protocol == IpProtocol.Tcp && JoinTcp(error)) error.JoinedTo = "tcp";
    }
}
