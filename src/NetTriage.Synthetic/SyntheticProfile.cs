namespace NetTriage.Synthetic;

/// <summary>What the traffic of a <see cref="SyntheticCapture"/> looks like.</summary>
public enum SyntheticProfile
{
    /// <summary>
    /// A site's gateway: thousands of clients browsing (lookups, then short HTTP and HTTPS sessions), NTP, pings, traceroutes,
    /// and every kind of failure the generator makes; about 555 bytes a packet. The default.
    /// </summary>
    Browsing,

    /// <summary>
    /// A busy link: large downloads over TCP (mostly full 1,460-byte segments, ACKs the other way) and QUIC, about 84% of
    /// the packets TCP and 20,000 packets a second, with refused ports, unanswered SYNs, NXDOMAIN and a dead resolver.
    /// </summary>
    Bulk,
}

/// <summary>The profiles' names on the command line.</summary>
public static class SyntheticProfiles
{
    /// <summary>Every profile's name, the default first.</summary>
    public static readonly IReadOnlyList<string> Names = ["browsing", "bulk"];

    /// <summary>The profile called <paramref name="name"/>, or null.</summary>
    public static SyntheticProfile? Parse(string? name) => name switch
    {
        "browsing" => SyntheticProfile.Browsing,
        "bulk" => SyntheticProfile.Bulk,
        _ => null,
    };
}
