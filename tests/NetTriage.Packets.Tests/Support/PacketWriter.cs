using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace NetTriage.Packets.Tests.Support;

/// <summary>
/// Builds packets for tests, field by field in network order. Checksums are left zero (the decoders do not
/// verify them). Lengths are computed unless a test overrides them to make a malformed packet.
/// </summary>
internal static class PacketWriter
{
    public static readonly byte[] MacA = [0x00, 0x0c, 0x29, 0x11, 0x22, 0x33];
    public static readonly byte[] MacB = [0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc];

    public static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }
        return result;
    }

    public static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
    public static byte[] U32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
    public static byte[] Address(string address) => IPAddress.Parse(address).GetAddressBytes();

    public static byte[] Ethernet(ushort etherType, byte[] payload) =>
        Concat(MacB /* destination */, MacA /* source */, U16(etherType), payload);

    /// <summary>An IPv4 header (RFC 791) with the given options (padded to 32 bits) and payload.</summary>
    public static byte[] Ipv4(string source, string destination, byte protocol, byte[] payload,
        ushort id = 0x1234, byte ttl = 64, bool dontFragment = false, bool moreFragments = false, int fragmentOffset = 0,
        byte[]? options = null, int? totalLength = null, int? headerLength = null, byte version = 4)
    {
        options ??= [];
        int optionBytes = (options.Length + 3) / 4 * 4;
        int ihl = headerLength ?? (20 + optionBytes);
        int flags = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffset / 8);
        var header = Concat(
            [(byte)((version << 4) | (ihl / 4) & 0x0F), 0x00],   // version, IHL; TOS
            U16(totalLength ?? (20 + optionBytes + payload.Length)),
            U16(id),
            U16(flags),
            [ttl, protocol],
            U16(0),                                            // header checksum
            Address(source),
            Address(destination),
            options,
            new byte[optionBytes - options.Length]);           // padding
        return Concat(header, payload);
    }

    /// <summary>An IPv6 header (RFC 8200 3) followed by <paramref name="payload"/> (extension headers included).</summary>
    public static byte[] Ipv6(string source, string destination, byte nextHeader, byte[] payload, int? payloadLength = null, byte hopLimit = 64) =>
        Concat(
            [0x60, 0x00, 0x00, 0x00],                          // version 6, traffic class 0, flow label 0
            U16(payloadLength ?? payload.Length),
            [nextHeader, hopLimit],
            Address(source),
            Address(destination),
            payload);

    /// <summary>A generic extension header (RFC 8200 4.3/4.6) of 8 * (1 + hdrExtLen) bytes, options padded with PadN.</summary>
    public static byte[] ExtensionHeader(byte nextHeader, int hdrExtLen = 0)
    {
        int length = (hdrExtLen + 1) * 8;
        var bytes = new byte[length];
        bytes[0] = nextHeader;
        bytes[1] = (byte)hdrExtLen;
        bytes[2] = 0x01;                                       // PadN
        bytes[3] = (byte)(length - 4);
        return bytes;
    }

    /// <summary>A fragment header (RFC 8200 4.5).</summary>
    public static byte[] FragmentHeader(byte nextHeader, int offset, bool more, uint id = 0xdeadbeef) =>
        Concat([nextHeader, 0x00], U16(offset | (more ? 1 : 0)), U32(id));

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[] payload, int? length = null) =>
        Concat(U16(sourcePort), U16(destinationPort), U16(length ?? (8 + payload.Length)), U16(0), payload);

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, TcpFlags flags,
        byte[]? options = null, byte[]? payload = null, ushort window = 64240, int? dataOffsetWords = null)
    {
        options ??= [];
        payload ??= [];
        int optionBytes = (options.Length + 3) / 4 * 4;
        int words = dataOffsetWords ?? ((20 + optionBytes) / 4);
        return Concat(
            U16(sourcePort), U16(destinationPort), U32(sequence), U32(acknowledgment),
            [(byte)((words << 4) | (((int)flags >> 8) & 1)), (byte)flags],
            U16(window), U16(0) /* checksum */, U16(0) /* urgent */,
            options, new byte[optionBytes - options.Length],
            payload);
    }

    /// <summary>A domain name in wire format (RFC 1035 3.1), uncompressed.</summary>
    public static byte[] Name(string name)
    {
        var result = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            result.Add((byte)label.Length);
            result.AddRange(Encoding.ASCII.GetBytes(label));
        }
        result.Add(0);
        return [.. result];
    }

    public static byte[] DnsHeader(ushort id, ushort flags, int qd, int an, int ns, int ar) =>
        Concat(U16(id), U16(flags), U16(qd), U16(an), U16(ns), U16(ar));

    public static byte[] Question(string name, ushort type, ushort @class = 1) => Concat(Name(name), U16(type), U16(@class));

    public static byte[] Record(byte[] ownerWire, ushort type, ushort @class, uint ttl, byte[] data) =>
        Concat(ownerWire, U16(type), U16(@class), U32(ttl), U16(data.Length), data);

    /// <summary>A recursive query with one question (RFC 1035 4.1).</summary>
    public static byte[] DnsQuery(ushort id, string name, ushort type = 1) =>
        Concat(DnsHeader(id, 0x0100, 1, 0, 0, 0), Question(name, type));

    public static byte[] Icmp(byte type, byte code, byte[] rest, byte[] body) =>
        Concat([type, code], U16(0), rest, body);
}
