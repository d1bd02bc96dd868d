using System.Net;
using System.Net.Sockets;
using NetTriage.Analysis;

namespace NetTriage.Live.Probes;

/// <summary>
/// What a socket error means on the wire. Linux turns the ICMP errors it receives for a socket into errno
/// values (net/ipv4/icmp.c icmp_err_convert): port unreachable becomes ECONNREFUSED, host unreachable and
/// the administratively prohibited codes 9, 10, 13 become EHOSTUNREACH, net unreachable ENETUNREACH. A TCP
/// RST to a SYN is ECONNREFUSED too. Without a capture the socket cannot say who sent the ICMP error.
/// </summary>
internal static class SocketOutcome
{
    /// <summary>IPPROTO_IP / IP_RECVERR and IPPROTO_IPV6 / IPV6_RECVERR (linux/in.h, linux/in6.h).</summary>
    private const int SolIp = 0;
    private const int IpRecvErr = 11;
    private const int SolIpv6 = 41;
    private const int Ipv6RecvErr = 25;

    public static string Result(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => ProbeResults.Refused,
        SocketError.HostUnreachable or SocketError.HostDown => ProbeResults.HostUnreachable,
        SocketError.NetworkUnreachable or SocketError.NetworkDown => ProbeResults.NetworkUnreachable,
        SocketError.TimedOut => ProbeResults.Timeout,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => ProbeResults.Closed,
        SocketError.AccessDenied => ProbeResults.NoRoute,
        _ => ProbeResults.Error,
    };

    /// <summary>The result in words, saying which ICMP message (or TCP segment) Linux reports that way.</summary>
    public static string Describe(SocketException e, bool udp) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused when udp => "ICMP port unreachable came back: the socket reported 'connection refused'",
        SocketError.ConnectionRefused => "the SYN was answered by a RST: 'connection refused'",
        SocketError.HostUnreachable or SocketError.HostDown =>
            "an ICMP error came back (host unreachable or administratively prohibited): the socket reported 'no route to host'",
        SocketError.NetworkUnreachable or SocketError.NetworkDown => "ICMP network unreachable came back: the socket reported 'network unreachable'",
        SocketError.TimedOut => "timed out",
        SocketError.ConnectionReset => "the connection was reset",
        SocketError.ConnectionAborted or SocketError.Shutdown => "the connection was closed",
        SocketError.AccessDenied => "this host refused to send it (a local firewall rule): 'permission denied'",
        _ => $"socket error {e.SocketErrorCode}",
    };

    /// <summary>
    /// Asks Linux to report every ICMP error on a UDP socket, not only those it deems fatal (IP_RECVERR, ip(7)):
    /// without it, a router's net or host unreachable would look like a timeout. Best effort elsewhere.
    /// </summary>
    public static void ReportAllIcmpErrors(Socket socket)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            Span<byte> on = [1, 0, 0, 0];
            if (socket.AddressFamily == AddressFamily.InterNetworkV6) socket.SetRawSocketOption(SolIpv6, Ipv6RecvErr, on);
            else socket.SetRawSocketOption(SolIp, IpRecvErr, on);
        }
        catch (SocketException)
        {
            // Not supported here: fatal errors (port unreachable, prohibited) still surface.
        }
    }

    /// <summary>
    /// True when this host has a route to <paramref name="address"/>: connecting a UDP socket looks the route up
    /// and sends nothing (ip(7), udp(7)).
    /// </summary>
    public static bool HasRoute(IPAddress address, out IPAddress? localAddress, out SocketException? error)
    {
        localAddress = null;
        error = null;
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(address, 9));
            localAddress = (socket.LocalEndPoint as IPEndPoint)?.Address;
            return true;
        }
        catch (SocketException e)
        {
            error = e;
            return false;
        }
    }

    public static string Endpoint(IPAddress address, int port) =>
        new IPEndPoint(address, port).ToString();
}
