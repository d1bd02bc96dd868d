using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

internal sealed partial class TrafficTracker
{
    /// <summary>Stands in for an error that is not kept (past the cap), so it can still answer what it quotes.</summary>
    private readonly IcmpErrorRecord _unkeptError = new();

    /// <summary>ICMP errors, in capture order (capped).</summary>
    public List<IcmpErrorRecord> IcmpErrors { get; } = [];
    public long IcmpErrorsTotal { get; private set; }
    public long IcmpErrorsDropped { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ObserveIcmpError(DecodedPacket p, int input)
    {
        IcmpErrorsTotal++;
        var quoted = p.Icmp.Quoted;
        if (!quoted.Present)
        {
            return;
        }
        bool keep = IcmpErrors.Count < _options.MaxFailureRecords;
        if (!keep)
        {
            IcmpErrorsDropped++;
        }
        if (quoted.Destination.IsNone)
        {
            return;
        }
        // The quoted packet was sent by the host that receives the error (RFC 792: the datagram's header);
        // a text quote may not name its source, which is then the error's destination.
        var error = keep ? new IcmpErrorRecord() : _unkeptError;
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
        error.Line = keep ? Summarize(p) : default;
        error.JoinedTo = null;
        if (keep) IcmpErrors.Add(error);
        // Past the cap an error is not kept, but it still answers the query or connection it quotes.
        if (quoted.Protocol == IpProtocol.Udp && JoinDns(error, p)) error.JoinedTo = "dns";
        else if (quoted.Protocol == IpProtocol.Tcp && JoinTcp(error, p)) error.JoinedTo = "tcp";
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
