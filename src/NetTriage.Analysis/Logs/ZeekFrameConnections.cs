namespace NetTriage.Analysis.Logs;

/// <summary>
/// The connection of each packet a finding may cite as evidence, by input and frame, so notice.log names the uid of a
/// finding's evidence. Packets come in the order read, so their (input, frame) keys come in increasing order: they are
/// appended to one array and found by binary search, 12 bytes a packet, and a connection's id (its uid serial and
/// 5-tuple, 48 bytes) is stored once for all its packets while it keeps its direction. As a dictionary of
/// (input, frame) to id this was about 80 bytes a packet, 8 MB at its 100,000 packets.
/// </summary>
internal sealed class FrameConnections
{
    /// <summary>A key's frame takes its low 48 bits, the input the bits above.</summary>
    private const int FrameBits = 48;

    private long[] _keys = [];
    private int[] _ids = [];
    private int _count;
    private readonly List<ZeekConnId> _connections = [];
    /// <summary>Keys that came out of order (none from the sources there are): kept aside, found first.</summary>
    private Dictionary<long, int>? _outOfOrder;

    public int Count => _count + (_outOfOrder?.Count ?? 0);

    /// <summary>Notes that frame <paramref name="frame"/> of input <paramref name="input"/> belongs to <paramref name="c"/> as it is now.</summary>
    public void Add(int input, long frame, ZeekConnection c)
    {
        if (input is < 0 or >= 1 << (62 - FrameBits) || frame is < 0 or >= 1L << FrameBits) return;
        long key = ((long)input << FrameBits) | frame;
        var id = new ZeekConnId(c.Serial, c.Protocol, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        // The connection's id as last stored, unless it has since turned round (or the connection object was reused).
        int index = c.FrameIdIndex;
        if (index < 0 || _connections[index] != id)
        {
            index = _connections.Count;
            _connections.Add(id);
            c.FrameIdIndex = index;
        }
        if (_count > 0 && key <= _keys[_count - 1])
        {
            // The same packet again (the last one noted wins, as in a dictionary), or one out of order.
            int at = Array.BinarySearch(_keys, 0, _count, key);
            if (at >= 0) _ids[at] = index;
            else (_outOfOrder ??= [])[key] = index;
            return;
        }
        if (_count == _keys.Length)
        {
            int size = Math.Max(1024, _keys.Length * 2);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _ids, size);
        }
        _keys[_count] = key;
        _ids[_count] = index;
        _count++;
    }

    /// <summary>The connection frame <paramref name="frame"/> of input <paramref name="input"/> belongs to, if noted.</summary>
    public ZeekConnId? Find(int input, long frame)
    {
        if (input is < 0 or >= 1 << (62 - FrameBits) || frame is < 0 or >= 1L << FrameBits) return null;
        long key = ((long)input << FrameBits) | frame;
        if (_outOfOrder is not null && _outOfOrder.TryGetValue(key, out int aside)) return _connections[aside];
        int at = Array.BinarySearch(_keys, 0, _count, key);
        return at >= 0 ? _connections[_ids[at]] : null;
    }
}
