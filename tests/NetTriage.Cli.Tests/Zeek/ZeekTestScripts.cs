using System.Buffers.Binary;

namespace NetTriage.Cli.Tests.Zeek;

/// <summary>
/// What a Zeek test's script (testing/btest/&lt;test path&gt;.zeek or .test in Zeek's repository, at the corpus's commit)
/// does that changes its conn.log or dns.log, so our run is given the same conditions: -C (checksums ignored: we run
/// with --ignore-checksums), a packet filter (the trace is filtered the same way before we read it), bare mode (-b: only
/// the protocol scripts it loads can name a service; ours naming another is not compared), and options that reshape
/// what is logged (fields not compared, with the reason). Tests not listed run plain `zeek -r`. docs/zeek-logs.md
/// names each entry.
/// </summary>
internal sealed record ZeekTestScript
{
    /// <summary>-C: Zeek ignored checksums.</summary>
    public bool IgnoreChecksums { get; init; }

    /// <summary>-b with these protocols' scripts loaded: the services Zeek could name; null when not bare.</summary>
    public IReadOnlySet<string>? BareServices { get; init; }

    /// <summary>Packets the test kept from the trace (its BPF filter, static or installed as it ran); null: all.</summary>
    public Func<IReadOnlyList<PcapRecord>, IEnumerable<PcapRecord>>? Filter { get; init; }

    /// <summary>A service whose naming the test's options change (a redef), and the option; null: none.</summary>
    public (string Service, string Option)? RedefinedService { get; init; }

    /// <summary>DPD::track_removed_services_in_connection: a removed service stays in the list as "name,-name".</summary>
    public bool RemovedServicesTracked { get; init; }

    /// <summary>Fields the test's options make incomparable, and why.</summary>
    public IReadOnlyDictionary<string, string> Excluded { get; init; } = new Dictionary<string, string>();

    public static readonly ZeekTestScript Plain = new();

    private static ZeekTestScript Bare(params string[] services) => new() { BareServices = new HashSet<string>(services, StringComparer.Ordinal) };

    private static readonly Dictionary<string, ZeekTestScript> Scripts = new(StringComparer.Ordinal)
    {
        // -C on traces whose checksums are wrong (anonymised or captured with offloading).
        ["core.mpls-in-vlan"] = new() { IgnoreChecksums = true },
        ["core.pcapng-pktsrc"] = new() { IgnoreChecksums = true },
        ["core.tcp-padding"] = new() { IgnoreChecksums = true },
        ["core.tunnels.gtp.outer_ip_frag"] = new() { IgnoreChecksums = true },
        ["scripts.base.protocols.dns.dnskey"] = new() { IgnoreChecksums = true },
        ["scripts.base.protocols.dns.ds"] = new() { IgnoreChecksums = true },
        ["scripts.base.protocols.http.http-connect-with-header"] = new() { IgnoreChecksums = true },
        // zeek -b, with the protocol scripts each loads.
        ["core.vlan-mpls"] = Bare("http") with { IgnoreChecksums = true },
        ["core.vntag-in-vlan"] = Bare() with { IgnoreChecksums = true },
        ["core.tunnels.gre"] = Bare("dns", "ssh", "ntp"),
        ["core.tunnels.gre-aruba-amsdu"] = Bare() with { IgnoreChecksums = true },
        ["core.tunnels.gre-over-udp"] = Bare("dns", "http"),
        ["core.tunnels.geneve-47101"] = Bare("ssl", "geneve") with { IgnoreChecksums = true },
        ["core.tunnels.gtp.different_dl_and_ul"] = Bare("http", "gtpv1") with { IgnoreChecksums = true },
        ["scripts.base.frameworks.logging.field-extension"] = Bare(),
        ["scripts.base.frameworks.logging.field-extension-complex"] = Bare(),
        ["scripts.base.frameworks.logging.field-extension-optional"] = Bare(),
        ["scripts.base.frameworks.logging.field-extension-invalid"] = Bare(),
        ["scripts.base.protocols.dns.spf"] = Bare("dns"),
        ["scripts.base.protocols.irc.starttls"] = Bare("irc", "ssl") with { IgnoreChecksums = true },
        ["scripts.base.protocols.pop3.starttls"] = Bare("pop3", "ssl") with { IgnoreChecksums = true },
        // The SKIP packet analyzer drops each frame's first 38 bytes (Ethernet, IPv4, GRE): Zeek sees the inner packets
        // as the frames' own, with no tunnel.
        ["core.skip_analyzer"] = Bare() with
        {
            IgnoreChecksums = true,
            Excluded = new Dictionary<string, string> { ["tunnel_parents"] = "PacketAnalyzer::SKIP strips the GRE tunnel" },
        },
        // A service whose analyzer DPD removed is kept in the list, marked "-name", rather than dropped.
        ["scripts.base.frameworks.analyzer.dpd-logging-configuration"] = new() { RemovedServicesTracked = true },
        // Teredo confirmed on its first datagram rather than once both sides sent one.
        ["core.tunnels.gtp.inner_teredo"] = new() { RedefinedService = ("teredo", "Tunnel::delay_teredo_confirmation=F") },
        // -f "port 50000".
        ["core.pcap.read-trace-with-filter"] = new() { Filter = records => records.Where(r => r.HasPort(50000)) },
        // Pcap::install_pcap_filter: after the first packet "port 80", after the second "port 53".
        ["core.pcap.dynamic-filter"] = Bare("http", "dns") with { IgnoreChecksums = true, Filter = DynamicFilter },
        // NetControl's packet filter: a DROP of the originator's address once a connection is established.
        ["scripts.base.frameworks.netcontrol.packetfilter"] = Bare("smtp", "dns") with { Filter = DropOnEstablished },
    };

