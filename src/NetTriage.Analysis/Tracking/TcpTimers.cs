using System.Diagnostics;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// A timing wheel of one-second slots for the connections' deadlines: a connection is looked at when its
/// deadline comes, not at every sweep. A deadline moves on with every packet; the wheel is not told, but a
/// connection found not yet due is put back at its new deadline. A connection that ends takes its entry out
/// (the lists are doubly linked), so the wheel holds one entry per tracked connection, never more than the
/// table's cap, however many connections come and go within a timeout. Entries live in one array with
/// free-list reuse: nothing is allocated once it is large enough.
/// </summary>
internal sealed class TcpTimers
{
    private const int Slots = 1024;
    private struct Entry
    {
        public TcpConnection? Conn;
        public int Generation;
        public int Next;
        public int Prev;
        /// <summary>The slot of the wheel whose list holds the entry.</summary>
        public int Wheel;
    }

    private readonly int[] _heads = CreateHeads();
    private Entry[] _entries = new Entry[256];
    private int _used;
    private int _free = -1;
    /// <summary>The next second to look at; the wheel covers it and the <see cref="Slots"/> - 1 after it.</summary>
    private long _next = long.MinValue;

    private static int[] CreateHeads()
    {
        var heads = new int[Slots];
        Array.Fill(heads, -1);
        return heads;
    }

    private static long Second(long nanoseconds) => Math.DivRem(nanoseconds, PacketTimestamp.NanosPerSecond, out long rem) - (rem < 0 ? 1 : 0);

    public void Schedule(TcpConnection conn, long deadline, PacketTimestamp now)
    {
        if (_next == long.MinValue) _next = Second(now.Nanoseconds);
        int slot;
        if (_free >= 0)
        {
            slot = _free;
            _free = _entries[slot].Next;
        }
        else
        {
            if (_used == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
            slot = _used++;
        }
        _entries[slot].Conn = conn;
        _entries[slot].Generation = conn.Generation;
        conn.TimerSlot = slot;
        Link(slot, deadline);
    }

    private void Link(int slot, long deadline)
    {
        long second = Math.Clamp(Second(deadline), _next, _next + Slots - 1);
        int wheel = (int)(((second % Slots) + Slots) % Slots);
        int head = _heads[wheel];
        _entries[slot].Next = head;
        _entries[slot].Prev = -1;
        _entries[slot].Wheel = wheel;
        if (head >= 0) _entries[head].Prev = slot;
        _heads[wheel] = slot;
    }

    /// <summary>Takes out the entry of a connection that ended.</summary>
    public void Cancel(TcpConnection conn)
    {
        int slot = conn.TimerSlot;
        conn.TimerSlot = -1;
        if (slot < 0 || slot >= _used || !ReferenceEquals(_entries[slot].Conn, conn) || _entries[slot].Generation != conn.Generation) return;
        ref var entry = ref _entries[slot];
        if (entry.Prev >= 0) _entries[entry.Prev].Next = entry.Next;
        else _heads[entry.Wheel] = entry.Next;
        if (entry.Next >= 0) _entries[entry.Next].Prev = entry.Prev;
        Free(slot);
    }

    /// <summary>Looks at every connection whose slot's second has passed: due ones go to the tracker's list to close, the others move on.</summary>
    public void Due(PacketTimestamp now, TcpTracker tracker, List<KeyValuePair<FlowKey, TcpConnection>> expiring)
    {
        if (_next == long.MinValue) return;
        long last = Second(now.Nanoseconds) - 1;
        if (last < _next) return;
        long first = last - _next >= Slots ? last - Slots + 1 : _next;
        _next = last + 1;
        for (long second = first; second <= last; second++)
        {
            int wheel = (int)(((second % Slots) + Slots) % Slots);
            int slot = _heads[wheel];
            _heads[wheel] = -1;
            while (slot >= 0)
            {
                int next = _entries[slot].Next;
                var conn = _entries[slot].Conn!;
                if (conn.Generation != _entries[slot].Generation || conn.Finished)
                {
                    Free(slot);
                }
                else
                {
                    long deadline = conn.Last.Time.Nanoseconds + tracker.Timeout(conn).Ticks * 100;
                    if (now.Nanoseconds > deadline)
                    {
                        var key = new FlowKey(IpProtocol.Tcp, conn.Client, conn.ClientPort, conn.Server, conn.ServerPort).Canonical();
                        expiring.Add(new KeyValuePair<FlowKey, TcpConnection>(key, conn));
                        conn.TimerSlot = -1;
                        Free(slot);
                    }
                    else
                    {
                        Link(slot, deadline);
                    }
                }
                slot = next;
            }
        }
    }

    /// <summary>Number of entries in the wheel (for tests).</summary>
    public int Count => _used - FreeCount();

    private int FreeCount()
    {
        int n = 0;
        for (int slot = _free; slot >= 0; slot = _entries[slot].Next) n++;
        return n;
    }

    private void Free(int slot)
    {
        _entries[slot].Conn = null;
        _entries[slot].Next = _free;
        _free = slot;
    }

    /// <summary>
    /// Starts the wheel again at the next connection's time, for a clock that went back (it holds no connection then:
    /// all were closed). Deadlines before the second the wheel is at would otherwise wait in its first slot until the
    /// clock came back to that second.
    /// </summary>
    public void Restart()
    {
        Debug.Assert(Count == 0, "the wheel restarts empty");
        _next = long.MinValue;
    }

    /// <summary>Forgets everything (after the end).</summary>
    public void Clear()
    {
        Array.Fill(_heads, -1);
        _entries = new Entry[256];
        _used = 0;
        _free = -1;
        _next = long.MinValue;
    }
}
