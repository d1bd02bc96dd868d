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
    public int Retransmits, ZeroWindows;
    /// <summary>Packets whose TCP or UDP checksum was wrong (the history's C, scaled).</summary>
    public int Corrupt;
    /// <summary>Content gaps reported (the history's G, scaled), and up to where the peer's acknowledgments were checked for them.</summary>
    public int Gaps;
    public long GapReportedTo;
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
    /// <summary>The side sent a tunnel's datagram (a UDP tunnel's outer connection).</summary>
    Tunnel = 16,
}

/// <summary>
/// One connection as Zeek's conn.log sees it: the originator and responder (who sent first, flipped when the first
/// packet reads as the server's), counts and bytes per side, the TCP state machine and the history string. Kept until
/// it ends (closed and quiet, reset, or idle past its transport's timeout), then written and dropped.
/// </summary>
internal sealed class ZeekConnection
{
    public const int MaxHoles = 2;

    /// <summary>Its number in the order connections began: its uid is made from it when written.</summary>
    public long Serial;
    /// <summary>Where <see cref="FrameConnections"/> last stored its id (-1: not yet, since it began).</summary>
    public int FrameIdIndex = -1;
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
    /// <summary>The tunnels it came through (Zeek's tunnel_parents; two kept: a UDP tunnel's two directions); -1 for none.</summary>
    public long ParentA = -1, ParentB = -1;

    public void AddParent(long serial)
    {
        if (ParentA < 0) ParentA = serial;
        else if (ParentA != serial && ParentB < 0) ParentB = serial;
    }

    /// <summary>When it is queued to be checked for its end (capture time).</summary>
    public long DueAt;
    /// <summary>Written and dropped from the table.</summary>
    public bool Ended;
    /// <summary>The TCP states when its end was last computed (a change can bring the end sooner).</summary>
    public TcpEndpointState LastOrigState, LastRespState;
    /// <summary>The TCP connection was idle past its end before this packet: both sides closed (duration stops there).</summary>
    public bool BothClosed => Orig.FinOrReset && Resp.FinOrReset;
    /// <summary>A DNS message has been read on this connection (its service is dns, and its idle timeout DNS's).</summary>
    public bool DnsSeen;
    /// <summary>The first DNS message has been read: Zeek flips a connection whose first DNS message is an answer.</summary>
    public bool DnsStarted;
    /// <summary>DNS queries of this connection waiting for their answer.</summary>
    public List<ZeekDnsInfo>? PendingDns;
    /// <summary>TCP: the capture missed its start (Zeek's is_partial): the stream analyzers read nothing of it.</summary>
    public bool Partial;
    /// <summary>A malformed FTP reply came before any command: Zeek's DPD removed its FTP analyzer.</summary>
    public bool FtpRemoved;
    /// <summary>FTP: the code of a multi-line reply still going on (0: none); TLS started on the control connection.</summary>
    public ushort FtpPendingReply;
    public bool FtpTls;
    /// <summary>The SSH identification lines each side sent (their versions), and whether the key exchange ended.</summary>
    public SshMarks SshOrig, SshResp;
    public bool HasPendingDns => PendingDns is { Count: > 0 };
    private HistoryBuffer _history;
    private byte _historyLength;

    /// <summary>
    /// Clears it for reuse: ended connections go back to a pool, so a busy capture's connections (each lives seconds of
    /// capture time, long enough to reach the older generations of the heap) are not garbage to collect.
    /// </summary>
    public void Reset()
    {
        Serial = 0;
        Key = default;
        Protocol = 0;
        OrigHost = RespHost = default;
        OrigPort = RespPort = 0;
        FirstNanos = LastNanos = 0;
        Orig = default;
        Resp = default;
        OrigMac = RespMac = default;
        Vlan = InnerVlan = 0;
        Service = null;
        DueAt = 0;
        Ended = false;
        ParentA = ParentB = -1;
        LastOrigState = LastRespState = TcpEndpointState.Inactive;
        DnsSeen = DnsStarted = false;
        SshOrig = SshResp = SshMarks.None;
        Partial = false;
        FtpRemoved = false;
        FtpPendingReply = 0;
        FtpTls = false;
        PendingDns?.Clear();
        _historyLength = 0;
    }

