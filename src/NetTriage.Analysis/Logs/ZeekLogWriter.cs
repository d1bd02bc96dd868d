using NetTriage.Analysis.Reading;
using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>A connection's uid and identity, kept for the notices that cite one of its packets.</summary>
internal readonly record struct ZeekConnId(long Serial, byte Protocol, IpAddr OrigHost, ushort OrigPort, IpAddr RespHost, ushort RespPort);

/// <summary>What the Zeek logs hold once written.</summary>
public sealed record ZeekLogCounts(long Connections, long DnsTransactions, long Notices, long Weirds, long Tunnels);

/// <summary>
/// Writes conn.log, dns.log, notice.log and weird.log as Zeek writes them, from the packets the analysis reads (it
/// observes the same pass: one read of the capture for the report and the logs). Connections are written as they end
/// (closed, reset, or idle past their transport's timeout, in capture time, with Zeek's timeouts), so memory holds the
/// live connections only, whatever the length of the capture; the rest are written when the input ends. Rows are in
/// the order connections end, as Zeek's are.
/// </summary>
public sealed class ZeekLogWriter : IPacketObserver, IDisposable
{
    private static readonly long Second = PacketTimestamp.NanosPerSecond;
    /// <summary>Zeek's tcp_attempt_delay, tcp_close_delay and tcp_connection_linger: 5 s each.</summary>
    private static readonly long TcpCloseDelay = 5 * Second;
    /// <summary>Zeek's tcp_inactivity_timeout for an established connection.</summary>
    private static readonly long TcpInactivity = 300 * Second;
    /// <summary>udp_inactivity_timeout and icmp_inactivity_timeout (and TCP's while in its handshake).</summary>
    private static readonly long OtherInactivity = 60 * Second;
    /// <summary>The DNS analyzer's session timer: it checks every 10 s and ends a connection idle for 9 s.</summary>
    private static readonly long DnsSessionTimer = 10 * Second, DnsIdle = 9 * Second;
    /// <summary>Weird rows of one name written in full; past it one in <see cref="WeirdSampleRate"/> (Zeek's weird sampling).</summary>
    private const int WeirdThreshold = 1000;
    private const int WeirdSampleRate = 1000;

    private readonly ZeekLogFile _conn, _dns, _notice, _weird, _tunnel;
    private readonly Dictionary<ZeekFlowKey, ZeekConnection> _connections = [];
    /// <summary>
    /// Live connections by the capture time they are next due to be checked (their end if nothing more arrives). A
    /// packet moves a connection's end later without touching the queue: when an entry comes due, the connection's real
    /// end is computed and it is either written or queued again for then. Only a close (which can bring the end sooner)
    /// queues it anew; the entry it replaces is stale and skipped. So each packet costs nothing here and each
    /// connection a few queue operations over its life.
    /// </summary>
    private readonly PriorityQueue<ZeekConnection, long> _due = new();
    /// <summary>Ended connections kept for reuse (at most <see cref="MaxPooled"/>).</summary>
    private readonly Stack<ZeekConnection> _pool = new();
    private const int MaxPooled = 4096;
    /// <summary>dns.log rows written, kept for reuse (as many as were ever waiting at once).</summary>
    private readonly Stack<ZeekDnsInfo> _dnsRows = new();
    /// <summary>Local networks: those given and Zeek's private address space.</summary>
    private readonly ZeekLocalNetworks _localNets;
    private readonly Dictionary<AnomalyKind, long> _weirdCounts = [];
    /// <summary>IP tunnels (GRE, IP in IP) by their outer addresses, with the serial of their uid; at most <see cref="MaxIpTunnels"/>.</summary>
    private readonly Dictionary<ZeekFlowKey, long> _ipTunnels = [];
    private readonly ZeekFtpData _ftpData = new();
    private const int MaxIpTunnels = 10_000;
    /// <summary>
    /// The connection of packets a finding may cite as evidence (a connection's first packet, DNS messages, resets,
    /// ICMP), by input and frame, so notice.log names the uid of a finding's evidence. Bounded: past
    /// <see cref="MaxFrameUids"/> packets, later evidence is written without a uid.
    /// </summary>
    private readonly FrameConnections _frameUids = new();
    private const int MaxFrameUids = 100_000;
    private long _uidCount;
    private long _now;
    private bool _inputEnded, _finished;
    private readonly bool _ignoreChecksums;

