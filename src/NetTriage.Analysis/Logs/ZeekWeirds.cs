using NetTriage.Packets;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// weird.log: the decoding anomalies (a header cut short, a bad length, a DNS compression loop), one row per packet and
/// anomaly, named as the reports name them, with the connection's uid and addresses when the packet belongs to one.
/// </summary>
internal static class ZeekWeirds
{
    public static readonly ZeekField[] Fields =
    [
        new("ts", "time"), new("uid", "string"),
        new("id.orig_h", "addr"), new("id.orig_p", "port"), new("id.resp_h", "addr"), new("id.resp_p", "port"),
        new("name", "string"), new("addl", "string"), new("notice", "bool"), new("peer", "string"), new("source", "string"),
    ];

    public static void Write(ZeekLogFile log, DecodedPacket p, ZeekConnection? c, AnomalyKind kind)
    {
        log.BeginRow();
        log.Time(p.Timestamp.Nanoseconds);
        if (c is not null) log.ConnectionId(c.Serial, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        else if (p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6)) log.ConnectionId(-1, p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort);
        else log.Unset(5);
        log.String(AnomalyNames.Get(kind));
        log.String(p.Origin == PacketOrigin.Text ? $"line {p.LineNumber}" : $"frame {p.FrameNumber}");
        log.Bool(false);
        log.String("nettriage");
        log.String(p.Has(PacketLayers.Tcp) ? "TCP" : p.Has(PacketLayers.Udp) ? "UDP" : p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6) ? "IP" : "link");
        log.EndRow();
    }
}
