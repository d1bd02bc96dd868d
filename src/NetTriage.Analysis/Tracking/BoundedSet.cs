using System.Collections;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Up to <see cref="Bound"/> distinct values, kept sorted in one array that grows by doubling to the bound: what the
/// trackers and sensors keep of a service's clients or a redirect's names (how many, whether one is among them, and
/// the values in order). A <see cref="HashSet{T}"/> of 64 addresses takes about 3.3 KB (89 entries of 32 bytes and
/// their buckets); this takes 1.5 KB when full and less until then. On 2 GB of browsing traffic, 2,500 sets of a
/// service's clients were 8 MB of the heap.
/// <para>
/// Adding is a binary search and, for a new value, a shift of the larger ones (at most <see cref="Bound"/> moves), so
/// the bound stays small: tens to a few hundred. Past the bound a value is not added and <see cref="Add"/> says so,
/// as the callers' own "count below the cap" checks did. Values enumerate in their natural order
/// (<see cref="Comparer{T}.Default"/>), the order <c>Order()</c> gives.
/// </para>
/// </summary>
internal sealed class BoundedSet<T>(int bound) : IEnumerable<T> where T : IComparable<T>
{
    private const int FirstHeld = 4;
    private T[] _values = [];

    /// <summary>Distinct values kept at most.</summary>
    public int Bound { get; } = bound > 0 ? bound : throw new ArgumentOutOfRangeException(nameof(bound));

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="value"/>: true when it is new and there was room for it.</summary>
    public bool Add(T value)
    {
        // A full set answers false whether or not it holds the value: no search (a busy service's clients fill it).
        if (Count >= Bound) return false;
        int at = Array.BinarySearch(_values, 0, Count, value);
        if (at >= 0) return false;
        at = ~at;
        if (Count == _values.Length) Array.Resize(ref _values, Math.Min(Bound, Math.Max(FirstHeld, _values.Length * 2)));
        Array.Copy(_values, at, _values, at + 1, Count - at);
        _values[at] = value;
        Count++;
        return true;
    }

    public bool Contains(T value) => Array.BinarySearch(_values, 0, Count, value) >= 0;

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return _values[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
