using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Synthetic;

/// <summary>
/// The bulk profile (<see cref="SyntheticProfile.Bulk"/>): a busy link carrying large downloads. Clients look a name up
/// and download a few hundred kilobytes to a few megabytes from one of <see cref="BulkServers"/> web servers (TCP ports
/// 80, 443, 8080 and 8443, or QUIC on UDP 443): the server's full segments paced at the connection's rate, the client's
/// ACK after every second one. Around them: lookups on their own, NTP and pings, and failures for the analysis to
/// find: connections to ports nothing listens on (reset), SYNs a firewall drops, mistyped names (NXDOMAIN), and one
/// of the three resolvers dead (its queries never answered; the client asks the next one a second later).
/// <para>
/// A download writes its next segment only once the previous one is written, so the queue holds a few packets per
/// download under way, whatever the size asked. When the size is reached, the downloads under way end at their next
/// segment and the capture stops <see cref="WindDown"/> later.
/// </para>
/// </summary>
public sealed partial class SyntheticCapture
{
    /// <summary>Clients of the bulk profile when the caller does not say.</summary>
    public const int DefaultBulkHosts = 2000;
    /// <summary>Web servers of the bulk profile: the first of the browsing profile's servers, with their round-trip times.</summary>
    public const int BulkServers = 59;
    /// <summary>Mean rate at which the bulk profile's other scenarios (lookups, failures, NTP, pings) start, in capture time.</summary>
    public const double BulkScenariosPerSecond = 100;
    /// <summary>
    /// Packets a second of capture time that the downloads send, data and ACKs: with the other scenarios, about 20,000
    /// packets a second. A download starts whenever the packets of those started fall behind this rate: downloads are
    /// few and large, and starting them at random would let the rate drift by a tenth from one seed or size to another.
    /// </summary>
    private const double DownloadPacketsPerSecond = 19_700;
    /// <summary>
    /// Seconds of downloads due at the capture's start: downloads under way before it, whose names were looked up
    /// before it, so that the capture starts busy.
    /// </summary>
    private const double WarmSeconds = 1.9;

    /// <summary>A full segment's payload: a 1,500-byte Ethernet MTU less 40 bytes of IPv4 and TCP headers without options.</summary>
    private const int BulkMss = 1460;
    /// <summary>A full QUIC datagram's payload (RFC 9000 14: at least 1,200; 1,252 fits a 1,280-byte IPv6 path too).</summary>
    private const int QuicDatagram = 1252;
    /// <summary>Bytes of one download, over TCP or QUIC alike (so that those under way when the capture stops are cut alike).</summary>
    private const int DownloadMin = 200_000, DownloadMax = 3_000_000;
    /// <summary>Segments a second of one download: 1.8 to 18 Mbit/s.</summary>
    private const double SegmentRateMin = 150, SegmentRateMax = 1500;
    /// <summary>
    /// QUIC's share of the downloads' packets; with the lookups, NTP and pings (about 1.6% of the packets) the rest of the
    /// packets, about 84%, are TCP. A download goes over QUIC when QUIC has less than this share of the packets of the
    /// downloads so far, else over TCP: downloads are few and large, and drawing the transport at random would let TCP's
    /// share drift by several points from one seed or size to another.
    /// </summary>
    private const double QuicShare = 0.146;
    /// <summary>The least a QUIC packet carries: a short header and an AEAD tag (RFC 9001 5.3) around a frame or two.</summary>
    private const int QuicLeast = 40;
    /// <summary>How long the capture goes on once the size is reached: enough for the cut downloads to close.</summary>
    private const long WindDown = 300 * Millisecond;

    /// <summary>QUIC packet types (RFC 9000 17.2); <see cref="QuicOneRtt"/> is a short-header packet (RFC 9000 17.3).</summary>
    private const ushort QuicInitial = 0, QuicHandshake = 2, QuicOneRtt = 0x100;

    /// <summary>The resolvers clients take turns with (resolv.conf's rotate).</summary>
    private const int BulkResolverCount = 3;
    /// <summary>Ports on servers where nothing listens, which some clients still try: refused (RFC 9293 3.10.7.1).</summary>
    private static readonly (int Server, ushort Port)[] ClosedServices = [(2, 80), (7, 8443), (13, 8080), (23, 80)];
    /// <summary>A port that a firewall in front of its server filters: SYNs dropped.</summary>
    private const int FilteredBulkServer = 41;
    private const ushort FilteredBulkPort = 8080;

    private bool _windingDown;
    /// <summary>Packets of the downloads started so far, data and ACKs, over TCP and over QUIC.</summary>
    private long _tcpPlanned, _quicPlanned;

