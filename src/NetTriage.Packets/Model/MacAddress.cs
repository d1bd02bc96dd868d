using System.Buffers.Binary;

namespace NetTriage.Packets;

/// <summary>A 48-bit MAC address held by value.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static MacAddress Read(ReadOnlySpan<byte> bytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    public bool IsBroadcast => Value == 0xFFFF_FFFF_FFFF;

    public override string ToString() => string.Create(17, Value, static (span, v) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(v >> (40 - (8 * i)));
            span[i * 3] = hex[b >> 4];
            span[(i * 3) + 1] = hex[b & 0xF];
            if (i < 5) span[(i * 3) + 2] = ':';
        }
    });
}
