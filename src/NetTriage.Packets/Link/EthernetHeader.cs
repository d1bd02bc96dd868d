using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// An Ethernet II header (RFC 894; IEEE 802.3 clause 3.2): destination, source, EtherType.
/// A type field below 0x0600 is an IEEE 802.3 length followed by an LLC header (IEEE 802.3 3.2.6).
/// </summary>
public readonly ref struct EthernetHeader
{
    public const int Length = 14;
    /// <summary>Type values below this are 802.3 lengths, not EtherTypes (IEEE 802.3 3.2.6).</summary>
    public const ushort MinEtherType = 0x0600;

    private const int DestinationOffset = 0;
    private const int SourceOffset = 6;
    private const int TypeOffset = 12;

    private readonly ReadOnlySpan<byte> _bytes;

    private EthernetHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out EthernetHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new EthernetHeader(data[..Length]);
        return true;
    }

    public MacAddress Destination => MacAddress.Read(_bytes[DestinationOffset..]);
    public MacAddress Source => MacAddress.Read(_bytes[SourceOffset..]);
    public ushort TypeOrLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TypeOffset..]);
}