    private void StartBulkScenario(long t)
    {
        bool warm = t == _start;
        double due = DownloadPacketsPerSecond * ((t - _start) / (double)Second + WarmSeconds);
        while (_tcpPlanned + _quicPlanned < due)
        {
            Download(warm ? t + _random.Next(50_000_000) : t, _random.Next(_hostCount), lookup: !warm);
        }
        int client = _random.Next(_hostCount);
        switch (_random.Next(1000))
        {
            case < 660:
            {
                int name = RandomName();
                ResolveBulk(t, client, _wire[name], name, DnsRcode.NoError, aaaa: _random.Next(10) < 4);
                break;
            }
            case < 730:
            {
                // A mistyped name: NXDOMAIN (RFC 1035 4.1.1, rcode 3).
                int name = _random.Next(_names.Length);
                ResolveBulk(t, client, _typoWire[name], name, DnsRcode.NXDomain, aaaa: false);
                break;
            }
            case < 790:
            {
                var (server, port) = ClosedServices[_random.Next(ClosedServices.Length)];
                Refused(t, client, server, port);
                break;
            }
            case < 820: Unanswered(t, client, _servers[FilteredBulkServer], FilteredBulkPort); break;
            case < 880: Ping(t, client); break;
            default: Ntp(t, client); break;
        }
    }

    /// <summary>
    /// A lookup through the resolver the client's turn falls on (A, and with <paramref name="aaaa"/> AAAA from the same
    /// socket); when that is the dead one, the same queries to the next resolver after a second (resolv.conf's timeout:1).
    /// Returns when the A answer arrives.
    /// </summary>
    private long ResolveBulk(long t, int client, byte[] wire, int name, int rcode, bool aaaa)
    {
        var address = Client(client);
        ushort port = EphemeralPort();
        ushort id = (ushort)_random.Next(65536);
        int turn = _random.Next(BulkResolverCount);
        if (BulkResolver(turn) == DeadResolver)
        {
            Schedule(t, Dns(false, address, port, DeadResolver, id, wire, name, DnsType.A, 0));
            if (aaaa) Schedule(t + 20_000, Dns(false, address, port, DeadResolver, (ushort)(id + 1), wire, name, DnsType.AAAA, 0));
            t += Second;
            turn = (turn + 1) % BulkResolverCount;
        }
        var resolver = BulkResolver(turn);
        long answered = t + ResolverDelay();
        Schedule(t, Dns(false, address, port, resolver, id, wire, name, DnsType.A, 0));
        Schedule(answered, Dns(true, address, port, resolver, id, wire, name, DnsType.A, rcode));
        if (aaaa)
        {
            long at = t + 20_000 + _random.Next(200_000);
            Schedule(at, Dns(false, address, port, resolver, (ushort)(id + 1), wire, name, DnsType.AAAA, 0));
            Schedule(at + ResolverDelay(), Dns(true, address, port, resolver, (ushort)(id + 1), wire, name, DnsType.AAAA, rcode));
        }
        return answered;
    }

    /// <summary>A lookup (unless the name is known), then a download from a server it answered, over TCP or QUIC; only its first data packet is scheduled here.</summary>
    private void Download(long t, int client, bool lookup)
    {
        bool quic = _quicPlanned < QuicShare * (_tcpPlanned + _quicPlanned);
        int name = RandomName();
        if (lookup) t = ResolveBulk(t, client, _wire[name], name, DnsRcode.NoError, aaaa: _random.Next(10) < 4) + Small();
        int server = ServerOf(name, _random.Next(2));
        var x = new Transfer
        {
            Quic = quic,
            Client = Client(client),
            Server = _servers[server],
            ClientPort = EphemeralPort(),
            ServerPort = quic ? (ushort)443 : BulkPort(server),
            Rtt = _serverRtt[server],
            Total = (int)LogUniform(DownloadMin, DownloadMax),
            Gap = (long)(Second / LogUniform(SegmentRateMin, SegmentRateMax)),
        };
        int data = (x.Total + (quic ? QuicDatagram : BulkMss) - 1) / (quic ? QuicDatagram : BulkMss);
        if (quic) _quicPlanned += data + (data + 1) / 2;
        else _tcpPlanned += data + (data + 1) / 2;
        t = quic ? OpenQuic(t, x) : OpenTcp(t, x, name);
        SendNext(x, t);
    }

