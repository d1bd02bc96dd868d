using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace NetTriage.Live;

/// <summary>
/// What <c>nettriage diagnose</c> probes: a URL (http or https) or a bare host name, which is probed as a
/// browser opens a typed name today: https on port 443. A host that is an IP address needs no resolution.
/// </summary>
public sealed record LiveTarget
{
    /// <summary>The longest host name DNS can carry in presentation form (RFC 1035 2.3.4: 255 bytes on the wire).</summary>
    public const int MaxHostLength = 253;
    /// <summary>RFC 1035 2.3.4: labels are 63 bytes or less.</summary>
    public const int MaxLabelLength = 63;
    /// <summary>The request target sent in the HTTP request line is capped.</summary>
    public const int MaxPathLength = 2048;

    /// <summary>The target as given.</summary>
    public required string Given { get; init; }
    /// <summary>"http" or "https".</summary>
    public required string Scheme { get; init; }
    /// <summary>The host in ASCII form (IDNA for international names), without brackets for IPv6.</summary>
    public required string Host { get; init; }
    public required int Port { get; init; }
    /// <summary>The request target ("/", "/path?query"), percent-encoded.</summary>
    public required string PathAndQuery { get; init; }
    /// <summary>Set when the host is an IP address: no name to resolve.</summary>
    public IPAddress? Address { get; init; }

    public bool IsHttps => Scheme == "https";

    /// <summary>The URL probed, normalised.</summary>
    public string Url => $"{Scheme}://{HostForUrl}{(Port == DefaultPort(Scheme) ? "" : ":" + Port.ToString(CultureInfo.InvariantCulture))}{PathAndQuery}";

    /// <summary>The Host header value (RFC 9110 7.2): the host, and the port when it is not the scheme's default.</summary>
    public string HostHeader => Port == DefaultPort(Scheme) ? HostForUrl : $"{HostForUrl}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private string HostForUrl => Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{Host}]" : Host;

    public static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;

    /// <summary>Parses a URL or host name; returns false with the reason when it cannot be probed.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out LiveTarget? target, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        target = null;
        string given = text.Trim();
        if (given.Length == 0)
        {
            problem = "the target is empty";
            return false;
        }
        foreach (char c in given)
        {
            if (char.IsControl(c) || c == ' ')
            {
                problem = "the target contains a space or a control character";
                return false;
            }
        }

        string candidate = given.Contains("://", StringComparison.Ordinal) ? given : "https://" + given;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri))
        {
            problem = "not a URL or host name";
            return false;
        }
        string scheme = uri.Scheme.ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            problem = $"the scheme '{scheme}' is not probed (http or https only)";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "the URL carries user information, which is not sent";
            return false;
        }

        string host = uri.IdnHost.TrimEnd('.');
        IPAddress? address = null;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            address = IPAddress.Parse(uri.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host);
            host = address.ToString();
        }
        else if (!IsValidHostName(host, out problem))
        {
            return false;
        }

        string path = uri.PathAndQuery;
        if (path.Length == 0) path = "/";
        if (path.Length > MaxPathLength)
        {
            problem = $"the path is longer than {MaxPathLength} characters";
            return false;
        }

        target = new LiveTarget
        {
            Given = given,
            Scheme = scheme,
            Host = host.ToLowerInvariant(),
            Port = uri.IsDefaultPort ? DefaultPort(scheme) : uri.Port,
            PathAndQuery = path,
            Address = address,
        };
        problem = null;
        return true;
    }

    /// <summary>Letters, digits, hyphens and underscores in labels of 1..63 bytes, 253 in all (RFC 1035 2.3.1, RFC 1123 2.1).</summary>
    internal static bool IsValidHostName(string host, [NotNullWhen(false)] out string? problem)
    {
        if (host.Length == 0 || host.Length > MaxHostLength)
        {
            problem = $"the host name must be 1 to {MaxHostLength} characters";
            return false;
        }
        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength)
            {
                problem = $"the host name has an empty label or one longer than {MaxLabelLength} characters";
                return false;
            }
            foreach (char c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    problem = "the host name holds a character that is not a letter, digit, hyphen or underscore";
                    return false;
                }
            }
        }
        problem = null;
        return true;
    }
}
