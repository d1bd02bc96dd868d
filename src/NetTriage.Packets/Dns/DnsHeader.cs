using System.Buffers.Binary;

namespace NetTriage.Packets.Dns;

/// <summary>The 12-byte DNS message header (RFC 1035 4.1.1): id, flags, and the four section counts.</summary>
public readonly ref struct DnsHeader
{
    public const int Length = 12;

    private const int IdOffset = 0;
    private const int FlagsOffset = 2;
    private const int QuestionCountOffset = 4;
    private const int AnswerCountOffset = 6;
    private const int AuthorityCountOffset = 8;
    private const int AdditionalCountOffset = 10;

    private readonly ReadOnlySpan<byte> _bytes;

    private DnsHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out DnsHeader header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new DnsHeader(data[..Length]);
        return true;
    }

    public ushort Id => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IdOffset..]);
    public ushort Flags => BinaryPrimitives.ReadUInt16BigEndian(_bytes[FlagsOffset..]);
    public ushort QuestionCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[QuestionCountOffset..]);
    public ushort AnswerCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[AnswerCountOffset..]);
    public ushort AuthorityCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[AuthorityCountOffset..]);
    public ushort AdditionalCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[AdditionalCountOffset..]);
}

/// <summary>
/// The fixed part of a resource record after its owner name (RFC 1035 4.1.3): type, class, TTL, RDLENGTH.
/// </summary>
public readonly ref struct DnsRecordFixed
{
    public const int Length = 10;

    private const int TypeOffset = 0;
    private const int ClassOffset = 2;
    private const int TtlOffset = 4;
    private const int DataLengthOffset = 8;

    private readonly ReadOnlySpan<byte> _bytes;

    private DnsRecordFixed(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out DnsRecordFixed header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new DnsRecordFixed(data[..Length]);
        return true;
    }

    public ushort Type => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TypeOffset..]);
    public ushort Class => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ClassOffset..]);
    public uint Ttl => BinaryPrimitives.ReadUInt32BigEndian(_bytes[TtlOffset..]);
    public ushort DataLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DataLengthOffset..]);
}