    /// <param name="ignoreChecksums">
    /// Take packets whatever their checksums (Zeek's -C). By default, as Zeek does, a packet whose IPv4 header checksum
    /// is wrong is dropped, and one whose TCP or UDP checksum is wrong is only noted on its connection (the history's
    /// C, scaled as Zeek scales it) and not counted or read.
    /// </param>
    public ZeekLogWriter(string directory, ZeekLogFormat format, IReadOnlyList<System.Net.IPNetwork>? localNets = null, bool ignoreChecksums = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        _localNets = new ZeekLocalNetworks([.. localNets ?? [], .. PrivateAddressSpace]);
        _ignoreChecksums = ignoreChecksums;
        _conn = new ZeekLogFile(Path.Combine(directory, "conn.log"), "conn", ZeekConnLog.Fields, format);
        _dns = new ZeekLogFile(Path.Combine(directory, "dns.log"), "dns", ZeekDns.Fields, format);
        _notice = new ZeekLogFile(Path.Combine(directory, "notice.log"), "notice", ZeekNotices.Fields, format);
        _weird = new ZeekLogFile(Path.Combine(directory, "weird.log"), "weird", ZeekWeirds.Fields, format);
        _tunnel = new ZeekLogFile(Path.Combine(directory, "tunnel.log"), "tunnel", ZeekTunnels.Fields, format);
    }

    public ZeekLogCounts Counts => new(_conn.Rows, _dns.Rows, _notice.Rows, _weird.Rows, _tunnel.Rows);

    /// <summary>Connections held now (those not yet ended).</summary>
    public int LiveConnections => _connections.Count;

    /// <summary>Zeek verifies checksums unless told not to (-C): so does the writer.</summary>
    public bool VerifiesChecksums => !_ignoreChecksums;

    public void Observe(DecodedPacket packet, int input)
    {
        if (packet.Unparsed) return;
        long now = packet.Timestamp.Nanoseconds;
        if (now > _now) _now = now;
        EndDue(_now);
        ZeekConnection? c = null;
        var bad = _ignoreChecksums ? ChecksumErrors.None : packet.BadChecksums;
        // A wrong IPv4 header checksum outside: Zeek drops the packet before anything reads it.
        if ((bad & ChecksumErrors.OuterIp) != 0 || (bad != ChecksumErrors.None && packet.Tunnel.Depth == 0 && (bad & ChecksumErrors.Ip) != 0))
        {
            if (packet.Anomalies.Count > 0) Weird(packet, null);
            return;
        }
        // The tunnel is a connection (or a tunnel uid) whatever it carries, IP or not (ARP in VXLAN).
        long parent = packet.Tunnel.Depth > 0 && !packet.Tunnel.OuterSource.IsNone ? TunnelParents(packet, (bad & ChecksumErrors.OuterTransport) != 0) : -1;
        // A tunnel's datagram whose UDP checksum is wrong is not opened; an inner header whose IPv4 checksum is wrong is dropped.
        bool inner = (bad & (ChecksumErrors.OuterTransport | ChecksumErrors.Ip)) == 0 && !IsTeredoBubble(packet);
        if (inner && (packet.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) != 0 && (packet.Layers & PacketLayers.Fragment) == 0)
        {
            long before = _uidCount;
            c = Track(packet, (bad & ChecksumErrors.Transport) != 0);
            if (c is not null && parent >= 0) c.AddParent(parent);
            if (c is not null && _frameUids.Count < MaxFrameUids
                && (_uidCount != before || (packet.Layers & (PacketLayers.Dns | PacketLayers.Icmp | PacketLayers.Icmpv6 | PacketLayers.Http)) != 0
                    || (packet.Tcp.Flags & (TcpFlags.Rst | TcpFlags.Syn)) != 0))
            {
                _frameUids.Add(input, packet.FrameNumber, c);
            }
        }
        if (packet.Anomalies.Count > 0) Weird(packet, c);
    }

