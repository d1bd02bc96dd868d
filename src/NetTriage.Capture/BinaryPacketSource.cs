using NetTriage.Capture.Input;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Ip;

namespace NetTriage.Capture;

/// <summary>
/// A binary capture (pcap, pcapng) as a packet source: each frame from an <see cref="IFrameReader"/> is
/// stamped with its frame-level fields and run through <see cref="PacketDecoder"/>. No allocation per packet.
/// </summary>
public sealed class BinaryPacketSource : IPacketSource
{
    private readonly IFrameReader _reader;
    private readonly CountingStream? _counter;
    private long _frameNumber;
    private long _lastOffset;
    /// <summary>IP fragments waiting for the rest of their datagram, when the reader asks for reassembly.</summary>
    private IpReassembler? _reassembler;
    /// <summary>DNS over TCP followed by connection, when the reader asks for it.</summary>
    private DnsTcpReassembler? _dnsStreams;

    /// <summary>Wraps <paramref name="reader"/>, which the source then owns.</summary>
    public BinaryPacketSource(IFrameReader reader, string name, bool compressed = false, long? totalBytes = null)
        : this(reader, name, compressed, totalBytes, null)
    {
    }

    internal BinaryPacketSource(IFrameReader reader, string name, bool compressed, long? totalBytes, CountingStream? counter)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        _reader = reader;
        Name = name;
        Compressed = compressed;
        TotalBytes = totalBytes;
        _counter = counter;
    }

    public string Name { get; }
    public CaptureFormat Format => _reader.Format;
    public bool Compressed { get; }

    /// <summary>
    /// Bytes read from the input as given (compressed bytes for gzip; read ahead of the last packet by at most
    /// a buffer); without a counter, the offset of the last frame.
    /// </summary>
    public long BytesConsumed => _counter?.BytesRead ?? _lastOffset;

    public string? ContentHash => _counter?.ContentHash;

    public long? TotalBytes { get; }
    public IReadOnlyList<CaptureWarning> Warnings => _endWarning is { } w ? [.. _reader.Warnings, w] : _reader.Warnings;

    /// <summary>For gzip input: tells at the end whether the compressed stream was whole.</summary>
    internal GzipEndCheck? GzipEnd { get; init; }
    private CaptureWarning? _endWarning;

    /// <summary>Frames read so far.</summary>
    public long FrameCount => _frameNumber;

    public bool TryRead(DecodedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        packet.Reset();
        if (!_reader.TryReadFrame(out RawFrame frame))
        {
            _endWarning ??= GzipEnd?.TakeWarning();
            return false;
        }

        _lastOffset = frame.FileOffset;
        packet.Origin = PacketOrigin.Binary;
        packet.FrameNumber = ++_frameNumber;
        packet.FileOffset = frame.FileOffset;
        packet.Timestamp = frame.Timestamp;
        packet.LinkType = frame.LinkType;
        packet.InterfaceId = frame.InterfaceId;
        int captured = frame.Data.Length;
        packet.CapturedLength = captured;
        packet.OriginalLength = frame.OriginalLength;
        if (captured < frame.OriginalLength)
        {
            packet.Truncated = true;
        }
        else if (captured > frame.OriginalLength)
        {
            // The file says more bytes were captured than were on the wire: kept, but flagged.
            packet.AddAnomaly(AnomalyKind.CapturedLengthExceedsOriginal);
        }

        packet.DnsStreams = packet.ReassembleDnsOverTcp ? _dnsStreams ??= new DnsTcpReassembler() : null;
        PacketDecoder.Decode(frame.LinkType, frame.Data, packet);
        if (packet.ReassembleFragments && packet.Ip.IsFragment && (packet.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) != 0)
        {
            switch ((_reassembler ??= new IpReassembler()).Add(frame.Data, packet, out var datagram, out int fragments))
            {
                case FragmentResult.Completed:
                    PacketDecoder.DecodeReassembled(datagram, packet, fragments);
                    break;
                case FragmentResult.Held:
                    // A piece of a datagram still incomplete: what its first piece's headers say belongs to the datagram,
                    // read whole when it completes (as a host's stack and Zeek see it), not to this piece.
                    PacketDecoder.KeepAsFragment(packet);
                    break;
            }
        }
        return true;
    }

    public void Dispose() => _reader.Dispose();
}
