using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// The four bytes that follow an 802.1Q (0x8100) or 802.1ad (0x88A8, legacy 0x9100) tag protocol identifier:
/// tag control information (PCP 3 bits, DEI 1 bit, VID 12 bits; IEEE 802.1Q 9.6) and the next EtherType.
/// </summary>
public readonly ref struct VlanTag
{
    public const int Length = 4;

    private const int TciOffset = 0;
    private const int TypeOffset = 2;
    private const ushort VidMask = 0x0FFF;

    private readonly ReadOnlySpan<byte> _bytes;

    private VlanTag(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out VlanTag tag)
    {
        if (data.Length < Length)
        {
            tag = default;
            return false;
        }
        tag = new VlanTag(data[..Length]);
        return true;
    }

    public ushort TagControl => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TciOffset..]);
    public ushort VlanId => (ushort)(TagControl & VidMask);
    public byte Priority => (byte)(TagControl >> 13);
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TypeOffset..]);

    /// <summary>True for the tag protocol identifiers of 802.1Q and 802.1ad.</summary>
    public static bool IsTagType(ushort etherType) =>
        etherType is Packets.EtherType.Vlan or Packets.EtherType.QinQ or Packets.EtherType.QinQOld;
}