    public static ZeekTestScript Of(string test) => Scripts.TryGetValue(test, out var script) ? script : Plain;

    /// <summary>The tests listed, for the report.</summary>
    public static IReadOnlyCollection<string> Listed => Scripts.Keys;

    /// <summary>The first IP packet passes; then only the first that matches "port 80"; then those that match "port 53".</summary>
    private static IEnumerable<PcapRecord> DynamicFilter(IReadOnlyList<PcapRecord> records)
    {
        int seen = 0;
        foreach (var r in records)
        {
            if (!r.IsIp) continue;
            bool pass = seen switch
            {
                0 => true,
                1 => r.HasPort(80),
                _ => r.HasPort(53),
            };
            if (!pass) continue;
            seen++;
            yield return r;
        }
    }

    /// <summary>
    /// Once a TCP connection is established (its SYN answered by a SYN-ACK), every later packet to or from its
    /// originator is dropped (NetControl::DROP of the address, which the packet filter plug-in installs as a BPF filter).
    /// </summary>
    private static IEnumerable<PcapRecord> DropOnEstablished(IReadOnlyList<PcapRecord> records)
    {
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var synFrom = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            if (r.IsIp && (dropped.Contains(r.Source) || dropped.Contains(r.Destination))) continue;
            yield return r;
            if (!r.IsTcp) continue;
            const int Syn = 0x02, Ack = 0x10;
            if ((r.TcpFlags & (Syn | Ack)) == Syn) synFrom.Add($"{r.Source}:{r.SourcePort}>{r.Destination}:{r.DestinationPort}");
            else if ((r.TcpFlags & (Syn | Ack)) == (Syn | Ack) && synFrom.Contains($"{r.Destination}:{r.DestinationPort}>{r.Source}:{r.SourcePort}"))
            {
                dropped.Add(r.Destination);
            }
        }
    }
}

/// <summary>
/// One record of a classic pcap file (its 16-byte header and frame, kept as read), with what a BPF filter reads of an
/// Ethernet frame: IPv4 or IPv6 (behind VLAN tags), addresses, TCP or UDP ports and TCP flags. Read by the harness
/// itself, not by the code under test.
/// </summary>
internal sealed record PcapRecord(byte[] Bytes, bool IsIp, bool IsTcp, string Source, string Destination, int SourcePort, int DestinationPort, int TcpFlags)
{
    public bool HasPort(int port) => SourcePort == port || DestinationPort == port;

    /// <summary>The global header and the records of a little- or big-endian classic pcap of Ethernet frames.</summary>
    public static (byte[] Header, List<PcapRecord> Records) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        bool little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!little && magic is not (0xD4C3B2A1 or 0x4D3CB2A1)) throw new InvalidDataException($"{path}: not a classic pcap file");
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
        var records = new List<PcapRecord>();
        int o = 24;
        while (o + 16 <= bytes.Length)
        {
            int captured = (int)U32(o + 8);
            if (o + 16 + captured > bytes.Length) break;
            records.Add(Parse(bytes[o..(o + 16 + captured)]));
            o += 16 + captured;
        }
        return (bytes[..24], records);
    }

    public static void Write(string path, byte[] header, IEnumerable<PcapRecord> records)
    {
        using var file = File.Create(path);
        file.Write(header);
        foreach (var r in records) file.Write(r.Bytes);
    }

    private static PcapRecord Parse(byte[] record)
    {
        var f = record.AsSpan(16);
        var none = new PcapRecord(record, false, false, "", "", -1, -1, 0);
        if (f.Length < 14) return none;
        int o = 12;
        int type = BinaryPrimitives.ReadUInt16BigEndian(f[o..]);
        while (type is 0x8100 or 0x88A8 && f.Length >= o + 6)
        {
            o += 4;
            type = BinaryPrimitives.ReadUInt16BigEndian(f[o..]);
        }
        o += 2;
        int protocol, transport;
        string source, destination;
        bool later = false;
        if (type == 0x0800 && f.Length >= o + 20)
        {
            int ihl = (f[o] & 0xF) * 4;
            protocol = f[o + 9];
            later = (BinaryPrimitives.ReadUInt16BigEndian(f[(o + 6)..]) & 0x1FFF) != 0;
            source = new System.Net.IPAddress(f.Slice(o + 12, 4)).ToString();
            destination = new System.Net.IPAddress(f.Slice(o + 16, 4)).ToString();
            transport = o + ihl;
        }
        else if (type == 0x86DD && f.Length >= o + 40)
        {
            protocol = f[o + 6];
            source = new System.Net.IPAddress(f.Slice(o + 8, 16)).ToString();
            destination = new System.Net.IPAddress(f.Slice(o + 24, 16)).ToString();
            transport = o + 40;
        }
        else
        {
            return none;
        }
        bool ported = protocol is 6 or 17 && !later && f.Length >= transport + 4;
        int sport = ported ? BinaryPrimitives.ReadUInt16BigEndian(f[transport..]) : -1;
        int dport = ported ? BinaryPrimitives.ReadUInt16BigEndian(f[(transport + 2)..]) : -1;
        int flags = protocol == 6 && !later && f.Length >= transport + 14 ? f[transport + 13] : 0;
        return new PcapRecord(record, true, protocol == 6, source, destination, sport, dport, flags);
    }
}
