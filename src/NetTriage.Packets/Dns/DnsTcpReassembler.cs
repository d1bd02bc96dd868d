using System.Buffers.Binary;

namespace NetTriage.Packets.Dns;

/// <summary>
/// Reads DNS over TCP by following each direction of each connection on the DNS port (RFC 1035 4.2.2, RFC 7766 8). A
/// sender may write the two-byte length prefix and the message with separate writes (so the prefix travels alone), split
/// a message anywhere, or send several messages in one segment (RFC 7766 6.2.1.1, pipelining). Each message is read once,
/// on the segment that completes it (or, for a long one, that brings its first <see cref="MaxKept"/> bytes); the pieces
/// before that carry no message of their own, and the messages after the first in a segment go to
/// <see cref="DecodedPacket.MoreDns"/>. tcpdump reads each segment alone; `show` does too (it does not ask for this).
/// <para>
/// How much of a message is kept: what the analysis takes from a message is its header (id, flags, rcode, counts), its
/// question and the records of its answer section (the addresses a name resolved to); all of them lead the message. So a
/// message split over segments is copied only up to its first <see cref="MaxKept"/> bytes, which hold a UDP-sized answer
/// whole (EDNS's common 4,096-byte buffer); the rest of a longer one (a zone transfer, a key set) is passed over by its
/// length, as a message of its own is never read further than 64 records anyway. A message whole in one segment, or one
/// whose segment already holds that many of its bytes, is read where it lies, without a copy.
/// </para>
/// <para>
/// Bounds, whatever the input: state exists only for a direction whose last segment ended inside a prefix or a message
/// (segments that carry whole messages leave none); at most <see cref="MaxStreams"/> directions at once (the one quiet
/// longest gives way), each forgotten <see cref="TimeoutNanos"/> after its last segment, each with one buffer of
/// <see cref="MaxKept"/> bytes. So at most about 1 MiB, however many connections declare long messages and never send
/// them. Nothing is allocated per segment once the streams in use have their buffers. A segment out of order or after a
/// gap cannot be placed in the message: the rest of that message is passed over by its length (what was kept is read
/// then), or, when where the next message starts is lost, the segment is read from its start as a new one.
/// </para>
/// </summary>
public sealed class DnsTcpReassembler
{
    /// <summary>Directions with a message (or a prefix) in progress at once.</summary>
    public const int MaxStreams = 256;
    /// <summary>Bytes of a split message kept to read it.</summary>
    public const int MaxKept = 4096;
    /// <summary>How long a message in progress waits for its next segment (as long as an IP datagram for its fragments).</summary>
    public const long TimeoutNanos = 30 * PacketTimestamp.NanosPerSecond;

    private readonly Dictionary<StreamKey, Stream> _streams = [];
    private readonly Stack<Stream> _free = new();
    private long _nextExpiry = long.MinValue;

    /// <summary>Messages read by following the connection: split over segments, or sharing one with another.</summary>
    public long Followed { get; private set; }
    /// <summary>Messages in progress given up unread: their direction went quiet too long or gave way to others.</summary>
    public long Abandoned { get; private set; }
    /// <summary>Messages not read because their segment completed more than <see cref="DecodedPacket.MaxMoreDns"/> others before them.</summary>
    public long Skipped { get; private set; }
    /// <summary>Directions with a message in progress now.</summary>
    public int InProgress => _streams.Count;

    private readonly record struct StreamKey(IpAddr Source, IpAddr Destination, ushort SourcePort, ushort DestinationPort);

    /// <summary>One direction of a connection, inside a prefix or a message.</summary>
    private sealed class Stream
    {
        /// <summary>Sequence numbers: the first byte followed (bytes before it are not this stream's to pass over) and the next one expected.</summary>
        public uint First, Next;
        /// <summary>Bytes of the current message's prefix seen (0, 1 or 2), the first of them, and the length it declares.</summary>
        public int PrefixSeen;
        public byte PrefixHigh;
        public int Declared;
        /// <summary>Bytes of the message passed so far, and of them kept from its start (the same until it is read).</summary>
        public int Done;
        public int KeptCount;
        public byte[]? Kept;
        /// <summary>The message was read (or can no longer be): its other bytes are only passed over.</summary>
        public bool Read;
        public long LastNanos;
    }

