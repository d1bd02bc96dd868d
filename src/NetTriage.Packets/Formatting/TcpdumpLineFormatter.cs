using System.Buffers;
using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Formatting;

/// <summary>
/// Prints one decoded packet as one line in the style of <c>tcpdump -n -#</c> (tcpdump 4.99), so a line
/// can be held against tcpdump's own output for the same frame:
/// <code>    1  13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (24)</code>
/// <para>
/// What is printed is what tcpdump prints without -v for IPv4/IPv6, TCP (with tcpdump's relative
/// sequence numbers), UDP, DNS, ICMP, ICMPv6, ARP and the first line of HTTP/1.x. Known differences:
/// TCP options are printed from the decoded facts in the order Linux writes them (mss, sackOK, TS, nop,
/// wscale), because the decoder keeps neither the option order nor the NOP padding, and SACK blocks are
/// shown by count only; protocols NetTriage does not decode are printed generically
/// (<c>UDP, length N</c>, <c>ip-proto-N LEN</c>) where tcpdump would decode them; VLAN tags are not
/// shown (tcpdump shows them only with -e); an HTTP start line is shown on any port, not only 80/8080;
/// a DNS TXT record shows the text the decoder kept as one quoted string.
/// </para>
/// <para>
/// Every string that comes from a capture (DNS names, HTTP fields, the TLS server name, unparsed text) is
/// written through <see cref="TerminalEscaper"/>, so nothing a capture contains can drive a terminal.
/// </para>
/// An instance keeps per-connection TCP state and a reusable line buffer: use one instance per packet
/// stream, from one thread at a time. A line is built in memory and written with one call.
/// </summary>
public sealed partial class TcpdumpLineFormatter
{
    private const int HttpPort = 80;
    private const int HttpAltPort = 8080;

    private readonly TcpdumpLineOptions _options;
    private readonly LineBuffer _line = new();
    private readonly TcpSequenceTracker _sequences;
    private bool _truncationWritten;
    private long _offsetSecond = long.MinValue;
    private long _offset;

    public TcpdumpLineFormatter()
        : this(new TcpdumpLineOptions())
    {
    }

    public TcpdumpLineFormatter(TimestampStyle timestampStyle, bool nanoseconds = false)
        : this(new TcpdumpLineOptions { TimestampStyle = timestampStyle, Nanoseconds = nanoseconds })
    {
    }

    public TcpdumpLineFormatter(TcpdumpLineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _sequences = new TcpSequenceTracker(options.MaxTrackedConnections);
    }

    public TcpdumpLineOptions Options => _options;

    /// <summary>Writes the packet's line and a <c>\n</c> (always LF, whatever the platform) to <paramref name="output"/>.</summary>
    public void Write(DecodedPacket packet, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        Build(packet);
        _line.Append('\n');
        output.Write(_line.Written);
    }

    /// <summary>Writes the packet's line and a <c>\n</c> into <paramref name="output"/>.</summary>
    public void Write(DecodedPacket packet, IBufferWriter<char> output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        Build(packet);
        _line.Append('\n');
        ReadOnlySpan<char> line = _line.Written;
        line.CopyTo(output.GetSpan(line.Length));
        output.Advance(line.Length);
    }

    /// <summary>Returns the packet's line without a line terminator (allocates the string).</summary>
    public string Format(DecodedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        Build(packet);
        return new string(_line.Written);
    }

    /// <summary>Forgets every TCP connection (call between two captures).</summary>
    public void Reset() => _sequences.Clear();

    private void Build(DecodedPacket p)
    {
        _line.Clear();
        _truncationWritten = false;
        if (_options.FrameNumbers)
        {
            _line.AppendRightAligned(p.FrameNumber, 5);
            _line.Append("  ");
        }
        if (p.Unparsed)
        {
            WriteUnparsed(p);
            return;
        }
        if (WriteTimestamp(p.Timestamp))
        {
            _line.Append(' ');
        }
        if (!_options.Tunnels || p.Tunnel.Depth == 0 || WriteTunnels(p))
        {
            WriteBody(p);
        }
        if (_options.Annotations)
        {
            WriteAnnotations(p);
        }
    }

