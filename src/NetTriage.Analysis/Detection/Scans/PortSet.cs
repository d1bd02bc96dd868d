using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetTriage.Analysis.Detection.Scans;

/// <summary>
/// The distinct ports one source probed on one host, and which of them answered open or closed: exact. The first
/// <see cref="InlinePorts"/> ports live in a small array (every ordinary client-server pair stays there); a pair
/// that goes past them gets three 8 KiB bitmaps of the whole port space, while the detector's budget of wide sets
/// lasts, and counts only "at least" after that.
/// </summary>
/// <remarks>A struct held in its pair's record (never copied: fields, not properties), the inline ports in place: a
/// probe costs the pair's lookup and nothing more in ordinary traffic.</remarks>
internal struct PortSet
{
    public const int InlinePorts = 8;
    private const int Words = 65536 / 64;

    [InlineArray(InlinePorts)]
    private struct InlineSlots
    {
        private ushort _first;
    }

    private InlineSlots _inline;
    private byte _inlineOpen, _inlineClosed;
    private byte _inlineCount;
    /// <summary>Ports never go past 65,536: 32-bit counts (the struct is held by every pair a sensor follows).</summary>
    private int _count, _openCount, _closedCount;
    /// <summary>The wide set: three bitmaps of the port space in one array (probed, open, closed), one object a pair.</summary>
    private ulong[]? _wide;

    /// <summary>Distinct ports probed, answered open, answered closed (a port may answer both ways over time).</summary>
    public readonly long Count => _count;
    public readonly long OpenCount => _openCount;
    public readonly long ClosedCount => _closedCount;
    /// <summary>Ports probed past the inline array when no wide set was left: <see cref="Count"/> is then a lower bound.</summary>
    public bool Overflowed { readonly get; private set; }
    public readonly bool IsWide => _wide is not null;

    private readonly Span<ulong> Probed => _wide.AsSpan(0, Words);
    private readonly Span<ulong> OpenBits => _wide.AsSpan(Words, Words);
    private readonly Span<ulong> ClosedBits => _wide.AsSpan(2 * Words, Words);

    /// <summary>
    /// Adds a probed port; true when it is new. When the inline array is full, the set widens if
    /// <paramref name="wideBudget"/> allows (and spends one of it).
    /// </summary>
    public bool Add(ushort port, ref int wideBudget)
    {
        if (_wide is not null) return Counted(Set(Probed, port));
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return false;
        }
        if (_inlineCount < InlinePorts)
        {
            _inline[_inlineCount++] = port;
            _count++;
            return true;
        }
        if (Overflowed || wideBudget <= 0)
        {
            Overflowed = true;
            return false;
        }
        wideBudget--;
        _wide = new ulong[3 * Words];
        for (int i = 0; i < _inlineCount; i++)
        {
            Set(Probed, _inline[i]);
            if ((_inlineOpen & (1 << i)) != 0) Set(OpenBits, _inline[i]);
            if ((_inlineClosed & (1 << i)) != 0) Set(ClosedBits, _inline[i]);
        }
        return Counted(Set(Probed, port));
    }

    private bool Counted(bool added)
    {
        if (added) _count++;
        return added;
    }

    public readonly bool Contains(ushort port)
    {
        if (_wide is not null) return IsSet(Probed, port);
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return true;
        }
        return false;
    }

    public readonly bool IsOpen(ushort port)
    {
        if (_wide is not null) return IsSet(OpenBits, port);
        int i = IndexOf(port);
        return i >= 0 && (_inlineOpen & (1 << i)) != 0;
    }

    public readonly bool IsClosed(ushort port)
    {
        if (_wide is not null) return IsSet(ClosedBits, port);
        int i = IndexOf(port);
        return i >= 0 && (_inlineClosed & (1 << i)) != 0;
    }

    /// <summary>An answer from the probed port: open (SYN-ACK, UDP data) or closed (RST, ICMP port unreachable). Ports never probed are ignored.</summary>
    public void Answer(ushort port, bool open)
    {
        if (_wide is not null)
        {
            if (!IsSet(Probed, port)) return;
            if (open && Set(OpenBits, port)) _openCount++;
            else if (!open && Set(ClosedBits, port)) _closedCount++;
            return;
        }
        int i = IndexOf(port);
        if (i < 0) return;
        byte bit = (byte)(1 << i);
        if (open && (_inlineOpen & bit) == 0)
        {
            _inlineOpen |= bit;
            _openCount++;
        }
        else if (!open && (_inlineClosed & bit) == 0)
        {
            _inlineClosed |= bit;
            _closedCount++;
        }
    }

    /// <summary>Ports probed that never answered open or closed.</summary>
    public readonly long Silent
    {
        get
        {
            if (_wide is not null)
            {
                Span<ulong> probed = Probed, open = OpenBits, closed = ClosedBits;
                long n = 0;
                for (int w = 0; w < Words; w++) n += BitOperations.PopCount(probed[w] & ~(open[w] | closed[w]));
                return n;
            }
            long silent = 0;
            for (int i = 0; i < _inlineCount; i++)
            {
                if (((_inlineOpen | _inlineClosed) & (1 << i)) == 0) silent++;
            }
            return silent;
        }
    }

    /// <summary>The open ports, lowest first, at most <paramref name="limit"/>.</summary>
    public readonly List<ushort> OpenPorts(int limit)
    {
        var ports = new List<ushort>();
        if (_wide is not null)
        {
            var open = OpenBits;
            for (int p = 0; p < 65536 && ports.Count < limit; p++)
            {
                if (IsSet(open, (ushort)p)) ports.Add((ushort)p);
            }
            return ports;
        }
        for (int i = 0; i < _inlineCount; i++)
        {
            if ((_inlineOpen & (1 << i)) != 0) ports.Add(_inline[i]);
        }
        ports.Sort();
        return ports.Count > limit ? ports[..limit] : ports;
    }

    private readonly int IndexOf(ushort port)
    {
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return i;
        }
        return -1;
    }

    private static bool IsSet(Span<ulong> bits, ushort port) => (bits[port >> 6] & (1UL << (port & 63))) != 0;

    /// <summary>Marks the port; true when it was not marked.</summary>
    private static bool Set(Span<ulong> bits, ushort port)
    {
        ref ulong word = ref bits[port >> 6];
        ulong bit = 1UL << (port & 63);
        if ((word & bit) != 0) return false;
        word |= bit;
        return true;
    }
}