    private ZeekConnection? Track(DecodedPacket p, bool corrupt)
    {
        byte proto = p.Ip.Protocol;
        bool tcp = proto == IpProtocol.Tcp && p.Has(PacketLayers.Tcp);
        bool udp = proto == IpProtocol.Udp && p.Has(PacketLayers.Udp);
        bool icmp = (proto == IpProtocol.Icmp && p.Has(PacketLayers.Icmp)) || (proto == IpProtocol.Icmpv6 && p.Has(PacketLayers.Icmpv6));
        if ((proto is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmp or IpProtocol.Icmpv6) && !tcp && !udp && !icmp)
        {
            return null; // its transport header is cut short: Zeek drops it too
        }
        ZeekFlowKey key;
        ushort sport = 0, dport = 0;
        bool oneWay = false;
        if (tcp || udp)
        {
            sport = p.SourcePort;
            dport = p.DestinationPort;
            key = ZeekFlowKey.Of(p.Ip.Source, sport, p.Ip.Destination, dport, proto);
        }
        else if (icmp)
        {
            (sport, dport, oneWay) = IcmpPorts(p.Icmp);
            // A request and its reply share a connection: the key names the pair, whichever way the packet goes.
            // A one-way message is keyed as sent; a request and its reply share a key whichever way the packet goes
            // (the originator is the first sender, its type the originator's port, as in Zeek).
            key = oneWay
                ? new ZeekFlowKey(p.Ip.Source, sport, p.Ip.Destination, dport, proto)
                : ZeekFlowKey.Of(p.Ip.Source, sport, p.Ip.Destination, dport, proto);
        }
        else
        {
            key = ZeekFlowKey.Of(p.Ip.Source, 0, p.Ip.Destination, 0, proto);
        }

        long now = p.Timestamp.Nanoseconds;
        if (_connections.TryGetValue(key, out var c) && tcp && IsReuse(c, p))
        {
            End(key, c);
            c = null;
        }
        if (c is null)
        {
            c = NewConnection(key, proto, p.Ip.Source, sport, p.Ip.Destination, dport, now, p);
            if ((tcp || udp) && !p.Ip.Destination.IsMulticast && !IsBroadcast(p.Ip.Destination) && ZeekConnLog.ShouldFlip(p, tcp)) c.Flip();
            if (tcp && _ftpData.Count > 0 && _ftpData.Expected(c.OrigHost, c.RespHost, c.RespPort, now)) c.AddService("ftp-data");
        }

        bool fromOrig = p.Ip.Source == c.OrigHost && (icmp || p.SourcePort == c.OrigPort) && (p.Ip.Source != c.RespHost || p.SourcePort == c.OrigPort);
        if (icmp && !oneWay) fromOrig = p.Ip.Source == c.OrigHost && (c.OrigHost != c.RespHost || sport == c.OrigPort);
        ref var e = ref fromOrig ? ref c.Orig : ref c.Resp;
        if (corrupt && !icmp)
        {
            // Zeek's TCP and UDP analyzers stop at a wrong checksum: the connection exists, the packet is not counted.
            c.AddCounted('C', fromOrig, ref e.Corrupt);
            return c;
        }
        e.Packets++;
        e.IpBytes += p.Ip.TotalLength;
        if (tcp)
        {
            if (!c.BothClosed) c.LastNanos = now;
            ZeekConnLog.Tcp(c, p, fromOrig);
        }
        else
        {
            c.LastNanos = now;
            if (udp)
            {
                e.PayloadBytes += Math.Max(0, p.UdpLength - 8);
                if ((e.Once & HistoryFlags.Data) == 0)
                {
                    e.Once |= HistoryFlags.Data;
                    c.AddHistory('D', fromOrig);
                }
            }
            else if (icmp)
            {
                e.PayloadBytes += Math.Max(0, p.Ip.TotalLength - p.Ip.HeaderLength - 8);
            }
        }
        if (p.FtpData.Port != 0 && tcp) _ftpData.Announce(c, p.FtpData, now);
        if (p.FtpLine.Kind != FtpLine.None && tcp && !c.FtpRemoved && !c.FtpTls) FtpControl(c, p.FtpLine);
        if (p.Has(PacketLayers.Dns))
        {
            bool first = !c.DnsSeen;
            Dns(c, p, ref fromOrig);
            // DNS over TCP: the other messages the segment completed (RFC 7766 6.2.1.1), each logged as the packet's.
            for (int m = 0; m < p.MoreDnsCount; m++)
            {
                p.SwapDns(m);
                Dns(c, p, ref fromOrig);
                p.SwapDns(m);
            }
            // A DNS connection ends sooner (the DNS analyzer's timer): queued anew for that.
            if (first && Deadline(c) < c.DueAt) Schedule(c, Deadline(c));
        }
        // Zeek's HTTP, SSL and SSH analyzers read nothing of a connection whose start the capture missed.
        else if (p.Has(PacketLayers.Http) && !c.Partial) c.AddService("http");
        else if (p.Has(PacketLayers.Tls) && p.Tls.IsClientHello && !c.Partial) c.AddService("ssl");
        else if (p.Ssh != SshMarks.None && tcp && !c.Partial) ZeekSsh.Segment(c, p.Ssh, fromOrig);
        else if (p.UdpApplication != UdpApplication.None && udp) c.AddService(p.UdpApplication == UdpApplication.Dhcp ? "dhcp" : "ntp");
        else if (p.Login != Packets.Login.LoginReply.None && c.RespPort != Packets.Login.FtpDataChannels.ControlPort) c.AddService(LoginService(c.RespPort));
        if (tcp && (c.Orig.State != c.LastOrigState || c.Resp.State != c.LastRespState))
        {
            // A change of state can bring the end sooner (a close, a reset): queued anew for the new end.
            c.LastOrigState = c.Orig.State;
            c.LastRespState = c.Resp.State;
            long end = Deadline(c);
            if (end < c.DueAt) Schedule(c, end);
        }
        return c;
    }

