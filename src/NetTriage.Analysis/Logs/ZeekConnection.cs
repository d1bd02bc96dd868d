using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// A TCP endpoint's state as Zeek's TCP analyzer keeps it (the names of its TCP_ENDPOINT_* states): what decides the
/// connection's conn_state when it is logged.
/// </summary>
internal enum TcpEndpointState : byte
{
    Inactive,
    SynSent,
    SynAckSent,
    /// <summary>Traffic seen without its handshake (the capture started mid-connection).</summary>
    Partial,
    Established,
    Closed,
    Reset,
}

/// <summary>One side of a connection: its packets, bytes, TCP state and sequence space.</summary>
internal struct ZeekEndpoint
{
    public long Packets;
    /// <summary>Sum of the IP total lengths of its packets (Zeek's *_ip_bytes).</summary>
    public long IpBytes;
    /// <summary>Transport payload bytes (UDP, ICMP: Zeek's *_bytes; TCP uses the sequence space instead).</summary>
    public long PayloadBytes;

    public TcpEndpointState State;
    public TcpEndpointState PreviousState;
    public bool SeqKnown;
    /// <summary>The initial sequence number (the SYN's, or one before the first segment's when no SYN was seen).</summary>
    public uint StartSeq;
    /// <summary>Highest sequence end seen (seq + payload + SYN/FIN), relative to <see cref="StartSeq"/>, unwrapped.</summary>
    public long HighestEnd;
    /// <summary>Highest acknowledgment the peer sent for this side's data, relative to <see cref="StartSeq"/>; -1 when none.</summary>
    public long AckedByPeer;
    public bool FinSeen;
    /// <summary>This side closed (FIN) or reset: Zeek's did_close.</summary>
    public bool FinOrReset;
    public bool SynSeen;
    /// <summary>Bytes of this side's sequence space skipped (sent but never captured), as the holes left at the end.</summary>
    public long MissedBytes;
    /// <summary>Up to <see cref="ZeekConnection.MaxHoles"/> open holes (start, end), relative.</summary>
    public long Hole0Start, Hole0End, Hole1Start, Hole1End;
    public byte Holes;

    // History letters already given, and the sequence numbers of the repeatable ones (Zeek repeats S, H, F, R
    // when their sequence number differs from the last of the same kind).
    public long LastSynSeq, LastFinSeq, LastRstSeq;
    public bool SynLetter, FinLetter, RstLetter;
    public long Retransmits, ZeroWindows, Gaps;
    public HistoryFlags Once;
}

/// <summary>History letters given at most once per direction.</summary>
[Flags]
internal enum HistoryFlags : byte
{
    None = 0,
    Ack = 1,
    Data = 2,
    Inconsistent = 4,
    MultiFlag = 8,
}

/// <summary>
/// One connection as Zeek's conn.log sees it: the originator and responder (who sent first, flipped when the first
/// packet reads as the server's), counts and bytes per side, the TCP state machine and the history string. Kept until
/// it ends (closed and quiet, reset, or idle past its transport's timeout), then written and dropped.
/// </summary>
internal sealed class ZeekConnection
{
    public const int MaxHoles = 2;
    /// <summary>History letters kept (Zeek's own limit is the same order; a long history is a pathological connection).</summary>
    private const int MaxHistory = 64;

    public string Uid = "";
    /// <summary>The table key it is held under.</summary>
    public ZeekFlowKey Key;
    public byte Protocol;
    public IpAddr OrigHost, RespHost;
    public ushort OrigPort, RespPort;
    public long FirstNanos, LastNanos;
    public ZeekEndpoint Orig, Resp;
    public MacAddress OrigMac, RespMac;
    public ushort Vlan, InnerVlan;
    public string? Service;
    /// <summary>The TCP connection closed (FIN both ways) or was reset at this capture time; 0 while open.</summary>
    public long ClosedNanos;
    /// <summary>The TCP connection was idle past its end before this packet: both sides closed (duration stops there).</summary>
    public bool BothClosed => Orig.FinOrReset && Resp.FinOrReset;
    /// <summary>A DNS message has been read on this connection (its service is dns, and its idle timeout DNS's).</summary>
    public bool DnsSeen;
    /// <summary>The first DNS message has been read: Zeek flips a connection whose first DNS message is an answer.</summary>
    public bool DnsStarted;
    /// <summary>DNS queries of this connection waiting for their answer.</summary>
    public List<ZeekDnsInfo>? PendingDns;
    private char[] _history = new char[8];
    private int _historyLength;

    /// <summary>Adds a protocol to the service list once, in the order they were recognised (Zeek's "dns", "http,ssl").</summary>
    public void AddService(string name)
    {
        if (Service is null) Service = name;
        else if (!Service.Split(',').Contains(name)) Service = Service + "," + name;
    }

    public ReadOnlySpan<char> History => _history.AsSpan(0, _historyLength);

    public void AddHistory(char letter)
    {
        if (_historyLength == MaxHistory) return;
        if (_historyLength == _history.Length) Array.Resize(ref _history, Math.Min(MaxHistory, _history.Length * 2));
        _history[_historyLength++] = letter;
    }

    /// <summary>A letter for a side: upper case for the originator, lower case for the responder.</summary>
    public void AddHistory(char upper, bool fromOrig) => AddHistory(fromOrig ? upper : char.ToLowerInvariant(upper));

    /// <summary>
    /// A letter Zeek gives logarithmically (C, G, T, W): at the 1st, 10th, 100th... occurrence, so a history shows the
    /// order of magnitude of how often it happened.
    /// </summary>
    public void AddCounted(char upper, bool fromOrig, ref long count)
    {
        count++;
        long threshold = 1;
        while (threshold < count) threshold *= 10;
        if (threshold == count) AddHistory(upper, fromOrig);
    }

    /// <summary>Swaps originator and responder (Zeek's flip, shown as '^' in the history).</summary>
    public void Flip()
    {
        (OrigHost, RespHost) = (RespHost, OrigHost);
        (OrigPort, RespPort) = (RespPort, OrigPort);
        (Orig, Resp) = (Resp, Orig);
        (OrigMac, RespMac) = (RespMac, OrigMac);
        for (int i = 0; i < _historyLength; i++)
        {
            char c = _history[i];
            _history[i] = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.IsLower(c) ? char.ToUpperInvariant(c) : c;
        }
        AddHistory('^');
    }
}