    private void WriteUnparsed(DecodedPacket p)
    {
        _line.Append("[unparsed line ");
        _line.AppendFormatted(p.LineNumber);
        _line.Append(']');
        if (!p.RawText.IsEmpty)
        {
            _line.Append(' ');
            _line.AppendEscaped(p.Text.GetSpan(p.RawText));
        }
    }

    // ---- time -------------------------------------------------------------------------------------

    private bool WriteTimestamp(PacketTimestamp ts)
    {
        if (_options.TimestampStyle == TimestampStyle.None)
        {
            return false;
        }
        switch (ts.Kind)
        {
            case TimestampKind.None:
                return false;
            case TimestampKind.Relative:
                WriteSeconds(ts.Nanoseconds);
                return true;
            case TimestampKind.TimeOfDay:
                WriteTimeOfDay(ts.TimeOfDayNanos);
                return true;
        }
        if (_options.TimestampStyle == TimestampStyle.Epoch)
        {
            WriteSeconds(ts.Nanoseconds);
            return true;
        }
        var clock = new PacketTimestamp(ts.Nanoseconds + OffsetSeconds(ts.Seconds) * PacketTimestamp.NanosPerSecond, TimestampKind.Absolute);
        if (_options.TimestampStyle == TimestampStyle.DateTime)
        {
            var date = DateTime.UnixEpoch.AddTicks(clock.Seconds * TimeSpan.TicksPerSecond);
            _line.AppendFormatted(date, "yyyy'-'MM'-'dd");
            _line.Append(' ');
        }
        WriteTimeOfDay(clock.TimeOfDayNanos);
        return true;
    }

    /// <summary>The zone's offset at a second since the epoch; the last one is remembered, as packets come in time order.</summary>
    private long OffsetSeconds(long unixSeconds)
    {
        if (_options.Zone.IsUtc) return 0;
        if (unixSeconds != _offsetSecond)
        {
            _offset = (long)_options.Zone.OffsetAt(unixSeconds).TotalSeconds;
            _offsetSecond = unixSeconds;
        }
        return _offset;
    }

    private void WriteTimeOfDay(long nanosSinceMidnight)
    {
        long seconds = nanosSinceMidnight / PacketTimestamp.NanosPerSecond;
        _line.AppendZeroPadded(seconds / 3600, 2);
        _line.Append(':');
        _line.AppendZeroPadded(seconds / 60 % 60, 2);
        _line.Append(':');
        _line.AppendZeroPadded(seconds % 60, 2);
        WriteFraction(nanosSinceMidnight % PacketTimestamp.NanosPerSecond);
    }

