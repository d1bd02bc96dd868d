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
/// <para>
/// A set asked once a packet is kept at most half full, where a lookup ends after one or two slots. A set that holds
/// many and is asked seldom (once a DNS answer) may be made dense: three quarters full at most, 11 to 21 bytes a hash
/// rather than 16 to 32, for a few more slots read a lookup (about 8.5 for a hash that is not there, Knuth's
/// analysis of linear probing).
/// </para>
/// </summary>
internal sealed class FlowFingerprints
{
    private const int FirstSlots = 1024;
    private ulong[] _slots;
    private int _mask;
    private readonly int _maxSlots;
    private readonly bool _dense;

    /// <param name="capacity">The most hashes it will hold: the owner clears it (or starts another) at this count.</param>
    /// <param name="grow">Start small and grow to the capacity, rather than take it all at once.</param>
    /// <param name="dense">Fill up to three quarters of the slots rather than half.</param>
    public FlowFingerprints(int capacity, bool grow = false, bool dense = false)
    {
        Capacity = capacity;
        _dense = dense;
        _maxSlots = (int)BitOperations.RoundUpToPowerOf2(dense ? (uint)((capacity * 4L + 2) / 3) : (uint)capacity * 2);
        _slots = new ulong[grow ? Math.Min(FirstSlots, _maxSlots) : _maxSlots];
        _mask = _slots.Length - 1;
    }

    /// <summary>Whether one more hash would fill the slots past their load (a half, or three quarters when dense).</summary>
    private bool Full => _dense ? (Count + 1) * 4L > _slots.Length * 3L : (Count + 1) * 2L > _slots.Length;

    public int Capacity { get; }
    public int Count { get; private set; }

    /// <summary>Adds the hash; false when it was there (or the set is at its capacity).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(ulong hash)
    {
        hash = hash == 0 ? 1 : hash;
        int i = Find(hash);
        if (_slots[i] == hash || Count >= Capacity) return false;
        if (Full)
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