    /// <summary>Zeek's DPD::ignore_violations_after: past this many bytes a connection's violations are ignored.</summary>
    private const long IgnoreViolationsAfter = 10 * 1024;

    /// <summary>
    /// Zeek's FTP analyzer (on port 21) confirms FTP at the client's first command. Server lines inside a multi-line
    /// reply (from "code-" to "code ") are its text; any other line that is no reply is a violation: Zeek's DPD removes
    /// the analyzer for good, and the service it had named with it (unless the connection is past
    /// DPD::ignore_violations_after). After a 234 (AUTH TLS accepted) the control connection is TLS.
    /// </summary>
    private static void FtpControl(ZeekConnection c, FtpLineInfo line)
    {
        if (c.RespPort != Packets.Login.FtpDataChannels.ControlPort) return;
        switch (line.Kind)
        {
            case FtpLine.Command:
                c.AddService("ftp");
                return;
            case FtpLine.None:
                return;
        }
        if (c.FtpPendingReply != 0)
        {
            if (line.Kind == FtpLine.Reply && line.Code == c.FtpPendingReply) c.FtpPendingReply = 0;
            return;
        }
        if (line.Kind == FtpLine.BadReply)
        {
            if (ZeekConnLog.Size(c.Orig, c.Resp) + ZeekConnLog.Size(c.Resp, c.Orig) > IgnoreViolationsAfter) return;
            c.FtpRemoved = true;
            c.RemoveService("ftp");
            return;
        }
        if (line.Kind == FtpLine.ReplyContinues) c.FtpPendingReply = line.Code;
        if (line.Code == 234) c.FtpTls = true;
    }

    /// <summary>The cleartext login protocol of a server port (the decoder reads logins on these ports only).</summary>
    private static string LoginService(ushort port) => port switch
    {
        110 => "pop3",
        143 => "imap",
        _ => "smtp",
    };

    private ZeekConnection NewConnection(ZeekFlowKey key, byte proto, IpAddr source, ushort sport, IpAddr destination, ushort dport, long now, DecodedPacket p)
    {
        var c = _pool.Count > 0 ? _pool.Pop() : new ZeekConnection();
        c.Serial = _uidCount++;
        c.FrameIdIndex = -1;
        c.Protocol = proto;
        c.OrigHost = source;
        c.RespHost = destination;
        c.OrigPort = sport;
        c.RespPort = dport;
        c.FirstNanos = now;
        c.LastNanos = now;
        c.OrigMac = p.SourceMac;
        c.RespMac = p.DestinationMac;
        c.Vlan = p.VlanId;
        c.InnerVlan = p.InnerVlanId;
        c.Key = key;
        _connections[key] = c;
        Schedule(c, Deadline(c));
        return c;
    }

    /// <summary>
    /// The tunnel a packet came through, as its inner connection's parent (Zeek's tunnel_parents): a UDP tunnel is a
    /// connection of conn.log of its own (its packets and bytes are the outer ones; its service the tunnel's), an IP
    /// tunnel (GRE, IP in IP) has a uid of its own, as in Zeek's tunnel.log. -1 when there is none to name.
    /// </summary>
    /// <summary>
    /// A Teredo bubble (RFC 4380 2.8: an IPv6 header with no next header and no payload, sent to open a NAT mapping):
    /// Zeek's Teredo analyzer reports it and forwards nothing, so it makes no connection of its own.
    /// </summary>
    private static bool IsTeredoBubble(DecodedPacket p) =>
        p.Tunnel.Kind == TunnelKind.Teredo && p.Ip.Version == 6 && p.Ip.Protocol == IpProtocol.NoNextHeader && p.Ip.TotalLength <= p.Ip.HeaderLength;

