namespace NetTriage.Packets.Formatting;

/// <summary>
/// tcpdump's relative sequence numbering (what it prints without -S): the first segment of a
/// connection that carries an ACK (normally the SYN-ACK) records, for each direction, the base from
/// which later numbers are counted, and is itself printed with absolute numbers. Any later segment with
/// SYN and ACK starts the connection over. Segments without ACK are printed absolute and touch nothing.
/// <para>
/// The base of the sending side is its sequence number; the base of the other side is the acknowledged
/// number minus one (its initial sequence number when the segment is the SYN-ACK), so the third packet of
/// a handshake prints <c>ack 1</c> and the first data byte is <c>seq 1</c>.
/// </para>
/// The table is bounded: past <see cref="Capacity"/> connections the oldest one is forgotten (first in,
/// first out); a forgotten connection starts over the next time it is seen, as with a capture that
/// began mid-stream.
/// </summary>
internal sealed class TcpSequenceTracker
{
    private readonly Dictionary<ConnectionKey, Bases> _connections = new();
    private readonly Queue<ConnectionKey> _insertionOrder = new();

    public TcpSequenceTracker(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _connections.Count;

    public void Clear()
    {
        _connections.Clear();
        _insertionOrder.Clear();
    }

    /// <summary>
    /// Turns the segment's numbers into the ones tcpdump prints. Call only for segments with ACK set.
    /// </summary>
    public void MakeRelative(
        IpAddr source, ushort sourcePort, IpAddr destination, ushort destinationPort,
        bool syn, ref uint sequence, ref uint acknowledgment)
    {
        // One entry per connection regardless of direction: the endpoint that sorts first is "low".
        int order = source.CompareTo(destination);
        bool sourceIsLow = order < 0 || (order == 0 && sourcePort <= destinationPort);
        var key = sourceIsLow
            ? new ConnectionKey(source, destination, sourcePort, destinationPort)
            : new ConnectionKey(destination, source, destinationPort, sourcePort);

        ref Bases bases = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_connections, key);
        bool known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref bases);
        if (known && !syn)
        {
            unchecked
            {
                sequence -= sourceIsLow ? bases.Low : bases.High;
                acknowledgment -= sourceIsLow ? bases.High : bases.Low;
            }
            return;
        }

        var fresh = sourceIsLow
            ? new Bases(sequence, unchecked(acknowledgment - 1))
            : new Bases(unchecked(acknowledgment - 1), sequence);
        if (known)
        {
            bases = fresh;
            return;
        }
        if (_connections.Count >= Capacity)
        {
            _connections.Remove(_insertionOrder.Dequeue());
        }
        _connections.Add(key, fresh);
        _insertionOrder.Enqueue(key);
    }

    private readonly record struct ConnectionKey(IpAddr LowAddress, IpAddr HighAddress, ushort LowPort, ushort HighPort);

    /// <summary>Sequence bases of the low and the high endpoint.</summary>
    private readonly record struct Bases(uint Low, uint High);
}
