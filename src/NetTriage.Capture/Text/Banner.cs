namespace NetTriage.Capture.Text;

/// <summary>
/// Lines tcpdump prints about itself rather than about a packet (tcpdump.c): "reading from file X, link-type ...",
/// "listening on eth0, link-type ...", "tcpdump: verbose output suppressed ...", "dropped privs to tcpdump",
/// and the closing counts "N packets captured", "N packets received by filter", "N packets dropped by kernel".
/// </summary>
internal static class Banner
{
    public static bool IsBanner(ReadOnlySpan<char> trimmed)
    {
        var s = trimmed;
        // An interrupt echoes "^C" in front of the first count.
        TextScan.TryConsume(ref s, "^C");
        if (TextScan.StartsWith(s, "reading from file ") || TextScan.StartsWith(s, "reading from ")
            || TextScan.StartsWith(s, "tcpdump: ") || TextScan.StartsWith(s, "dropped privs to "))
        {
            return true;
        }
        if (TextScan.StartsWith(s, "listening on ") && s.Contains("link-type", StringComparison.Ordinal)) return true;
        if (!TextScan.TryReadUInt32(ref s, out _)) return false;
        if (!TextScan.TryConsume(ref s, " packets ") && !TextScan.TryConsume(ref s, " packet ")) return false;
        return s is "captured" or "received by filter" or "dropped by kernel" or "dropped by interface";
    }
}
