namespace NetTriage.Packets.Login;

/// <summary>What a cleartext login service answered to a login attempt.</summary>
public enum LoginReply : byte
{
    /// <summary>Not a login answer (or not a login service).</summary>
    None,
    /// <summary>The credentials were accepted.</summary>
    Accepted,
    /// <summary>The credentials were refused.</summary>
    Rejected,
}

/// <summary>
/// Reads the answer of a cleartext login service to a login from the first bytes of a server's segment: FTP's
/// 230 and 530 (RFC 959 4.2), SMTP AUTH's 235 and 535 (RFC 4954 6), POP3's -ERR (RFC 1939 7: USER, PASS and
/// APOP are refused with -ERR) and IMAP's tagged NO to LOGIN or AUTHENTICATE (RFC 9051 6.2.3). Encrypted logins
/// (SSH, TLS-wrapped protocols, RDP) cannot be read: their attempts are told apart by their sessions instead.
/// </summary>
public static class LoginReplyDecoder
{
    public const ushort Ftp = 21, Smtp = 25, Submission = 587, Pop3 = 110, Imap = 143;

    /// <summary>Server ports whose answers are read.</summary>
    public static bool IsLoginPort(ushort port) => port is Ftp or Smtp or Submission or Pop3 or Imap;

    public static LoginReply Read(ReadOnlySpan<byte> payload, ushort serverPort)
    {
        if (payload.Length < 4) return LoginReply.None;
        switch (serverPort)
        {
            case Ftp:
                return Code(payload, "230 "u8, "530 "u8);
            case Smtp or Submission:
                return Code(payload, "235 "u8, "535 "u8);
            case Pop3:
                return payload.StartsWith("-ERR"u8) ? LoginReply.Rejected : LoginReply.None;
            case Imap:
                return ImapReply(payload);
            default:
                return LoginReply.None;
        }
    }

    private static LoginReply Code(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> accepted, ReadOnlySpan<byte> rejected) =>
        payload.StartsWith(accepted) || payload.StartsWith(accepted[..3]) && payload[3] == (byte)'-' ? LoginReply.Accepted
        : payload.StartsWith(rejected) || payload.StartsWith(rejected[..3]) && payload[3] == (byte)'-' ? LoginReply.Rejected
        : LoginReply.None;

    /// <summary>A tagged response ("a1 NO ..."); OK only when it says it completed a login or authentication.</summary>
    private static LoginReply ImapReply(ReadOnlySpan<byte> payload)
    {
        if (payload[0] == (byte)'*' || payload[0] == (byte)'+') return LoginReply.None;
        int space = payload[..Math.Min(payload.Length, 64)].IndexOf((byte)' ');
        if (space <= 0) return LoginReply.None;
        var rest = payload[(space + 1)..];
        if (rest.StartsWith("NO "u8)) return LoginReply.Rejected;
        if (!rest.StartsWith("OK "u8)) return LoginReply.None;
        var line = rest[..Math.Min(rest.Length, 200)];
        int end = line.IndexOf((byte)'\r');
        if (end >= 0) line = line[..end];
        return Contains(line, "LOGIN"u8) || Contains(line, "AUTHENTICATE"u8) || Contains(line, "uthenticated"u8) ? LoginReply.Accepted : LoginReply.None;
    }

    private static bool Contains(ReadOnlySpan<byte> line, ReadOnlySpan<byte> word) => line.IndexOf(word) >= 0;
}
