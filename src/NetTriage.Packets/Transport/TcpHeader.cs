using System.Buffers.Binary;

namespace NetTriage.Packets.Transport;

/// <summary>
/// The fixed 20 bytes of a TCP header (RFC 9293 3.1). Options follow up to the data offset and are
/// walked by <see cref="ReadOptions"/> after the data offset has been checked against the bytes present.
/// </summary>
public readonly ref struct TcpHeader
{
    public const int MinLength = 20;
    public const int MaxLength = 60;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int SequenceOffset = 4;
    private const int AcknowledgmentOffset = 8;
    private const int DataOffsetOffset = 12;
    private const int FlagsOffset = 13;
    private const int WindowOffset = 14;
    private const int UrgentPointerOffset = 18;

    // Option kinds (RFC 9293 3.2, RFC 7323, RFC 2018).
    private const byte EndOfOptions = 0;
    private const byte NoOperation = 1;
    private const byte MaximumSegmentSize = 2;
    private const byte WindowScale = 3;
    private const byte SackPermitted = 4;
    private const byte Sack = 5;
    private const byte Timestamps = 8;
    private const int SackBlockLength = 8;
    private const int MaxSackBlocks = 4;

    private readonly ReadOnlySpan<byte> _bytes;

    private TcpHeader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out TcpHeader header)
    {
        if (data.Length < MinLength)
        {
            header = default;
            return false;
        }
        header = new TcpHeader(data[..MinLength]);
        return true;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SourcePortOffset..]);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DestinationPortOffset..]);
    public uint Sequence => BinaryPrimitives.ReadUInt32BigEndian(_bytes[SequenceOffset..]);
    public uint Acknowledgment => BinaryPrimitives.ReadUInt32BigEndian(_bytes[AcknowledgmentOffset..]);
    /// <summary>Header length in bytes (data offset x 4).</summary>
    public int HeaderLength => (_bytes[DataOffsetOffset] >> 4) * 4;
    /// <summary>The eight flags of byte 13 and the AE bit, the low bit of byte 12 (RFC 9293 3.1, RFC 9768).</summary>
    public TcpFlags Flags => (TcpFlags)(((_bytes[DataOffsetOffset] & 0x01) << 8) | _bytes[FlagsOffset]);
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_bytes[WindowOffset..]);
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_bytes[UrgentPointerOffset..]);

    /// <summary>
    /// Walks the options area (RFC 9293 3.2): EOL ends it, NOP is one byte, every other option has a length
    /// octet counting kind and length. Known options must have their defined lengths: MSS 4, window scale 3
    /// (RFC 7323 2.2), SACK-permitted 2 and SACK 2+8n with n 1..4 (RFC 2018 2, 3), timestamps 10 (RFC 7323 3.2).
    /// Returns false at the first malformed option; what was read before it is kept.
    /// </summary>
    public static bool ReadOptions(ReadOnlySpan<byte> options, ref TcpInfo tcp)
    {
        int i = 0;
        // At most 40 bytes, and every step consumes at least one byte: the loop is bounded.
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == EndOfOptions)
            {
                return true;
            }
            if (kind == NoOperation)
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
            var body = options.Slice(i + 2, length - 2);
            switch (kind)
            {
                case MaximumSegmentSize:
                    if (length != 4) return false;
                    tcp.HasMss = true;
                    tcp.Mss = BinaryPrimitives.ReadUInt16BigEndian(body);
                    break;
                case WindowScale:
                    if (length != 3) return false;
                    tcp.HasWindowScale = true;
                    tcp.WindowScale = body[0];
                    break;
                case SackPermitted:
                    if (length != 2) return false;
                    tcp.SackPermitted = true;
                    break;
                case Sack:
                    if (body.Length == 0 || body.Length % SackBlockLength != 0 || body.Length / SackBlockLength > MaxSackBlocks) return false;
                    tcp.SackBlockCount = (byte)(body.Length / SackBlockLength);
                    break;
                case Timestamps:
                    if (length != 10) return false;
                    tcp.HasTimestamp = true;
                    tcp.TsValue = BinaryPrimitives.ReadUInt32BigEndian(body);
                    tcp.TsEcho = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    break;
                default:
                    // Other options (MPTCP, TCP-AO, fast open, experimental) are skipped by their length.
                    break;
            }
            i += length;
        }
        return true;
    }
}
