namespace NetTriage.Packets;

/// <summary>
/// Checksums a packet failed (only looked at when the reader asks: <see cref="DecodedPacket.VerifyChecksums"/>). The
/// packet's own IPv4 header and TCP or UDP checksum; those of the headers around it when it came through a tunnel move
/// to the outer flags as the decoder steps inside.
/// </summary>
[Flags]
public enum ChecksumErrors : byte
{
    None = 0,
    /// <summary>The IPv4 header checksum (RFC 791 3.1).</summary>
    Ip = 1,
    /// <summary>The TCP or UDP checksum over the pseudo-header and the segment (RFC 9293 3.1, RFC 768, RFC 8200 8.1).</summary>
    Transport = 2,
    /// <summary>An IPv4 header of a tunnel the packet came through.</summary>
    OuterIp = 4,
    /// <summary>The UDP checksum of a tunnel the packet came through (VXLAN, Geneve, GTP-U, Teredo...).</summary>
    OuterTransport = 8,
}

/// <summary>
/// What a TCP segment shows of SSH's cleartext start (RFC 4253 4.2, 6, 7.3; SSH 1.5's binary packet): the
/// identification line and its protocol version, and the message that ends the key exchange. Read from any port; a
/// reader that follows connections decides whether the two sides make an SSH conversation.
/// </summary>
[Flags]
public enum SshMarks : byte
{
    None = 0,
    /// <summary>The segment starts with an identification line "SSH-1.x-" (x not 99).</summary>
    Version1 = 1,
    /// <summary>"SSH-1.99-": a server speaking both versions.</summary>
    Version199 = 2,
    /// <summary>"SSH-2.x-".</summary>
    Version2 = 4,
    /// <summary>A cleartext SSH 2 NEWKEYS message (21) among the binary packets the segment starts with.</summary>
    NewKeys = 8,
    /// <summary>An SSH 1 binary packet of type 3 (SSH_CMSG_SESSION_KEY) at the segment's start.</summary>
    SessionKey = 16,
}

/// <summary>A UDP application recognised by its header on its port (for readers that name a connection's service).</summary>
public enum UdpApplication : byte
{
    None = 0,
    /// <summary>DHCP (RFC 2131) on ports 67 and 68: a BOOTP message with the DHCP magic cookie.</summary>
    Dhcp,
    /// <summary>NTP (RFC 5905) on port 123: a version 1 to 4 message long enough for its mode.</summary>
    Ntp,
}

/// <summary>
/// A data connection an FTP control segment announces (RFC 959 4.1.2 PORT and the 227 reply to PASV, RFC 2428 EPRT
/// and the 229 reply to EPSV): who will connect to what. <see cref="Port"/> 0: none.
/// </summary>
public struct FtpDataChannel
{
    /// <summary>The address to connect to; None when the reply names none (229: the control connection's server).</summary>
    public IpAddr Host;
    public ushort Port;
    /// <summary>Passive (PASV, EPSV): the client connects to the server. Active (PORT, EPRT): the server connects back.</summary>
    public bool Passive;
}

/// <summary>What the first line of an FTP control segment (port 21) is, as Zeek's FTP analyzer judges it.</summary>
public enum FtpLine : byte
{
    None = 0,
    /// <summary>A client command: a word of three or more printable characters.</summary>
    Command,
    /// <summary>A server reply: a three-digit code of 100 or more, then a space or the line's end.</summary>
    Reply,
    /// <summary>The first line of a multi-line server reply: its code, then a dash (RFC 959 4.2).</summary>
    ReplyContinues,
    /// <summary>A server line that is no reply (no code, a code under 100, or another character after it).</summary>
    BadReply,
}

/// <summary>An FTP control segment's first line: what it is, and a reply's code (0 for none).</summary>
public readonly record struct FtpLineInfo(FtpLine Kind, ushort Code);
