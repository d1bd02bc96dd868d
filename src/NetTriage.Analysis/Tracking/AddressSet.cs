using System.Numerics;
using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// An exact set of addresses that may grow to hundreds of thousands (the hosts a source swept): IPv4 addresses in
/// one flat array of 32-bit values (open addressing, linear probing, at most half full, doubling as it fills), IPv6
/// in a <see cref="HashSet{T}"/> made at the first. A <c>Dictionary&lt;IpAddr, byte&gt;</c> takes about 44 bytes an
/// address (a 40-byte entry and its bucket) and more while it grows; this takes 8 to 16. On 2 GB of browsing
/// traffic the sweeps' host tables were 7 MB of the heap.
/// </summary>
/// <remarks>Zero marks an empty slot, so 0.0.0.0 (a probe may go there) is held by a flag.</remarks>
internal sealed class AddressSet
{
    private const int FirstSlots = 8;
    private uint[] _v4 = [];
    /// <summary>32 minus the log2 of the slots: the multiplicative hash's top bits choose the slot.</summary>
    private int _shift;
    private int _v4Count;
    private bool _hasZero;
    private HashSet<IpAddr>? _other;

    public int Count => _v4Count + (_hasZero ? 1 : 0) + (_other?.Count ?? 0);

    /// <summary>Adds <paramref name="address"/>: true when it is new.</summary>
    public bool Add(IpAddr address)
    {
        if (!address.IsV4) return (_other ??= new HashSet<IpAddr>(IpAddrComparer.Instance)).Add(address);
        uint value = address.V4Value;
        if (value == 0)
        {
            bool added = !_hasZero;
            _hasZero = true;
            return added;
        }
        if ((_v4Count + 1) * 2 > _v4.Length) Grow();
        int i = Slot(value);
        if (_v4[i] == value) return false;
        _v4[i] = value;
        _v4Count++;
        return true;
    }

    public bool Contains(IpAddr address)
    {
        if (!address.IsV4) return _other?.Contains(address) ?? false;
        uint value = address.V4Value;
        if (value == 0) return _hasZero;
        return _v4.Length > 0 && _v4[Slot(value)] == value;
    }

    /// <summary>Every address, in no particular order (callers that show them sort them).</summary>
    public IEnumerable<IpAddr> All()
    {
        if (_hasZero) yield return IpAddr.FromV4(0);
        foreach (uint value in _v4)
        {
            if (value != 0) yield return IpAddr.FromV4(value);
        }
        if (_other is not null)
        {
            foreach (var address in _other) yield return address;
        }
    }

    private void Grow()
    {
        var old = _v4;
        _v4 = new uint[Math.Max(FirstSlots, old.Length * 2)];
        _shift = 32 - BitOperations.Log2((uint)_v4.Length);
        foreach (uint value in old)
        {
            if (value != 0) _v4[Slot(value)] = value;
        }
    }

    /// <summary>
    /// The slot holding <paramref name="value"/>, or the empty one where it goes. Addresses of one subnet differ in
    /// their low bits; Fibonacci hashing (the top bits of the value times 2^32 over the golden ratio) spreads them over
    /// the whole table. The table is never more than half full, so an empty slot comes soon.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(uint value)
    {
        var slots = _v4;
        int mask = slots.Length - 1;
        int i = (int)((value * 0x9E37_79B9u) >> _shift);
        while (slots[i] != 0 && slots[i] != value) i = (i + 1) & mask;
        return i;
    }
}
