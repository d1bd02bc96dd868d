using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>Where a packet is in the inputs, and when: enough to cite it as evidence.</summary>
/// <remarks>Packed on 4 bytes: 32 bytes rather than 40 (a connection holds three).</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
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

    public bool Equals(FlowKey other) =>
        SourcePort == other.SourcePort && DestinationPort == other.DestinationPort && Protocol == other.Protocol
        && Source == other.Source && Destination == other.Destination;

    /// <summary>Cheaper than the general combination of every field: the tables keyed by flows are looked up per packet.</summary>
    public override int GetHashCode() =>
        KeyHash.Finish((KeyHash.Of(Source) * 31 + KeyHash.Of(Destination)) ^ ((uint)SourcePort << 16 | DestinationPort) ^ Protocol);

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
internal readonly record struct DnsQuestionKey(IpAddr Client, IpAddr Server, ushort QType, string QName)
{
    public bool Equals(DnsQuestionKey other) =>
        QType == other.QType && Client == other.Client && Server == other.Server && string.Equals(QName, other.QName, StringComparison.Ordinal);

    public override int GetHashCode() =>
        KeyHash.Finish((KeyHash.Of(Client) * 31 + KeyHash.Of(Server)) ^ QType) ^ StringComparer.Ordinal.GetHashCode(QName);
}

/// <summary>A query as the answer must match it: both endpoints, both ports, and the id (RFC 5452 9.1).</summary>
internal readonly record struct DnsExchangeKey(IpAddr Client, ushort ClientPort, IpAddr Server, ushort ServerPort, ushort Id)
{
    public bool Equals(DnsExchangeKey other) =>
        Id == other.Id && ClientPort == other.ClientPort && ServerPort == other.ServerPort && Client == other.Client && Server == other.Server;

    public override int GetHashCode() =>
        KeyHash.Finish((KeyHash.Of(Client) * 31 + KeyHash.Of(Server)) ^ ((uint)ClientPort << 16 | ServerPort) ^ (Id * 0x9E37_79B9u));
}

/// <summary>Client to server on a port, without the client's port: what a text ICMP quote names.</summary>
internal readonly record struct ServiceKey(IpAddr Client, IpAddr Server, ushort ServerPort)
{
    public bool Equals(ServiceKey other) => ServerPort == other.ServerPort && Client == other.Client && Server == other.Server;

    public override int GetHashCode() => KeyHash.Finish((KeyHash.Of(Client) * 31 + KeyHash.Of(Server)) ^ ServerPort);
}

/// <summary>Hashing for the keys above: an IPv4 address mixed from its 32-bit value by a multiply and a rotation.</summary>
internal static class KeyHash
{
    public static uint Of(IpAddr a) => a.IsV4 ? BitOperations.RotateLeft(a.V4Value * 0x9E37_79B9u, 15) : (uint)a.GetHashCode();

    /// <summary>A TCP connection from the client's side, as 64 bits: each endpoint's address and port hashed into one half.</summary>
    public static ulong Connection(IpAddr client, ushort clientPort, IpAddr server, ushort serverPort) =>
        ((ulong)(uint)Finish(Of(client) ^ ((uint)clientPort << 16)) << 32) | (uint)Finish(Of(server) ^ ((uint)serverPort << 16));

    /// <summary>The finalizer of MurmurHash3's 32-bit variant (a shortened one: two rounds).</summary>
    public static int Finish(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EB_CA6B;
        return (int)(h ^ (h >> 13));
    }
}

/// <summary>Addresses compared and hashed as the tracker's keys are (<see cref="KeyHash"/>): cheaper than the default hash.</summary>
internal sealed class IpAddrComparer : IEqualityComparer<IpAddr>
{
    public static readonly IpAddrComparer Instance = new();

    public bool Equals(IpAddr x, IpAddr y) => x == y;

    public int GetHashCode(IpAddr a) => KeyHash.Finish(KeyHash.Of(a));
}

/// <summary>
/// Two addresses (a client and its server, a source and its destination) compared and hashed as the tracker's keys
/// are: the default tuple hashing combines each address's general hash, several times the cost a lookup.
/// </summary>
internal sealed class IpAddrPairComparer : IEqualityComparer<(IpAddr, IpAddr)>
{
    public static readonly IpAddrPairComparer Instance = new();

    public bool Equals((IpAddr, IpAddr) x, (IpAddr, IpAddr) y) => x.Item1 == y.Item1 && x.Item2 == y.Item2;

    public int GetHashCode((IpAddr, IpAddr) pair) => KeyHash.Finish(KeyHash.Of(pair.Item1) * 31 + KeyHash.Of(pair.Item2));
}
