using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NetTriage.Packets.Ip;

/// <summary>
/// The Internet checksum (RFC 1071): the one's complement sum of 16-bit words. Verifying a header or a segment adds its
/// own checksum field in: the sum of correct data folds to 0xFFFF. Used only when the reader asks for checksums to be
/// verified (<see cref="DecodedPacket.VerifyChecksums"/>).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds the bytes to a running sum (32-bit words, big-endian; an odd last byte padded with zero).</summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum)
    {
        // The bulk eight bytes at a time: a one's complement sum does not depend on byte order (RFC 1071 2(B)), so the
        // little-endian words are summed as they are read, folded, and their sum's bytes swapped into the big-endian one.
        int whole = data.Length & ~7;
        if (whole > 0)
        {
            ulong bulk = 0;
            foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(data[..whole]))
            {
                bulk += (uint)word;
                bulk += word >> 32;
            }
            sum += BinaryPrimitives.ReverseEndianness(Fold(bulk));
            data = data[whole..];
        }
        int i = 0;
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        if (i + 2 <= data.Length)
        {
            sum += (ulong)BinaryPrimitives.ReadUInt16BigEndian(data[i..]) << 16;
            i += 2;
        }
        if (i < data.Length) sum += (ulong)data[i] << (i % 4 == 0 ? 24 : 8);
        return sum;
    }

    /// <summary>Folds a running sum to 16 bits.</summary>
    public static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>Whether data that holds its own checksum field sums to 0xFFFF (an IPv4 header).</summary>
    public static bool Verifies(ReadOnlySpan<byte> data) => Fold(Add(data, 0)) == 0xFFFF;

    /// <summary>
    /// Whether a TCP or UDP segment (its checksum field included) verifies with the pseudo-header of its IP header: the
    /// addresses, the protocol and the segment's length (RFC 9293 3.1, RFC 8200 8.1).
    /// </summary>
    public static bool VerifiesWithPseudoHeader(in IpInfo ip, byte protocol, ReadOnlySpan<byte> segment)
    {
        Span<byte> address = stackalloc byte[16];
        int length = ip.Source.IsV4 ? 4 : 16;
        ip.Source.WriteBytes(address);
        ulong sum = Add(address[..length], 0);
        ip.Destination.WriteBytes(address);
        sum = Add(address[..length], sum);
        sum += protocol;
        sum += (uint)segment.Length;
        return Fold(Add(segment, sum)) == 0xFFFF;
    }
}
