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

    /// <summary>
    /// Reads an IPv6 address in the text forms of RFC 4291 2.2: eight groups of one to four hex digits, "::" for
    /// one run of zero groups, and an IPv4 dotted quad in place of the last two groups. No zone index.
    /// </summary>
    public static bool TryParseV6(ReadOnlySpan<char> s, out IpAddr address)
    {
        address = default;
        if (s.Length is < 2 or > MaxV6Text) return false;
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (s[0] == ':')
        {
            if (s[1] != ':') return false;
            gap = 0;
            i = 2;
            if (i == s.Length)
            {
                address = FromGroups(groups, count, gap);
                return true;
            }
        }
        while (i < s.Length)
        {
            int start = i;
            uint value = 0;
            while (i < s.Length && i - start < 5 && TextScan.IsHexDigit(s[i]))
            {
                value = (value << 4) | (uint)HexValue(s[i]);
                i++;
            }
            int digits = i - start;
            if (i < s.Length && s[i] == '.')
            {
                // An embedded IPv4 address takes the last two groups.
                if (count > 6 || !TryParseV4(s[start..], out var v4)) return false;
                groups[count++] = (ushort)(v4.V4Value >> 16);
                groups[count++] = (ushort)v4.V4Value;
                i = s.Length;
                break;
            }
            if (digits is 0 or > 4 || count == 8) return false;
            groups[count++] = (ushort)value;
            if (i == s.Length) break;
            if (s[i] != ':') return false;
            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (gap >= 0) return false;
                gap = count;
                i++;
                if (i == s.Length) break;
            }
            else if (i == s.Length)
            {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) return false;
        address = FromGroups(groups, count, gap);
        return true;
    }

    private static int HexValue(char c) => TextScan.IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Places the groups read, with the zero run of "::" at <paramref name="gap"/>, into an address.</summary>
    private static IpAddr FromGroups(ReadOnlySpan<ushort> groups, int count, int gap)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        int tail = gap < 0 ? 0 : count - gap;
        for (int g = 0; g < count; g++)
        {
            int slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
            bytes[slot * 2] = (byte)(groups[g] >> 8);
            bytes[(slot * 2) + 1] = (byte)groups[g];
        }
        return IpAddr.FromV6(bytes);
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
