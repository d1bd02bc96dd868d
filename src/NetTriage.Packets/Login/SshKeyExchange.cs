using System.Buffers.Binary;

namespace NetTriage.Packets.Login;

/// <summary>
/// Finds the end of an SSH key exchange in a server's segment. Until NEWKEYS (message 21, RFC 4253 7.3) the binary
/// packets travel in the clear: uint32 length, byte padding length, the payload whose first byte is the message
/// number, the padding, no MAC (RFC 4253 6). The server's NEWKEYS often shares a segment with its key exchange reply,
/// after its version line or alone; what follows it is encrypted and is where authentication happens.
/// </summary>
public static class SshKeyExchange
{
    public const ushort Port = 22;
    private const byte NewKeys = 21;
    /// <summary>RFC 4253 6.1: implementations must handle packets of 35,000 bytes; anything larger is not a clear packet.</summary>
    private const uint MaxPacket = 35_000;

    /// <summary>SSH 1.5's SSH_CMSG_SESSION_KEY: the client's choice of session key, after which all is encrypted.</summary>
    private const byte SessionKey = 3;
    /// <summary>SSH 1.5's largest packet (its length field counts type, data and CRC; 256 KiB is the protocol's limit).</summary>
    private const uint MaxPacket1 = 262_144;

    /// <summary>Whether the segment holds a cleartext NEWKEYS message.</summary>
    public static bool HasNewKeys(ReadOnlySpan<byte> payload)
    {
        int o = 0;
        if (payload.StartsWith("SSH-"u8))
        {
            int end = payload.IndexOf((byte)'\n');
            if (end < 0) return false;
            o = end + 1;
        }
        return NewKeysFrom(payload, o);
    }

    /// <summary>
    /// What the segment shows of an SSH conversation's cleartext start, whatever its port: its identification line
    /// (and the version it names), a NEWKEYS among the SSH 2 packets it starts with (after the line, if any), or an
    /// SSH 1 session-key packet at its start. A few byte comparisons for a segment that is none of these.
    /// </summary>
    public static SshMarks Marks(ReadOnlySpan<byte> payload)
    {
        if (payload.StartsWith("SSH-"u8))
        {
            var version = payload[4..].StartsWith("1.99"u8) ? SshMarks.Version199
                : payload[4..].StartsWith("2."u8) ? SshMarks.Version2
                : payload[4..].StartsWith("1."u8) ? SshMarks.Version1
                : SshMarks.None;
            if (version == SshMarks.None) return SshMarks.None;
            int end = payload.IndexOf((byte)'\n');
            return end >= 0 && NewKeysFrom(payload, end + 1) ? version | SshMarks.NewKeys : version;
        }
        if (NewKeysFrom(payload, 0)) return SshMarks.NewKeys;
        return IsSessionKey(payload) ? SshMarks.SessionKey : SshMarks.None;
    }

    /// <summary>A cleartext NEWKEYS among the SSH 2 binary packets from <paramref name="o"/> on.</summary>
    private static bool NewKeysFrom(ReadOnlySpan<byte> payload, int o)
    {
        // A few packets at most share a segment (KEXDH_REPLY and NEWKEYS): the walk is bounded by the segment.
        while (o + 6 <= payload.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(payload[o..]);
            byte padding = payload[o + 4];
            if (length < 5 || length > MaxPacket || padding < 4 || padding >= length) return false;
            if (payload[o + 5] == NewKeys) return true;
            o += 4 + (int)length;
        }
        return false;
    }

    /// <summary>
    /// An SSH 1 binary packet of type SSH_CMSG_SESSION_KEY at the start: uint32 length (type, data and CRC), 1 to 8
    /// bytes of padding to a multiple of 8, then the type.
    /// </summary>
    private static bool IsSessionKey(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8) return false;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(payload);
        if (length < 5 || length > MaxPacket1) return false;
        int padding = 8 - (int)(length % 8);
        return 4 + padding < payload.Length && payload[4 + padding] == SessionKey;
    }
}
