using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// tunnel.log: a row for each tunnel when it is first seen (Zeek's Tunnel::DISCOVER), with the uid the connections
/// inside it name in their tunnel_parents: a UDP tunnel's outer connection, or an IP tunnel's own uid.
/// </summary>
internal static class ZeekTunnels
{
    public static readonly ZeekField[] Fields =
    [
        new("ts", "time"), new("uid", "string"),
        new("id.orig_h", "addr"), new("id.orig_p", "port"), new("id.resp_h", "addr"), new("id.resp_p", "port"),
        new("tunnel_type", "enum"), new("action", "enum"),
    ];

    public static void Write(ZeekLogFile log, long nanoseconds, long serial, TunnelKind kind, IpAddr origHost, ushort origPort, IpAddr respHost, ushort respPort)
    {
        log.BeginRow();
        log.Time(nanoseconds);
        log.ConnectionId(serial, origHost, origPort, respHost, respPort);
        log.String(TypeName(kind));
        log.String("Tunnel::DISCOVER");
        log.EndRow();
    }

    /// <summary>Zeek's Tunnel::Type names.</summary>
    private static string TypeName(TunnelKind kind) => kind switch
    {
        TunnelKind.IpInIp => "Tunnel::IP",
        TunnelKind.Vxlan => "Tunnel::VXLAN",
        TunnelKind.Geneve => "Tunnel::GENEVE",
        TunnelKind.GtpU => "Tunnel::GTPv1",
        TunnelKind.Teredo => "Tunnel::TEREDO",
        TunnelKind.Ayiya => "Tunnel::AYIYA",
        _ => "Tunnel::GRE",
    };
}
