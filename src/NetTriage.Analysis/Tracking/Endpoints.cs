using System.Buffers.Binary;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>Where a packet is in the inputs, and when: enough to cite it as evidence.</summary>
internal readonly record struct PacketRef(int Input, long Frame, long Line, PacketTimestamp Time)
{
    public static PacketRef Of(DecodedPacket p, int input) => new(input, p.FrameNumber, p.LineNumber, p.Timestamp);
}

/// <summary>A transport flow in one direction: protocol, source and destination.</summary>
internal readonly record struct FlowKey(byte Protocol, IpAddr Source, ushort SourcePort, IpAddr Destination, ushort DestinationPort)
{
    /// <summary>The same flow whichever way a packet goes: the lower endpoint first.</summary>
    public FlowKey Canonical()
    {
        int c = Source.CompareTo(Destination);
        return c < 0 || (c == 0 && SourcePort <= DestinationPort)
            ? this
            : new FlowKey(Protocol, Destination, DestinationPort, Source, SourcePort);
    }

    public FlowKey Reverse() => new(Protocol, Destination, DestinationPort, Source, SourcePort);

    /// <summary>
    /// A 64-bit digest of the key, for the table that only counts distinct flows: eight bytes a flow instead of
    /// the whole key. Two flows collide with odds of about one in 2^64 a pair.
    /// </summary>
    public ulong Fingerprint()
    {
        ulong h = Mix(Protocol | ((ulong)SourcePort << 8) | ((ulong)DestinationPort << 24)
            | ((ulong)Source.Version << 40) | ((ulong)Destination.Version << 48));
        h = Add(h, Source);
        return Add(h, Destination);
    }

    private static ulong Add(ulong h, IpAddr address)
    {
        if (address.Version != 6) return Mix(h ^ (address.V4Value * 0x9E37_79B9_7F4A_7C15UL));
        Span<byte> bytes = stackalloc byte[16];
        address.WriteBytes(bytes);
        h = Mix(h ^ BinaryPrimitives.ReadUInt64BigEndian(bytes));
        return Mix(h ^ BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>The 64-bit finalizer of MurmurHash3: every input bit affects every output bit.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51_AFD7_ED55_8CCDUL;
        x ^= x >> 33;
        x *= 0xC4CE_B9FE_1A85_EC53UL;
        return x ^ (x >> 33);
    }
}

/// <summary>A client's question to a server, whatever source port it used.</summary>
internal readonly record struct DnsQuestionKey(IpAddr Client, IpAddr Server, ushort QType, string QName);

/// <summary>A query as the answer must match it: both endpoints, both ports, and the id (RFC 5452 9.1).</summary>
internal readonly record struct DnsExchangeKey(IpAddr Client, ushort ClientPort, IpAddr Server, ushort ServerPort, ushort Id);

/// <summary>Client to server on a port, without the client's port: what a text ICMP quote names.</summary>
internal readonly record struct ServiceKey(IpAddr Client, IpAddr Server, ushort ServerPort);