    /// <summary>
    /// Reads the TCP segment whose payload is <paramref name="payload"/> (the bytes captured) of
    /// <paramref name="claimedLength"/> bytes on the wire, into <paramref name="packet"/>.
    /// </summary>
    internal void Segment(ReadOnlySpan<byte> payload, int claimedLength, DecodedPacket packet)
    {
        long now = packet.Timestamp.Nanoseconds;
        if (now >= _nextExpiry)
        {
            Expire(now);
            _nextExpiry = now + PacketTimestamp.NanosPerSecond;
        }
        if (payload.Length > claimedLength) payload = payload[..claimedLength];
        var flags = packet.Tcp.Flags;
        // A SYN's data (TCP Fast Open, which RFC 7766 3 recommends) follows the sequence number the SYN takes.
        uint sequence = packet.Tcp.Sequence + ((flags & TcpFlags.Syn) != 0 ? 1u : 0u);
        var key = new StreamKey(packet.Ip.Source, packet.Ip.Destination, packet.SourcePort, packet.DestinationPort);
        int read = 0;
        int from = 0;
        if (_streams.TryGetValue(key, out var s))
        {
            int ahead = unchecked((int)(sequence - s.Next));
            if ((flags & TcpFlags.Syn) != 0)
            {
                Release(key, s); // a new connection on the same ports
                s = null;
            }
            else if (ahead < 0 && unchecked((int)(sequence - s.First)) >= 0)
            {
                // Bytes followed already (a retransmission, a keep-alive probe): only what comes after them is new.
                s.LastNanos = now;
                packet.Dns.TcpCarriesDns = true;
                if (-ahead >= claimedLength) return;
                from = -ahead;
            }
            else if (ahead > 0 && s.PrefixSeen == DnsDecoder.TcpLengthPrefix && ahead < s.Declared - s.Done)
            {
                // Bytes of the message are missing (lost by the capture, or out of order): its rest is passed over by its
                // length, and it is read from what was kept.
                ReadKept(s, cutByCapture: false, packet, ref read);
                s.Done += ahead;
            }
            else if (ahead != 0)
            {
                // Where the next message starts is lost: the segment is read from its start, as a new one. The message in
                // progress is not read from what was kept: the stream may never have been where it seemed (a piece out of
                // order taken for a start), and a message made up of such bytes would be a query that no one sent.
                Abandon(key, s);
                s = null;
            }
        }
        if (s is null)
        {
            // The common case, as a stack writes a query or a short answer: a segment that holds one whole message (or
            // one the capture cut short) is read as it stands and leaves no state.
            int prefix = packet.Dns.TcpSegmentPrefix;
            if (read == 0 && ((prefix >= 0 && prefix == claimedLength - DnsDecoder.TcpLengthPrefix)
                || (payload.Length < claimedLength && claimedLength >= DnsDecoder.TcpLengthPrefix)))
            {
                DnsDecoder.DecodeSegment(payload, claimedLength, packet);
                return;
            }
            s = Open(key, sequence, now);
        }
        packet.Dns.TcpCarriesDns = true;
        if (!Walk(s, payload, claimedLength, from, packet, ref read) || s.PrefixSeen == 0)
        {
            // Nothing in progress, or no telling where messages start.
            Release(key, s);
            return;
        }
        if ((flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            // Nothing more will come: the message in progress is read from what came of it.
            ReadKept(s, cutByCapture: false, packet, ref read);
            Release(key, s);
            return;
        }
        s.Next = sequence + (uint)claimedLength;
        s.LastNanos = now;
    }

    /// <summary>
    /// Passes over the segment's bytes from <paramref name="from"/>: prefixes, and the messages they announce, read as soon
    /// as they are whole or <see cref="MaxKept"/> of their bytes are at hand. False when where messages start is lost.
    /// </summary>
    private bool Walk(Stream s, ReadOnlySpan<byte> payload, int claimedLength, int from, DecodedPacket packet, ref int read)
    {
        int pos = from;
        while (pos < claimedLength)
        {
            if (s.PrefixSeen < DnsDecoder.TcpLengthPrefix)
            {
                if (pos >= payload.Length) return false; // the capture cut the segment before this prefix
                if (s.PrefixSeen == 0)
                {
                    s.PrefixHigh = payload[pos++];
                    s.PrefixSeen = 1;
                    continue;
                }
                s.Declared = (s.PrefixHigh << 8) | payload[pos++];
                s.PrefixSeen = DnsDecoder.TcpLengthPrefix;
                s.Done = 0;
                s.KeptCount = 0;
                s.Read = false;
                if (s.Declared < DnsHeader.Length)
                {
                    // No message is this short: this is not DNS as RFC 1035 frames it, and nothing after it can be placed.
                    packet.AddAnomaly(AnomalyKind.DnsTcpLengthMismatch);
                    return false;
                }
                continue;
            }
            int rest = s.Declared - s.Done;
            int here = Math.Min(rest, claimedLength - pos);
            int present = Math.Clamp(payload.Length - pos, 0, here);
            if (!s.Read)
            {
                if (s.KeptCount == 0 && (present == rest || present >= MaxKept))
                {
                    // The whole message, or more of it than would be kept, lies here: read where it lies.
                    Read(payload.Slice(pos, present), s.Declared, cutByCapture: false, packet, ref read);
                    s.Read = true;
                }
                else
                {
                    var kept = s.Kept ??= new byte[MaxKept];
                    int take = Math.Min(present, MaxKept - s.KeptCount);
                    payload.Slice(pos, take).CopyTo(kept.AsSpan(s.KeptCount));
                    s.KeptCount += take;
                    bool cut = present < here; // the capture lost the end of this segment
                    if (s.KeptCount == s.Declared || s.KeptCount == MaxKept || cut)
                    {
                        ReadKept(s, cut, packet, ref read);
                    }
                }
            }
            s.Done += here;
            pos += here;
            if (s.Done == s.Declared) s.PrefixSeen = 0; // the next message's prefix follows
        }
        return true;
    }

    /// <summary>Reads the message from the bytes kept of it, unless it was read (or has no header to read).</summary>
    private void ReadKept(Stream s, bool cutByCapture, DecodedPacket packet, ref int read)
    {
        if (s.Read || s.PrefixSeen < DnsDecoder.TcpLengthPrefix) return;
        s.Read = true;
        if (s.KeptCount < DnsHeader.Length)
        {
            if (cutByCapture) PacketDecoder.Cut(packet, AnomalyKind.DnsHeaderTruncated);
            return;
        }
        Read(s.Kept.AsSpan(0, s.KeptCount), s.Declared, cutByCapture, packet, ref read);
    }

    /// <summary>
    /// Decodes a message of <paramref name="declared"/> bytes from its first bytes: into the packet's <see cref="DecodedPacket.Dns"/>
    /// if it is the segment's first, else into the next of <see cref="DecodedPacket.MoreDns"/>.
    /// </summary>
    private void Read(ReadOnlySpan<byte> start, int declared, bool cutByCapture, DecodedPacket packet, ref int read)
    {
        int index = -1;
        if (read > 0)
        {
            if (packet.AddMoreDns() is null)
            {
                Skipped++;
                return;
            }
            index = packet.MoreDnsCount - 1;
            packet.SwapDns(index);
        }
        DnsDecoder.DecodeTcpMessage(start, declared, cutByCapture, packet);
        packet.Dns.TcpReassembled = true;
        if (index >= 0) packet.SwapDns(index);
        read++;
        Followed++;
    }

    private Stream Open(StreamKey key, uint sequence, long now)
    {
        if (_streams.Count >= MaxStreams) GiveWay();
        var s = _free.Count > 0 ? _free.Pop() : new Stream();
        s.First = s.Next = sequence;
        s.PrefixSeen = 0;
        s.Done = s.KeptCount = s.Declared = 0;
        s.Read = false;
        s.LastNanos = now;
        _streams[key] = s;
        return s;
    }

    private void Release(StreamKey key, Stream s)
    {
        if (_streams.Remove(key)) _free.Push(s);
    }

    /// <summary>Forgets the directions quiet for longer than <see cref="TimeoutNanos"/>: no packet of theirs is at hand to read a message on.</summary>
    private void Expire(long now)
    {
        if (_streams.Count == 0) return;
        foreach (var (key, s) in _streams)
        {
            // Removing while enumerating is allowed for Dictionary (.NET Core 3.0 and later).
            if (now - s.LastNanos > TimeoutNanos) Abandon(key, s);
        }
    }

    /// <summary>Makes room: the direction quiet longest is forgotten.</summary>
    private void GiveWay()
    {
        StreamKey quietest = default;
        Stream? oldest = null;
        foreach (var (key, s) in _streams)
        {
            if (oldest is null || s.LastNanos < oldest.LastNanos)
            {
                oldest = s;
                quietest = key;
            }
        }
        if (oldest is not null) Abandon(quietest, oldest);
    }

    private void Abandon(StreamKey key, Stream s)
    {
        if (s.PrefixSeen == DnsDecoder.TcpLengthPrefix && !s.Read) Abandoned++;
        Release(key, s);
    }
}