    /// <summary>Adds a protocol to the service list once, in the order they were recognised (Zeek's "dns", "http,ssl").</summary>
    public void AddService(string name)
    {
        if (Service is null) Service = name;
        else if (!HasService(name)) Service = Service + "," + name;
    }

    /// <summary>Whether the service list names <paramref name="name"/> (every DNS message asks: no list is split for it).</summary>
    private bool HasService(string name)
    {
        foreach (var range in Service.AsSpan().Split(','))
        {
            if (Service.AsSpan(range).SequenceEqual(name)) return true;
        }
        return false;
    }

    /// <summary>Removes a protocol from the service list (Zeek's DPD removed its analyzer after a violation).</summary>
    public void RemoveService(string name)
    {
        if (Service is null) return;
        var kept = Service.Split(',').Where(s => s != name).ToArray();
        Service = kept.Length == 0 ? null : string.Join(',', kept);
    }

    /// <summary>The history letters (ASCII), oldest first.</summary>
    public ReadOnlySpan<byte> History => ((ReadOnlySpan<byte>)_history)[.._historyLength];

    public void AddHistory(char letter)
    {
        if (_historyLength == HistoryBuffer.Length) return;
        _history[_historyLength++] = (byte)letter;
    }

    /// <summary>A letter for a side: upper case for the originator, lower case for the responder.</summary>
    public void AddHistory(char upper, bool fromOrig) => AddHistory(fromOrig ? upper : char.ToLowerInvariant(upper));

    /// <summary>
    /// A letter Zeek gives logarithmically (C, G, T, W): at the 1st, 10th, 100th... occurrence, so a history shows the
    /// order of magnitude of how often it happened.
    /// </summary>
    public void AddCounted(char upper, bool fromOrig, ref int count)
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
        (SshOrig, SshResp) = (SshResp, SshOrig);
        for (int i = 0; i < _historyLength; i++)
        {
            char c = (char)_history[i];
            _history[i] = (byte)(char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : c);
        }
        AddHistory('^');
    }
}

/// <summary>
/// A connection's history letters, held inside the connection (no array of its own). Zeek's history has no limit, but
/// past 32 letters a connection is pathological (letters repeat only when their sequence number changes, or at 10, 100,
/// 1000 occurrences); the rest are dropped.
/// </summary>
[System.Runtime.CompilerServices.InlineArray(Length)]
internal struct HistoryBuffer
{
    public const int Length = 32;
    private byte _first;
}

/// <summary>
/// Uids in Zeek's form: "C" and two words (32 and 64 bits) in base 62, least significant digit first. The words are a
/// fixed mix of the connection's serial number, so the same capture gives the same uids on every run (Zeek's own uids
/// are random unless seeded) and no uid is held while a connection lives.
/// </summary>
internal static class ZeekUid
{
    private const ulong Seed = 0x9E3779B97F4A7C15;

    /// <summary>The longest uid: "C", then at most 6 base-62 digits for 32 bits and 11 for 64.</summary>
    public const int MaxLength = 18;

    /// <summary>Writes the uid of <paramref name="serial"/> (ASCII) into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(long serial, Span<byte> destination)
    {
        ulong high = Mix(Seed + ((ulong)serial * 2)) >> 32;
        ulong low = Mix(Seed + ((ulong)serial * 2) + 1);
        int n = 0;
        destination[n++] = (byte)'C';
        n += Base62(high, destination[n..]);
        n += Base62(low, destination[n..]);
        return n;
    }

    /// <summary>SplitMix64's finaliser: a bijective scramble of 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        z *= 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static int Base62(ulong value, Span<byte> destination)
    {
        ReadOnlySpan<byte> digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"u8;
        int n = 0;
        do
        {
            destination[n++] = digits[(int)(value % 62)];
            value /= 62;
        }
        while (value != 0);
        return n;
    }
}