    /// <summary>One tunnel a packet came through: its kind and the outer header around what it carried.</summary>
    private readonly record struct TunnelHop(TunnelKind Kind, IpAddr Source, IpAddr Destination, byte Protocol, ushort SourcePort,
        ushort DestinationPort, int IpTotalLength, ushort UdpLength)
    {
        public static TunnelHop Inner(in TunnelInfo t) => new(t.Kind, t.OuterSource, t.OuterDestination, t.OuterProtocol,
            t.OuterSourcePort, t.OuterDestinationPort, t.OuterIpTotalLength, t.OuterUdpLength);

        public static TunnelHop Parent(in TunnelInfo t) => new(t.ParentKind, t.ParentSource, t.ParentDestination, t.ParentProtocol,
            t.ParentSourcePort, t.ParentDestinationPort, t.ParentIpTotalLength, t.ParentUdpLength);
    }

    /// <summary>
    /// The tunnels a packet came through, as its connection's parent: the one around the packet, and (a tunnel inside a
    /// tunnel: Teredo in GTP-U) the one around that, whose connection is the inner tunnel's parent in turn.
    /// </summary>
    private long TunnelParents(DecodedPacket p, bool corrupt)
    {
        ref readonly var t = ref p.Tunnel;
        long grandparent = t.Depth > 1 && !t.ParentSource.IsNone ? TunnelParent(p, TunnelHop.Parent(t), false, -1) : -1;
        return TunnelParent(p, TunnelHop.Inner(t), corrupt, grandparent);
    }

    private long TunnelParent(DecodedPacket p, TunnelHop t, bool corrupt, long grandparent)
    {
        long now = p.Timestamp.Nanoseconds;
        if (t.Protocol == IpProtocol.Udp)
        {
            var key = ZeekFlowKey.Of(t.Source, t.SourcePort, t.Destination, t.DestinationPort, IpProtocol.Udp);
            if (!_connections.TryGetValue(key, out var outer))
            {
                outer = NewConnection(key, IpProtocol.Udp, t.Source, t.SourcePort, t.Destination, t.DestinationPort, now, p);
                if (ZeekConnLog.IsLikelyServerPort(t.SourcePort) && !ZeekConnLog.IsLikelyServerPort(t.DestinationPort)) outer.Flip();
                // Zeek reports a tunnel once it has opened one of its datagrams.
                if (!corrupt) ZeekTunnels.Write(_tunnel, now, outer.Serial, t.Kind, outer.OrigHost, outer.OrigPort, outer.RespHost, outer.RespPort);
            }
            if (grandparent >= 0) outer.AddParent(grandparent);
            bool fromOrig = t.Source == outer.OrigHost && t.SourcePort == outer.OrigPort;
            ref var e = ref fromOrig ? ref outer.Orig : ref outer.Resp;
            if (corrupt)
            {
                // The UDP analyzer stops at the wrong checksum: the datagram is noted, not counted, not opened.
                outer.AddCounted('C', fromOrig, ref e.Corrupt);
                return -1;
            }
            e.Packets++;
            e.IpBytes += t.IpTotalLength;
            e.PayloadBytes += Math.Max(0, t.UdpLength - 8);
            if ((e.Once & HistoryFlags.Data) == 0)
            {
                e.Once |= HistoryFlags.Data;
                outer.AddHistory('D', fromOrig);
            }
            e.Once |= HistoryFlags.Tunnel;
            outer.LastNanos = now;
            // Teredo is confirmed once both sides sent it (Zeek's Tunnel::delay_teredo_confirmation, on by default).
            bool confirmed = t.Kind != TunnelKind.Teredo || (outer.Orig.Once & outer.Resp.Once & HistoryFlags.Tunnel) != 0;
            if (confirmed && TunnelService(t.Kind) is { } service) outer.AddService(service);
            return outer.Serial;
        }
        var tunnel = ZeekFlowKey.Of(t.Source, 0, t.Destination, 0, t.Protocol);
        if (_ipTunnels.TryGetValue(tunnel, out long serial)) return serial;
        if (_ipTunnels.Count >= MaxIpTunnels) return -1;
        serial = _uidCount++;
        _ipTunnels[tunnel] = serial;
        ZeekTunnels.Write(_tunnel, now, serial, t.Kind, t.Source, 0, t.Destination, 0);
        return serial;
    }

    /// <summary>
    /// The service Zeek names a UDP tunnel's outer connection by; none for GRE in UDP (Zeek's GRE is a packet analyzer
    /// only: nothing confirms it on the datagrams' connection).
    /// </summary>
    private static string? TunnelService(TunnelKind kind) => kind switch
    {
        TunnelKind.Vxlan => "vxlan",
        TunnelKind.Geneve => "geneve",
        TunnelKind.GtpU => "gtpv1",
        TunnelKind.Teredo => "teredo",
        TunnelKind.Ayiya => "ayiya",
        _ => null,
    };

