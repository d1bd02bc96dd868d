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
}
