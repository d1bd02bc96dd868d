using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>Reads tcpdump's text output. This build recognises such input but cannot read it yet.</summary>
public sealed class TcpdumpTextSource : IPacketSource
{
    private readonly Stream _stream;

    public TcpdumpTextSource(Stream stream, string name, bool compressed, long? totalBytes)
    {
        _stream = stream;
        Name = name;
        Compressed = compressed;
        TotalBytes = totalBytes;
    }

    public string Name { get; }
    public CaptureFormat Format => CaptureFormat.TcpdumpText;
    public bool Compressed { get; }
    public long BytesConsumed => 0;
    public long? TotalBytes { get; }
    public IReadOnlyList<CaptureWarning> Warnings => [];

    public bool TryRead(DecodedPacket packet)
    {
        CaptureThrow.Format(Name, CaptureErrorReason.UnknownFormat, "tcpdump text input is not supported yet");
        return false;
    }

    public void Dispose() => _stream.Dispose();
}
