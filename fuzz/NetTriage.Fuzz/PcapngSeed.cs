using System.Buffers.Binary;
using NetTriage.Packets;

namespace NetTriage.Fuzz;

/// <summary>Writes frames as pcapng (draft-ietf-opsawg-pcapng): section header, interface description, enhanced packet blocks.</summary>
internal static class PcapngSeed
{
    private const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescriptionType = 1;
    private const uint EnhancedPacketType = 6;
    private const ushort OptionEnd = 0;
    private const ushort IfTsResol = 9;
    private const ushort IfTsOffset = 14;

    /// <summary>
    /// The frames in <paramref name="sections"/> sections (the frames shared out among them), each with one Ethernet
    /// interface; with <paramref name="nanoseconds"/> the interface has if_tsresol 9 and an if_tsoffset of one second.
    /// </summary>
    public static byte[] Write(IReadOnlyList<(PacketTimestamp Time, byte[] Data, int OriginalLength)> frames, bool bigEndian, bool nanoseconds, int sections)
    {
        var output = new MemoryStream();
        int perSection = (frames.Count + sections - 1) / sections;
        for (int s = 0; s < sections; s++)
        {
            Block(output, bigEndian, SectionHeaderType, b =>
            {
                U32(b, bigEndian, ByteOrderMagic);
                U16(b, bigEndian, 1);
                U16(b, bigEndian, 0);
                U32(b, bigEndian, uint.MaxValue);            // section length -1: not given (section 4.1)
                U32(b, bigEndian, uint.MaxValue);
            });
            Block(output, bigEndian, InterfaceDescriptionType, b =>
            {
                U16(b, bigEndian, (ushort)LinkType.Ethernet);
                U16(b, bigEndian, 0);
                U32(b, bigEndian, 262_144);
                if (nanoseconds)
                {
                    U16(b, bigEndian, IfTsResol);
                    U16(b, bigEndian, 1);
                    b.Write([9, 0, 0, 0]);
                    U16(b, bigEndian, IfTsOffset);
                    U16(b, bigEndian, 8);
                    U64(b, bigEndian, 1);                    // if_tsoffset: seconds added to every time stamp
                    U16(b, bigEndian, OptionEnd);
                    U16(b, bigEndian, 0);
                }
            });
            foreach (var (time, data, original) in frames.Skip(s * perSection).Take(perSection))
            {
                ulong units = nanoseconds
                    ? (ulong)(time.Nanoseconds - PacketTimestamp.NanosPerSecond)
                    : (ulong)(time.Nanoseconds / 1000);
                Block(output, bigEndian, EnhancedPacketType, b =>
                {
                    U32(b, bigEndian, 0);
                    U32(b, bigEndian, (uint)(units >> 32));
                    U32(b, bigEndian, (uint)units);
                    U32(b, bigEndian, (uint)data.Length);
                    U32(b, bigEndian, (uint)original);
                    b.Write(data);
                    while (b.Length % 4 != 0) b.WriteByte(0);
                });
            }
        }
        return output.ToArray();
    }

    /// <summary>Type, total length, body, total length again (section 3.1).</summary>
    private static void Block(Stream output, bool bigEndian, uint type, Action<MemoryStream> body)
    {
        var b = new MemoryStream();
        body(b);
        uint total = (uint)(12 + b.Length);
        U32(output, bigEndian, type);
        U32(output, bigEndian, total);
        b.Position = 0;
        b.CopyTo(output);
        U32(output, bigEndian, total);
    }

    private static void U16(Stream s, bool bigEndian, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v);
        else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void U64(Stream s, bool bigEndian, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v);
        else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        s.Write(b);
    }

    private static void U32(Stream s, bool bigEndian, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v);
        else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }
}
