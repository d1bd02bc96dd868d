using System.Buffers.Binary;

namespace NetTriage.Packets.Ip;

/// <summary>The fixed 40-byte IPv6 header (RFC 8200 3).</summary>
public readonly ref struct Ipv6Header
{
    public const int Length = 40;

    private const int VersionClassFlowOffset = 0;
    private const int PayloadLengthOffset = 4;
    private const int NextHeaderOffset = 6;
    private const int HopLimitOffset = 7;
    private const int SourceOffset = 8;
    private const int DestinationOffset = 24;

    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv6Header(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static bool TryRead(ReadOnlySpan<byte> data, out Ipv6Header header)
    {
        if (data.Length < Length)
        {
            header = default;
            return false;
        }
        header = new Ipv6Header(data[..Length]);
        return true;
    }

    private uint First32 => BinaryPrimitives.ReadUInt32BigEndian(_bytes[VersionClassFlowOffset..]);
    public int Version => (int)(First32 >> 28);
    public byte TrafficClass => (byte)(First32 >> 20);
    public uint FlowLabel => First32 & 0x000F_FFFF;
    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[PayloadLengthOffset..]);
    public byte NextHeader => _bytes[NextHeaderOffset];
    public byte HopLimit => _bytes[HopLimitOffset];
    public IpAddr Source => IpAddr.FromV6(_bytes[SourceOffset..]);
    public IpAddr Destination => IpAddr.FromV6(_bytes[DestinationOffset..]);
}