    private void WriteSeconds(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            _line.Append('-');
            nanoseconds = nanoseconds == long.MinValue ? long.MaxValue : -nanoseconds;
        }
        _line.AppendFormatted(nanoseconds / PacketTimestamp.NanosPerSecond);
        WriteFraction(nanoseconds % PacketTimestamp.NanosPerSecond);
    }

    private void WriteFraction(long subsecondNanos)
    {
        _line.Append('.');
        if (_options.Nanoseconds)
        {
            _line.AppendZeroPadded(subsecondNanos, 9);
        }
        else
        {
            _line.AppendZeroPadded(subsecondNanos / 1000, 6);
        }
    }

    // ---- layers -----------------------------------------------------------------------------------

    private void WriteBody(DecodedPacket p)
    {
        string? marker = HeaderTruncationMarker(p);
        int bodyStart = _line.Length;
        if (p.Has(PacketLayers.Arp))
        {
            WriteArp(p);
        }
        else if (p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6))
        {
            WriteIp(p, marker);
        }
        else
        {
            WriteWithoutNetworkLayer(p, marker);
        }
        if (marker is not null && !_truncationWritten)
        {
            if (_line.Length > bodyStart)
            {
                _line.Append(' ');
            }
            _line.Append(marker);
            _truncationWritten = true;
        }
    }

    /// <summary>tcpdump's <c>[|proto]</c> for a header that ended early; DNS and ICMP decide their own.</summary>
    private static string? HeaderTruncationMarker(DecodedPacket p)
    {
        var anomalies = p.Anomalies;
        if (anomalies.Count == 0)
        {
            return null;
        }
        if (anomalies.Contains(AnomalyKind.LinkHeaderTruncated))
        {
            return p.LinkType switch
            {
                LinkType.LinuxSll => "[|sll]",
                LinkType.LinuxSll2 => "[|sll2]",
                LinkType.Null or LinkType.Loop => "[|null]",
                LinkType.Ppp => "[|ppp]",
                _ => "[|ether]",
            };
        }
        if (anomalies.Contains(AnomalyKind.ArpTruncated))
        {
            return "[|arp]";
        }
        if (anomalies.Contains(AnomalyKind.Ipv4HeaderTruncated))
        {
            return "[|ip]";
        }
        if (anomalies.Contains(AnomalyKind.Ipv6HeaderTruncated) || anomalies.Contains(AnomalyKind.Ipv6ExtensionHeaderTruncated))
        {
            return "[|ip6]";
        }
        if (anomalies.Contains(AnomalyKind.TcpHeaderTruncated))
        {
            return "[|tcp]";
        }
        if (anomalies.Contains(AnomalyKind.UdpHeaderTruncated))
        {
            return "[|udp]";
        }
        if (anomalies.Contains(AnomalyKind.IcmpTruncated))
        {
            return "[|icmp]";
        }
        if (anomalies.Contains(AnomalyKind.Icmpv6Truncated))
        {
            return "[|icmp6]";
        }
        return null;
    }

    private void WriteWithoutNetworkLayer(DecodedPacket p, string? marker)
    {
        if (p.Origin == PacketOrigin.Text)
        {
            // A text record read only in part: show what was read rather than invent a header.
            if (!p.RawText.IsEmpty)
            {
                _line.AppendEscaped(p.Text.GetSpan(p.RawText));
            }
            return;
        }
        if (marker is not null)
        {
            // The network header itself ended early: name the protocol the link layer announced.
            switch (p.EtherType)
            {
                case EtherType.Ipv4 when marker == "[|ip]":
                    _line.Append("IP");
                    break;
                case EtherType.Ipv6 when marker == "[|ip6]":
                    _line.Append("IP6");
                    break;
                case EtherType.Arp when marker == "[|arp]":
                    _line.Append("ARP,");
                    break;
            }
            return;
        }
        if (p.Anomalies.Contains(AnomalyKind.UnknownLinkType) || !IsKnownLinkType(p.LinkType))
        {
            _line.Append("unknown link type ");
            _line.AppendFormatted((int)p.LinkType);
            _line.Append(", length ");
            _line.AppendFormatted(p.OriginalLength);
            return;
        }
        if (p.LinkType == LinkType.Ppp)
        {
            // What tcpdump -e prints before the PPP payload: the protocol's name and number, the frame's length.
            _line.Append(Link.PppHeader.Name(p.PppProtocol));
            _line.Append(" (0x");
            _line.AppendFormatted(p.PppProtocol, "x4");
            _line.Append("), length ");
            _line.AppendFormatted(p.OriginalLength);
            return;
        }
        if (p.Has(PacketLayers.Ethernet))
        {
            // Without -e tcpdump shows the MAC addresses only for frames it cannot decode further.
            _line.AppendMac(p.SourceMac);
            _line.Append(" > ");
            _line.AppendMac(p.DestinationMac);
            _line.Append(", ");
        }
        if (p.Has(PacketLayers.Ethernet) && p.EtherType < 0x0600)
        {
            _line.Append("802.3");
        }
        else
        {
            _line.Append("ethertype ");
            _line.Append(EtherTypeName(p.EtherType));
            _line.Append(" (0x");
            _line.AppendFormatted(p.EtherType, "x4");
            _line.Append(')');
        }
        _line.Append(", length ");
        _line.AppendFormatted(p.OriginalLength);
    }

    /// <summary>
    /// The outer headers of a tunnelled packet, outermost first, as tcpdump 4.99 prints them without -v (print-gre.c,
    /// print-vxlan.c, print-geneve.c; IP in IP is the outer addresses then the inner packet). False when tcpdump would
    /// stop there (a GRE payload it does not decode, a UDP tunnel it does not open): the inner packet is not printed.
    /// </summary>
    private bool WriteTunnels(DecodedPacket p)
    {
        int hops = Math.Min((int)p.Tunnel.Depth, TunnelHops.Length);
        for (int i = 0; i < hops; i++)
        {
            ref readonly var hop = ref p.Tunnel.Hops[i];
            bool udp = hop.Kind is TunnelKind.Vxlan or TunnelKind.Geneve or TunnelKind.GtpU or TunnelKind.Teredo or TunnelKind.Ayiya or TunnelKind.GreInUdp;
            _line.Append(hop.OuterV6 ? "IP6 " : "IP ");
            _line.AppendFormatted(hop.OuterSource);
            if (udp)
            {
                _line.Append('.');
                _line.AppendFormatted(hop.OuterSourcePort);
            }
            _line.Append(" > ");
            _line.AppendFormatted(hop.OuterDestination);
            if (udp)
            {
                _line.Append('.');
                _line.AppendFormatted(hop.OuterDestinationPort);
            }
            _line.Append(": ");
            switch (hop.Kind)
            {
                case TunnelKind.IpInIp:
                    break;
                case TunnelKind.Gre:
                case TunnelKind.Erspan:
                case TunnelKind.Pptp:
                    if (!WriteGre(hop, p)) return false;
                    break;
                case TunnelKind.Vxlan:
                    _line.Append("VXLAN, flags [");
                    _line.Append((hop.Options & 0x08) != 0 ? "I" : ".");
                    _line.Append("] (0x");
                    _line.AppendFormatted((byte)hop.Options, "x2");
                    _line.Append("), vni ");
                    _line.AppendFormatted(hop.Key);
                    // tcpdump ends the VXLAN header's line and prints the inner frame on the next.
                    _line.Append('\n');
                    break;
                case TunnelKind.Geneve:
                    _line.Append("Geneve, Flags [");
                    bool oam = (hop.Flags & 0x80) != 0, critical = (hop.Flags & 0x40) != 0;
                    _line.Append(oam && critical ? "O, C" : oam ? "O" : critical ? "C" : "none");
                    _line.Append("], vni 0x");
                    _line.AppendFormatted(hop.Key, "x");
                    if (hop.Options > 0)
                    {
                        _line.Append(", options [");
                        _line.AppendFormatted(hop.Options);
                        _line.Append(" bytes]");
                    }
                    _line.Append(": ");
                    break;
                default:
                    // Teredo, AYIYA, GTP-U, GRE in UDP: tcpdump prints the datagram, not what it carries.
                    _line.Append("UDP, length ");
                    _line.AppendFormatted(Math.Max(hop.OuterUdpLength - 8, 0));
                    return false;
            }
        }
        return true;
    }

    /// <summary>GRE v0 (RFC 2784, 2890) or v1 (PPTP), then ": " when tcpdump goes on to the payload, else its protocol number.</summary>
    private bool WriteGre(in TunnelHop hop, DecodedPacket p)
    {
        const ushort KeyBit = 0x2000, SequenceBit = 0x1000, AckBit = 0x0080;
        int version = hop.Flags & 0x7;
        _line.Append("GREv");
        _line.AppendFormatted(version);
        if (version == 1)
        {
            _line.Append(", call ");
            _line.AppendFormatted(hop.Key);
            if ((hop.Flags & SequenceBit) != 0)
            {
                _line.Append(", seq ");
                _line.AppendFormatted(hop.Sequence);
            }
            if ((hop.Flags & AckBit) != 0)
            {
                _line.Append(", ack ");
                _line.AppendFormatted(hop.Acknowledgment);
            }
        }
        else
        {
            if ((hop.Flags & KeyBit) != 0)
            {
                _line.Append(", key=0x");
                _line.AppendFormatted(hop.Key, "x");
            }
            if ((hop.Flags & SequenceBit) != 0)
            {
                _line.Append(", seq ");
                _line.AppendFormatted(hop.Sequence);
            }
        }
        _line.Append(", length ");
        _line.AppendFormatted(hop.OuterIpPayloadLength);
        if (version == 1)
        {
            // PPP: IP goes on; its control protocols (LCP, IPCP, ...) have printers of their own in tcpdump, not here.
            if ((p.Layers & (PacketLayers.Ipv4 | PacketLayers.Ipv6)) == 0) return false;
            _line.Append(": ");
            return true;
        }
        _line.Append(": ");
        // tcpdump follows IPv4, IPv6 and Ethernet (transparent bridging, 0x6558); other payloads (ERSPAN, IS-IS, ...) it
        // names by number.
        if (hop.Protocol is EtherType.Ipv4 or EtherType.Ipv6 or TransparentEthernetBridging) return true;
        _line.Append("gre-proto-0x");
        _line.AppendFormatted(hop.Protocol, "x");
        return false;
    }

    private const ushort TransparentEthernetBridging = 0x6558;

    private static bool IsKnownLinkType(LinkType type) => type is LinkType.Null or LinkType.Ethernet or LinkType.Ppp
        or LinkType.RawDlt12 or LinkType.RawDlt14 or LinkType.Raw or LinkType.Loop or LinkType.LinuxSll
        or LinkType.Ipv4 or LinkType.Ipv6 or LinkType.LinuxSll2 or LinkType.Text;

    /// <summary>EtherType names as tcpdump's ethertype_values spells them.</summary>
    public static string EtherTypeName(ushort type) => type switch
    {
        EtherType.Ipv4 => "IPv4",
        EtherType.Arp => "ARP",
        EtherType.Ipv6 => "IPv6",
        EtherType.Vlan => "802.1Q",
        EtherType.QinQ => "802.1Q-QinQ",
        EtherType.QinQOld => "802.1Q-9100",
        0x8035 => "Reverse ARP",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x888E => "EAPOL",
        0x88CC => "LLDP",
        0x88F7 => "PTP",
        0x9000 => "Loopback",
        _ => "Unknown",
    };

    private void WriteIp(DecodedPacket p, string? marker)
    {
        bool v6 = p.Has(PacketLayers.Ipv6);
        ref readonly IpInfo ip = ref p.Ip;
        _line.Append(v6 ? "IP6 " : "IP ");

        if (v6 && p.Has(PacketLayers.Fragment))
        {
            // RFC 8200 4.5: tcpdump prints "frag (offset|fragment length)", then the first fragment's transport.
            WriteEndpoints(p, withPorts: false);
            _line.Append(": frag (");
            _line.AppendFormatted(ip.FragmentOffset);
            _line.Append('|');
            _line.AppendFormatted(Math.Max(0, ip.TotalLength - ip.HeaderLength));
            _line.Append(')');
            if (!HasTransport(p))
            {
                return;
            }
            _line.Append(' ');
        }
        else if (!v6 && (ip.FragmentOffset != 0 || (p.Has(PacketLayers.Fragment) && !HasTransport(p))))
        {
            // RFC 791: a fragment past the first has no transport header; tcpdump names only the protocol.
            WriteEndpoints(p, withPorts: false);
            _line.Append(": ip-proto-");
            _line.AppendFormatted(ip.Protocol);
            return;
        }

        if (p.Has(PacketLayers.Tcp))
        {
            WriteEndpoints(p, withPorts: true);
            _line.Append(": ");
            WriteTcp(p);
        }
        else if (p.Has(PacketLayers.Udp))
        {
            WriteEndpoints(p, withPorts: true);
            _line.Append(": ");
            WriteUdp(p);
        }
        else if (p.Has(PacketLayers.Icmp))
        {
            WriteEndpoints(p, withPorts: false);
            _line.Append(": ");
            WriteIcmp(p);
        }
        else if (p.Has(PacketLayers.Icmpv6))
        {
            WriteEndpoints(p, withPorts: false);
            _line.Append(": ");
            WriteIcmp6(p);
        }
        else if (marker is not null)
        {
            // The transport header ended early: tcpdump prints the ports when it got that far.
            bool ports = p.SourcePort != 0 || p.DestinationPort != 0;
            WriteEndpoints(p, ports);
            _line.Append(ports ? ": " : ":");
        }
        else
        {
            WriteEndpoints(p, withPorts: false);
            _line.Append(":  ip-proto-");
            _line.AppendFormatted(ip.Protocol);
            _line.Append(' ');
            _line.AppendFormatted(p.PayloadClaimedLength > 0 ? p.PayloadClaimedLength : Math.Max(0, ip.TotalLength - ip.HeaderLength));
        }
    }

    private static bool HasTransport(DecodedPacket p) =>
        (p.Layers & (PacketLayers.Tcp | PacketLayers.Udp | PacketLayers.Icmp | PacketLayers.Icmpv6)) != 0;

    private void WriteEndpoints(DecodedPacket p, bool withPorts)
    {
        _line.AppendFormatted(p.Ip.Source);
        if (withPorts)
        {
            _line.Append('.');
            _line.AppendFormatted(p.SourcePort);
        }
        _line.Append(" > ");
        _line.AppendFormatted(p.Ip.Destination);
        if (withPorts)
        {
            _line.Append('.');
            _line.AppendFormatted(p.DestinationPort);
        }
    }

    private void WriteUdp(DecodedPacket p)
    {
        // tcpdump prints the NetBIOS name service's messages only with -v: a plain datagram without.
        bool netbios = DnsPorts.IsNetbios(p.SourcePort, p.DestinationPort);
        if (p.Has(PacketLayers.Dns) && !netbios)
        {
            WriteDns(p, p.PayloadClaimedLength);
            return;
        }
        if (p.Anomalies.Contains(AnomalyKind.DnsHeaderTruncated) && !netbios)
        {
            _line.Append("[|domain]");
            _truncationWritten = true;
            return;
        }
        _line.Append("UDP, length ");
        _line.AppendFormatted(p.PayloadClaimedLength);
    }

    private void WriteTcp(DecodedPacket p)
    {
        ref readonly TcpInfo tcp = ref p.Tcp;
        TcpFlags flags = tcp.Flags;
        _line.Append("Flags [");
        WriteTcpFlags(flags);
        _line.Append(']');

        uint seq = tcp.Sequence;
        uint ack = tcp.Acknowledgment;
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        // Text input already carries the numbers tcpdump printed; only binary input is made relative.
        if (hasAck && !_options.AbsoluteSequenceNumbers && p.Origin == PacketOrigin.Binary)
        {
            _sequences.MakeRelative(p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort,
                (flags & TcpFlags.Syn) != 0, ref seq, ref ack);
        }

        int length = Math.Max(0, p.PayloadClaimedLength);
        if (length > 0 || (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            _line.Append(", seq ");
            _line.AppendFormatted(seq);
            if (length > 0)
            {
                _line.Append(':');
                _line.AppendFormatted(unchecked(seq + (uint)length));
            }
        }
        if (hasAck)
        {
            _line.Append(", ack ");
            _line.AppendFormatted(ack);
        }
        _line.Append(", win ");
        _line.AppendFormatted(tcp.Window);
        if ((flags & TcpFlags.Urg) != 0)
        {
            _line.Append(", urg ");
            _line.AppendFormatted(tcp.UrgentPointer);
        }
        WriteTcpOptions(in tcp);
        _line.Append(", length ");
        _line.AppendFormatted(length);

        bool reassembled = p.Has(PacketLayers.Dns) && p.Dns.TcpReassembled;
        if (p.Dns.OverTcp && p.Origin == PacketOrigin.Binary && !reassembled)
        {
            WriteDnsSegment(p, length);
        }
        else if (p.Has(PacketLayers.Dns))
        {
            // RFC 1035 4.2.2: the message follows a two-byte length; tcpdump separates it with a space. A message the
            // analysis read across segments is shown whole, with its own length.
            _line.Append(' ');
            WriteDns(p, reassembled ? p.Dns.TcpMessageLength : Math.Max(0, length - 2));
        }
        else if (p.Has(PacketLayers.Http))
        {
            _line.Append(": HTTP: ");
            WriteHttpStartLine(p);
        }
        else if (length > 0 && (p.SourcePort is HttpPort or HttpAltPort || p.DestinationPort is HttpPort or HttpAltPort))
        {
            _line.Append(": HTTP");
        }
    }

    /// <summary>tcpdump's flag letters, in its order: F S R P . U E W e; "none" when no flag is set.</summary>
    private void WriteTcpFlags(TcpFlags flags)
    {
        if ((flags & (TcpFlags)0x1FF) == 0)
        {
            _line.Append("none");
            return;
        }
        if ((flags & TcpFlags.Fin) != 0) _line.Append('F');
        if ((flags & TcpFlags.Syn) != 0) _line.Append('S');
        if ((flags & TcpFlags.Rst) != 0) _line.Append('R');
        if ((flags & TcpFlags.Psh) != 0) _line.Append('P');
        if ((flags & TcpFlags.Ack) != 0) _line.Append('.');
        if ((flags & TcpFlags.Urg) != 0) _line.Append('U');
        if ((flags & TcpFlags.Ece) != 0) _line.Append('E');
        if ((flags & TcpFlags.Cwr) != 0) _line.Append('W');
        if ((flags & TcpFlags.Ae) != 0) _line.Append('e');
    }

    /// <summary>
    /// The options the decoder kept, laid out as Linux writes them (tcp_options_write): MSS; then
    /// SACK-permitted and timestamps sharing a word ("sackOK,TS") or NOP-padded ("nop,nop,TS",
    /// "nop,nop,sackOK"); then "nop,wscale"; then "nop,nop,sack N". Other stacks order options
    /// differently, and unknown options are not kept, so this may differ from tcpdump's list.
    /// SACK block edges are not kept: only their count is printed.
    /// </summary>
    private void WriteTcpOptions(in TcpInfo tcp)
    {
        if (!tcp.HasMss && !tcp.HasTimestamp && !tcp.SackPermitted && !tcp.HasWindowScale && tcp.SackBlockCount == 0)
        {
            return;
        }
        _line.Append(", options [");
        int start = _line.Length;
        if (tcp.HasMss)
        {
            _line.Append("mss ");
            _line.AppendFormatted(tcp.Mss);
        }
        if (tcp.HasTimestamp)
        {
            OptionSeparator(start);
            _line.Append(tcp.SackPermitted ? "sackOK,TS val " : "nop,nop,TS val ");
            _line.AppendFormatted(tcp.TsValue);
            _line.Append(" ecr ");
            _line.AppendFormatted(tcp.TsEcho);
        }
        else if (tcp.SackPermitted)
        {
            OptionSeparator(start);
            _line.Append("nop,nop,sackOK");
        }
        if (tcp.HasWindowScale)
        {
            OptionSeparator(start);
            _line.Append("nop,wscale ");
            _line.AppendFormatted(tcp.WindowScale);
        }
        if (tcp.SackBlockCount > 0)
        {
            OptionSeparator(start);
            _line.Append("nop,nop,sack ");
            _line.AppendFormatted(tcp.SackBlockCount);
        }
        _line.Append(']');
    }

    private void OptionSeparator(int listStart)
    {
        if (_line.Length > listStart)
        {
            _line.Append(',');
        }
    }

    /// <summary>The first line of the message as tcpdump's txtproto printer shows it (RFC 9112 3, 4).</summary>
    private void WriteHttpStartLine(DecodedPacket p)
    {
        ref readonly HttpInfo http = ref p.Http;
        int start = _line.Length;
        if (http.IsRequest)
        {
            AppendTextPart(p, http.Method, start);
            AppendTextPart(p, http.Target, start);
            AppendTextPart(p, http.Version, start);
        }
        else
        {
            AppendTextPart(p, http.Version, start);
            if (http.StatusCode != 0)
            {
                if (_line.Length > start)
                {
                    _line.Append(' ');
                }
                _line.AppendFormatted(http.StatusCode);
            }
            AppendTextPart(p, http.Reason, start);
        }
    }

    private void AppendTextPart(DecodedPacket p, TextRef text, int start)
    {
        if (text.IsEmpty)
        {
            return;
        }
        if (_line.Length > start)
        {
            _line.Append(' ');
        }
        _line.AppendEscaped(p.Text.GetSpan(text));
    }

    private void WriteArp(DecodedPacket p)
    {
        ref readonly ArpInfo arp = ref p.Arp;
        _line.Append("ARP, ");
        bool ethernetIpv4 = arp.HardwareType == 1 && arp.ProtocolType == EtherType.Ipv4
            && arp.HardwareLength == 6 && arp.ProtocolLength == 4;
        if (!ethernetIpv4 && p.Origin == PacketOrigin.Binary)
        {
            // RFC 826: tcpdump names the address spaces when they are not Ethernet and IPv4.
            if (arp.HardwareType == 1)
            {
                _line.Append("Ethernet");
            }
            else
            {
                _line.Append("Unknown Hardware (");
                _line.AppendFormatted(arp.HardwareType);
                _line.Append(')');
            }
            _line.Append(" (len ");
            _line.AppendFormatted(arp.HardwareLength);
            _line.Append("), ");
            if (arp.ProtocolType == EtherType.Ipv4)
            {
                _line.Append("IPv4");
            }
            else
            {
                _line.Append("Unknown Protocol (0x");
                _line.AppendFormatted(arp.ProtocolType, "x4");
                _line.Append(')');
            }
            _line.Append(" (len ");
            _line.AppendFormatted(arp.ProtocolLength);
            _line.Append("), ");
        }

        switch (arp.Operation)
        {
            case 1:
                _line.Append("Request who-has ");
                _line.AppendFormatted(arp.TargetIp);
                if (arp.TargetMac.Value != 0)
                {
                    _line.Append(" (");
                    _line.AppendMac(arp.TargetMac);
                    _line.Append(')');
                }
                _line.Append(" tell ");
                _line.AppendFormatted(arp.SenderIp);
                break;
            case 2:
                _line.Append("Reply ");
                _line.AppendFormatted(arp.SenderIp);
                _line.Append(" is-at ");
                _line.AppendMac(arp.SenderMac);
                break;
            case 3:
            case 8:
                _line.Append(arp.Operation == 3 ? "Reverse Request who-is " : "Inverse Request who-is ");
                _line.AppendMac(arp.TargetMac);
                _line.Append(" tell ");
                _line.AppendMac(arp.SenderMac);
                break;
            case 4:
                _line.Append("Reverse Reply ");
                _line.AppendMac(arp.TargetMac);
                _line.Append(" at ");
                _line.AppendFormatted(arp.TargetIp);
                break;
            case 9:
                _line.Append("Inverse Reply ");
                _line.AppendMac(arp.SenderMac);
                _line.Append(" at ");
                _line.AppendFormatted(arp.SenderIp);
                break;
            default:
                _line.Append("Unknown (");
                _line.AppendFormatted(arp.Operation);
                _line.Append(')');
                break;
        }
        _line.Append(", length ");
        _line.AppendFormatted(p.PayloadClaimedLength > 0 ? p.PayloadClaimedLength : Math.Max(0, p.OriginalLength - LinkHeaderLength(p)));
    }

    private static int LinkHeaderLength(DecodedPacket p) => p.LinkType switch
    {
        LinkType.Ethernet => 14 + (4 * p.VlanCount),
        LinkType.LinuxSll => 16,
        LinkType.LinuxSll2 => 20,
        LinkType.Null or LinkType.Loop => 4,
        _ => 0,
    };

    // ---- annotations ------------------------------------------------------------------------------

    private void WriteAnnotations(DecodedPacket p)
    {
        if (p.Has(PacketLayers.Tls) && p.Tls.IsClientHello && !p.Tls.ServerName.IsEmpty)
        {
            _line.Append(" [TLS ClientHello SNI ");
            _line.AppendEscaped(p.Text.GetSpan(p.Tls.ServerName));
            _line.Append(']');
        }
        foreach (AnomalyKind kind in p.Anomalies.Kept)
        {
            _line.Append(" [");
            _line.Append(AnomalyNames.Get(kind));
            _line.Append(']');
        }
        int hidden = p.Anomalies.Count - p.Anomalies.Kept.Length;
        if (hidden > 0)
        {
            _line.Append(" [+");
            _line.AppendFormatted(hidden);
            _line.Append(" more]");
        }
    }
}
