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
/// The names each client resolved successfully, as 64-bit fingerprints of (client, name) in one dense flat set: 11 to
/// 21 bytes a pair and no reference to the name, so the table stays small for the whole capture (the NXDOMAIN rule
/// asks of any time, earlier or later). A <see cref="HashSet{T}"/> of the same fingerprints took 20 to 40 bytes a pair:
/// 15 MB at 10 GB of browsing traffic. The fingerprint is FNV-1a from a basis drawn at random per run, so input cannot
/// be made to collide on purpose; by chance, two pairs share one with a probability of about 10^-9 at a million pairs.
/// </summary>
internal sealed class ResolvedNameTable(int capacity)
{
    private static readonly ulong Basis = 14695981039346656037UL ^ (ulong)Random.Shared.NextInt64();
    private const ulong Prime = 1099511628211UL;

    private readonly FlowFingerprints _pairs = new(capacity, grow: true, dense: true);

    public int Count => _pairs.Count;

    public bool Contains(IpAddr client, string name) => _pairs.Contains(Fingerprint(client, name));

    /// <summary>Records that <paramref name="client"/> resolved <paramref name="name"/>: false when the pair is new and the table is full.</summary>
    public bool Add(IpAddr client, string name)
    {
        ulong fingerprint = Fingerprint(client, name);
        return _pairs.Contains(fingerprint) || _pairs.Add(fingerprint);
    }

    private static ulong Fingerprint(IpAddr client, string name)
    {
        Span<byte> address = stackalloc byte[16];
        client.WriteBytes(address);
        ulong h = Basis ^ client.Version;
        foreach (byte b in address[..(client.IsV4 ? 4 : 16)]) h = (h ^ b) * Prime;
        foreach (char c in name) h = (h ^ c) * Prime;
        return h;
    }
}
