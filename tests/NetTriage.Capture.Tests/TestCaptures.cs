using NetTriage.Capture.Input;
using NetTriage.Capture.Pcap;
using NetTriage.Capture.Pcapng;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests;

/// <summary>A frame copied out of a reader, so it can be kept and compared.</summary>
internal sealed record FrameCopy(byte[] Data, LinkType LinkType, PacketTimestamp Timestamp, int OriginalLength, int InterfaceId, long FileOffset)
{
    public static FrameCopy Of(in RawFrame f) => new(f.Data.ToArray(), f.LinkType, f.Timestamp, f.OriginalLength, f.InterfaceId, f.FileOffset);

    public bool Same(FrameCopy other) =>
        Data.AsSpan().SequenceEqual(other.Data) && LinkType == other.LinkType && Timestamp == other.Timestamp &&
        OriginalLength == other.OriginalLength && InterfaceId == other.InterfaceId && FileOffset == other.FileOffset;
}

/// <summary>Shared helpers of the reader tests.</summary>
internal static class TestCaptures
{
    public const string Name = "test.cap";

    /// <summary>Frame bytes that differ per frame: n bytes counting from seed.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)(seed + (i * 7));
        return data;
    }

    public static List<FrameCopy> ReadAll(IFrameReader reader)
    {
        var frames = new List<FrameCopy>();
        while (reader.TryReadFrame(out RawFrame frame)) frames.Add(FrameCopy.Of(frame));
        return frames;
    }

    public static PcapReader OpenPcap(byte[] bytes, int maxCapacity = InputBuffer.DefaultMaxCapacity) =>
        new(new InputBuffer(new MemoryStream(bytes), Name, 64, maxCapacity));

    public static PcapngReader OpenPcapng(byte[] bytes, int maxCapacity = InputBuffer.DefaultMaxCapacity) =>
        new(new InputBuffer(new MemoryStream(bytes), Name, 64, maxCapacity));

    public static PcapngReader OpenPcapng(Stream stream, int maxCapacity = InputBuffer.DefaultMaxCapacity) =>
        new(new InputBuffer(stream, Name, 64, maxCapacity));

    /// <summary>Frames of the whole input as read through the opener, with its warnings.</summary>
    public static (List<FrameCopy> Frames, IReadOnlyList<CaptureWarning> Warnings) ReadThroughOpener(Stream stream)
    {
        using IFrameReader reader = CaptureOpener.OpenFrames(stream, Name);
        var frames = ReadAll(reader);
        return (frames, reader.Warnings);
    }

    public static List<object[]> CutPoints(int length) => [.. Enumerable.Range(0, length).Select(i => new object[] { i })];
}
