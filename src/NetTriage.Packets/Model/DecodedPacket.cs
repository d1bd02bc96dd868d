namespace NetTriage.Packets;

/// <summary>Where a decoded packet came from.</summary>
public enum PacketOrigin : byte
{
    /// <summary>Decoded from frame bytes (pcap, pcapng, live).</summary>
    Binary = 0,
    /// <summary>Read from a tcpdump text line: only what tcpdump printed is known; no payload bytes.</summary>
    Text = 1,
}

/// <summary>
/// The decoded form of one packet, produced alike by the binary decoders and the tcpdump text source,
/// so every later stage serves both. One instance is reused for every packet of a source: nothing here
/// survives the next read, and a consumer copies what it keeps. Fields are public for speed on the hot path;
/// a layer's fields are meaningful only when <see cref="Layers"/> has its flag.
/// </summary>
public sealed class DecodedPacket
{
    public PacketOrigin Origin;
    /// <summary>1-based position in its source.</summary>
    public long FrameNumber;
    /// <summary>Text input: the line on which the record starts (1-based); 0 for binary input.</summary>
    public long LineNumber;
    /// <summary>Binary input: byte offset of the record in the (decompressed) file.</summary>
    public long FileOffset;
    public PacketTimestamp Timestamp;
    public LinkType LinkType;
    /// <summary>pcapng interface id (0 for pcap and text).</summary>
    public int InterfaceId;
    /// <summary>Bytes present in the capture.</summary>
    public int CapturedLength;
    /// <summary>Bytes on the wire.</summary>
    public int OriginalLength;

    public PacketLayers Layers;
    /// <summary>The packet was cut short (snap length, or a header ended early): later layers may be missing.</summary>
    public bool Truncated;

    // Link layer
    public MacAddress SourceMac;
    public MacAddress DestinationMac;
    /// <summary>The EtherType (or SLL protocol) of the network layer.</summary>
    public ushort EtherType;
    /// <summary>VLAN ids, outermost first.</summary>
    public ushort VlanId;
    public ushort InnerVlanId;
    public byte VlanCount;
    /// <summary>Linux cooked capture packet type (0 host, 4 outgoing, ...).</summary>
    public ushort SllPacketType;
    /// <summary>The PPP protocol of a frame on a PPP link (<see cref="LinkType.Ppp"/>, RFC 1661 2); 0 on other links.</summary>
    public ushort PppProtocol;

    public ArpInfo Arp;
    public IpInfo Ip;

    /// <summary>
    /// Follow tunnels: decode the packet inside GRE, IP in IP, VXLAN, Geneve, GTP-U, Teredo, AYIYA, MPLS, PPPoE and
    /// the link framings, and describe the inner packet (its outer header in <see cref="Tunnel"/>). The reader's choice,
    /// kept across <see cref="Reset"/>: the analysis follows every tunnel; `show` those tcpdump opens
    /// (<see cref="IpTunnelsOnly"/>), whose outer headers its lines print first, as tcpdump's do.
    /// </summary>
    public bool DecodeTunnels;
    /// <summary>
    /// With <see cref="DecodeTunnels"/>: only the tunnels tcpdump itself opens by default (IP in IP, GRE, VXLAN, Geneve),
    /// not the link framings (MPLS, PPPoE, ...) nor 802.11, whose headers tcpdump prints its own way: what `show` reads.
    /// </summary>
    public bool IpTunnelsOnly;
    /// <summary>The tunnel the packet came through, when <see cref="DecodeTunnels"/> removed one.</summary>
    public TunnelInfo Tunnel;

