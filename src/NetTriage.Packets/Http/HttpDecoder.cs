using System.Text;

namespace NetTriage.Packets.Http;

/// <summary>
/// Recognises the start of an HTTP/1.x message in a TCP payload (RFC 9112 2.1) and reads its start line
/// (request line RFC 9112 3, status line RFC 9112 4) and the Host header (RFC 9110 7.2). Only the first
/// <see cref="MaxScan"/> bytes are looked at, and only payloads that begin like HTTP are looked at all.
/// </summary>
public static class HttpDecoder
{
    public const int MaxScan = 4096;
    /// <summary>Header lines examined for Host before giving up.</summary>
    public const int MaxHeaderLines = 64;

    private const int StatusCodeLength = 3;

    // Request methods (RFC 9110 9.3, RFC 5789), each with its separating space.
    private static ReadOnlySpan<byte> Get => "GET "u8;
    private static ReadOnlySpan<byte> Post => "POST "u8;
    private static ReadOnlySpan<byte> Head => "HEAD "u8;
    private static ReadOnlySpan<byte> Put => "PUT "u8;
    private static ReadOnlySpan<byte> Delete => "DELETE "u8;
    private static ReadOnlySpan<byte> Options => "OPTIONS "u8;
    private static ReadOnlySpan<byte> Connect => "CONNECT "u8;
    private static ReadOnlySpan<byte> Trace => "TRACE "u8;
    private static ReadOnlySpan<byte> Patch => "PATCH "u8;
    private static ReadOnlySpan<byte> ResponsePrefix => "HTTP/1."u8;
    private static ReadOnlySpan<byte> VersionPrefix => "HTTP/"u8;
    private static ReadOnlySpan<byte> HostName => "host"u8;

    /// <summary>True when the payload starts with a request method and a space, or with "HTTP/1.".</summary>
    public static bool Looks(ReadOnlySpan<byte> payload) => MethodLength(payload) > 0 || payload.StartsWith(ResponsePrefix);

    private static int MethodLength(ReadOnlySpan<byte> p)
    {
        if (p.Length < 4) return 0;
        return p[0] switch
        {
            (byte)'G' when p.StartsWith(Get) => 3,
            (byte)'P' when p.StartsWith(Post) => 4,
            (byte)'P' when p.StartsWith(Put) => 3,
            (byte)'P' when p.StartsWith(Patch) => 5,
            (byte)'H' when p.StartsWith(Head) => 4,
            (byte)'D' when p.StartsWith(Delete) => 6,
            (byte)'O' when p.StartsWith(Options) => 7,
            (byte)'C' when p.StartsWith(Connect) => 7,
            (byte)'T' when p.StartsWith(Trace) => 5,
            _ => 0,
        };
    }

    /// <summary>Decodes the start line and Host header into <see cref="DecodedPacket.Http"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> payload, DecodedPacket packet)
    {
        var window = payload.Length > MaxScan ? payload[..MaxScan] : payload;
        var line = NextLine(window, out int consumed, out bool terminated);
        int methodLength = MethodLength(window);
        if (methodLength > 0)
        {
            DecodeRequest(line, methodLength, window[consumed..], terminated, packet);
        }
        else if (window.StartsWith(ResponsePrefix))
        {
            DecodeResponse(line, terminated, packet);
        }
    }

