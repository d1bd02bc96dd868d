using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2, 276; tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
/// protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
/// link-layer address length (1), address (8, zero padded).
/// </summary>
public readonly ref struct LinuxSll2Header
{
    public const int Length = 20;

    private const int ProtocolOffset = 0;
    private const int InterfaceIndexOffset = 4;
    private const int ArphrdOffset = 8;
    private const int PacketTypeOffset = 10;
    private const int AddressLengthOffset = 11;
    private const int AddressOffset = 12;
    private const int AddressFieldLength = 8;

    private readonly ReadOnlySpan<byte> _bytes;

    private LinuxSll2Header(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out LinuxSll2Header header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new LinuxSll2Header(data[..Length]);
        return true;
    }

    public ushort Protocol => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ProtocolOffset..]);
    public uint InterfaceIndex => BinaryPrimitives.ReadUInt32BigEndian(_bytes[InterfaceIndexOffset..]);
    public ushort ArphrdType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ArphrdOffset..]);
    public byte PacketType => _bytes[PacketTypeOffset];
    public byte AddressLength => _bytes[AddressLengthOffset];
    /// <summary>The address field; only the first <see cref="AddressLength"/> bytes (at most 8) are meaningful.</summary>
    public ReadOnlySpan<byte> Address => _bytes.Slice(AddressOffset, AddressFieldLength);
}