    /// <summary>
    /// Steps inside a tunnel as the binary decoders do (for readers of text, whose lines print the outer headers before
    /// the inner packet): the outer addresses and ports go to <see cref="Tunnel"/> and its next hop, the network and
    /// transport layers are cleared for the inner packet. False past the nesting bound (an anomaly is added).
    /// </summary>
    public bool EnterTunnel(TunnelKind kind) => Tunnels.TunnelDecoder.Enter(this, kind);
    /// <summary>
    /// Reassemble IP fragments: the fragment that completes a datagram is decoded as the whole datagram (the reader's
    /// choice, kept across <see cref="Reset"/>; binary sources only).
    /// </summary>
    public bool ReassembleFragments;
    /// <summary>This packet is a datagram reassembled from this many fragments, the last of which was this frame (0: it is not).</summary>
    public int ReassembledFragments;
    public bool Reassembled => ReassembledFragments > 0;
    /// <summary>A fragment held for reassembly: it is counted with its datagram once that completes.</summary>
    public bool FragmentHeld;
    /// <summary>
    /// Verify the IPv4 header, TCP and UDP checksums of fully captured packets into <see cref="BadChecksums"/> (the
    /// reader's choice, kept across <see cref="Reset"/>). Decoding is the same either way: a wrong checksum is noted,
    /// never acted on.
    /// </summary>
    public bool VerifyChecksums;
    /// <summary>
    /// Make the marks that only the Zeek logs read: <see cref="Ssh"/> (an SSH banner's version, a session key) and
    /// <see cref="UdpApplication"/> (the reader's choice, kept across <see cref="Reset"/>; on unless a reader turns it
    /// off). The analysis and the sensors read neither; <see cref="SshNewKeys"/> is made either way.
    /// </summary>
    public bool MarkApplications = true;
    /// <summary>The checksums found wrong, when <see cref="VerifyChecksums"/> asks.</summary>
    public ChecksumErrors BadChecksums;
    /// <summary>
    /// One more than the tunnel depth at which a reassembled datagram is being decoded (0: none): its rebuilt IPv4 header
    /// carries no checksum of its own (each fragment's was verified as it came).
    /// </summary>
    internal int ReassembledAtDepth;
    /// <summary>
    /// Read DNS over TCP by following each connection (RFC 7766 8): a message is read whole or from its start wherever
    /// the segments cut it, and every message a segment completes is read (the reader's choice, kept across
    /// <see cref="Reset"/>; binary sources only, which then set <see cref="DnsStreams"/>). Without it a segment is read
    /// alone, as tcpdump reads it.
    /// </summary>
    public bool ReassembleDnsOverTcp;
    /// <summary>The source's DNS-over-TCP state, when <see cref="ReassembleDnsOverTcp"/> is set (kept across <see cref="Reset"/>).</summary>
    public Dns.DnsTcpReassembler? DnsStreams;

    // Transport
    public ushort SourcePort;
    public ushort DestinationPort;
    public TcpInfo Tcp;
    /// <summary>UDP length field.</summary>
    public ushort UdpLength;
    public IcmpInfo Icmp;
    /// <summary>Offset of the transport payload within the frame (binary input).</summary>
    public int PayloadOffset;
    /// <summary>Transport payload bytes present in the capture.</summary>
    public int PayloadLength;
    /// <summary>Transport payload length claimed by the headers (what tcpdump prints as "length N").</summary>
    public int PayloadClaimedLength;
    /// <summary>Text input: a port printed as a service name the reader does not know (the port is 0 then).</summary>
    public TextRef SourcePortName, DestinationPortName;
    /// <summary>Text input: an endpoint printed as a host name rather than an address (the address is None then).</summary>
    public TextRef SourceHost, DestinationHost;

    // Application
    /// <summary>The DNS message of the packet (the first one, when a TCP segment completes several: <see cref="MoreDns"/>).</summary>
    public DnsInfo Dns { get; private set; } = new();
    public HttpInfo Http;
    public TlsInfo Tls;
    /// <summary>A cleartext login service's answer to a login (FTP, SMTP AUTH, POP3, IMAP), when the segment is one.</summary>
    public Login.LoginReply Login;
    /// <summary>An SSH server's segment that carries its NEWKEYS message: the key exchange is over, authentication follows.</summary>
    public bool SshNewKeys;
    /// <summary>The SSH identification line or end of key exchange a TCP segment starts with, on any port.</summary>
    public SshMarks Ssh;
    /// <summary>The DHCP or NTP message a UDP datagram carries, recognised on its port.</summary>
    public UdpApplication UdpApplication;
    /// <summary>The data connection an FTP control segment (port 21) announces, when it announces one.</summary>
    public FtpDataChannel FtpData;
    /// <summary>What the first line of an FTP control segment is (a command, a reply or a malformed reply).</summary>
    public FtpLineInfo FtpLine;
    /// <summary>
    /// The content type of the TLS record a TCP segment starts with (RFC 8446 5.1: 20 change_cipher_spec, 21 alert,
    /// 22 handshake, 23 application_data), or 0 when it starts with none. Set whether or not the record is decoded.
    /// </summary>
    public byte TlsRecord;
    /// <summary>A cleartext alert record (RFC 8446 6: two bytes, level and description); 0 when none.</summary>
    public byte TlsAlertLevel;
    public byte TlsAlertDescription;

