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
    private int _inlineCount;
    private ulong[]? _probed, _open, _closed;

    /// <summary>Distinct ports probed, answered open, answered closed (a port may answer both ways over time).</summary>
    public long Count { get; private set; }
    public long OpenCount { get; private set; }
    public long ClosedCount { get; private set; }
    /// <summary>Ports probed past the inline array when no wide set was left: <see cref="Count"/> is then a lower bound.</summary>
    public bool Overflowed { get; private set; }
    public readonly bool IsWide => _probed is not null;

    /// <summary>
    /// Adds a probed port; true when it is new. When the inline array is full, the set widens if
    /// <paramref name="wideBudget"/> allows (and spends one of it).
    /// </summary>
    public bool Add(ushort port, ref int wideBudget)
    {
        if (_probed is { } bits) return Counted(Set(bits, port));
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return false;
        }
        if (_inlineCount < InlinePorts)
        {
            _inline[_inlineCount++] = port;
            Count++;
            return true;
        }
        if (Overflowed || wideBudget <= 0)
        {
            Overflowed = true;
            return false;
        }
        wideBudget--;
        _probed = new ulong[Words];
        _open = new ulong[Words];
        _closed = new ulong[Words];
        for (int i = 0; i < _inlineCount; i++)
        {
            Mark(_probed, _inline[i]);
            if ((_inlineOpen & (1 << i)) != 0) Mark(_open, _inline[i]);
            if ((_inlineClosed & (1 << i)) != 0) Mark(_closed, _inline[i]);
        }
        return Counted(Set(_probed, port));
    }

    private bool Counted(bool added)
    {
        if (added) Count++;
        return added;
    }

    public bool Contains(ushort port)
    {
        if (_probed is { } bits) return (bits[port >> 6] & (1UL << (port & 63))) != 0;
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return true;
        }
        return false;
    }

    public bool IsOpen(ushort port)
    {
        if (_open is { } bits) return (bits[port >> 6] & (1UL << (port & 63))) != 0;
        int i = IndexOf(port);
        return i >= 0 && (_inlineOpen & (1 << i)) != 0;
    }

    public bool IsClosed(ushort port)
    {
        if (_closed is { } bits) return (bits[port >> 6] & (1UL << (port & 63))) != 0;
        int i = IndexOf(port);
        return i >= 0 && (_inlineClosed & (1 << i)) != 0;
    }

    /// <summary>An answer from the probed port: open (SYN-ACK, UDP data) or closed (RST, ICMP port unreachable). Ports never probed are ignored.</summary>
    public void Answer(ushort port, bool open)
    {
        if (_probed is { } probed)
        {
            if ((probed[port >> 6] & (1UL << (port & 63))) == 0) return;
            if (open && Set(_open!, port)) OpenCount++;
            else if (!open && Set(_closed!, port)) ClosedCount++;
            return;
        }
        int i = IndexOf(port);
        if (i < 0) return;
        byte bit = (byte)(1 << i);
        if (open && (_inlineOpen & bit) == 0)
        {
            _inlineOpen |= bit;
            OpenCount++;
        }
        else if (!open && (_inlineClosed & bit) == 0)
        {
            _inlineClosed |= bit;
            ClosedCount++;
        }
    }

    /// <summary>Ports probed that never answered open or closed.</summary>
    public long Silent
    {
        get
        {
            if (_probed is { } probed)
            {
                long n = 0;
                for (int w = 0; w < Words; w++) n += BitOperations.PopCount(probed[w] & ~(_open![w] | _closed![w]));
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
    public List<ushort> OpenPorts(int limit)
    {
        var ports = new List<ushort>();
        if (_open is { } open)
        {
            for (int p = 0; p < 65536 && ports.Count < limit; p++)
            {
                if ((open[p >> 6] & (1UL << (p & 63))) != 0) ports.Add((ushort)p);
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

    private int IndexOf(ushort port)
    {
        for (int i = 0; i < _inlineCount; i++)
        {
            if (_inline[i] == port) return i;
        }
        return -1;
    }

    private static void Mark(ulong[] bits, ushort port) => bits[port >> 6] |= 1UL << (port & 63);

    private static bool Set(ulong[] bits, ushort port)
    {
        ref ulong word = ref bits[port >> 6];
        ulong bit = 1UL << (port & 63);
        if ((word & bit) != 0) return false;
        word |= bit;
        return true;
    }
}
