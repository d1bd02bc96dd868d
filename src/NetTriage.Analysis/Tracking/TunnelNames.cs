using System.Globalization;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The words for the tunnel a packet came through, as its evidence says it: "in GRE between 72.205.54.70 and
/// 86.106.164.150", "in VXLAN VNI 42 between ...". A failure inside a tunnel is that tunnel's as much as its
/// server's: the analyst needs its endpoints. The words of each tunnel are made once and shared by every record that
/// came through it (at most <see cref="MaxTunnels"/> tunnels are named; past that, records say "in a tunnel").
/// </summary>
internal sealed class TunnelNames
{
    private const int MaxTunnels = 4096;
    private const string Unnamed = "in a tunnel";

    private readonly Dictionary<(TunnelKind Kind, IpAddr Low, IpAddr High, uint Identifier), string> _names = [];

    /// <summary>The words of the packet's tunnel, or null when it came through none.</summary>
    public string? Of(DecodedPacket p)
    {
        ref readonly var t = ref p.Tunnel;
        if (t.Depth == 0) return null;
        // Both directions of a tunnel are one tunnel.
        bool ordered = t.OuterSource.CompareTo(t.OuterDestination) <= 0;
        var key = (t.Kind, ordered ? t.OuterSource : t.OuterDestination, ordered ? t.OuterDestination : t.OuterSource, t.HasIdentifier ? t.Identifier : 0u);
        if (_names.TryGetValue(key, out var name)) return name;
        if (_names.Count >= MaxTunnels) return Unnamed;
        name = Describe(t);
        _names[key] = name;
        return name;
    }

    /// <summary>"in GRE key 5 between A and B": the last encapsulation removed, its identifier, its outer addresses.</summary>
    public static string Describe(in TunnelInfo t)
    {
        string kind = t.Kind switch
        {
            TunnelKind.IpInIp => "IP in IP",
            TunnelKind.Gre => "GRE",
            TunnelKind.Erspan => "ERSPAN",
            TunnelKind.Pptp => "PPTP",
            TunnelKind.Vxlan => "VXLAN",
            TunnelKind.Geneve => "Geneve",
            TunnelKind.GtpU => "GTP-U",
            TunnelKind.Teredo => "Teredo",
            TunnelKind.Ayiya => "AYIYA",
            TunnelKind.GreInUdp => "GRE in UDP",
            _ => "a tunnel",
        };
        string id = !t.HasIdentifier ? "" : t.Kind switch
        {
            TunnelKind.Vxlan or TunnelKind.Geneve => " VNI ",
            TunnelKind.GtpU => " TEID ",
            TunnelKind.Gre or TunnelKind.GreInUdp or TunnelKind.Erspan => " key ",
            _ => " id ",
        } + t.Identifier.ToString(CultureInfo.InvariantCulture);
        // Both directions read the same: the lower address first.
        bool ordered = t.OuterSource.CompareTo(t.OuterDestination) <= 0;
        return $"in {kind}{id} between {(ordered ? t.OuterSource : t.OuterDestination)} and {(ordered ? t.OuterDestination : t.OuterSource)}";
    }
}
