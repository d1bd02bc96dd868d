namespace NetTriage.Packets;

/// <summary>Section of a DNS message a record came from (RFC 1035 4.1).</summary>
public enum DnsSection : byte
{
    Answer = 1,
    Authority = 2,
    Additional = 3,
}

/// <summary>A DNS question (RFC 1035 4.1.2). The name is in presentation form, escaped (RFC 4343 2.1).</summary>
public struct DnsQuestion
{
    public TextRef Name;
    public ushort Type;
    public ushort Class;
}

/// <summary>
/// A DNS resource record (RFC 1035 4.1.3). RDATA of the common types is decoded: A/AAAA into
/// <see cref="Address"/>; CNAME, NS, PTR, MX exchange, SRV target, SOA mname and TXT into <see cref="Data"/>;
/// other types keep only their type and length.
/// </summary>
public struct DnsRecord
{
    public DnsSection Section;
    public TextRef Name;
    public ushort Type;
    public ushort Class;
    public uint Ttl;
    public ushort DataLength;
    public IpAddr Address;
    public TextRef Data;
    /// <summary>MX preference or SRV priority.</summary>
    public ushort Preference;
    public ushort Weight;
    public ushort Port;
    /// <summary>SOA serial.</summary>
    public uint Serial;
}

/// <summary>
/// A decoded DNS message (RFC 1035 4.1.1, RFC 6891 for EDNS). Reused across packets: arrays are
/// allocated once, and at most <see cref="MaxQuestions"/> questions and <see cref="MaxRecords"/> records
/// are kept (all are counted in the header counts).
/// </summary>
public sealed class DnsInfo
{
    public const int MaxQuestions = 4;
    public const int MaxRecords = 64;

    public ushort Id;
    /// <summary>The 16-bit flags word as sent.</summary>
    public ushort Flags;
    public ushort QuestionCount;
    public ushort AnswerCount;
    public ushort AuthorityCount;
    public ushort AdditionalCount;

    public bool HasEdns;
    public ushort EdnsUdpSize;
    public byte EdnsVersion;
    public bool DnssecOk;
    /// <summary>Upper 8 bits of the extended RCODE from the OPT record (RFC 6891 6.1.3).</summary>
    public byte ExtendedRcodeHigh;

    /// <summary>Carried over TCP with a two-byte length prefix (RFC 1035 4.2.2).</summary>
    public bool OverTcp;
    /// <summary>DNS over TCP: bytes of this message that follow in later segments (its length prefix says more than the segment holds), else 0.</summary>
    public int TcpContinues;
    /// <summary>DNS over TCP: the message's length, as its two-byte prefix says.</summary>
    public int TcpMessageLength;
    /// <summary>
    /// DNS over TCP: the first two bytes of the segment as a number (what tcpdump takes for the length prefix, whatever
    /// they are), or -1 when fewer than two were captured. Set for every TCP segment on port 53 with a payload.
    /// </summary>
    public int TcpSegmentPrefix = -1;
    /// <summary>
    /// DNS over TCP read by following the connection (<see cref="Dns.DnsTcpReassembler"/>): this message is not alone
    /// and whole in its segment (it began in an earlier one, or shares the segment with another), so its line shows the
    /// message rather than the segment as tcpdump reads it.
    /// </summary>
    public bool TcpReassembled;
    /// <summary>
    /// DNS over TCP read by following the connection: the segment carries bytes of DNS messages (a prefix, a message
    /// or a piece of one), whether or not a message is read from it.
    /// </summary>
    public bool TcpCarriesDns;
    /// <summary>The message was cut before all of its declared sections were read.</summary>
    public bool Incomplete;

