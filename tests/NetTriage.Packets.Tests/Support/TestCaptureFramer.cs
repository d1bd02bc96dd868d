using System.Buffers.Binary;

namespace NetTriage.Packets.Tests.Support;

/// <summary>
/// A minimal pcap / pcapng framer for tests only: yields (link type, frame bytes, original length) and
/// stops quietly at anything it does not understand. The product's reader lives in NetTriage.Capture.
/// </summary>
internal static class TestCaptureFramer
{
    public readonly record struct Frame(LinkType LinkType, ArraySegment<byte> Data, int OriginalLength);

    public static IEnumerable<Frame> Read(byte[] file)
    {
        if (file.Length < 24) yield break;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        if (magic == 0x0A0D0D0A)
        {
            foreach (var f in ReadPcapng(file)) yield return f;
            yield break;
        }
        bool little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        bool big = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        if (!little && !big) yield break;
        var linkType = (LinkType)(ushort)U32(file, 20, little);
        int offset = 24;
        while (offset + 16 <= file.Length)
        {
            int captured = (int)U32(file, offset + 8, little);
            int original = (int)U32(file, offset + 12, little);
            offset += 16;
            if (captured < 0 || captured > file.Length - offset) yield break;
            yield return new Frame(linkType, new ArraySegment<byte>(file, offset, captured), original);
            offset += captured;
        }
    }

    private static IEnumerable<Frame> ReadPcapng(byte[] file)
    {
        bool little = true;
        var interfaces = new List<LinkType>();
        int offset = 0;
        while (offset + 12 <= file.Length)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            if (type == 0x0A0D0D0A)
            {
                little = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8)) == 0x1A2B3C4D;
                interfaces.Clear();
            }
            else
            {
                type = U32(file, offset, little);
            }
            int length = (int)U32(file, offset + 4, little);
            if (length < 12 || length % 4 != 0 || length > file.Length - offset) yield break;
            switch (type)
            {
                case 1:   // interface description
                    interfaces.Add((LinkType)U16(file, offset + 8, little));
                    break;
                case 6:   // enhanced packet
                {
                    if (length < 32) yield break;
                    int iface = (int)U32(file, offset + 8, little);
                    int captured = (int)U32(file, offset + 20, little);
                    int original = (int)U32(file, offset + 24, little);
                    if (iface >= interfaces.Count || captured < 0 || captured > length - 32) yield break;
                    yield return new Frame(interfaces[iface], new ArraySegment<byte>(file, offset + 28, captured), original);
                    break;
                }
                case 3:   // simple packet
                {
                    if (interfaces.Count == 0 || length < 16) yield break;
                    int original = (int)U32(file, offset + 8, little);
                    int captured = Math.Min(original, length - 16);
                    yield return new Frame(interfaces[0], new ArraySegment<byte>(file, offset + 12, Math.Max(0, captured)), original);
                    break;
                }
                default:
                    break;
            }
            offset += length;
        }
    }

    private static uint U32(byte[] b, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(offset));

    private static ushort U16(byte[] b, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(offset)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(offset));
}
