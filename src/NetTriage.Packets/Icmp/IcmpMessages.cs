using System.Globalization;

namespace NetTriage.Packets.Icmp;

/// <summary>What an ICMP error says about the traffic it quotes, whatever the version of ICMP.</summary>
public enum IcmpMeaning : byte
{
    /// <summary>An error no failure is read from (fragmentation needed, redirect, parameter problem, ...).</summary>
    Other,
    /// <summary>The destination host has nothing on the port (or protocol): its IP stack is up (RFC 1122 3.2.2.1).</summary>
    PortUnreachable,
    /// <summary>A filter rejected the packet (RFC 1812 5.2.7.1; RFC 4443 3.1 codes 1, 5, 6).</summary>
    AdministrativelyProhibited,
    /// <summary>No route to the destination's network (RFC 792; RFC 4443 code 0).</summary>
    NetworkUnreachable,
    /// <summary>The last router could not deliver to the host (RFC 792; RFC 4443 code 3, address unreachable).</summary>
    HostUnreachable,
    /// <summary>The time to live (hop limit) ran out in transit (RFC 792 time exceeded code 0; RFC 4443 3.3 code 0).</summary>
    TtlExceeded,
}

/// <summary>
/// The meanings and names of ICMP (RFC 792, RFC 1812 5.2.7.1) and ICMPv6 (RFC 4443) error messages, in one place:
/// the names as the RFCs and tcpdump give them, for prose (tcpdump's own line wording is the formatter's), and what
/// each error says about the traffic it quotes, for detection.
/// </summary>
public static class IcmpMessages
{
    /// <summary>What the error of <paramref name="type"/> and <paramref name="code"/> says about the quoted traffic.</summary>
    public static IcmpMeaning Meaning(bool v6, int type, int code)
    {
        if (!v6)
        {
            return (type, code) switch
            {
                (3, 2 or 3) => IcmpMeaning.PortUnreachable, // protocol or port unreachable: sent by the destination host
                (3, 9 or 10 or 13) => IcmpMeaning.AdministrativelyProhibited,
                (3, 0 or 6 or 11) => IcmpMeaning.NetworkUnreachable, // net unreachable, net unknown, net unreachable for ToS
                (3, 1 or 7 or 12) => IcmpMeaning.HostUnreachable, // host unreachable, host unknown, host unreachable for ToS
                (11, 0) => IcmpMeaning.TtlExceeded,
                _ => IcmpMeaning.Other,
            };
        }
        return (type, code) switch
        {
            (1, 4) => IcmpMeaning.PortUnreachable,
            (1, 1 or 5 or 6) => IcmpMeaning.AdministrativelyProhibited, // prohibited, source address policy, reject route
            (1, 0) => IcmpMeaning.NetworkUnreachable, // no route to destination
            (1, 3) => IcmpMeaning.HostUnreachable, // address unreachable
            (3, 0) => IcmpMeaning.TtlExceeded, // hop limit exceeded
            _ => IcmpMeaning.Other,
        };
    }

    /// <summary>
    /// The message in words, as RFC 792 / RFC 4443 name it ("port unreachable", "communication administratively
    /// prohibited"); a port unreachable names the quoted port when <paramref name="port"/> and <paramref name="transport"/> are given.
    /// </summary>
    public static string Describe(bool v6, int type, int code, int port = 0, string? transport = null)
    {
        string portText = port != 0 && transport is not null
            ? transport + " port " + port.ToString(CultureInfo.InvariantCulture) + " unreachable"
            : "port unreachable";
        if (!v6)
        {
            return (type, code) switch
            {
                (3, 0) => "network unreachable",
                (3, 1) => "host unreachable",
                (3, 2) => "protocol unreachable",
                (3, 3) => portText,
                (3, 4) => "fragmentation needed",
                (3, 6) => "destination network unknown",
                (3, 7) => "destination host unknown",
                (3, 9) => "network administratively prohibited",
                (3, 10) => "host administratively prohibited",
                (3, 13) => "communication administratively prohibited",
                (3, _) => "destination unreachable (code " + code.ToString(CultureInfo.InvariantCulture) + ")",
                (11, 0) => "time to live exceeded in transit",
                (11, 1) => "fragment reassembly time exceeded",
                (4, _) => "source quench",
                (5, _) => "redirect",
                (12, _) => "parameter problem",
                _ => string.Create(CultureInfo.InvariantCulture, $"type {type} code {code}"),
            };
        }
        return (type, code) switch
        {
            (1, 0) => "no route to destination",
            (1, 1) => "communication administratively prohibited",
            (1, 3) => "address unreachable",
            (1, 4) => portText,
            (1, 5) => "source address failed ingress/egress policy",
            (1, 6) => "reject route to destination",
            (1, _) => "destination unreachable (code " + code.ToString(CultureInfo.InvariantCulture) + ")",
            (2, _) => "packet too big",
            (3, 0) => "hop limit exceeded in transit",
            (3, 1) => "fragment reassembly time exceeded",
            (4, _) => "parameter problem",
            _ => string.Create(CultureInfo.InvariantCulture, $"type {type} code {code}"),
        };
    }
}