    private static bool IsBroadcast(IpAddr address) => address.IsV4 && (address.V4Value == 0xFFFF_FFFF || (address.V4Value & 0xFF) == 0xFF);

    /// <summary>
    /// A SYN on a connection that ended (or with a new initial sequence number) starts a new connection: the old one is
    /// written and the new gets its own uid, as Zeek does when a client reuses a port.
    /// </summary>
    private static bool IsReuse(ZeekConnection c, DecodedPacket p)
    {
        var flags = p.Tcp.Flags;
        if ((flags & TcpFlags.Syn) == 0) return false;
        bool fromOrig = p.Ip.Source == c.OrigHost && p.SourcePort == c.OrigPort;
        bool ack = (flags & TcpFlags.Ack) != 0;
        if (ack && !(c.Orig.State == TcpEndpointState.Inactive && !fromOrig)) return false;
        ref var side = ref fromOrig ? ref c.Orig : ref c.Resp;
        bool closed = c.BothClosed || c.Orig.State == TcpEndpointState.Reset || c.Resp.State == TcpEndpointState.Reset;
        if (closed) return true;
        return side.SeqKnown && p.Tcp.Sequence != side.StartSeq;
    }

    /// <summary>ICMP's Zeek ports: a message type with a counterpart (echo and its reply) is a two-way pair (type,
    /// counterpart); any other is one-way (type, code).</summary>
    private static (ushort Orig, ushort Resp, bool OneWay) IcmpPorts(in IcmpInfo icmp)
    {
        int counterpart = icmp.IsV6
            ? icmp.Type switch { 128 => 129, 129 => 128, 133 => 134, 134 => 133, 135 => 136, 136 => 135, 130 => 131, 131 => 130, 139 => 140, 140 => 139, 144 => 145, 145 => 144, _ => -1 }
            : icmp.Type switch { 8 => 0, 0 => 8, 13 => 14, 14 => 13, 15 => 16, 16 => 15, 10 => 9, 9 => 10, 17 => 18, 18 => 17, _ => -1 };
        return counterpart < 0 ? (icmp.Type, icmp.Code, true) : (icmp.Type, (ushort)counterpart, false);
    }

    private void Dns(ZeekConnection c, DecodedPacket p, ref bool fromOrig)
    {
        var dns = p.Dns;
        c.AddService("dns");
        c.DnsSeen = true;
        if (!c.DnsStarted)
        {
            c.DnsStarted = true;
            // The first message an answer from the originator's side: the capture missed the query; Zeek turns it round.
            if (fromOrig && dns.IsResponse && !c.RespHost.IsMulticast)
            {
                c.Flip();
                fromOrig = false;
            }
        }
        if (!ZeekDns.IsTracked(dns.Opcode)) return;
        if (c.RespHost.IsMulticast)
        {
            // To a group every message is a row of its own.
            var alone = NewDnsRow(p.Timestamp.Nanoseconds, dns.Id, dns.Opcode);
            if (dns.IsResponse)
            {
                ZeekDns.Write(_dns, c, alone, p);
            }
            else
            {
                ZeekDns.AddQuery(alone, p);
                ZeekDns.Write(_dns, c, alone);
            }
            _dnsRows.Push(alone);
            return;
        }
        // The oldest waiting row of this id that lacks this half.
        var pending = c.PendingDns;
        int at = -1;
        if (pending is not null)
        {
            for (int i = 0; i < pending.Count; i++)
            {
                var info = pending[i];
                if (info.Id == dns.Id && (dns.IsResponse ? !info.HasReply : !info.HasQuery))
                {
                    at = i;
                    break;
                }
            }
        }
        if (at >= 0)
        {
            var match = pending![at];
            pending.RemoveAt(at);
            if (dns.IsResponse)
            {
                ZeekDns.Write(_dns, c, match, p);
            }
            else
            {
                ZeekDns.AddQuery(match, p);
                ZeekDns.Write(_dns, c, match);
            }
            _dnsRows.Push(match);
            return;
        }
        pending = c.PendingDns ??= new List<ZeekDnsInfo>(1);
        if (pending.Count >= ZeekDns.MaxPendingPerConnection)
        {
            ZeekDns.Write(_dns, c, pending[0]);
            _dnsRows.Push(pending[0]);
            pending.RemoveAt(0);
        }
        var waiting = NewDnsRow(p.Timestamp.Nanoseconds, dns.Id, dns.Opcode);
        if (dns.IsResponse) ZeekDns.AddReply(waiting, p);
        else ZeekDns.AddQuery(waiting, p);
        pending.Add(waiting);
    }

