using NetTriage.Packets;

namespace NetTriage.Capture;

/// <summary>One frame as a binary capture holds it. The bytes are lent until the next read.</summary>
public readonly ref struct RawFrame
{
    public RawFrame(ReadOnlySpan<byte> data, LinkType linkType, PacketTimestamp timestamp, int originalLength, int interfaceId, long fileOffset)
    {
        Data = data;
        LinkType = linkType;
        Timestamp = timestamp;
        OriginalLength = originalLength;
        InterfaceId = interfaceId;
        FileOffset = fileOffset;
    }

    public ReadOnlySpan<byte> Data { get; }
    public LinkType LinkType { get; }
    public PacketTimestamp Timestamp { get; }
    public int OriginalLength { get; }
    public int InterfaceId { get; }
    /// <summary>Offset of the record (pcap record header, pcapng block) in the decompressed stream.</summary>
    public long FileOffset { get; }
}

/// <summary>A binary capture framed into records: pcap or pcapng.</summary>
public interface IFrameReader : IDisposable
{
    CaptureFormat Format { get; }

    /// <summary>
    /// Reads the next frame. Returns false at the end of the input, including a file cut mid-record
    /// (which adds a warning naming the offset). Throws <see cref="CaptureFormatException"/> for a record
    /// that cannot be framed.
    /// </summary>
    bool TryReadFrame(out RawFrame frame);

    IReadOnlyList<CaptureWarning> Warnings { get; }
}

/// <summary>
/// A source of decoded packets: a binary capture run through the decoders, or tcpdump text.
/// Reads fill the caller's <see cref="DecodedPacket"/>, which is reused for every packet.
/// </summary>
public interface IPacketSource : IDisposable
{
    /// <summary>The input's name as the user gave it ("-" for standard input).</summary>
    string Name { get; }
    CaptureFormat Format { get; }
    /// <summary>True when the input was gzip-compressed.</summary>
    bool Compressed { get; }

    /// <summary>Resets and fills <paramref name="packet"/> with the next packet; false at the end.</summary>
    bool TryRead(DecodedPacket packet);

    /// <summary>Bytes consumed from the underlying input so far (compressed bytes for gzip), for progress.</summary>
    long BytesConsumed { get; }

    /// <summary>Total input length when known (a regular file), else null.</summary>
    long? TotalBytes { get; }

    /// <summary>
    /// A hash of the input's bytes as given (XXH128, 32 hexadecimal digits), complete once the source has been read
    /// to its end; null for a source not read from a stream (a live capture).
    /// </summary>
    string? ContentHash => null;

    IReadOnlyList<CaptureWarning> Warnings { get; }
}
