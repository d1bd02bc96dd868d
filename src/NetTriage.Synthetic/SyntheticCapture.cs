using System.Buffers.Binary;
using System.Text;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

using NetTriage.Capture.Writing;

namespace NetTriage.Synthetic;

/// <summary>
/// A deterministic, seeded generator of realistic mixed traffic as seen at a site's gateway (Ethernet/IPv4):
/// thousands of clients browsing (DNS lookups, then HTTPS or HTTP sessions with data), sessions without a
/// lookup, NTP and pings, and the failures an analyst meets: NXDOMAIN (typos and search-domain misses),
/// SERVFAIL, a resolver that answers with ICMP port unreachable, a resolver that never answers, refused and
/// unanswered TCP connections, host unreachable, administratively prohibited, and traceroute's TTL exceeded.
/// <para>
/// Scenarios start as a Poisson process (<see cref="ScenariosPerSecond"/> a second on average) and overlap:
/// every packet has its own time (round trips per server, server think time, retransmission timers of one
/// and three seconds) and packets are written in time order, so a gigabyte spans about six minutes of
/// traffic. The same seed, size and host count always give the same bytes.
/// </para>
/// <para>
/// That is the <see cref="SyntheticProfile.Browsing"/> profile; <see cref="SyntheticProfile.Bulk"/> is a busy link
/// of large downloads instead (SyntheticCapture.Bulk.cs).
/// </para>
/// </summary>
public sealed partial class SyntheticCapture
{
    /// <summary>Clients when the caller does not say.</summary>
    public const int DefaultHosts = 4000;

    /// <summary>Mean rate at which scenarios start, in capture time: about 3 MB of capture a second.</summary>
    public const double ScenariosPerSecond = 350;
    /// <summary>One session in this many fails at its SYN though its server works (scattered failures).</summary>
    public const int ScatteredFailureOneIn = 40;

    private const int Ip = FrameBuilder.EthernetHeaderLength;
    private const int UdpPayload = FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
    private const int TcpPayload = FrameBuilder.Ipv4HeaderLength + FrameBuilder.TcpHeaderLength;
    private const int Mss = 1448;
    private const long Millisecond = 1_000_000;
    private const long Second = PacketTimestamp.NanosPerSecond;
    private const byte IcmpEchoReply = 0;
    private const byte IcmpUnreachable = 3;
    private const byte IcmpEchoRequest = 8;
    private const byte IcmpTimeExceeded = 11;

    private static readonly IpAddr GoodResolverA = IpAddr.FromV4(0xC000_0235);   // 192.0.2.53
    private static readonly IpAddr GoodResolverB = IpAddr.FromV4(0xC000_0236);   // 192.0.2.54
    private static readonly IpAddr BrokenResolver = IpAddr.FromV4(0xCB00_7102);  // 203.0.113.2: nothing listens on port 53
    private static readonly IpAddr DeadResolver = IpAddr.FromV4(0xCB00_7103);    // 203.0.113.3: queries silently dropped
    private static readonly IpAddr NtpServer = IpAddr.FromV4(0xC000_027B);       // 192.0.2.123
    private static readonly IpAddr Gateway = IpAddr.FromV4(0x0A01_0001);         // 10.1.0.1
    private static readonly IpAddr Firewall = IpAddr.FromV4(0xC633_6401);        // 198.51.100.1
    private static readonly IpAddr MailRelay = IpAddr.FromV4(0xCB00_7119);       // 203.0.113.25: port 25 rejected by the firewall
    private static readonly IpAddr FilteredServer = IpAddr.FromV4(0xC633_64FE);  // 198.51.100.254: SYNs dropped
    private static readonly IpAddr[] Routers = [Gateway, IpAddr.FromV4(0x6440_0001), IpAddr.FromV4(0xC633_6402)]; // 10.1.0.1, 100.64.0.1, 198.51.100.2
    private static readonly MacAddress RouterMac = new(0x02_00_00_00_00_01);

    private static readonly string[] Prefixes = ["www", "api", "cdn", "static", "img", "login", "mail", "auth", "video", "assets", "m", "app", "docs", "news", "shop"];
    private static readonly string[] Domains =
    [
        "example", "shopnow", "newsdaily", "photohub", "mailbox", "streamly", "cloudapp", "weatherly", "bankone", "travelgo",
        "recipes", "sportsnet", "codehub", "musicbox", "gamezone", "learnit", "healthy", "autoparts", "homedeco", "petcare",
        "fastcdn", "adserve", "metrics", "socially", "chatapp", "maps", "bookstore", "jobsite", "realty", "fintrack",
    ];
    private static readonly string[] Tlds = ["com", "net", "org", "io", "co"];
    private const string SearchDomain = ".corp.example.net";
    private static readonly string[] BrokenNames = ["www.dnssec-failed.org", "api.dnssec-failed.org", "login.dnssec-failed.org"];

    private readonly PcapWriter _writer;
    private readonly Random _random;
    private readonly SyntheticProfile _profile;
    private readonly int _hostCount;
    /// <summary>Servers the profile uses: the first this many of <see cref="_servers"/>.</summary>
    private readonly int _serverCount;
    private readonly byte[] _frame = new byte[2048];
    private readonly byte[] _quote = new byte[2048];
    private readonly byte[] _filler = new byte[64 * 1024];
    private readonly string[] _names;
    private readonly byte[][] _wire, _typoWire, _searchWire, _brokenWire;
    private readonly byte[]?[] _httpRequests, _clientHellos;
    private readonly IpAddr[] _servers;
    private readonly long[] _serverRtt;
    private readonly PriorityQueue<Spec, (long Time, long Order)> _queue = new();
    private readonly Stack<Spec> _free = new();
    private readonly long _start;
    private long _order;
    private long _written = 24;
    private ushort _ipId;

