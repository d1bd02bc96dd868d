using System.Buffers.Binary;

namespace NetTriage.Packets.Transport;

/// <summary>The 8-byte UDP header (RFC 768): source port, destination port, length, checksum.</summary>
public readonly ref struct UdpHeader
{
    public const int Length = 8;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int LengthOffset = 4;
    private const int ChecksumOffset = 6;

    private readonly ReadOnlySpan<byte> _bytes;

    private UdpHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out UdpHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new UdpHeader(data[..Length]);
        return true;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SourcePortOffset..]);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DestinationPortOffset..]);
    /// <summary>Length of header and data in bytes (RFC 768); at least 8 when correct.</summary>
    public ushort DatagramLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[LengthOffset..]);
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);
}
