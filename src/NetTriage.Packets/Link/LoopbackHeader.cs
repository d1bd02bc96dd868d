using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// BSD loopback header: a 4-byte address family. LINKTYPE_NULL (0) writes it in the byte order of the
/// capturing host, so both orders are accepted; LINKTYPE_LOOP (108) writes it in network order
/// (tcpdump.org/linktypes/LINKTYPE_NULL.html).
/// </summary>
public readonly ref struct LoopbackHeader
{
    public const int Length = 4;

    /// <summary>AF_INET on every BSD.</summary>
    public const uint FamilyInet = 2;
    /// <summary>AF_INET6 on NetBSD/OpenBSD/BSD/OS.</summary>
    public const uint FamilyInet6Bsd = 24;
    /// <summary>AF_INET6 on FreeBSD and DragonFly.</summary>
    public const uint FamilyInet6FreeBsd = 28;
    /// <summary>AF_INET6 on Darwin.</summary>
    public const uint FamilyInet6Darwin = 30;

    private const int FamilyOffset = 0;

    private readonly ReadOnlySpan<byte> _bytes;

    private LoopbackHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out LoopbackHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new LoopbackHeader(data[..Length]);
        return true;
    }

    public uint NetworkOrderFamily => BinaryPrimitives.ReadUInt32BigEndian(_bytes[FamilyOffset..]);

    /// <summary>
    /// The family read in whichever byte order gives a small value: families are below 65536, so the
    /// order whose high half is zero is the writer's order.
    /// </summary>
    public uint AnyOrderFamily
    {
        get
        {
            uint little = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[FamilyOffset..]);
            return (little & 0xFFFF_0000) != 0 ? BinaryPrimitives.ReverseEndianness(little) : little;
        }
    }

    /// <summary>The EtherType a loopback family stands for, or 0 when it is not IP.</summary>
    public static ushort EtherTypeOf(uint family) => family switch
    {
        FamilyInet => Packets.EtherType.Ipv4,
        FamilyInet6Bsd or FamilyInet6FreeBsd or FamilyInet6Darwin => Packets.EtherType.Ipv6,
        _ => 0,
    };
}