    /// <summary>A dns.log row to fill, one written before when there is one: a busy resolver's queries allocate nothing.</summary>
    private ZeekDnsInfo NewDnsRow(long nanos, ushort id, int opcode)
    {
        var row = _dnsRows.TryPop(out var written) ? written : new ZeekDnsInfo();
        row.Start(nanos, id, opcode);
        return row;
    }

    /// <summary>Ends the connections whose time has come (Zeek's timers, on capture time), in the order they end.</summary>
    private void EndDue(long now)
    {
        while (_due.TryPeek(out var c, out long at) && at <= now)
        {
            _due.Dequeue();
            if (c.Ended || at != c.DueAt) continue; // written already, or queued again since
            long end = Deadline(c);
            if (end <= now) End(c.Key, c);
            else Schedule(c, end);
        }
    }

    private void Schedule(ZeekConnection c, long at)
    {
        c.DueAt = at;
        _due.Enqueue(c, at);
        // Entries replaced by an earlier one (and those of connections written since) stay queued until they come due,
        // holding their connection: when they outnumber the live connections, the queue is rebuilt from these.
        if (_due.Count > (2 * _connections.Count) + 4096)
        {
            _due.Clear();
            foreach (var live in _connections.Values) _due.Enqueue(live, live.DueAt);
        }
    }

    /// <summary>When Zeek would remove the connection (capture time), if nothing more arrives.</summary>
    private static long Deadline(ZeekConnection c)
    {
        if (c.Protocol == IpProtocol.Tcp)
        {
            var os = c.Orig.State;
            var rs = c.Resp.State;
            if (os is TcpEndpointState.SynSent or TcpEndpointState.SynAckSent && rs == TcpEndpointState.Inactive) return c.FirstNanos + TcpCloseDelay;
            if (c.BothClosed || os == TcpEndpointState.Reset || rs == TcpEndpointState.Reset) return c.LastNanos + TcpCloseDelay;
            bool handshake = os is TcpEndpointState.Inactive or TcpEndpointState.SynSent or TcpEndpointState.SynAckSent
                && rs is TcpEndpointState.Inactive or TcpEndpointState.SynSent or TcpEndpointState.SynAckSent;
            if ((c.Orig.FinOrReset || c.Resp.FinOrReset) && (os is TcpEndpointState.Inactive or TcpEndpointState.Partial || rs is TcpEndpointState.Inactive or TcpEndpointState.Partial))
            {
                return c.LastNanos + TcpCloseDelay;
            }
            return c.LastNanos + (handshake ? OtherInactivity : TcpInactivity);
        }
        if (c.Protocol == IpProtocol.Udp && c.DnsSeen)
        {
            // The DNS timer fires 10 s after the connection began and every 10 s after; it ends one idle 9 s.
            long idleAt = c.LastNanos + DnsIdle - c.FirstNanos;
            long ticks = Math.Max(1, (idleAt + DnsSessionTimer - 1) / DnsSessionTimer);
            return c.FirstNanos + (ticks * DnsSessionTimer);
        }
        return c.LastNanos + OtherInactivity;
    }

    private void End(ZeekFlowKey key, ZeekConnection c)
    {
        _connections.Remove(key);
        c.Ended = true;
        if (c.HasPendingDns && c.PendingDns is { } pending)
        {
            // Queries never answered first, then answers never asked (Zeek's order).
            foreach (var info in pending) if (info.HasQuery) ZeekDns.Write(_dns, c, info);
            foreach (var info in pending) if (!info.HasQuery) ZeekDns.Write(_dns, c, info);
            foreach (var info in pending) _dnsRows.Push(info);
            pending.Clear();
        }
        WriteConnection(c);
        if (_pool.Count < MaxPooled)
        {
            // A queue entry may still name it (an entry replaced by an earlier one): that entry's time differs from the
            // reused connection's, so it is skipped, or it only has the connection's end computed once more.
            c.Reset();
            _pool.Push(c);
        }
    }