    /// <summary>The handshake and the request (HTTP GET, or a TLS ClientHello); returns when the response starts.</summary>
    private long OpenTcp(long t, Transfer x, int name)
    {
        uint cseq = (uint)_random.Next();
        uint sseq = (uint)_random.Next();
        Schedule(t, Tcp(x.Client, x.Server, x.ClientPort, x.ServerPort, cseq, 0, TcpFlags.Syn, 0));
        t += x.Rtt;
        Schedule(t, Tcp(x.Server, x.Client, x.ServerPort, x.ClientPort, sseq, cseq + 1, TcpFlags.Syn | TcpFlags.Ack, 0));
        t += Small();
        Schedule(t, Tcp(x.Client, x.Server, x.ClientPort, x.ServerPort, cseq + 1, sseq + 1, TcpFlags.Ack, 0));
        t += Small();
        var request = Tcp(x.Client, x.Server, x.ClientPort, x.ServerPort, cseq + 1, sseq + 1, TcpFlags.Psh | TcpFlags.Ack, 0);
        request.Name = name;
        (request.Payload, request.PayloadLength) = IsHttp(x.ServerPort) ? (Payload.HttpRequest, HttpRequest(name).Length) : (Payload.ClientHello, ClientHello(name).Length);
        Schedule(t, request);
        x.ClientNext = cseq + 1 + (uint)request.PayloadLength;
        x.ServerNext = sseq + 1;
        return t + x.Rtt + 200_000 + _random.Next(20_000_000);
    }

    /// <summary>
    /// QUIC's handshake (RFC 9000 7): the client's Initial padded to a full datagram, the server's Initial and
    /// Handshake, the client's Handshake and its request; returns when the response starts.
    /// </summary>
    private long OpenQuic(long t, Transfer x)
    {
        Schedule(t, Quic(x, fromServer: false, QuicInitial, QuicDatagram));
        t += x.Rtt;
        Schedule(t, Quic(x, fromServer: true, QuicInitial, QuicDatagram));
        Schedule(t + 20_000, Quic(x, fromServer: true, QuicHandshake, QuicDatagram));
        t += 20_000 + Small();
        Schedule(t, Quic(x, fromServer: false, QuicHandshake, 90));
        Schedule(t + 10_000, Quic(x, fromServer: false, QuicOneRtt, 60 + _random.Next(120)));
        return t + x.Rtt + 200_000 + _random.Next(20_000_000);
    }

    /// <summary>Schedules the download's next data packet at <paramref name="t"/>; <see cref="Advance"/> follows once it is written.</summary>
    private void SendNext(Transfer x, long t)
    {
        int length = x.Quic ? Math.Clamp(x.Total - x.Sent, QuicLeast, QuicDatagram) : Math.Min(BulkMss, x.Total - x.Sent);
        Spec packet;
        if (x.Quic)
        {
            packet = Quic(x, fromServer: true, QuicOneRtt, length);
        }
        else
        {
            var flags = x.Sent + length >= x.Total ? TcpFlags.Psh | TcpFlags.Ack : TcpFlags.Ack;
            packet = Tcp(x.Server, x.Client, x.ServerPort, x.ClientPort, x.ServerNext, x.ClientNext, flags, length);
            if (x.Sent == 0) packet.Payload = IsHttp(x.ServerPort) ? Payload.HttpDownload : Payload.TlsData;
            x.ServerNext += (uint)length;
        }
        x.Sent += length;
        packet.Flow = x;
        Schedule(t, packet);
    }

    /// <summary>
    /// After a data packet written at <paramref name="t"/>: the client's ACK after every second one and after the
    /// last (RFC 9293 3.8.6.3, RFC 9000 13.2.2), then the next packet a gap later (0.5 to 1.5 times the mean), or the close.
    /// </summary>
    private void Advance(Transfer x, long t)
    {
        if (_windingDown) x.Total = x.Sent;
        bool last = x.Sent >= x.Total;
        if (++x.Unacked == 2 || last)
        {
            x.Unacked = 0;
            long at = t + 40_000 + _random.Next(200_000);
            Schedule(at, x.Quic ? Quic(x, fromServer: false, QuicOneRtt, 30 + _random.Next(16))
                : Tcp(x.Client, x.Server, x.ClientPort, x.ServerPort, x.ClientNext, x.ServerNext, TcpFlags.Ack, 0));
        }
        if (!last)
        {
            SendNext(x, t + x.Gap / 2 + _random.NextInt64(x.Gap));
            return;
        }
        long end = t + Millisecond + _random.Next(50_000_000);
        if (x.Quic)
        {
            // The client's CONNECTION_CLOSE (RFC 9000 10.2).
            Schedule(end, Quic(x, fromServer: false, QuicOneRtt, 40));
        }
        else if (IsHttp(x.ServerPort))
        {
            // A body without a length ends with the connection (RFC 9112 6.3, item 8): the server closes, the client at
            // once after it, and the server's last ACK comes a round trip later.
            Schedule(end, Tcp(x.Server, x.Client, x.ServerPort, x.ClientPort, x.ServerNext, x.ClientNext, TcpFlags.Fin | TcpFlags.Ack, 0));
            end += Small();
            Schedule(end, Tcp(x.Client, x.Server, x.ClientPort, x.ServerPort, x.ClientNext, x.ServerNext + 1, TcpFlags.Fin | TcpFlags.Ack, 0));
            Schedule(end + x.Rtt, Tcp(x.Server, x.Client, x.ServerPort, x.ClientPort, x.ServerNext + 1, x.ClientNext + 1, TcpFlags.Ack, 0));
        }
        else
        {
            Close(end, x.Client, x.Server, x.ClientPort, x.ServerPort, x.ClientNext, x.ServerNext, x.Rtt);
        }
    }

