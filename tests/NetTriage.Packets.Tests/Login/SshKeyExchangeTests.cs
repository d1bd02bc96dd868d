using System.Buffers.Binary;
using NetTriage.Packets.Login;

namespace NetTriage.Packets.Tests.Login;

/// <summary>The end of an SSH key exchange read from a server's cleartext packets (RFC 4253 6 and 7.3).</summary>
public sealed class SshKeyExchangeTests
{
    private static byte[] Packet(byte type, int size, byte padding = 8)
    {
        var p = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(p, (uint)(size - 4));
        p[4] = padding;
        p[5] = type;
        return p;
    }

    [Fact]
    public void Newkeys_is_found_alone_after_the_key_exchange_reply_and_after_a_version_line()
    {
        Assert.True(SshKeyExchange.HasNewKeys(Packet(21, 16, padding: 10)));
        Assert.True(SshKeyExchange.HasNewKeys([.. Packet(31, 508), .. Packet(21, 16, padding: 10)]));
        Assert.True(SshKeyExchange.HasNewKeys([.. "SSH-2.0-OpenSSH_9.2p1\r\n"u8, .. Packet(21, 16, padding: 10)]));
    }

    [Fact]
    public void Other_cleartext_messages_and_encrypted_bytes_are_not_newkeys()
    {
        Assert.False(SshKeyExchange.HasNewKeys("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"u8));
        Assert.False(SshKeyExchange.HasNewKeys(Packet(20, 1088))); // KEXINIT
        Assert.False(SshKeyExchange.HasNewKeys(Packet(31, 508))); // the key exchange reply alone
        // A length past the segment ends the walk; a length of 35,001 or a padding longer than the packet is not SSH.
        Assert.False(SshKeyExchange.HasNewKeys([.. Packet(31, 508)[..100]]));
        var huge = Packet(21, 16);
        BinaryPrimitives.WriteUInt32BigEndian(huge, 35_001);
        Assert.False(SshKeyExchange.HasNewKeys(huge));
        Assert.False(SshKeyExchange.HasNewKeys(Packet(21, 16, padding: 200)));
        Assert.False(SshKeyExchange.HasNewKeys([]));
    }
}
