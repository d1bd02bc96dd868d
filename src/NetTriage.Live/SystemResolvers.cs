using System.Net;

namespace NetTriage.Live;

/// <summary>The system's resolvers, as the C library's stub resolver reads them (resolv.conf(5)).</summary>
public static class SystemResolvers
{
    public const string ResolvConfPath = "/etc/resolv.conf";

    /// <summary>glibc uses the first three "nameserver" lines (MAXNS); the others are ignored, and so here.</summary>
    public const int MaxResolvers = 3;

    /// <summary>Lines read before giving up: the file is small.</summary>
    private const int MaxLines = 1000;

    /// <summary>Reads the resolvers from <paramref name="path"/>; an absent or unreadable file yields none.</summary>
    public static IReadOnlyList<IPAddress> Read(string path = ResolvConfPath)
    {
        try
        {
            return Parse(File.ReadLines(path).Take(MaxLines));
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The addresses of the "nameserver" lines in order, at most <see cref="MaxResolvers"/>. Comments start with
    /// '#' or ';'; an IPv6 address may carry a zone ("fe80::1%eth0").
    /// </summary>
    public static IReadOnlyList<IPAddress> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var list = new List<IPAddress>();
        foreach (var raw in lines)
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] is '#' or ';') continue;
            var parts = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || parts[0] != "nameserver") continue;
            if (IPAddress.TryParse(parts[1], out var address) && !list.Contains(address))
            {
                list.Add(address);
                if (list.Count == MaxResolvers) break;
            }
        }
        return list;
    }
}