    /// <summary>A QUIC packet of <paramref name="type"/> in a datagram of <paramref name="length"/> bytes, numbered in its sender's space.</summary>
    private Spec Quic(Transfer x, bool fromServer, ushort type, int length)
    {
        var spec = fromServer ? Udp(x.Server, x.Client, 443, x.ClientPort, length, ttl: 58) : Udp(x.Client, x.Server, x.ClientPort, 443, length, ttl: 64);
        spec.Payload = Payload.Quic;
        spec.Type = type;
        spec.Sequence = fromServer ? x.ServerNext++ : x.ClientNext++;
        return spec;
    }

    /// <summary>
    /// A QUIC packet: the long header (RFC 9000 17.2: form and fixed bits, type, version 1, both connection IDs) or the
    /// short one (17.3: fixed bit, the destination connection ID), then protected bytes, opaque here.
    /// </summary>
    private void WriteQuic(Spec spec, Span<byte> payload)
    {
        Filler(spec.Sequence * 1237 + spec.SourcePort, payload.Length).CopyTo(payload);
        bool fromServer = spec.SourcePort == 443;
        uint clientPort = fromServer ? spec.DestinationPort : spec.SourcePort;
        // Each side's connection ID, the same for the whole connection.
        var destination = Filler(clientPort * 2 + (fromServer ? 0u : 1u), 8);
        if (spec.Type == QuicOneRtt)
        {
            payload[0] = 0x43;
            destination.CopyTo(payload[1..]);
            return;
        }
        payload[0] = (byte)(0xC3 | spec.Type << 4);
        payload[1] = payload[2] = payload[3] = 0;
        payload[4] = 1;
        payload[5] = 8;
        destination.CopyTo(payload[6..]);
        payload[14] = 8;
        Filler(clientPort * 2 + (fromServer ? 1u : 0u), 8).CopyTo(payload[15..]);
    }

    /// <summary>
    /// The resolver of a turn: the two that work, then the dead one. (A method, not a static array: the static fields of
    /// the class's two files are set in no set order, and an array made first would hold unset addresses.)
    /// </summary>
    private static IpAddr BulkResolver(int turn) => turn switch
    {
        0 => GoodResolverA,
        1 => GoodResolverB,
        _ => DeadResolver,
    };

    /// <summary>A port the server listens on: 443 mostly, else 80, 8443 or 8080 where it has them.</summary>
    private ushort BulkPort(int server)
    {
        int r = _random.Next(20);
        ushort port = r < 12 ? (ushort)443 : r < 15 ? (ushort)80 : r < 18 ? (ushort)8443 : (ushort)8080;
        return Listens(server, port) ? port : (ushort)443;
    }

    /// <summary>Every server listens on 443; two in three on 80, three in four on 8443, one in five on 8080.</summary>
    private static bool Listens(int server, ushort port) => port switch
    {
        80 => server % 3 != 2,
        8443 => server % 4 != 3,
        8080 => server % 5 == 0,
        _ => true,
    };

    private static bool IsHttp(ushort port) => port is 80 or 8080;

    /// <summary>A draw between <paramref name="min"/> and <paramref name="max"/> whose logarithm is uniform: small values as likely as large ones in ratio.</summary>
    private double LogUniform(double min, double max) => min * Math.Exp(_random.NextDouble() * Math.Log(max / min));

    /// <summary>A download under way: who, where it stands, and its pace.</summary>
    private sealed class Transfer
    {
        public bool Quic;
        public IpAddr Client, Server;
        public ushort ClientPort, ServerPort;
        /// <summary>TCP: the next sequence number each side sends; QUIC: the next packet number.</summary>
        public uint ClientNext, ServerNext;
        public long Rtt;
        /// <summary>Mean time between the server's data packets.</summary>
        public long Gap;
        /// <summary>Bytes of the response, those scheduled so far, and the data packets not yet acknowledged.</summary>
        public int Total, Sent, Unacked;
    }
}
