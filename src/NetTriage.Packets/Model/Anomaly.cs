namespace NetTriage.Packets;

/// <summary>
/// Named problems found in a packet (Zeek calls them weirds). A malformed packet is recorded, not thrown:
/// decoding stops at the layer that failed and processing goes on.
/// </summary>
public enum AnomalyKind : byte
{
    None = 0,
    // capture
    CapturedLengthExceedsOriginal,
    FrameTruncatedBySnaplen,
    // link
    LinkHeaderTruncated,
    UnknownLinkType,
    TooManyVlanTags,
    UnsupportedEtherType,
    ArpTruncated,
    // IPv4
    Ipv4HeaderTruncated,
    Ipv4BadVersion,
    Ipv4BadHeaderLength,
    Ipv4BadTotalLength,
    Ipv4TotalLengthExceedsCapture,
    Ipv4OptionsMalformed,
    // IPv6
    Ipv6HeaderTruncated,
    Ipv6BadVersion,
    Ipv6PayloadLengthExceedsCapture,
    Ipv6ExtensionHeaderTruncated,
    Ipv6TooManyExtensionHeaders,
    // transport
    UdpHeaderTruncated,
    UdpBadLength,
    TcpHeaderTruncated,
    TcpBadDataOffset,
    TcpOptionsMalformed,
    IcmpTruncated,
    IcmpQuotedPacketTruncated,
    Icmpv6Truncated,
    // DNS
    DnsHeaderTruncated,
    DnsMessageTruncated,
    DnsNameTooLong,
    DnsLabelTooLong,
    DnsCompressionLoop,
    DnsTooManyCompressionJumps,
    DnsBadLabelType,
    DnsRecordTruncated,
    DnsTooManyRecords,
    DnsTcpLengthMismatch,
    // application
    HttpMalformed,
    TlsMalformed,
    // storage
    TextStoreFull,
    // text input
    TextLineUnparsed,
    TextLineTooLong,
    // ICMP (kept last so earlier values do not move)
    /// <summary>The packet quoted by an ICMP error has a bad IP version or header length.</summary>
    IcmpQuotedPacketMalformed,
    // tunnels (kept after the others so earlier values do not move)
    /// <summary>An encapsulation header (GRE, VXLAN, Geneve, GTP-U, Teredo, AYIYA, MPLS, PPPoE, ...) is cut short.</summary>
    TunnelHeaderTruncated,
    /// <summary>Encapsulations nested deeper than the decoder follows (a loop or a hostile packet).</summary>
    TunnelTooDeep,
    /// <summary>An encapsulation carries a protocol the decoder does not follow (the inner packet is not decoded).</summary>
    TunnelPayloadUnsupported,
    // reassembly
    /// <summary>A fragment overlaps another of its datagram with different bounds (RFC 5722): the datagram is dropped.</summary>
    FragmentOverlap,
    /// <summary>Fragments claim a datagram longer than IP allows (65,535 bytes): the datagram is dropped.</summary>
    FragmentTooLarge,
    // 802.11
    /// <summary>An 802.11 data frame whose payload is encrypted (WEP, WPA): what it carries cannot be read.</summary>
    WirelessEncrypted,
}

/// <summary>The anomalies of one packet: the first few kept, all counted.</summary>
public sealed class AnomalyList
{
    public const int MaxKept = 8;
    private readonly AnomalyKind[] _kinds = new AnomalyKind[MaxKept];

    /// <summary>Number of anomalies raised, including any beyond <see cref="MaxKept"/>.</summary>
    public int Count { get; private set; }

    public ReadOnlySpan<AnomalyKind> Kept => _kinds.AsSpan(0, Math.Min(Count, MaxKept));

    public void Add(AnomalyKind kind)
    {
        if (Count < MaxKept)
        {
            _kinds[Count] = kind;
        }
        Count++;
    }

    public bool Contains(AnomalyKind kind) => Kept.Contains(kind);

    public void Clear() => Count = 0;

    /// <summary>
    /// Takes back the anomalies raised since <paramref name="mark"/> (a <see cref="Count"/> read before) that are
    /// DNS truncation: a DNS message over TCP that goes on in the next segment ends where the segment does.
    /// </summary>
    public void ForgetDnsTruncationSince(int mark)
    {
        if (mark >= Count || mark >= MaxKept) return;
        int kept = Math.Min(Count, MaxKept);
        int write = mark;
        for (int read = mark; read < kept; read++)
        {
            if (_kinds[read] is AnomalyKind.DnsMessageTruncated or AnomalyKind.DnsRecordTruncated) continue;
            _kinds[write++] = _kinds[read];
        }
        Count = write + (Count - kept);
    }

    public void CopyTo(AnomalyList destination)
    {
        _kinds.CopyTo(destination._kinds, 0);
        destination.Count = Count;
    }
}