    private static void DecodeRequest(ReadOnlySpan<byte> line, int methodLength, ReadOnlySpan<byte> headers, bool terminated, DecodedPacket packet)
    {
        // request-line = method SP request-target SP HTTP-version (RFC 9112 3).
        var afterMethod = line[(methodLength + 1)..];
        int space = afterMethod.IndexOf((byte)' ');
        // HTTP/0.9's simple request (RFC 1945 4.1): "GET" SP Request-URI CRLF, no version; the answer is the body alone.
        // Zeek's HTTP analyzer takes any method without a version so, and tcpdump prints the line: so is it read here,
        // when the target is a path (IRC's "CONNECT server" is no request).
        bool simple = space < 0 && terminated && afterMethod.Length > 0 && afterMethod[0] == (byte)'/';
        if (space < 0 && (simple || !terminated))
        {
            // A simple request, or the capture ended inside the request target.
            space = afterMethod.Length;
        }
        if (space < 0 || (space == 0 && terminated))
        {
            packet.AddAnomaly(AnomalyKind.HttpMalformed);
            return;
        }
        var target = afterMethod[..space];
        var version = space < afterMethod.Length ? afterMethod[(space + 1)..] : default;
        // The version may be cut by the end of the capture, but what is there must look like one.
        bool versionOk = terminated
            ? simple || version.StartsWith(VersionPrefix)
            : VersionPrefix.StartsWith(version[..Math.Min(version.Length, VersionPrefix.Length)]);
        if (!versionOk)
        {
            packet.AddAnomaly(AnomalyKind.HttpMalformed);
            return;
        }
        ref var http = ref packet.Http;
        http.IsRequest = true;
        http.Method = Append(line[..methodLength], packet);
        http.Target = Append(target, packet);
        http.Version = Append(version, packet);
        packet.Layers |= PacketLayers.Http;
        if (terminated)
        {
            http.Host = FindHost(headers, packet);
        }
    }

    private static void DecodeResponse(ReadOnlySpan<byte> line, bool terminated, DecodedPacket packet)
    {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4).
        int space = line.IndexOf((byte)' ');
        if (space < 0 || line.Length < space + 1 + StatusCodeLength)
        {
            if (terminated)
            {
                packet.AddAnomaly(AnomalyKind.HttpMalformed);
            }
            return;
        }
        var code = line.Slice(space + 1, StatusCodeLength);
        int status = 0;
        foreach (byte b in code)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                packet.AddAnomaly(AnomalyKind.HttpMalformed);
                return;
            }
            status = (status * 10) + (b - '0');
        }
        var rest = line[(space + 1 + StatusCodeLength)..];
        if (!rest.IsEmpty && rest[0] != (byte)' ')
        {
            packet.AddAnomaly(AnomalyKind.HttpMalformed);
            return;
        }
        ref var http = ref packet.Http;
        http.IsRequest = false;
        http.Version = Append(line[..space], packet);
        http.StatusCode = status;
        if (rest.Length > 1)
        {
            http.Reason = Append(rest[1..], packet);
        }
        packet.Layers |= PacketLayers.Http;
    }

    /// <summary>Finds the first Host field among the header lines (RFC 9112 5: name ":" OWS value OWS).</summary>
    private static TextRef FindHost(ReadOnlySpan<byte> headers, DecodedPacket packet)
    {
        for (int i = 0; i < MaxHeaderLines && !headers.IsEmpty; i++)
        {
            var line = NextLine(headers, out int consumed, out bool terminated);
            if (line.IsEmpty || !terminated)
            {
                // End of the header section, or a line cut by the end of what was captured.
                break;
            }
            headers = headers[consumed..];
            int colon = line.IndexOf((byte)':');
            if (colon == HostName.Length && Ascii.EqualsIgnoreCase(line[..colon], HostName))
            {
                var value = line[(colon + 1)..].Trim(" \t"u8);
                return Append(value, packet);
            }
        }
        return default;
    }

    /// <summary>The next line without its CRLF (or bare LF); unterminated when the window ends first.</summary>
    private static ReadOnlySpan<byte> NextLine(ReadOnlySpan<byte> data, out int consumed, out bool terminated)
    {
        int lf = data.IndexOf((byte)'\n');
        if (lf < 0)
        {
            consumed = data.Length;
            terminated = false;
            return data;
        }
        consumed = lf + 1;
        terminated = true;
        return lf > 0 && data[lf - 1] == (byte)'\r' ? data[..(lf - 1)] : data[..lf];
    }

    private static TextRef Append(ReadOnlySpan<byte> bytes, DecodedPacket packet)
    {
        if (bytes.IsEmpty)
        {
            return default;
        }
        if (!packet.Text.TryAppend(bytes, out var text))
        {
            PacketDecoder.NoteTextStoreFull(packet);
        }
        return text;
    }
}
