using System.Buffers.Binary;

namespace NetTriage.Packets.Icmp;

/// <summary>
/// The first 8 bytes shared by ICMPv4 (RFC 792) and ICMPv6 (RFC 4443 2.1) messages: type, code, checksum,
/// and a 4-byte field whose meaning depends on the type (echo id/sequence, gateway, MTU, pointer, unused).
/// </summary>
public readonly ref struct IcmpHeader
{
    public const int Length = 8;
    /// <summary>Type and code: the least that names a message.</summary>
    public const int TypeCodeLength = 2;

    private const int TypeOffset = 0;
    private const int CodeOffset = 1;
    private const int ChecksumOffset = 2;
    private const int RestOffset = 4;
    private const int IdentifierOffset = 4;
    private const int SequenceOffset = 6;
    private const int NextHopMtuOffset = 6;
    private const int PointerOffset = 4;

    private readonly ReadOnlySpan<byte> _bytes;

    private IcmpHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Bytes of an echo message's data skipped (ping's timestamp: a struct timeval) and hashed, at most.</summary>
    private const int EchoTimestamp = 16, EchoHashed = 64;

    /// <summary>FNV-1a of an echo message's data after its timestamp (see <see cref="IcmpInfo.EchoDataHash"/>).</summary>
    public static uint EchoDataHash(ReadOnlySpan<byte> message)
    {
        if (message.Length <= Length + EchoTimestamp) return 0;
        var data = message[(Length + EchoTimestamp)..];
        if (data.Length > EchoHashed) data = data[..EchoHashed];
        uint hash = 2166136261;
        foreach (byte b in data) hash = (hash ^ b) * 16777619;
        return hash == 0 ? 1 : hash;
    }

    /// <summary>
    /// The start both ICMP versions share (RFC 792, RFC 4443 2.1): type and code recorded, the whole message
    /// recorded as the transport payload (what tcpdump's "length N" counts), then the 8-byte header read.
    /// False, with the packet marked cut, when the message is too short for it.
    /// </summary>
    public static bool TryBegin(ReadOnlySpan<byte> message, int frameOffset, int claimedLength, DecodedPacket packet, bool isV6, out IcmpHeader header)
    {
        header = default;
        var truncated = isV6 ? AnomalyKind.Icmpv6Truncated : AnomalyKind.IcmpTruncated;
        if (message.Length < TypeCodeLength)
        {
            PacketDecoder.Cut(packet, truncated);
            return false;
        }
        ref var icmp = ref packet.Icmp;
        icmp.IsV6 = isV6;
        icmp.Type = message[0];
        icmp.Code = message[1];
        packet.Layers |= isV6 ? PacketLayers.Icmpv6 : PacketLayers.Icmp;
        packet.PayloadOffset = frameOffset;
        packet.PayloadLength = message.Length;
        packet.PayloadClaimedLength = claimedLength;
        if (!TryRead(message, out header))
        {
            PacketDecoder.Cut(packet, truncated);
            return false;
        }
        return true;
    }

    public static bool TryRead(ReadOnlySpan<byte> data, out IcmpHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new IcmpHeader(data[..Length]);
        return true;
    }

    public byte Type => _bytes[TypeOffset];
    public byte Code => _bytes[CodeOffset];
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);
    /// <summary>Echo, timestamp, information and address mask messages (RFC 792, RFC 950; RFC 4443 4).</summary>
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IdentifierOffset..]);
    public ushort Sequence => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SequenceOffset..]);
    /// <summary>The 32-bit field after the checksum: redirect gateway (RFC 792), MTU or pointer (RFC 4443 3.2, 3.4).</summary>
    public uint Rest => BinaryPrimitives.ReadUInt32BigEndian(_bytes[RestOffset..]);
    public ReadOnlySpan<byte> RestBytes => _bytes.Slice(RestOffset, 4);
    /// <summary>Next-hop MTU of "fragmentation needed" (RFC 1191 4).</summary>
    public ushort NextHopMtu => BinaryPrimitives.ReadUInt16BigEndian(_bytes[NextHopMtuOffset..]);
    /// <summary>Parameter problem pointer (RFC 792): one octet.</summary>
    public byte Pointer => _bytes[PointerOffset];
}
