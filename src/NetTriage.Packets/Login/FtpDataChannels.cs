using System.Text;

namespace NetTriage.Packets.Login;

/// <summary>
/// Reads the data connection an FTP control segment announces: the client's PORT h1,h2,h3,h4,p1,p2 and EPRT |af|addr|port|
/// commands, the server's 227 (PASV) reply with the same six numbers, in parentheses or after the text, and its 229
/// (EPSV) reply (|||port|). A segment's lines are read up to a bound; the first announcement wins.
/// </summary>
public static class FtpDataChannels
{
    public const ushort ControlPort = 21;
    private const int MaxLines = 8;

    public static FtpDataChannel Read(ReadOnlySpan<byte> payload, bool fromClient)
    {
        for (int n = 0; n < MaxLines && !payload.IsEmpty; n++)
        {
            int end = payload.IndexOf((byte)'\n');
            var line = end < 0 ? payload : payload[..end];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            var channel = fromClient ? Command(line) : Reply(line);
            if (channel.Port != 0) return channel;
            if (end < 0) break;
            payload = payload[(end + 1)..];
        }
        return default;
    }

    /// <summary>
    /// The segment's first line as Zeek's FTP analyzer takes it: a client's first word of three or more printable
    /// characters is a command; a server's line is a reply when it starts with a code of 100 or more followed by a space,
    /// a dash or nothing.
    /// </summary>
    public static FtpLineInfo Judge(ReadOnlySpan<byte> payload, bool fromClient)
    {
        int end = payload.IndexOfAny((byte)'\r', (byte)'\n');
        var line = end < 0 ? payload : payload[..end];
        if (fromClient)
        {
            line = line.TrimStart(" \t"u8);
            int space = line.IndexOfAny((byte)' ', (byte)'\t');
            var word = space < 0 ? line : line[..space];
            bool command = word.Length >= 3 && word.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) < 0;
            return new FtpLineInfo(command ? FtpLine.Command : FtpLine.None, 0);
        }
        if (line.Length < 3 || line[..3].IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0) return new FtpLineInfo(FtpLine.BadReply, 0);
        ushort code = (ushort)(((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0'));
        if (code < 100 || (line.Length > 3 && line[3] is not ((byte)' ' or (byte)'-'))) return new FtpLineInfo(FtpLine.BadReply, code);
        return new FtpLineInfo(line.Length > 3 && line[3] == '-' ? FtpLine.ReplyContinues : FtpLine.Reply, code);
    }

    private static FtpDataChannel Command(ReadOnlySpan<byte> line)
    {
        if (line.Length < 5 || line[4] != ' ') return default;
        var verb = line[..4];
        if (Ascii.EqualsIgnoreCase(verb, "PORT"u8) && SixNumbers(line[5..], out var host, out ushort port)) return new FtpDataChannel { Host = host, Port = port };
        if (Ascii.EqualsIgnoreCase(verb, "EPRT"u8) && Extended(line[5..], out host, out port) && !host.IsNone) return new FtpDataChannel { Host = host, Port = port };
        return default;
    }

    private static FtpDataChannel Reply(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("227"u8))
        {
            var rest = line[3..];
            int paren = rest.IndexOf((byte)'(');
            if (paren >= 0) rest = rest[(paren + 1)..];
            else
            {
                int digit = rest.IndexOfAnyInRange((byte)'0', (byte)'9');
                if (digit < 0) return default;
                rest = rest[digit..];
            }
            return SixNumbers(rest, out var host, out ushort port) ? new FtpDataChannel { Host = host, Port = port, Passive = true } : default;
        }
        if (line.StartsWith("229"u8))
        {
            int paren = line.IndexOf((byte)'(');
            if (paren < 0) return default;
            return Extended(line[(paren + 1)..], out var host, out ushort port) ? new FtpDataChannel { Host = host, Port = port, Passive = true } : default;
        }
        return default;
    }

    /// <summary>h1,h2,h3,h4,p1,p2: an IPv4 address and a port, each number 0 to 255.</summary>
    private static bool SixNumbers(ReadOnlySpan<byte> text, out IpAddr host, out ushort port)
    {
        host = default;
        port = 0;
        Span<byte> n = stackalloc byte[6];
        int at = 0;
        for (int i = 0; i < 6; i++)
        {
            while (at < text.Length && text[at] == ' ') at++;
            int value = 0, digits = 0;
            while (at < text.Length && text[at] is >= (byte)'0' and <= (byte)'9' && digits < 4)
            {
                value = (value * 10) + (text[at++] - '0');
                digits++;
            }
            if (digits == 0 || value > 255) return false;
            n[i] = (byte)value;
            if (i < 5)
            {
                if (at >= text.Length || text[at] != ',') return false;
                at++;
            }
        }
        host = IpAddr.FromV4(n[..4]);
        port = (ushort)((n[4] << 8) | n[5]);
        return port != 0;
    }

    /// <summary>&lt;d&gt;af&lt;d&gt;address&lt;d&gt;port&lt;d&gt; (RFC 2428 2): the delimiter is the first character; the address may be empty.</summary>
    private static bool Extended(ReadOnlySpan<byte> text, out IpAddr host, out ushort port)
    {
        host = default;
        port = 0;
        if (text.Length < 5) return false;
        byte d = text[0];
        var rest = text[1..];
        int a = rest.IndexOf(d);
        if (a < 0) return false;
        rest = rest[(a + 1)..];
        int b = rest.IndexOf(d);
        if (b < 0) return false;
        var address = rest[..b];
        rest = rest[(b + 1)..];
        int c = rest.IndexOf(d);
        if (c <= 0 || c > 5) return false;
        int value = 0;
        foreach (byte ch in rest[..c])
        {
            if (ch is < (byte)'0' or > (byte)'9') return false;
            value = (value * 10) + (ch - '0');
        }
        if (value is 0 or > ushort.MaxValue) return false;
        if (!address.IsEmpty && !IpAddr.TryParse(address, out host)) return false;
        port = (ushort)value;
        return true;
    }
}