    public readonly DnsQuestion[] Questions = new DnsQuestion[MaxQuestions];
    public int StoredQuestions;
    /// <summary>
    /// The records kept: room for <see cref="FirstRecords"/> at first, doubled when a message has more (up to
    /// <see cref="MaxRecords"/>). The analysis holds hundreds of decoded packets in flight between its threads, and
    /// most are no DNS or carry a few records: a full array each (4 KB) was most of a packet's memory. Once grown it
    /// stays, so a steady stream of messages allocates nothing.
    /// </summary>
    public DnsRecord[] Records { get; private set; } = new DnsRecord[FirstRecords];
    public int StoredRecords;
    private const int FirstRecords = 8;

    /// <summary>Keeps a record after those kept; past <see cref="MaxRecords"/> it is not kept (the header counts all).</summary>
    public void Store(in DnsRecord record)
    {
        if (StoredRecords >= MaxRecords) return;
        if (StoredRecords == Records.Length) Reserve(StoredRecords + 1);
        Records[StoredRecords++] = record;
    }

    /// <summary>Makes room for <paramref name="count"/> records (at most <see cref="MaxRecords"/>).</summary>
    private void Reserve(int count)
    {
        if (count <= Records.Length) return;
        int size = Records.Length;
        while (size < count) size *= 2;
        var grown = new DnsRecord[Math.Min(size, MaxRecords)];
        StoredRecordSpan.CopyTo(grown);
        Records = grown;
    }

    public bool IsResponse => (Flags & 0x8000) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
    public bool AuthoritativeAnswer => (Flags & 0x0400) != 0;
    public bool Truncation => (Flags & 0x0200) != 0;
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public bool RecursionAvailable => (Flags & 0x0080) != 0;
    public bool AuthenticData => (Flags & 0x0020) != 0;
    public bool CheckingDisabled => (Flags & 0x0010) != 0;

    /// <summary>The response code, extended with the OPT record's upper bits when present (RFC 6891 6.1.3).</summary>
    public int Rcode => (ExtendedRcodeHigh << 4) | (Flags & 0xF);

    public ReadOnlySpan<DnsQuestion> StoredQuestionSpan => Questions.AsSpan(0, StoredQuestions);
    public ReadOnlySpan<DnsRecord> StoredRecordSpan => Records.AsSpan(0, StoredRecords);

    public void CopyTo(DnsInfo destination)
    {
        destination.Id = Id;
        destination.Flags = Flags;
        destination.QuestionCount = QuestionCount;
        destination.AnswerCount = AnswerCount;
        destination.AuthorityCount = AuthorityCount;
        destination.AdditionalCount = AdditionalCount;
        destination.HasEdns = HasEdns;
        destination.EdnsUdpSize = EdnsUdpSize;
        destination.EdnsVersion = EdnsVersion;
        destination.DnssecOk = DnssecOk;
        destination.ExtendedRcodeHigh = ExtendedRcodeHigh;
        destination.OverTcp = OverTcp;
        destination.TcpContinues = TcpContinues;
        destination.TcpMessageLength = TcpMessageLength;
        destination.TcpSegmentPrefix = TcpSegmentPrefix;
        destination.TcpReassembled = TcpReassembled;
        destination.TcpCarriesDns = TcpCarriesDns;
        destination.Incomplete = Incomplete;
        StoredQuestionSpan.CopyTo(destination.Questions);
        destination.StoredQuestions = StoredQuestions;
        destination.Reserve(StoredRecords);
        StoredRecordSpan.CopyTo(destination.Records);
        destination.StoredRecords = StoredRecords;
    }

    public void Clear()
    {
        Id = 0;
        Flags = 0;
        QuestionCount = AnswerCount = AuthorityCount = AdditionalCount = 0;
        HasEdns = false;
        EdnsUdpSize = 0;
        EdnsVersion = 0;
        DnssecOk = false;
        ExtendedRcodeHigh = 0;
        OverTcp = false;
        TcpContinues = 0;
        TcpMessageLength = 0;
        TcpSegmentPrefix = -1;
        TcpReassembled = false;
        TcpCarriesDns = false;
        Incomplete = false;
        StoredQuestions = 0;
        StoredRecords = 0;
    }
}