    public readonly PacketText Text = new();
    public readonly AnomalyList Anomalies = new();

    /// <summary>Text input: the record as read, kept when the line could not be understood.</summary>
    public TextRef RawText;
    /// <summary>Text input: the line could not be read; only <see cref="LineNumber"/> and <see cref="RawText"/> are set.</summary>
    public bool Unparsed;

    public bool Has(PacketLayers layer) => (Layers & layer) != 0;

    /// <summary>Messages after the first one a segment may carry (RFC 7766 6.2.1.1 pipelining) that are read; later ones are skipped.</summary>
    public const int MaxMoreDns = 7;
    private DnsInfo[]? _moreDns;

    /// <summary>
    /// DNS over TCP followed by connection (<see cref="ReassembleDnsOverTcp"/>): how many messages the segment completes
    /// after the one in <see cref="Dns"/>. Their names are in this packet's text store.
    /// </summary>
    public int MoreDnsCount { get; private set; }

    /// <summary>The message after <see cref="Dns"/> at <paramref name="index"/> (below <see cref="MoreDnsCount"/>).</summary>
    public DnsInfo MoreDns(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)MoreDnsCount, nameof(index));
        return _moreDns![index];
    }

    /// <summary>
    /// Exchanges <see cref="Dns"/> with the message <see cref="MoreDns"/> at <paramref name="index"/>, so code that reads a
    /// packet's DNS message reads that one; the same call again puts them back.
    /// </summary>
    public void SwapDns(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)MoreDnsCount, nameof(index));
        (Dns, _moreDns![index]) = (_moreDns[index], Dns);
    }

    /// <summary>Forgets the messages after the first (the transport is decoded again).</summary>
    internal void ClearMoreDns() => MoreDnsCount = 0;

    /// <summary>A cleared message after the ones held, or null when <see cref="MaxMoreDns"/> are. Allocated once per packet object.</summary>
    internal DnsInfo? AddMoreDns()
    {
        if (MoreDnsCount == MaxMoreDns) return null;
        _moreDns ??= new DnsInfo[MaxMoreDns];
        var dns = _moreDns[MoreDnsCount] ??= new DnsInfo();
        dns.Clear();
        MoreDnsCount++;
        return dns;
    }

    public void AddAnomaly(AnomalyKind kind) => Anomalies.Add(kind);

    /// <summary>Clears every field; sources call it before filling the packet.</summary>
    public void Reset()
    {
        Origin = PacketOrigin.Binary;
        FrameNumber = 0;
        LineNumber = 0;
        FileOffset = 0;
        Timestamp = default;
        LinkType = default;
        InterfaceId = 0;
        CapturedLength = 0;
        OriginalLength = 0;
        Layers = PacketLayers.None;
        Truncated = false;
        SourceMac = default;
        DestinationMac = default;
        EtherType = 0;
        VlanId = 0;
        InnerVlanId = 0;
        VlanCount = 0;
        SllPacketType = 0;
        PppProtocol = 0;
        Arp = default;
        Ip = default;
        // Nearly 500 bytes, written only on entering a tunnel or a link framing (TunnelDecoder.Enter, EnterLink),
        // which count themselves in Depth and LinkDepth: most packets have nothing to clear.
        if (Tunnel.Depth != 0 || Tunnel.LinkDepth != 0) Tunnel = default;
        ReassembledFragments = 0;
        FragmentHeld = false;
        BadChecksums = ChecksumErrors.None;
        ReassembledAtDepth = 0;
        SourcePort = 0;
        DestinationPort = 0;
        Tcp = default;
        UdpLength = 0;
        Icmp = default;
        PayloadOffset = 0;
        PayloadLength = 0;
        PayloadClaimedLength = 0;
        SourcePortName = DestinationPortName = default;
        SourceHost = DestinationHost = default;
        Dns.Clear();
        MoreDnsCount = 0;
        Http = default;
        Tls = default;
        Login = default;
        SshNewKeys = false;
        Ssh = SshMarks.None;
        UdpApplication = UdpApplication.None;
        FtpData = default;
        FtpLine = default;
        TlsRecord = 0;
        TlsAlertLevel = 0;
        TlsAlertDescription = 0;
        Text.Reset();
        Anomalies.Clear();
        RawText = default;
        Unparsed = false;
    }

    public string GetText(TextRef text) => Text.GetString(text);

    /// <summary>
    /// Copies every field into <paramref name="destination"/> (text references stay valid: the text store is
    /// copied byte for byte). For the rare stage that must keep a packet past the next read.
    /// </summary>
    public void CopyTo(DecodedPacket destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Origin = Origin;
        destination.FrameNumber = FrameNumber;
        destination.LineNumber = LineNumber;
        destination.FileOffset = FileOffset;
        destination.Timestamp = Timestamp;
        destination.LinkType = LinkType;
        destination.InterfaceId = InterfaceId;
        destination.CapturedLength = CapturedLength;
        destination.OriginalLength = OriginalLength;
        destination.Layers = Layers;
        destination.Truncated = Truncated;
        destination.SourceMac = SourceMac;
        destination.DestinationMac = DestinationMac;
        destination.EtherType = EtherType;
        destination.VlanId = VlanId;
        destination.InnerVlanId = InnerVlanId;
        destination.VlanCount = VlanCount;
        destination.SllPacketType = SllPacketType;
        destination.PppProtocol = PppProtocol;
        destination.Arp = Arp;
        destination.Ip = Ip;
        destination.DecodeTunnels = DecodeTunnels;
        destination.IpTunnelsOnly = IpTunnelsOnly;
        destination.Tunnel = Tunnel;
        destination.ReassembleFragments = ReassembleFragments;
        destination.ReassembledFragments = ReassembledFragments;
        destination.FragmentHeld = FragmentHeld;
        destination.VerifyChecksums = VerifyChecksums;
        destination.MarkApplications = MarkApplications;
        destination.BadChecksums = BadChecksums;
        destination.ReassembleDnsOverTcp = ReassembleDnsOverTcp;
        destination.SourcePort = SourcePort;
        destination.DestinationPort = DestinationPort;
        destination.Tcp = Tcp;
        destination.UdpLength = UdpLength;
        destination.Icmp = Icmp;
        destination.PayloadOffset = PayloadOffset;
        destination.PayloadLength = PayloadLength;
        destination.PayloadClaimedLength = PayloadClaimedLength;
        destination.SourcePortName = SourcePortName;
        destination.DestinationPortName = DestinationPortName;
        destination.SourceHost = SourceHost;
        destination.DestinationHost = DestinationHost;
        Dns.CopyTo(destination.Dns);
        destination.MoreDnsCount = 0;
        for (int i = 0; i < MoreDnsCount; i++) _moreDns![i].CopyTo(destination.AddMoreDns()!);
        destination.Http = Http;
        destination.Tls = Tls;
        destination.Login = Login;
        destination.SshNewKeys = SshNewKeys;
        destination.Ssh = Ssh;
        destination.UdpApplication = UdpApplication;
        destination.FtpData = FtpData;
        destination.FtpLine = FtpLine;
        destination.TlsRecord = TlsRecord;
        destination.TlsAlertLevel = TlsAlertLevel;
        destination.TlsAlertDescription = TlsAlertDescription;
        Text.CopyTo(destination.Text);
        Anomalies.CopyTo(destination.Anomalies);
        destination.RawText = RawText;
        destination.Unparsed = Unparsed;
    }
}
