using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// Linux cooked capture v1 header (LINKTYPE_LINUX_SLL, 113; tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html):
/// packet type (2), ARPHRD type (2), link-layer address length (2), address (8, zero padded), protocol (2).
/// </summary>
public readonly ref struct LinuxSllHeader
{
    public const int Length = 16;

    private const int PacketTypeOffset = 0;
    private const int ArphrdOffset = 2;
    private const int AddressLengthOffset = 4;
    private const int AddressOffset = 6;
    private const int AddressFieldLength = 8;
    private const int ProtocolOffset = 14;

    private readonly ReadOnlySpan<byte> _bytes;

    private LinuxSllHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out LinuxSllHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new LinuxSllHeader(data[..Length]);
        return true;
    }

    public ushort PacketType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[PacketTypeOffset..]);
    public ushort ArphrdType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ArphrdOffset..]);
    public ushort AddressLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[AddressLengthOffset..]);
    /// <summary>The address field; only the first <see cref="AddressLength"/> bytes (at most 8) are meaningful.</summary>
    public ReadOnlySpan<byte> Address => _bytes.Slice(AddressOffset, AddressFieldLength);
    public ushort Protocol => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ProtocolOffset..]);
}
