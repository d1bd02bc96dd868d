using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// HTTP as tcpdump's text-protocol printer shows it (print-http.c, util-print.c txtproto_print): "HTTP: GET / HTTP/1.1"
/// on one line, or with -v "HTTP, length: N" and the message's lines below, where the Host header can be read
/// (start line per RFC 9112 3 and 4).
/// </summary>
internal static class HttpSummary
{
    private const int MaxMethodLength = 32;
    private const int MaxLineLength = 8192;

    /// <summary>Reads text starting with "HTTP".</summary>
    public static void Parse(ReadOnlySpan<char> s, DecodedPacket p)
    {
        p.Layers |= PacketLayers.Http;
        var t = s;
        if (TextScan.TryConsume(ref t, "HTTP: "))
        {
            // one-line form
        }
        else if (TextScan.TryConsume(ref t, "HTTP, length: "))
        {
            TextScan.TryReadUInt32(ref t, out _);
        }
        else
        {
            return;
        }
        t = TextScan.SkipSpaces(t);
        var line = Line(t);
        ReadStartLine(line, p);
        ReadHost(t[line.Length..], p);
    }

    private static ReadOnlySpan<char> Line(ReadOnlySpan<char> s)
    {
        int end = s.IndexOf('\n');
        var line = end >= 0 ? s[..end] : s;
        return line.Length > MaxLineLength ? line[..MaxLineLength] : line;
    }

    private static void ReadStartLine(ReadOnlySpan<char> line, DecodedPacket p)
    {
        ref var http = ref p.Http;
        var t = line;
        if (TextScan.StartsWith(t, "HTTP/"))
        {
            // status-line = HTTP-version SP status-code SP [ reason-phrase ]
            var version = TextScan.ReadToken(ref t);
            TextScan.SkipSpaces(ref t);
            if (!TextScan.TryReadUInt16(ref t, out ushort status) || status > 999) return;
            http.IsRequest = false;
            http.StatusCode = status;
            if (p.Text.TryAppend(version, out var v)) http.Version = v;
            var reason = t.Trim();
            if (!reason.IsEmpty && p.Text.TryAppend(reason, out var r)) http.Reason = r;
            return;
        }
        // request-line = method SP request-target SP HTTP-version
        var method = TextScan.ReadToken(ref t);
        if (method.IsEmpty || method.Length > MaxMethodLength) return;
        foreach (char c in method)
        {
            if (!char.IsAsciiLetterUpper(c) && c != '-') return;
        }
        TextScan.SkipSpaces(ref t);
        var target = TextScan.ReadToken(ref t);
        TextScan.SkipSpaces(ref t);
        var ver = TextScan.ReadToken(ref t);
        // HTTP/0.9's simple request (RFC 1945 4.1) is a method and the target, a path, without a version.
        bool simple = ver.IsEmpty && target.StartsWith('/');
        if (target.IsEmpty || !(simple || TextScan.StartsWith(ver, "HTTP/"))) return;
        http.IsRequest = true;
        if (p.Text.TryAppend(method, out var m)) http.Method = m;
        if (p.Text.TryAppend(target, out var tg)) http.Target = tg;
        if (p.Text.TryAppend(ver, out var vr)) http.Version = vr;
    }

    /// <summary>The Host header (RFC 9110 7.2) among the header lines -v prints, one per line.</summary>
    private static void ReadHost(ReadOnlySpan<char> rest, DecodedPacket p)
    {
        for (int guard = 0; guard < 128 && !rest.IsEmpty; guard++)
        {
            int nl = rest.IndexOf('\n');
            if (nl < 0) return;
            rest = rest[(nl + 1)..];
            var line = TextScan.SkipSpaces(Line(rest));
            if (line.IsEmpty) return;
            if (line.Length > 5 && line[..5].Equals("Host:", StringComparison.OrdinalIgnoreCase))
            {
                var host = line[5..].Trim();
                if (!host.IsEmpty && p.Text.TryAppend(host, out var h)) p.Http.Host = h;
                return;
            }
        }
    }
}