    private SyntheticCapture(PcapWriter writer, int seed, int? hostCount, SyntheticProfile profile)
    {
        _writer = writer;
        _random = new Random(seed);
        _profile = profile;
        _hostCount = Math.Clamp(hostCount ?? DefaultHostsOf(profile), 1, 60_000);
        _start = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * Second;
        _random.NextBytes(_filler);

        var names = new List<string>();
        foreach (var domain in Domains)
        {
            foreach (var tld in Tlds)
            {
                foreach (var prefix in Prefixes) names.Add($"{prefix}.{domain}.{tld}");
            }
        }
        _names = [.. names];
        _wire = [.. names.Select(WireName)];
        // A typo swaps the first two letters of the domain: www.xeample.com.
        _typoWire = [.. names.Select(n => WireName(Swap(n)))];
        _searchWire = [.. names.Select(n => WireName(n + SearchDomain))];
        _brokenWire = [.. BrokenNames.Select(WireName)];
        _httpRequests = new byte[]?[names.Count];
        _clientHellos = new byte[]?[names.Count];

        // Servers 198.51.100.10-249 and 172.16.x.y, each with its own round-trip time (2 to 122 ms, mostly short).
        _servers = new IpAddr[640];
        _serverRtt = new long[_servers.Length];
        for (int i = 0; i < _servers.Length; i++)
        {
            _servers[i] = i < 240 ? IpAddr.FromV4(0xC633_6400u + 10 + (uint)i) : IpAddr.FromV4(0xAC10_0000u + (uint)((i - 240) * 37 + 1));
            _serverRtt[i] = 2 * Millisecond + _random.Next(120_000_000) / (1 + _random.Next(4));
        }
        _serverCount = profile == SyntheticProfile.Bulk ? BulkServers : _servers.Length;
    }

    /// <summary>Clients of <paramref name="profile"/> when the caller does not say.</summary>
    public static int DefaultHostsOf(SyntheticProfile profile) => profile == SyntheticProfile.Bulk ? DefaultBulkHosts : DefaultHosts;

