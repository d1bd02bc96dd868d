using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// An ARP packet (RFC 826): hardware type (2), protocol type (2), hardware length (1), protocol length (1),
/// operation (2), then sender hardware/protocol and target hardware/protocol addresses of those lengths.
/// </summary>
public readonly ref struct ArpPacket
{
    public const int FixedLength = 8;
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int EthernetIpv4Length = FixedLength + (2 * (6 + 4));
    public const ushort HardwareEthernet = 1;

    private const int HardwareTypeOffset = 0;
    private const int ProtocolTypeOffset = 2;
    private const int HardwareLengthOffset = 4;
    private const int ProtocolLengthOffset = 5;
    private const int OperationOffset = 6;
    private const int SenderMacOffset = 8;
    private const int SenderIpOffset = 14;
    private const int TargetMacOffset = 18;
    private const int TargetIpOffset = 24;

    private readonly ReadOnlySpan<byte> _bytes;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Reads the fixed part; the addresses need <see cref="AddressesLength"/> more bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ArpPacket packet)
    {
        if (data.Length < FixedLength)
        {
            packet = default;
            return false;
        }
        packet = new ArpPacket(data);
        return true;
    }

    public ushort HardwareType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[HardwareTypeOffset..]);
    public ushort ProtocolType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ProtocolTypeOffset..]);
    public byte HardwareLength => _bytes[HardwareLengthOffset];
    public byte ProtocolLength => _bytes[ProtocolLengthOffset];
    public ushort Operation => BinaryPrimitives.ReadUInt16BigEndian(_bytes[OperationOffset..]);

    /// <summary>Bytes of the four addresses that follow the fixed part.</summary>
    public int AddressesLength => 2 * (HardwareLength + ProtocolLength);

    /// <summary>True when the addresses are Ethernet and IPv4 and all of them are present.</summary>
    public bool HasEthernetIpv4Addresses =>
        HardwareType == HardwareEthernet && ProtocolType == Packets.EtherType.Ipv4 &&
        HardwareLength == 6 && ProtocolLength == 4 && _bytes.Length >= EthernetIpv4Length;

    // Valid only when HasEthernetIpv4Addresses.
    public MacAddress SenderMac => MacAddress.Read(_bytes[SenderMacOffset..]);
    public IpAddr SenderIp => IpAddr.FromV4(_bytes[SenderIpOffset..]);
    public MacAddress TargetMac => MacAddress.Read(_bytes[TargetMacOffset..]);
    public IpAddr TargetIp => IpAddr.FromV4(_bytes[TargetIpOffset..]);
}
