using System.Buffers.Binary;

namespace NetTriage.Capture.Tests.Writers;

/// <summary>Appends integers in a chosen byte order: the base of the test capture builders.</summary>
internal sealed class ByteWriter
{
    private readonly List<byte> _bytes = [];

    public bool BigEndian { get; set; }

    public int Length => _bytes.Count;

    public void U8(byte value) => _bytes.Add(value);

    public void U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        _bytes.AddRange(b);
    }

    public void U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b);
    }

    public void U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, value);
        else BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.AddRange(b);
    }

    public void Bytes(ReadOnlySpan<byte> bytes) => _bytes.AddRange(bytes);

    /// <summary>Zero bytes up to the next multiple of four.</summary>
    public void PadTo4()
    {
        while ((_bytes.Count & 3) != 0) _bytes.Add(0);
    }

    public byte[] ToArray() => [.. _bytes];
}
