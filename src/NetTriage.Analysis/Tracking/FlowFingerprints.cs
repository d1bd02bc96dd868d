using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// A set of 64-bit flow hashes in one flat array (open addressing, linear probing, at most half full), for the
/// detections that ask "was this flow seen?" once per packet. A <see cref="HashSet{T}"/> of the same hashes reads two
/// arrays a lookup (its buckets, then its entries) and holds twice the bytes; here a lookup is one read, most often
/// in one cache line. Zero marks an empty slot, so a hash of zero is kept as one (two flows whose hashes are 0 and 1
/// are one flow here, as two flows with one hash are anyway). Its memory is fixed when it is made, or, made to grow,
/// starts small and doubles as it fills (a short capture's few flows need no megabytes).
/// </summary>
internal sealed class FlowFingerprints
{
    private const int FirstSlots = 1024;
    private ulong[] _slots;
    private int _mask;
    private readonly int _maxSlots;

    /// <param name="capacity">The most hashes it will hold: the owner clears it (or starts another) at this count.</param>
    /// <param name="grow">Start small and grow to the capacity, rather than take it all at once.</param>
    public FlowFingerprints(int capacity, bool grow = false)
    {
        Capacity = capacity;
        _maxSlots = (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        _slots = new ulong[grow ? Math.Min(FirstSlots, _maxSlots) : _maxSlots];
        _mask = _slots.Length - 1;
    }

    public int Capacity { get; }
    public int Count { get; private set; }

    /// <summary>Adds the hash; false when it was there (or the set is at its capacity).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(ulong hash)
    {
        hash = hash == 0 ? 1 : hash;
        int i = Find(hash);
        if (_slots[i] == hash || Count >= Capacity) return false;
        if ((Count + 1) * 2 > _slots.Length)
        {
            Grow();
            i = Find(hash);
        }
        _slots[i] = hash;
        Count++;
        return true;
    }

    /// <summary>Doubles the slots (never past twice the capacity) and places every hash again.</summary>
    private void Grow()
    {
        if (_slots.Length >= _maxSlots) return;
        var old = _slots;
        _slots = new ulong[old.Length * 2];
        _mask = _slots.Length - 1;
        foreach (ulong hash in old)
        {
            if (hash != 0) _slots[Find(hash)] = hash;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(ulong hash)
    {
        hash = hash == 0 ? 1 : hash;
        return _slots[Find(hash)] == hash;
    }

    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
    }

    /// <summary>
    /// The slot that holds the hash, or the empty one where it would go. The hashes are already mixed (KeyHash): their
    /// two halves folded choose the first slot tried. The set is never more than half full, so an empty slot comes soon.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ulong hash)
    {
        int i = (int)((uint)(hash >> 32) ^ (uint)hash) & _mask;
        while (_slots[i] != hash && _slots[i] != 0) i = (i + 1) & _mask;
        return i;
    }
}