    private void WriteConnection(ZeekConnection c)
    {
        var log = _conn;
        long duration = c.LastNanos - c.FirstNanos;
        log.BeginRow();
        log.Time(c.FirstNanos);
        log.ConnectionId(c.Serial, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        log.String(c.Protocol switch
        {
            IpProtocol.Tcp => "tcp",
            IpProtocol.Udp => "udp",
            IpProtocol.Icmp or IpProtocol.Icmpv6 => "icmp",
            _ => "unknown_transport",
        });
        log.String(c.Service);
        if (duration > 0)
        {
            log.Interval(duration);
            log.Count(OrigBytes(c));
            log.Count(RespBytes(c));
        }
        else
        {
            log.Unset(3);
        }
        log.String(ZeekConnLog.State(c));
        log.Bool(_localNets.Contains(c.OrigHost));
        log.Bool(_localNets.Contains(c.RespHost));
        log.Count(c.Protocol == IpProtocol.Tcp ? ZeekConnLog.Missed(c.Orig) + ZeekConnLog.Missed(c.Resp) : 0);
        var history = c.History;
        if (history.Length > 0)
        {
            Span<char> letters = stackalloc char[HistoryBuffer.Length];
            for (int i = 0; i < history.Length; i++) letters[i] = (char)history[i];
            log.String(letters[..history.Length]);
        }
        else
        {
            log.Unset();
        }
        log.Count(c.Orig.Packets);
        log.Count(c.Orig.IpBytes);
        log.Count(c.Resp.Packets);
        log.Count(c.Resp.IpBytes);
        if (c.ParentA >= 0)
        {
            log.BeginSet();
            log.SetUid(c.ParentA);
            if (c.ParentB >= 0) log.SetUid(c.ParentB);
            log.EndSet();
        }
        else
        {
            log.Unset();
        }
        log.Count(c.Protocol);
        log.EndRow();
    }

    private static long OrigBytes(ZeekConnection c) => c.Protocol == IpProtocol.Tcp ? ZeekConnLog.Size(c.Orig, c.Resp) : c.Orig.PayloadBytes;
    private static long RespBytes(ZeekConnection c) => c.Protocol == IpProtocol.Tcp ? ZeekConnLog.Size(c.Resp, c.Orig) : c.Resp.PayloadBytes;

    /// <summary>
    /// Addresses that are local wherever the capture was taken, as Zeek counts them (its private_address_space, local
    /// by default since Zeek 5): IANA's special-purpose ranges (RFC 6890: private, shared, loopback, link-local,
    /// documentation, benchmarking, reserved), the link-local and administratively scoped multicast blocks, and IPv6's
    /// loopback, unique-local, link-local, documentation, IETF-protocol (Teredo) and mapped ranges. 6to4 (2002::/16)
    /// and global multicast are not local.
    /// </summary>
    private static readonly System.Net.IPNetwork[] PrivateAddressSpace =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/24", "239.0.0.0/8", "240.0.0.0/4",
            "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10",
        }.Select(n => System.Net.IPNetwork.Parse(n)),
    ];

    private void Weird(DecodedPacket p, ZeekConnection? c)
    {
        foreach (var kind in p.Anomalies.Kept)
        {
            long n = _weirdCounts.TryGetValue(kind, out long seen) ? seen + 1 : 1;
            _weirdCounts[kind] = n;
            if (n > WeirdThreshold && n % WeirdSampleRate != 0) continue;
            ZeekWeirds.Write(_weird, p, c, kind);
        }
    }

    /// <summary>
    /// The input is over: every connection still live is written (in the order it began), and the tables that followed
    /// them are dropped, so their memory serves the analysis's end (<see cref="Analyzer.Finish"/>) instead of adding
    /// to it. Only the packets' uids stay, for the notices. <see cref="Finish"/> calls it if need be.
    /// </summary>
    public void EndInput()
    {
        if (_inputEnded) return;
        _inputEnded = true;
        foreach (var c in _connections.Values.OrderBy(c => c.FirstNanos).ToList()) End(c.Key, c);
        _connections.Clear();
        _connections.TrimExcess();
        _due.Clear();
        _due.TrimExcess();
        _pool.Clear();
        _pool.TrimExcess();
        _dnsRows.Clear();
        _dnsRows.TrimExcess();
    }

    /// <summary>
    /// Writes what is left once the input is over (<see cref="EndInput"/>), then the notices of the analysis. Call once,
    /// then <see cref="Dispose"/>.
    /// </summary>
    public void Finish(AnalysisReport? report)
    {
        if (_finished) return;
        _finished = true;
        EndInput();
        if (report is not null) ZeekNotices.Write(_notice, report, _frameUids.Find);
    }

    public void Dispose()
    {
        _conn.Dispose();
        _dns.Dispose();
        _notice.Dispose();
        _weird.Dispose();
        _tunnel.Dispose();
    }
}
