using System.Text;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// Interns the names the tracker keeps (DNS question names): a name seen again is found by its bytes and the
/// same string is returned, so a query allocates nothing once its name is known. The table is bounded: when it
/// is full it starts afresh (strings already handed out stay valid; they are only no longer shared).
/// </summary>
internal sealed class NameTable
{
    /// <summary>Names longer than this (escaped presentation form) are not interned.</summary>
    private const int MaxInternedLength = 1024;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _capacity;

    public NameTable(int capacity)
    {
        _capacity = capacity;
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _names.Count;

    /// <summary>Forgets every name (the strings handed out stay valid) and gives back the table's memory.</summary>
    public void Clear()
    {
        _names.Clear();
        _names.TrimExcess();
    }

    /// <summary>The string of <paramref name="latin1"/> (one char per byte, as <c>PacketText</c> stores text).</summary>
    public string Get(ReadOnlySpan<byte> latin1)
    {
        if (latin1.IsEmpty) return string.Empty;
        if (latin1.Length > MaxInternedLength) return Encoding.Latin1.GetString(latin1);
        Span<char> chars = stackalloc char[latin1.Length];
        Widen(latin1, chars);
        if (_lookup.TryGetValue(chars, out var name)) return name;
        if (_names.Count >= _capacity) _names.Clear();
        name = new string(chars);
        _names.Add(name, name);
        return name;
    }

    /// <summary>Whether <paramref name="latin1"/> spells <paramref name="name"/>, ignoring case as <see cref="StringComparison.OrdinalIgnoreCase"/> does.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> latin1, string name)
    {
        if (latin1.Length != name.Length) return false;
        if (latin1.Length > MaxInternedLength) return string.Equals(Encoding.Latin1.GetString(latin1), name, StringComparison.OrdinalIgnoreCase);
        Span<char> chars = stackalloc char[latin1.Length];
        Widen(latin1, chars);
        return MemoryExtensions.Equals(chars, name, StringComparison.OrdinalIgnoreCase);
    }

    private static void Widen(ReadOnlySpan<byte> latin1, Span<char> chars) => Encoding.Latin1.GetChars(latin1, chars);
}
