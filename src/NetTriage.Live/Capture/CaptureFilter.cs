using System.Net;
using System.Net.Sockets;

namespace NetTriage.Live.Capture;

/// <summary>
/// The BPF filter (pcap-filter(7)) that limits the capture to the traffic the probes cause: DNS with the
/// resolvers (UDP and TCP port 53), TCP with the target's addresses on the URL's port, and the ICMP and
/// ICMPv6 messages sent to this host's addresses (the errors that answer the probes).
/// </summary>
public static class CaptureFilter
{
    /// <summary>Addresses named in one filter; past this the filter keeps the port only.</summary>
    public const int MaxAddresses = 16;

    public static string Build(IReadOnlyList<IPAddress> resolvers, IReadOnlyList<IPAddress> targets, int port, IReadOnlyList<IPAddress> local)
    {
        ArgumentNullException.ThrowIfNull(resolvers);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(local);
        var parts = new List<string>();
        if (resolvers.Count > 0)
        {
            parts.Add($"(({Hosts(resolvers)}) and port 53)");
        }
        if (targets.Count > 0)
        {
            parts.Add(targets.Count > MaxAddresses ? $"(tcp and port {port})" : $"(tcp and ({Hosts(targets)}) and port {port})");
        }
        var v4 = local.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Take(MaxAddresses).ToList();
        var v6 = local.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Take(MaxAddresses).ToList();
        parts.Add(v4.Count > 0 ? $"(icmp and ({Hosts(v4, "dst host")}))" : "icmp");
        parts.Add(v6.Count > 0 ? $"(icmp6 and ({Hosts(v6, "dst host")}))" : "icmp6");
        return string.Join(" or ", parts);
    }

    private static string Hosts(IEnumerable<IPAddress> addresses, string keyword = "host") =>
        string.Join(" or ", addresses.Take(MaxAddresses).Select(a => $"{keyword} {Text(a)}"));

    /// <summary>An address as pcap-filter reads it: no IPv6 zone ("fe80::1%eth0" is not a filter address).</summary>
    private static string Text(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }
        return address.ToString();
    }
}