    /// <summary>
    /// Writes a pcap of about <paramref name="approximateBytes"/> bytes (it stops starting new traffic there and
    /// lets what is under way finish); returns the number of packets. <paramref name="progress"/> is called with
    /// the bytes written every 16 MiB and at the end.
    /// </summary>
    public static long Write(Stream output, long approximateBytes, int seed = 1, int? hostCount = null, Action<long>? progress = null,
        SyntheticProfile profile = SyntheticProfile.Browsing)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        var generator = new SyntheticCapture(writer, seed, hostCount, profile);
        generator.Run(approximateBytes, long.MaxValue, long.MaxValue, progress);
        progress?.Invoke(generator._written);
        return writer.PacketsWritten;
    }

    /// <summary>Writes exactly <paramref name="packets"/> packets of the same traffic; returns the bytes written.</summary>
    public static long WritePackets(Stream output, long packets, int seed = 1, int? hostCount = null, SyntheticProfile profile = SyntheticProfile.Browsing)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        var generator = new SyntheticCapture(writer, seed, hostCount, profile);
        generator.Run(long.MaxValue, packets, long.MaxValue, null);
        return generator._written;
    }

    /// <summary>Writes <paramref name="scenarios"/> scenarios and lets them finish; returns the number of packets.</summary>
    public static long WriteScenarios(Stream output, int scenarios, int seed = 1, int? hostCount = null, SyntheticProfile profile = SyntheticProfile.Browsing)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        var generator = new SyntheticCapture(writer, seed, hostCount, profile);
        generator.Run(long.MaxValue, long.MaxValue, scenarios, null);
        return writer.PacketsWritten;
    }

    private void Run(long maxBytes, long maxPackets, long maxScenarios, Action<long>? progress)
    {
        bool bulk = _profile == SyntheticProfile.Bulk;
        double rate = bulk ? BulkScenariosPerSecond : ScenariosPerSecond;
        long next = _start;
        long reported = 0;
        for (long scenarios = 0; _written < maxBytes && scenarios < maxScenarios; scenarios++)
        {
            // Everything due before the next scenario starts, in time order.
            while (_queue.TryPeek(out _, out var due) && due.Time <= next)
            {
                if (_writer.PacketsWritten >= maxPackets) return;
                EmitNext();
            }
            if (bulk) StartBulkScenario(next);
            else StartScenario(next);
            // Exponential gaps make a Poisson process: -ln(U) / rate.
            next += (long)(-Math.Log(1 - _random.NextDouble()) / rate * Second);
            if (progress is not null && _written - reported >= 16 << 20)
            {
                reported = _written;
                progress(_written);
            }
        }
        long end = long.MaxValue;
        if (bulk && _written >= maxBytes)
        {
            // The size is reached: downloads under way end at their next segment, and the capture stops soon after,
            // as a capture stopped on a busy link does (retransmissions due later are not in it).
            _windingDown = true;
            end = next + WindDown;
        }
        while (_queue.TryPeek(out _, out var due) && due.Time <= end && _writer.PacketsWritten < maxPackets)
        {
            EmitNext();
        }
    }

    // ---- scenarios ------------------------------------------------------------------------------------

    private void StartScenario(long t)
    {
        int client = _random.Next(_hostCount);
        switch (_random.Next(1000))
        {
            case < 430: WebVisit(t, client); break;
            case < 680: Session(t, client, _random.Next(_servers.Length), Port(), RandomName(), hello: false); break;
            case < 790: Lookup(t, client, RandomName(), _random.Next(10) < 7 ? DnsType.A : DnsType.AAAA, connect: false); break;
            case < 820: Typo(t, client); break;
            case < 826: ServFail(t, client); break;
            case < 866: Refused(t, client); break;
            case < 891: Unanswered(t, client); break;
            case < 901: HostUnreachable(t, client); break;
            case < 911: Prohibited(t, client); break;
            case < 921: Traceroute(t, client); break;
            case < 961: Ping(t, client); break;
            default: Ntp(t, client); break;
        }
    }

    /// <summary>A browser: a lookup (now and then first with the search domain appended), then a session to an address it got.</summary>
    private void WebVisit(long t, int client)
    {
        int name = RandomName();
        var resolver = ResolverOf(client);
        if (_random.Next(25) == 0 && Works(resolver))
        {
            // "www.example.com.corp.example.net" first: the search list tried before the bare name (resolv.conf ndots).
            ushort port = EphemeralPort();
            ushort id = (ushort)_random.Next(65536);
            long answer = t + ResolverDelay();
            Schedule(t, Dns(false, Client(client), port, resolver, id, _searchWire[name], name, DnsType.A, 0));
            Schedule(answer, Dns(true, Client(client), port, resolver, id, _searchWire[name], name, DnsType.A, DnsRcode.NXDomain));
            t = answer + Small();
        }
        Lookup(t, client, name, DnsType.A, connect: true);
    }

    /// <summary>A lookup through the client's resolver; with <paramref name="connect"/>, a session to an answered address follows.</summary>
    private void Lookup(long t, int client, int name, ushort type, bool connect)
    {
        var resolver = ResolverOf(client);
        var address = Client(client);
        ushort port = EphemeralPort();
        ushort id = (ushort)_random.Next(65536);
        if (resolver == BrokenResolver)
        {
            // Nothing listens on port 53: each query comes back as ICMP port unreachable (RFC 1122 4.1.3.1); one retry a second later.
            for (int attempt = 0; attempt < 2; attempt++)
            {
                long at = t + attempt * Second;
                var query = Dns(false, address, port, resolver, id, _wire[name], name, type, 0);
                Schedule(at, query);
                Schedule(at + 300_000 + _random.Next(2_000_000), Icmp(resolver, IcmpUnreachable, 3, Copy(query), quoteLimit: 548));
            }
            return;
        }
        if (resolver == DeadResolver)
        {
            // Silently dropped: the same query after one second and after three more (RFC 1035 4.2.1 retransmission).
            foreach (long after in (ReadOnlySpan<long>)[0, 1, 4])
            {
                Schedule(t + after * Second, Dns(false, address, port, resolver, id, _wire[name], name, type, 0));
            }
            return;
        }
        long answered = t + ResolverDelay();
        Schedule(t, Dns(false, address, port, resolver, id, _wire[name], name, type, 0));
        Schedule(answered, Dns(true, address, port, resolver, id, _wire[name], name, type, DnsRcode.NoError));
        if (type == DnsType.A && _random.Next(10) < 4)
        {
            // The AAAA question from the same socket, as stub resolvers ask both (RFC 3596).
            ushort id6 = (ushort)(id + 1);
            long at = t + 20_000 + _random.Next(200_000);
            Schedule(at, Dns(false, address, port, resolver, id6, _wire[name], name, DnsType.AAAA, 0));
            Schedule(at + ResolverDelay(), Dns(true, address, port, resolver, id6, _wire[name], name, DnsType.AAAA, DnsRcode.NoError));
        }
        if (connect && type == DnsType.A)
        {
            Session(answered + Small(), client, ServerOf(name, _random.Next(2)), Port(), name, hello: true);
        }
    }

    /// <summary>A mistyped name: the resolver answers NXDOMAIN (RFC 1035 4.1.1, rcode 3).</summary>
    private void Typo(long t, int client)
    {
        var resolver = ResolverOf(client);
        int name = _random.Next(_names.Length);
        if (!Works(resolver))
        {
            Lookup(t, client, name, DnsType.A, connect: false);
            return;
        }
        ushort port = EphemeralPort();
        ushort id = (ushort)_random.Next(65536);
        Schedule(t, Dns(false, Client(client), port, resolver, id, _typoWire[name], name, DnsType.A, 0));
        Schedule(t + ResolverDelay(), Dns(true, Client(client), port, resolver, id, _typoWire[name], name, DnsType.A, DnsRcode.NXDomain));
    }

    /// <summary>A zone whose signatures do not validate: SERVFAIL after the resolver tried (RFC 4035 5.5).</summary>
    private void ServFail(long t, int client)
    {
        var resolver = _random.Next(2) == 0 ? GoodResolverA : GoodResolverB;
        ushort port = EphemeralPort();
        ushort id = (ushort)_random.Next(65536);
        var wire = _brokenWire[_random.Next(_brokenWire.Length)];
        Schedule(t, Dns(false, Client(client), port, resolver, id, wire, 0, DnsType.A, 0));
        Schedule(t + 50 * Millisecond + _random.Next(400_000_000), Dns(true, Client(client), port, resolver, id, wire, 0, DnsType.A, DnsRcode.ServFail));
    }

    /// <summary>A connection to a port closed on one of four servers: the server resets it (RFC 9293 3.10.7.1); sometimes the client tries again.</summary>
    private void Refused(long t, int client) => Refused(t, client, 3 + 7 * _random.Next(4), 8443);

    /// <summary>Connections to <paramref name="service"/> on <paramref name="server"/>, where nothing listens: each reset at once; one or two tries.</summary>
    private void Refused(long t, int client, int server, ushort service)
    {
        var address = Client(client);
        int tries = 1 + _random.Next(2);
        for (int i = 0; i < tries; i++)
        {
            ushort port = EphemeralPort();
            uint seq = (uint)_random.Next();
            long at = t + i * 500 * Millisecond;
            Schedule(at, Tcp(address, _servers[server], port, service, seq, 0, TcpFlags.Syn, 0));
            Schedule(at + _serverRtt[server], Tcp(_servers[server], address, service, port, 0, seq + 1, TcpFlags.Rst | TcpFlags.Ack, 0));
        }
    }

    /// <summary>A filtered server: the SYN is dropped and sent again after 1 s and 3 s (RFC 6298 5.5, the timer doubling).</summary>
    private void Unanswered(long t, int client) => Unanswered(t, client, FilteredServer, 443);

    /// <summary>A SYN to <paramref name="server"/>'s <paramref name="service"/> that a firewall drops, sent again after 1 s and 3 s.</summary>
    private void Unanswered(long t, int client, IpAddr server, ushort service)
    {
        ushort port = EphemeralPort();
        uint seq = (uint)_random.Next();
        foreach (long after in (ReadOnlySpan<long>)[0, 1, 3])
        {
            Schedule(t + after * Second, Tcp(Client(client), server, port, service, seq, 0, TcpFlags.Syn, 0));
        }
    }

    /// <summary>A host that is down: the gateway gives up resolving its address and says host unreachable (RFC 1122 3.2.2.1).</summary>
    private void HostUnreachable(long t, int client)
    {
        var target = IpAddr.FromV4(0x0A09_0000u | (uint)(11 + _random.Next(2))); // 10.9.0.11 and 10.9.0.12 are down
        var syn = Tcp(Client(client), target, EphemeralPort(), 22, (uint)_random.Next(), 0, TcpFlags.Syn, 0);
        Schedule(t, syn);
        Schedule(t + 3 * Second + _random.Next(20_000_000), Icmp(Gateway, IcmpUnreachable, 1, Copy(syn), quoteLimit: 28));
    }

    /// <summary>Outbound SMTP rejected by a firewall: communication administratively prohibited (RFC 1812 5.2.7.1, code 13).</summary>
    private void Prohibited(long t, int client)
    {
        var syn = Tcp(Client(client), MailRelay, EphemeralPort(), 25, (uint)_random.Next(), 0, TcpFlags.Syn, 0);
        Schedule(t, syn);
        Schedule(t + Millisecond + _random.Next(5_000_000), Icmp(Firewall, IcmpUnreachable, 13, Copy(syn), quoteLimit: 28));
    }

    /// <summary>A traceroute toward one of four servers: UDP probes with growing TTL, each router on the way says time exceeded (RFC 792).</summary>
    private void Traceroute(long t, int client)
    {
        int server = 100 + 50 * _random.Next(4);
        ushort sport = EphemeralPort();
        for (int hop = 0; hop < Routers.Length; hop++)
        {
            var probe = Udp(Client(client), _servers[server], sport, (ushort)(33434 + hop), 32, ttl: (byte)(hop + 1));
            long at = t + hop * 30 * Millisecond;
            Schedule(at, probe);
            Schedule(at + (hop + 1) * 800_000L + _random.Next(500_000), Icmp(Routers[hop], IcmpTimeExceeded, 0, Copy(probe), quoteLimit: 28));
        }
    }

    /// <summary>A few pings a second apart (RFC 792 echo and echo reply).</summary>
    private void Ping(long t, int client)
    {
        int server = _random.Next(_serverCount);
        ushort id = (ushort)_random.Next(65536);
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count; i++)
        {
            long at = t + i * Second;
            Schedule(at, Echo(Client(client), _servers[server], IcmpEchoRequest, id, (ushort)(i + 1)));
            Schedule(at + _serverRtt[server], Echo(_servers[server], Client(client), IcmpEchoReply, id, (ushort)(i + 1)));
        }
    }

    /// <summary>An NTP client/server exchange (RFC 5905): 48 bytes each way.</summary>
    private void Ntp(long t, int client)
    {
        ushort port = EphemeralPort();
        Schedule(t, Udp(Client(client), NtpServer, port, 123, 48, ttl: 64));
        Schedule(t + 5 * Millisecond + _random.Next(30_000_000), Udp(NtpServer, Client(client), 123, port, 48, ttl: 58));
    }

    /// <summary>
    /// A TCP session with data (RFC 9293): handshake, a request (HTTP, or a TLS ClientHello naming
    /// <paramref name="name"/> when <paramref name="hello"/>, else TLS data), the response in bursts of ten
    /// segments a round trip with an ACK every second segment, then FIN both ways; one in twenty ends in a reset.
    /// </summary>
    private void Session(long t, int client, int server, ushort port, int name, bool hello)
    {
        var c = Client(client);
        var s = _servers[server];
        long rtt = _serverRtt[server];
        ushort cport = EphemeralPort();
        uint cseq = (uint)_random.Next();
        uint sseq = (uint)_random.Next();
        Schedule(t, Tcp(c, s, cport, port, cseq, 0, TcpFlags.Syn, 0));
        // Now and then a server that works fails one attempt (a full accept queue, a worker restarting, a SYN lost
        // on the way): refused or unanswered, a few percent of all attempts, spread over every service.
        if (_random.Next(ScatteredFailureOneIn) == 0)
        {
            if (_random.Next(2) == 0)
            {
                Schedule(t + rtt, Tcp(s, c, port, cport, 0, cseq + 1, TcpFlags.Rst | TcpFlags.Ack, 0));
                return;
            }
            foreach (long after in (ReadOnlySpan<long>)[1, 3])
            {
                Schedule(t + after * Second, Tcp(c, s, cport, port, cseq, 0, TcpFlags.Syn, 0));
            }
            return;
        }
        t += rtt;
        Schedule(t, Tcp(s, c, port, cport, sseq, cseq + 1, TcpFlags.Syn | TcpFlags.Ack, 0));
        t += Small();
        Schedule(t, Tcp(c, s, cport, port, cseq + 1, sseq + 1, TcpFlags.Ack, 0));
        t += Small();
        var request = Tcp(c, s, cport, port, cseq + 1, sseq + 1, TcpFlags.Psh | TcpFlags.Ack, 0);
        request.Name = name;
        (request.Payload, request.PayloadLength) = port == 80 ? (Payload.HttpRequest, HttpRequest(name).Length)
            : hello ? (Payload.ClientHello, ClientHello(name).Length)
            : (Payload.TlsData, 100 + _random.Next(500));
        Schedule(t, request);
        uint cnext = cseq + 1 + (uint)request.PayloadLength;
        t += rtt + 200_000 + _random.Next(20_000_000);

        // The response: geometric in segments (mean about eight), at most 120.
        int total = Mss / 2 + _random.Next(Mss);
        while (_random.Next(8) != 0 && total < 120 * Mss) total += Mss;
        uint snext = sseq + 1;
        int sent = 0, unacked = 0, inBurst = 0;
        while (sent < total)
        {
            int length = Math.Min(Mss, total - sent);
            var segment = Tcp(s, c, port, cport, snext, cnext, sent + length >= total ? TcpFlags.Psh | TcpFlags.Ack : TcpFlags.Ack, length);
            segment.Payload = port == 80 && sent == 0 ? Payload.HttpResponse : port == 443 && sent == 0 ? Payload.TlsData : Payload.Data;
            Schedule(t, segment);
            snext += (uint)length;
            sent += length;
            if (++unacked == 2 || sent >= total)
            {
                unacked = 0;
                Schedule(t + 40_000 + _random.Next(200_000), Tcp(c, s, cport, port, cnext, snext, TcpFlags.Ack, 0));
            }
            if (++inBurst == 10)
            {
                inBurst = 0;
                t += rtt;
            }
            t += 10_000 + _random.Next(120_000);
        }
        t += Millisecond + _random.Next(200_000_000);
        if (_random.Next(20) == 0)
        {
            Schedule(t, Tcp(c, s, cport, port, cnext, snext, TcpFlags.Rst | TcpFlags.Ack, 0));
            return;
        }
        Close(t, c, s, cport, port, cnext, snext, rtt);
    }

    /// <summary>The client closes (RFC 9293 3.6): its FIN, the server's FIN a round trip later, the last ACK.</summary>
    private void Close(long t, IpAddr c, IpAddr s, ushort cport, ushort port, uint cnext, uint snext, long rtt)
    {
        Schedule(t, Tcp(c, s, cport, port, cnext, snext, TcpFlags.Fin | TcpFlags.Ack, 0));
        t += rtt;
        Schedule(t, Tcp(s, c, port, cport, snext, cnext + 1, TcpFlags.Fin | TcpFlags.Ack, 0));
        Schedule(t + Small(), Tcp(c, s, cport, port, cnext + 1, snext + 1, TcpFlags.Ack, 0));
    }

    // ---- choices ----------------------------------------------------------------------------------------

    /// <summary>Clients 10.1.0.2 onward, 250 to a /24.</summary>
    private static IpAddr Client(int i) => IpAddr.FromV4(0x0A01_0000u + (uint)((i / 250) << 8) + (uint)(i % 250) + 2);

    /// <summary>Most clients use the two working resolvers; one in fifty is set to the broken one, one in fifty to the dead one.</summary>
    private static IpAddr ResolverOf(int client) => (client % 50) switch
    {
        7 => BrokenResolver,
        31 => DeadResolver,
        _ => (client & 1) == 0 ? GoodResolverA : GoodResolverB,
    };

    private static bool Works(IpAddr resolver) => resolver == GoodResolverA || resolver == GoodResolverB;

    /// <summary>Popular names are asked far more often: the least of two uniform draws.</summary>
    private int RandomName() => Math.Min(_random.Next(_names.Length), _random.Next(_names.Length));

    /// <summary>The server behind a name's <paramref name="which"/>-th address.</summary>
    private int ServerOf(int name, int which) => (int)(((uint)name * 2654435761u + (uint)which * 40503u) % (uint)_serverCount);

    private ushort Port() => _random.Next(5) == 0 ? (ushort)80 : (ushort)443;

    private ushort EphemeralPort() => (ushort)_random.Next(32768, 61000);

    /// <summary>A cached answer within a few milliseconds, or a recursive one within tens (RFC 1034 5.3.3).</summary>
    private long ResolverDelay() => _random.Next(10) < 7 ? 200_000 + _random.Next(3_000_000) : 8 * Millisecond + _random.Next(150_000_000);

    /// <summary>Host processing: tens to hundreds of microseconds.</summary>
    private long Small() => 30_000 + _random.Next(400_000);

    // ---- packets to write -------------------------------------------------------------------------------

    private enum Kind : byte
    {
        DnsQuery,
        DnsResponse,
        Tcp,
        Udp,
        IcmpError,
        Echo,
    }

    private enum Payload : byte
    {
        None,
        Data,
        HttpRequest,
        HttpResponse,
        ClientHello,
        TlsData,
        /// <summary>The head of a download over HTTP, then its body (bulk profile).</summary>
        HttpDownload,
        /// <summary>A QUIC packet of a UDP datagram (bulk profile).</summary>
        Quic,
    }

    /// <summary>One packet to write: its addresses and what its kind needs.</summary>
    private sealed class Spec
    {
        public Kind Kind;
        public IpAddr Source, Destination;
        public ushort SourcePort, DestinationPort;
        public byte Ttl;
        public ushort Id;
        public byte[] Wire = [];
        /// <summary>Index of the name: the answers of a lookup, the Host of a request, the SNI of a ClientHello.</summary>
        public int Name;
        public ushort Type;
        public int Rcode;
        public uint Sequence, Acknowledgment;
        public TcpFlags Flags;
        public int PayloadLength;
        public Payload Payload;
        public byte IcmpType, IcmpCode;
        public int QuoteLimit;
        public Spec? Quoted;
        /// <summary>The download this packet carries data of: once written, it sends what follows (bulk profile).</summary>
        public Transfer? Flow;
    }

    private Spec New(Kind kind, IpAddr source, IpAddr destination)
    {
        var spec = _free.Count > 0 ? _free.Pop() : new Spec();
        spec.Kind = kind;
        spec.Source = source;
        spec.Destination = destination;
        spec.SourcePort = spec.DestinationPort = 0;
        spec.Ttl = 64;
        spec.Id = 0;
        spec.Wire = [];
        spec.Name = 0;
        spec.Type = 0;
        spec.Rcode = 0;
        spec.Sequence = spec.Acknowledgment = 0;
        spec.Flags = default;
        spec.PayloadLength = 0;
        spec.Payload = Payload.None;
        spec.IcmpType = spec.IcmpCode = 0;
        spec.QuoteLimit = 0;
        spec.Quoted = null;
        spec.Flow = null;
        return spec;
    }

    private void Free(Spec spec)
    {
        if (spec.Quoted is { } quoted) Free(quoted);
        spec.Quoted = null;
        _free.Push(spec);
    }

    /// <summary>A query from the client, or the resolver's response to it.</summary>
    private Spec Dns(bool response, IpAddr client, ushort clientPort, IpAddr resolver, ushort id, byte[] wire, int name, ushort type, int rcode)
    {
        var spec = response ? New(Kind.DnsResponse, resolver, client) : New(Kind.DnsQuery, client, resolver);
        spec.SourcePort = response ? (ushort)53 : clientPort;
        spec.DestinationPort = response ? clientPort : (ushort)53;
        spec.Id = id;
        spec.Wire = wire;
        spec.Name = name;
        spec.Type = type;
        spec.Rcode = rcode;
        return spec;
    }

    private Spec Tcp(IpAddr source, IpAddr destination, ushort sport, ushort dport, uint seq, uint ack, TcpFlags flags, int payloadLength)
    {
        var spec = New(Kind.Tcp, source, destination);
        spec.SourcePort = sport;
        spec.DestinationPort = dport;
        spec.Sequence = seq;
        spec.Acknowledgment = ack;
        spec.Flags = flags;
        spec.PayloadLength = payloadLength;
        spec.Payload = payloadLength > 0 ? Payload.Data : Payload.None;
        return spec;
    }

    private Spec Udp(IpAddr source, IpAddr destination, ushort sport, ushort dport, int payloadLength, byte ttl)
    {
        var spec = New(Kind.Udp, source, destination);
        spec.SourcePort = sport;
        spec.DestinationPort = dport;
        spec.PayloadLength = payloadLength;
        spec.Ttl = ttl;
        return spec;
    }

    private Spec Echo(IpAddr source, IpAddr destination, byte type, ushort id, ushort sequence)
    {
        var spec = New(Kind.Echo, source, destination);
        spec.IcmpType = type;
        spec.Id = id;
        spec.Sequence = sequence;
        spec.PayloadLength = 56;
        return spec;
    }

    /// <summary>An ICMP error about <paramref name="quoted"/>, sent by <paramref name="sender"/> to the quoted packet's source.</summary>
    private Spec Icmp(IpAddr sender, byte type, byte code, Spec quoted, int quoteLimit)
    {
        var spec = New(Kind.IcmpError, sender, quoted.Source);
        spec.IcmpType = type;
        spec.IcmpCode = code;
        spec.Quoted = quoted;
        spec.QuoteLimit = quoteLimit;
        return spec;
    }

    private Spec Copy(Spec spec)
    {
        var copy = New(spec.Kind, spec.Source, spec.Destination);
        copy.SourcePort = spec.SourcePort;
        copy.DestinationPort = spec.DestinationPort;
        copy.Ttl = spec.Ttl;
        copy.Id = spec.Id;
        copy.Wire = spec.Wire;
        copy.Name = spec.Name;
        copy.Type = spec.Type;
        copy.Rcode = spec.Rcode;
        copy.Sequence = spec.Sequence;
        copy.Acknowledgment = spec.Acknowledgment;
        copy.Flags = spec.Flags;
        copy.PayloadLength = spec.PayloadLength;
        copy.Payload = spec.Payload;
        return copy;
    }

    private void Schedule(long time, Spec spec) => _queue.Enqueue(spec, (time, _order++));

    private void EmitNext()
    {
        _queue.TryDequeue(out var spec, out var due);
        int length = Ip + Build(spec!, _frame.AsSpan(Ip));
        bool fromClient = IsClient(spec!.Source);
        var clientMac = new MacAddress(0x02_00_0A_00_00_00UL | (fromClient ? spec.Source.V4Value : spec.Destination.V4Value) & 0xFFFFFF);
        FrameBuilder.WriteEthernet(_frame, fromClient ? clientMac : RouterMac, fromClient ? RouterMac : clientMac, EtherType.Ipv4);
        _writer.Write(new PacketTimestamp(due.Time, TimestampKind.Absolute), _frame.AsSpan(0, length));
        _written += 16 + length;
        var flow = spec.Flow;
        Free(spec);
        if (flow is not null) Advance(flow, due.Time);
    }

    private static bool IsClient(IpAddr address) => (address.V4Value & 0xFFFF_0000) == 0x0A01_0000 && address != Gateway;

    // ---- bytes ------------------------------------------------------------------------------------------

    /// <summary>Writes the IP packet of <paramref name="spec"/> (header onward) into <paramref name="ip"/>; returns its length.</summary>
    private int Build(Spec spec, Span<byte> ip)
    {
        int transport;
        byte protocol;
        switch (spec.Kind)
        {
            case Kind.DnsQuery:
            case Kind.DnsResponse:
            {
                int dns = WriteDns(spec, ip[UdpPayload..]);
                transport = FrameBuilder.UdpHeaderLength + dns;
                FrameBuilder.WriteUdpV4(ip[FrameBuilder.Ipv4HeaderLength..], spec.Source, spec.Destination, spec.SourcePort, spec.DestinationPort, dns);
                protocol = IpProtocol.Udp;
                break;
            }
            case Kind.Tcp:
                WriteTcpPayload(spec, ip.Slice(TcpPayload, spec.PayloadLength));
                transport = FrameBuilder.TcpHeaderLength + spec.PayloadLength;
                FrameBuilder.WriteTcpV4(ip[FrameBuilder.Ipv4HeaderLength..], spec.Source, spec.Destination, spec.SourcePort, spec.DestinationPort,
                    spec.Sequence, spec.Acknowledgment, spec.Flags, 64240, spec.PayloadLength);
                protocol = IpProtocol.Tcp;
                break;
            case Kind.Udp:
                if (spec.Payload == Payload.Quic) WriteQuic(spec, ip.Slice(UdpPayload, spec.PayloadLength));
                else Filler(spec.SourcePort, spec.PayloadLength).CopyTo(ip[UdpPayload..]);
                if (spec.DestinationPort == 123 || spec.SourcePort == 123)
                {
                    ip[UdpPayload] = spec.DestinationPort == 123 ? (byte)0x23 : (byte)0x24; // NTPv4, mode 3 client or 4 server (RFC 5905 7.3)
                }
                transport = FrameBuilder.UdpHeaderLength + spec.PayloadLength;
                FrameBuilder.WriteUdpV4(ip[FrameBuilder.Ipv4HeaderLength..], spec.Source, spec.Destination, spec.SourcePort, spec.DestinationPort, spec.PayloadLength);
                protocol = IpProtocol.Udp;
                break;
            case Kind.Echo:
            {
                // RFC 792 echo: type, code, checksum, identifier, sequence number, data.
                var icmp = ip[FrameBuilder.Ipv4HeaderLength..];
                transport = FrameBuilder.IcmpHeaderLength + spec.PayloadLength;
                icmp[0] = spec.IcmpType;
                icmp[1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], spec.Id);
                BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], (ushort)spec.Sequence);
                Filler(spec.Id, spec.PayloadLength).CopyTo(icmp[FrameBuilder.IcmpHeaderLength..]);
                BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], FrameBuilder.InternetChecksum(icmp[..transport], 0));
                protocol = IpProtocol.Icmp;
                break;
            }
            default:
            {
                int quoted = Build(spec.Quoted!, _quote);
                transport = FrameBuilder.WriteIcmpError(ip[FrameBuilder.Ipv4HeaderLength..], spec.IcmpType, spec.IcmpCode, _quote.AsSpan(0, quoted), spec.QuoteLimit);
                protocol = IpProtocol.Icmp;
                break;
            }
        }
        FrameBuilder.WriteIpv4(ip, spec.Source, spec.Destination, protocol, transport, _ipId++, spec.Ttl);
        return FrameBuilder.Ipv4HeaderLength + transport;
    }

    /// <summary>RFC 1035 4.1: header, the question, and for a successful response its answers (name by pointer, RFC 1035 4.1.4).</summary>
    private int WriteDns(Spec spec, Span<byte> d)
    {
        bool response = spec.Kind == Kind.DnsResponse;
        int answers = !response || spec.Rcode != 0 ? 0 : spec.Type == DnsType.A ? 2 + spec.Name % 2 : spec.Name % 3 == 0 ? 0 : 1;
        BinaryPrimitives.WriteUInt16BigEndian(d, spec.Id);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], response ? (ushort)(0x8180 | (spec.Rcode & 0xF)) : (ushort)0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], 0);
        spec.Wire.CopyTo(d[12..]);
        int n = 12 + spec.Wire.Length;
        BinaryPrimitives.WriteUInt16BigEndian(d[n..], spec.Type);
        BinaryPrimitives.WriteUInt16BigEndian(d[(n + 2)..], 1); // IN
        n += 4;
        for (int i = 0; i < answers; i++)
        {
            bool v6 = spec.Type == DnsType.AAAA;
            BinaryPrimitives.WriteUInt16BigEndian(d[n..], 0xC00C);
            BinaryPrimitives.WriteUInt16BigEndian(d[(n + 2)..], spec.Type);
            BinaryPrimitives.WriteUInt16BigEndian(d[(n + 4)..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(d[(n + 6)..], (uint)(60 + spec.Name % 7 * 300));
            BinaryPrimitives.WriteUInt16BigEndian(d[(n + 10)..], v6 ? (ushort)16 : (ushort)4);
            int server = ServerOf(spec.Name, i);
            if (v6)
            {
                // 2001:db8::/32 (RFC 3849), one address per server.
                BinaryPrimitives.WriteUInt32BigEndian(d[(n + 12)..], 0x2001_0DB8);
                BinaryPrimitives.WriteUInt64BigEndian(d[(n + 16)..], 0);
                BinaryPrimitives.WriteUInt32BigEndian(d[(n + 24)..], (uint)server + 1);
                n += 28;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(d[(n + 12)..], _servers[server].V4Value);
                n += 16;
            }
        }
        return n;
    }

    private void WriteTcpPayload(Spec spec, Span<byte> payload)
    {
        switch (spec.Payload)
        {
            case Payload.None:
                return;
            case Payload.HttpRequest:
                HttpRequest(spec.Name).CopyTo(payload);
                return;
            case Payload.ClientHello:
                ClientHello(spec.Name).CopyTo(payload);
                return;
            case Payload.HttpResponse:
                HeadThenFiller(spec, payload, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCache-Control: max-age=600\r\n\r\n"u8);
                return;
            case Payload.HttpDownload:
                // The body runs to the end of the connection (RFC 9112 6.3, item 8).
                HeadThenFiller(spec, payload, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"u8);
                return;
            case Payload.TlsData:
                // A TLS 1.2/1.3 application_data record header (RFC 8446 5.1), then opaque bytes.
                Filler(spec.Sequence, payload.Length).CopyTo(payload);
                if (payload.Length >= 5)
                {
                    payload[0] = 23;
                    payload[1] = 3;
                    payload[2] = 3;
                    BinaryPrimitives.WriteUInt16BigEndian(payload[3..], (ushort)Math.Min(payload.Length - 5, 16384));
                }
                return;
            default:
                Filler(spec.Sequence, payload.Length).CopyTo(payload);
                return;
        }
    }

    private void HeadThenFiller(Spec spec, Span<byte> payload, ReadOnlySpan<byte> head)
    {
        Filler(spec.Sequence, payload.Length).CopyTo(payload);
        head[..Math.Min(head.Length, payload.Length)].CopyTo(payload);
    }

    /// <summary>Opaque bytes from a fixed pseudo-random block, at an offset chosen by <paramref name="seed"/>.</summary>
    private ReadOnlySpan<byte> Filler(uint seed, int length) => _filler.AsSpan((int)(seed % (uint)(_filler.Length - 2048)), length);

    private byte[] HttpRequest(int name) => _httpRequests[name] ??= Encoding.ASCII.GetBytes(
        $"GET /{Prefixes[name % Prefixes.Length]}/index.html HTTP/1.1\r\nHost: {_names[name]}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0\r\nAccept: text/html,application/xhtml+xml\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n");

    /// <summary>A TLS 1.3-style ClientHello (RFC 8446 4.1.2) with a server_name extension (RFC 6066 3).</summary>
    private byte[] ClientHello(int name)
    {
        if (_clientHellos[name] is { } cached) return cached;
        var host = Encoding.ASCII.GetBytes(_names[name]);
        ReadOnlySpan<byte> suites = [0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xC0, 0x2B, 0xC0, 0x2F, 0xC0, 0x2C, 0xC0, 0x30];
        int sni = 2 + 1 + 2 + host.Length;                       // list length, name type, name length, name
        int extensions = 4 + sni;                                // one extension: type, length, body
        int hello = 2 + 32 + 1 + 32 + 2 + suites.Length + 2 + 2 + extensions;
        var bytes = new byte[5 + 4 + hello];
        var w = bytes.AsSpan();
        w[0] = 22; w[1] = 3; w[2] = 1;                             // handshake record, legacy version 3.1
        BinaryPrimitives.WriteUInt16BigEndian(w[3..], (ushort)(4 + hello));
        w[5] = 1;                                                  // client_hello
        w[6] = (byte)(hello >> 16); w[7] = (byte)(hello >> 8); w[8] = (byte)hello;
        int n = 9;
        w[n++] = 3; w[n++] = 3;                                    // legacy_version TLS 1.2
        Filler((uint)name * 977, 32).CopyTo(w[n..]); n += 32;       // random
        w[n++] = 32;                                               // legacy_session_id
        Filler((uint)name * 331, 32).CopyTo(w[n..]); n += 32;
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], (ushort)suites.Length); n += 2;
        suites.CopyTo(w[n..]); n += suites.Length;
        w[n++] = 1; w[n++] = 0;                                    // compression: null
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], (ushort)extensions); n += 2;
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], 0); n += 2;  // server_name
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], (ushort)sni); n += 2;
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], (ushort)(sni - 2)); n += 2;
        w[n++] = 0;                                                // host_name
        BinaryPrimitives.WriteUInt16BigEndian(w[n..], (ushort)host.Length); n += 2;
        host.CopyTo(w[n..]);
        return _clientHellos[name] = bytes;
    }

    private static byte[] WireName(string name)
    {
        var buffer = new byte[name.Length + 2];
        return buffer[..FrameBuilder.WriteDnsName(buffer, name)];
    }

    private static string Swap(string name)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal) + 1;
        var chars = name.ToCharArray();
        (chars[dot], chars[dot + 1]) = (chars[dot + 1], chars[dot]);
        return new string(chars);
    }
}
