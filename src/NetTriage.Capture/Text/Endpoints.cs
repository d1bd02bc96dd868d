using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>One side of tcpdump's "src > dst": an address or host name, and a port when one was printed.</summary>
internal ref struct Endpoint
{
    public IpAddr Address;
    /// <summary>The endpoint was printed as a host name (tcpdump without -n), not an address.</summary>
    public ReadOnlySpan<char> Host;
    public bool HasPort;
    public ushort Port;
    /// <summary>A port printed as a service name not in <see cref="ServicePorts"/> (<see cref="Port"/> is 0).</summary>
    public ReadOnlySpan<char> PortName;
}

/// <summary>
/// Reads tcpdump's address forms: "192.0.2.1", "192.0.2.1.53", "2001:db8::1.53" (the last dot separates the
/// port), "192.0.2.1.domain" (a service name, without -n) and host names.
/// </summary>
internal static class Endpoints
{
    /// <summary>IPv6 text is at most 45 characters (RFC 4291 2.2 form 3, with an embedded IPv4 address).</summary>
    private const int MaxV6Text = 45;

    /// <summary>Reads a dotted-quad IPv4 address, strictly: four decimal parts of at most three digits, each under 256.</summary>
    public static bool TryParseV4(ReadOnlySpan<char> s, out IpAddr address)
    {
        address = default;
        if (s.Length is < 7 or > 15) return false;
        uint value = 0;
        int part = 0;
        int i = 0;
        while (true)
        {
            int start = i;
            uint octet = 0;
            while (i < s.Length && i - start < 4 && TextScan.IsDigit(s[i]))
            {
                octet = (octet * 10) + (uint)(s[i] - '0');
                i++;
            }
            int n = i - start;
            if (n is 0 or > 3 || octet > 255) return false;
            value = (value << 8) | octet;
            part++;
            if (part == 4)
            {
                if (i != s.Length) return false;
                address = IpAddr.FromV4(value);
                return true;
            }
            if (i >= s.Length || s[i] != '.') return false;
            i++;
        }
    }

    /// <summary>Reads an IPv6 address (hex digits, colons and an optional embedded dotted quad; no zone).</summary>
    public static bool TryParseV6(ReadOnlySpan<char> s, out IpAddr address)
    {
        address = default;
        if (s.Length is < 2 or > MaxV6Text || !s.Contains(':')) return false;
        foreach (char c in s)
        {
            if (!TextScan.IsHexDigit(c) && c is not ':' and not '.') return false;
        }
        return IpAddr.TryParse(s, out address) && address.IsV6;
    }

    public static bool TryParseAddress(ReadOnlySpan<char> s, out IpAddr address) =>
        TryParseV4(s, out address) || TryParseV6(s, out address);

    /// <summary>
    /// Reads one endpoint token. Returns false only for an empty token or one that cannot be an address, a host
    /// name or either with a port (it holds brackets, say), so a caller scanning for "a > b" can reject it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> token, out Endpoint endpoint)
    {
        endpoint = default;
        if (token.IsEmpty || token.Length > 255) return false;
        if (TryParseAddress(token, out endpoint.Address)) return true;

        int dot = token.LastIndexOf('.');
        if (dot > 0 && dot < token.Length - 1)
        {
            var left = token[..dot];
            var right = token[(dot + 1)..];
            bool numeric = TextScan.TryParseUInt32(right, out uint number) && number <= ushort.MaxValue;
            if (TryParseAddress(left, out endpoint.Address))
            {
                endpoint.HasPort = true;
                if (numeric) endpoint.Port = (ushort)number;
                else if (ServicePorts.TryGetPort(right, out ushort known)) endpoint.Port = known;
                else if (IsServiceName(right)) endpoint.PortName = right;
                else return false;
                return true;
            }
            if (IsHostName(left) && (numeric || ServicePorts.TryGetPort(right, out _)))
            {
                endpoint.Host = left;
                endpoint.HasPort = true;
                endpoint.Port = numeric ? (ushort)number : (ServicePorts.TryGetPort(right, out ushort p) ? p : (ushort)0);
                return true;
            }
        }
        if (IsHostName(token))
        {
            endpoint.Host = token;
            return true;
        }
        return false;
    }

    /// <summary>Letters, digits, '-', '_', '.', and at least one letter (RFC 1123 2.1 host names, loosely).</summary>
    private static bool IsHostName(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 255) return false;
        bool letter = false;
        foreach (char c in s)
        {
            if (char.IsAsciiLetter(c)) letter = true;
            else if (!TextScan.IsDigit(c) && c is not '-' and not '_' and not '.') return false;
        }
        return letter;
    }

    /// <summary>/etc/services names: letters, digits, '-' and '_' (RFC 6335 5.1), starting with a letter.</summary>
    private static bool IsServiceName(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 63 || !char.IsAsciiLetter(s[0])) return false;
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_') return false;
        }
        return true;
    }
}
