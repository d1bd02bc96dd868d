namespace NetTriage.Packets.Services;

/// <summary>A well-known service: its IANA service name, the protocol a reader knows it by, and what it is used for.</summary>
public readonly record struct WellKnownService(string? Name, string? Protocol, string? Use);

/// <summary>
/// The services a diagnosis names by port (IANA "Service Name and Transport Protocol Port Number Registry"):
/// the few whose failure an analyst meets every day. Any other port is named by its number.
/// </summary>
public static class WellKnownServices
{
    public static WellKnownService Of(int port, bool tcp) => port switch
    {
        53 => new("domain", "DNS", "DNS: resolving names to addresses; clients cannot find any server by name without it"),
        5353 => new("mdns", "mDNS", "multicast DNS on the local link"),
        5355 => new("llmnr", "LLMNR", "link-local name resolution"),
        80 => new("http", "HTTP", "HTTP: web traffic without TLS"),
        // UDP 443 is QUIC (RFC 9000), HTTP/3's transport.
        443 => new("https", tcp ? "HTTPS" : "QUIC", "HTTPS: web traffic over TLS"),
        8080 => new("http-alt", "HTTP", "HTTP on an alternate port"),
        22 => new("ssh", "SSH", "SSH: remote administration"),
        25 => new("smtp", "SMTP", "SMTP: mail delivery"),
        123 => new("ntp", "NTP", "NTP: clock synchronisation"),
        _ => default,
    };
}
