using System.Buffers.Binary;

namespace NetTriage.Packets.Ip;

/// <summary>
/// The fixed 20 bytes of an IPv4 header (RFC 791 3.1). Options, when the IHL says so, follow it and are
/// read by the decoder after checking the IHL against the bytes present.
/// </summary>
public readonly ref struct Ipv4Header
{
    public const int MinLength = 20;
    /// <summary>IHL is four bits of 32-bit words (RFC 791 3.1).</summary>
    public const int MaxLength = 60;

    private const int VersionIhlOffset = 0;
    private const int TosOffset = 1;
    private const int TotalLengthOffset = 2;
    private const int IdentificationOffset = 4;
    private const int FlagsFragmentOffset = 6;
    private const int TtlOffset = 8;
    private const int ProtocolOffset = 9;
    private const int SourceOffset = 12;
    private const int DestinationOffset = 16;

    private const ushort DontFragmentBit = 0x4000;
    private const ushort MoreFragmentsBit = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;

    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv4Header(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out Ipv4Header header)
    {
        if (data.Length < MinLength)
        {
            header = default;
            return false;
        }
        header = new Ipv4Header(data[..MinLength]);
        return true;
    }

    public int Version => _bytes[VersionIhlOffset] >> 4;
    /// <summary>Header length in bytes (IHL x 4).</summary>
    public int HeaderLength => (_bytes[VersionIhlOffset] & 0x0F) * 4;
    public byte Tos => _bytes[TosOffset];
    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TotalLengthOffset..]);
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IdentificationOffset..]);
    private ushort FlagsAndOffset => BinaryPrimitives.ReadUInt16BigEndian(_bytes[FlagsFragmentOffset..]);
    public bool DontFragment => (FlagsAndOffset & DontFragmentBit) != 0;
    public bool MoreFragments => (FlagsAndOffset & MoreFragmentsBit) != 0;
    /// <summary>Fragment offset in bytes (the field counts 8-byte units).</summary>
    public int FragmentOffset => (FlagsAndOffset & FragmentOffsetMask) * 8;
    public byte Ttl => _bytes[TtlOffset];
    public byte Protocol => _bytes[ProtocolOffset];
    public IpAddr Source => IpAddr.FromV4(_bytes[SourceOffset..]);
    public IpAddr Destination => IpAddr.FromV4(_bytes[DestinationOffset..]);

    /// <summary>
    /// Walks IPv4 options (RFC 791 3.1, "Options"): EOL (0) ends the list, NOP (1) is one byte, every other
    /// option carries a length octet that counts its type and length octets and must stay inside the area.
    /// Returns false when an option is malformed.
    /// </summary>
    public static bool OptionsWellFormed(ReadOnlySpan<byte> options)
    {
        const byte EndOfList = 0;
        const byte NoOperation = 1;
        int i = 0;
        // At most 40 bytes of options, and each step consumes at least one byte: the loop is bounded.
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == EndOfList)
            {
                return true;
            }
            if (type == NoOperation)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
            {
                return false;
            }
            int length = options[i + 1];
            if (length < 2 || length > options.Length - i)
            {
                return false;
            }
            i += length;
        }
        return true;
    }
}
