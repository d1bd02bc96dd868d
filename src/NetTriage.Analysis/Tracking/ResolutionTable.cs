using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>Where a DNS answer is: what a statement about it cites.</summary>
internal readonly record struct AnswerRef(long Frame, PacketTimestamp Time);

/// <summary>A name a client resolved to an address: the name and the answer that gave it.</summary>
internal readonly record struct Resolution(string Name, AnswerRef Answer);

/// <summary>
/// The addresses clients got in DNS answers, by (client, address): the first answer that gave each, over the
/// last one to two generations (a client connects to what it resolved within moments; a failed connection looks
/// its answer up when it fails, so older answers can go and the table holds only recent ones). A pair of IPv4
/// addresses is held as one 64-bit key, so the common case costs 48 bytes a pair.
/// </summary>
internal sealed class ResolutionTable
{
    private Dictionary<ulong, Resolution> _v4 = [];
    private Dictionary<(IpAddr Client, IpAddr Address), Resolution> _other = [];
    private Dictionary<ulong, Resolution> _v4Before = [];
    private Dictionary<(IpAddr Client, IpAddr Address), Resolution> _otherBefore = [];

    public int Count => _v4.Count + _other.Count + _v4Before.Count + _otherBefore.Count;

    private static bool BothV4((IpAddr Client, IpAddr Address) key, out ulong packed)
    {
        packed = ((ulong)key.Client.V4Value << 32) | key.Address.V4Value;
        return key.Client.IsV4 && key.Address.IsV4;
    }

    public bool TryGetValue((IpAddr Client, IpAddr Address) key, out Resolution resolution) =>
        BothV4(key, out ulong packed)
            ? _v4.TryGetValue(packed, out resolution) || _v4Before.TryGetValue(packed, out resolution)
            : _other.TryGetValue(key, out resolution) || _otherBefore.TryGetValue(key, out resolution);

    public bool ContainsKey((IpAddr Client, IpAddr Address) key) => TryGetValue(key, out _);

    /// <summary>Adds the pair unless it is known (the first answer stays); true when added.</summary>
    public bool TryAdd((IpAddr Client, IpAddr Address) key, Resolution resolution)
    {
        if (ContainsKey(key)) return false;
        if (BothV4(key, out ulong packed)) _v4[packed] = resolution;
        else _other[key] = resolution;
        return true;
    }

    /// <summary>Starts a new generation: the one before is forgotten.</summary>
    public void Rotate()
    {
        (_v4Before, _v4) = (_v4, _v4Before);
        (_otherBefore, _other) = (_other, _otherBefore);
        _v4.Clear();
        _other.Clear();
    }

    public void Clear()
    {
        _v4 = [];
        _other = [];
        _v4Before = [];
        _otherBefore = [];
    }
}

/// <summary>
/// The names each client resolved successfully, and when last: (client, name) with the name interned, an IPv4
/// client held as its 32-bit value (40 bytes a pair).
/// </summary>
internal sealed class ResolvedNameTable
{
    private readonly Dictionary<(uint Client, string Name), PacketTimestamp> _v4 = [];
    private readonly Dictionary<(IpAddr Client, string Name), PacketTimestamp> _other = [];

    public int Count => _v4.Count + _other.Count;

    public bool TryGetValue(IpAddr client, string name, out PacketTimestamp when) =>
        client.IsV4 ? _v4.TryGetValue((client.V4Value, name), out when) : _other.TryGetValue((client, name), out when);

    /// <summary>Records that <paramref name="client"/> resolved <paramref name="name"/> at <paramref name="when"/>; a new pair only while <paramref name="admitNew"/>.</summary>
    public void Set(IpAddr client, string name, PacketTimestamp when, bool admitNew)
    {
        ref var slot = ref client.IsV4
            ? ref Slot(_v4, (client.V4Value, name), admitNew)
            : ref Slot(_other, (client, name), admitNew);
        if (!Unsafe.IsNullRef(ref slot)) slot = when;
    }

    private static ref PacketTimestamp Slot<TKey>(Dictionary<TKey, PacketTimestamp> table, TKey key, bool admitNew)
        where TKey : notnull =>
        ref admitNew ? ref CollectionsMarshal.GetValueRefOrAddDefault(table, key, out _) : ref CollectionsMarshal.GetValueRefOrNullRef(table, key);
}
