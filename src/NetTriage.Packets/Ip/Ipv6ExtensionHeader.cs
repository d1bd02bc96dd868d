using System.Buffers.Binary;

namespace NetTriage.Packets.Ip;

/// <summary>
/// One IPv6 extension header (RFC 8200 4): every kind starts with a next-header octet; the length octet
/// counts 8-octet units beyond the first (RFC 8200 4.3, 4.4, 4.6, RFC 6564), except AH, whose length counts
/// 4-octet units minus 2 (RFC 4302 2.2), and the fragment header, which is always 8 octets (RFC 8200 4.5).
/// </summary>
public readonly ref struct Ipv6ExtensionHeader
{
    public const int MinLength = 8;
    public const int FragmentLength = 8;

    private const int NextHeaderOffset = 0;
    private const int LengthOffset = 1;
    private const int FragmentOffsetFieldOffset = 2;
    private const int FragmentIdentificationOffset = 4;
    private const ushort MoreFragmentsBit = 0x0001;
    private const ushort FragmentOffsetMask = 0xFFF8;
    /// <summary>RFC 2675 2: Jumbo Payload option type.</summary>
    private const byte JumboPayloadOption = 0xC2;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly byte _kind;

    private Ipv6ExtensionHeader(ReadOnlySpan<byte> bytes, byte kind)
    {
        _bytes = bytes;
        _kind = kind;
    }

    /// <summary>
    /// True for the next-header values that are extension headers walked by the decoders. The mobility
    /// header (RFC 6275 6.1), HIP (RFC 7401) and Shim6 (RFC 5533) use the extension-header format but carry
    /// a message of their own and normally end the chain (payload protocol 59), so they are reported as the
    /// packet's upper-layer protocol, as tcpdump does, rather than walked past.
    /// </summary>
    public static bool IsExtension(byte nextHeader) => nextHeader is IpProtocol.HopByHop or IpProtocol.Routing
        or IpProtocol.Fragment or IpProtocol.DestinationOptions or IpProtocol.Ah;

    /// <summary>Reads the extension header of kind <paramref name="kind"/> at the start of <paramref name="data"/>.</summary>
    public static bool TryRead(byte kind, ReadOnlySpan<byte> data, out Ipv6ExtensionHeader header)
    {
        header = default;
        if (data.Length < MinLength)
        {
            return false;
        }
        int length = LengthOf(kind, data[LengthOffset]);
        if (length > data.Length)
        {
            return false;
        }
        header = new Ipv6ExtensionHeader(data[..length], kind);
        return true;
    }

    private static int LengthOf(byte kind, byte lengthField) => kind switch
    {
        IpProtocol.Fragment => FragmentLength,
        IpProtocol.Ah => (lengthField + 2) * 4,
        _ => (lengthField + 1) * 8,
    };

    public int Length => _bytes.Length;
    public byte NextHeader => _bytes[NextHeaderOffset];
    public bool IsFragment => _kind == IpProtocol.Fragment;

    // Fragment header fields (RFC 8200 4.5); valid when IsFragment.
    private ushort FragmentWord => BinaryPrimitives.ReadUInt16BigEndian(_bytes[FragmentOffsetFieldOffset..]);
    /// <summary>Fragment offset in bytes (the field counts 8-octet units in its upper 13 bits).</summary>
    public int FragmentOffset => FragmentWord & FragmentOffsetMask;
    public bool MoreFragments => (FragmentWord & MoreFragmentsBit) != 0;
    public uint FragmentIdentification => BinaryPrimitives.ReadUInt32BigEndian(_bytes[FragmentIdentificationOffset..]);

    /// <summary>
    /// True when this hop-by-hop header carries a Jumbo Payload option (RFC 2675 2). Options are TLVs
    /// (RFC 8200 4.2): Pad1 is one byte, every other option has a length octet.
    /// </summary>
    public bool HasJumboPayload
    {
        get
        {
            if (_kind != IpProtocol.HopByHop)
            {
                return false;
            }
            const byte Pad1 = 0;
            var options = _bytes[2..];
            int i = 0;
            while (i < options.Length)
            {
                byte type = options[i];
                if (type == Pad1)
                {
                    i++;
                    continue;
                }
                if (i + 1 >= options.Length)
                {
                    return false;
                }
                if (type == JumboPayloadOption)
                {
                    return true;
                }
                i += 2 + options[i + 1];
            }
            return false;
        }
    }
}
