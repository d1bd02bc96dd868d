namespace NetTriage.Capture;

/// <summary>The kinds of input NetTriage reads, recognised by content, never by file name.</summary>
public enum CaptureFormat
{
    Pcap,
    Pcapng,
    TcpdumpText,
}
