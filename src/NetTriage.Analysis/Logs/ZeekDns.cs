using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// One dns.log row in the making: a query waiting for its answer, an answer waiting for its query (they are paired by
/// transaction id on one connection), or both.
/// </summary>
internal sealed class ZeekDnsInfo
{
    public long Nanos;
    public ushort Id;
    public int Opcode;
    public bool HasQuery, HasReply;
    public string? Query;
    public ushort QType, QClass;
    public bool HasQuestion;
    public bool RecursionDesired, Truncated;
    public int Z;
    public int Rcode;
    public bool Authoritative, RecursionAvailable, Rejected;
    public long? Rtt;
    public List<string>? Answers;
    public List<long>? Ttls;
    /// <summary>An answer record set the reply's AA, RA and round trip (Zeek sets them as it logs one).</summary>
    public bool Answered;

    /// <summary>Starts a row of the message at <paramref name="nanos"/>, everything else cleared (rows are reused once written).</summary>
    public void Start(long nanos, ushort id, int opcode)
    {
        Nanos = nanos;
        Id = id;
        Opcode = opcode;
        HasQuery = HasReply = HasQuestion = false;
        Query = null;
        QType = QClass = 0;
        RecursionDesired = Truncated = false;
        Z = Rcode = 0;
        Authoritative = RecursionAvailable = Rejected = false;
        Rtt = null;
        Answers = null;
        Ttls = null;
        Answered = false;
    }
}

/// <summary>
/// dns.log as Zeek writes it. Queries and answers pair by transaction id on their connection (the oldest waiting one);
/// a row is written once it has both, and what is left (queries never answered, answers to queries the capture does not
/// hold) when the connection ends. To a multicast group (mDNS, LLMNR) every message is a row of its own. The query's
/// fields (name, class, type, RD, TC, Z) come from the query; the rcode from the answer; AA, RA and the round trip
/// only from an answer that holds records, as Zeek sets them while it reads the answer section.
/// </summary>
internal static class ZeekDns
{
    /// <summary>Rows waiting per connection (Zeek keeps 50 ids of 50 each); past it the oldest is written as it stands.</summary>
    public const int MaxPendingPerConnection = 64;

    public static readonly ZeekField[] Fields =
    [
        new("ts", "time"), new("uid", "string"),
        new("id.orig_h", "addr"), new("id.orig_p", "port"), new("id.resp_h", "addr"), new("id.resp_p", "port"),
        new("proto", "enum"), new("trans_id", "count"), new("rtt", "interval"), new("query", "string"),
        new("qclass", "count"), new("qclass_name", "string"), new("qtype", "count"), new("qtype_name", "string"),
        new("rcode", "count"), new("rcode_name", "string"),
        new("AA", "bool"), new("TC", "bool"), new("RD", "bool"), new("RA", "bool"), new("Z", "count"),
        new("answers", "vector[string]"), new("TTLs", "vector[interval]"), new("rejected", "bool"),
        new("opcode", "count"), new("opcode_name", "string"),
    ];

    /// <summary>Opcodes Zeek follows: QUERY, NOTIFY, UPDATE (RFC 1035, 1996, 2136); the others it ignores.</summary>
    public static bool IsTracked(int opcode) => opcode is 0 or 4 or 5;

    /// <summary>Fills <paramref name="info"/> with the query's part of a row.</summary>
    public static void AddQuery(ZeekDnsInfo info, DecodedPacket packet)
    {
        var dns = packet.Dns;
        info.HasQuery = true;
        info.RecursionDesired = dns.RecursionDesired;
        info.Truncated = dns.Truncation;
        info.Z = (dns.Flags >> 4) & 0x7;
        info.Opcode = dns.Opcode;
        if (dns.Opcode == Update)
        {
            AddUpdate(info, packet);
            return;
        }
        if (dns.StoredQuestions > 0)
        {
            // With several questions Zeek keeps the last (each overwrites the one before).
            var q = dns.Questions[dns.StoredQuestions - 1];
            info.HasQuestion = true;
            info.Query = Name(packet, q.Name);
            info.QType = q.Type;
            info.QClass = q.Class;
        }
    }

    private const int Update = 5;
    private const ushort ClassNone = 254, ClassAny = 255;

    /// <summary>
    /// A dynamic update (RFC 2136 2): Zeek's row names the updated name (the first prerequisite's or update's owner, not
    /// the zone the question section holds), leaves the question's class and type unset, and lists the prerequisites
    /// and updates as its answers ("pre: NoRRSet CNAME name", "del: RRSet AAAA", "add: A name address") with their TTLs.
    /// </summary>
    private static void AddUpdate(ZeekDnsInfo info, DecodedPacket packet)
    {
        foreach (ref readonly var r in packet.Dns.StoredRecordSpan)
        {
            if (r.Section == DnsSection.Additional) continue;
            info.Query ??= Name(packet, r.Name);
            (info.Answers ??= []).Add(UpdateText(packet, r));
            (info.Ttls ??= []).Add(r.Ttl * PacketTimestamp.NanosPerSecond);
        }
    }

    /// <summary>
    /// A prerequisite (the answer section of an update) or an update (its authority section) in Zeek's words, by its class
    /// (RFC 2136 2.4, 2.5): NONE and a type, "the RRset does not exist"; ANY and a type, "delete the RRset"; the zone's
    /// class, "add" the record (or require it, as a prerequisite). The forms Zeek's baselines do not show follow the same
    /// pattern.
    /// </summary>
    private static string UpdateText(DecodedPacket packet, in DnsRecord r)
    {
        string type = TypeName(r.Type), name = Name(packet, r.Name);
        bool prerequisite = r.Section == DnsSection.Answer;
        if (r.Class == ClassNone)
        {
            if (prerequisite) return r.Type == 255 ? $"pre: NXDomain {name}" : $"pre: NoRRSet {type} {name}";
            return $"del: {type} {name} {RecordData(packet, r)}".TrimEnd();
        }
        if (r.Class == ClassAny)
        {
            if (prerequisite) return r.Type == 255 ? $"pre: YXDomain {name}" : $"pre: RRSet {type} {name}";
            return r.Type == 255 ? $"del: all RRSets {name}" : $"del: RRSet {type}";
        }
        return $"{(prerequisite ? "pre" : "add")}: {type} {name} {RecordData(packet, r)}".TrimEnd();
    }

    /// <summary>A record's data as its answer text has it (an address, a name, TXT...), or nothing.</summary>
    private static string RecordData(DecodedPacket packet, in DnsRecord r) =>
        r.Type is 1 or 28 ? (r.Address.IsNone ? "" : r.Address.ToString()) : HasText(r) ? AnswerText(packet, r) ?? "" : "";

    /// <summary>
    /// Keeps the answer's part of a row for later (an answer waiting for its query, an answer to a group): the rare
    /// path; an answer that completes a waiting query is written straight from its packet.
    /// </summary>
    public static void AddReply(ZeekDnsInfo info, DecodedPacket packet)
    {
        var dns = packet.Dns;
        info.HasReply = true;
        info.Rcode = dns.Rcode;
        info.Opcode = dns.Opcode;
        info.Rejected = IsRejected(dns);
        foreach (ref readonly var r in dns.StoredRecordSpan)
        {
            if (r.Section != DnsSection.Answer) continue;
            if (!info.HasQuery && info.Query is null) info.Query = Name(packet, r.Name);
            if (!SetsReplyFlags(r)) continue;
            if (!info.Answered)
            {
                info.Answered = true;
                info.Authoritative = dns.AuthoritativeAnswer;
                info.RecursionAvailable = dns.RecursionAvailable;
                long rtt = packet.Timestamp.Nanoseconds - info.Nanos;
                info.Rtt = info.HasQuery && rtt != 0 ? rtt : null;
            }
            if (!HasText(r)) continue;
            (info.Answers ??= []).Add(r.Type is 1 or 28 ? r.Address.ToString() : AnswerText(packet, r)!);
            (info.Ttls ??= []).Add(r.Ttl * PacketTimestamp.NanosPerSecond);
        }
    }

    /// <summary>The longest name made straight from the packet's bytes (a DNS name is at most 255 bytes).</summary>
    private const int MaxPlainName = 256;

    /// <summary>
    /// A name of the packet as Zeek logs it (<see cref="Name(string)"/>). The common name, printable ASCII without
    /// escapes, is lowered from the packet's bytes into its one string; any other goes through its presentation form.
    /// </summary>
    internal static string Name(DecodedPacket packet, TextRef name)
    {
        var bytes = packet.Text.GetSpan(name);
        if (bytes.Length > MaxPlainName || bytes.IndexOfAnyExceptInRange((byte)' ', (byte)'~') >= 0 || bytes.Contains((byte)'\\'))
        {
            return Name(packet.GetText(name));
        }
        if (bytes.SequenceEqual("."u8)) return "";
        if (bytes.Length > 1 && bytes[^1] == '.') bytes = bytes[..^1];
        Span<char> lower = stackalloc char[bytes.Length];
        System.Text.Ascii.ToLower(bytes, lower, out int written);
        return new string(lower[..written]);
    }

    /// <summary>
    /// A name as Zeek logs it: its labels' bytes joined by dots, lower case, no trailing dot (the root is the empty
    /// name). The decoder gives the presentation form (RFC 1035 5.1, RFC 4343: \DDD and \X escapes): undone here, so the
    /// log writer escapes what is not printable as Zeek does (\xNN).
    /// </summary>
    internal static string Name(string presentation)
    {
        if (presentation == ".") return "";
        if (presentation.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0 && !presentation.Contains('\\'))
        {
            // The common case: printable ASCII without escapes.
            string plain = presentation.Length > 1 && presentation[^1] == '.' ? presentation[..^1] : presentation;
            return plain.ToLowerInvariant();
        }
        var bytes = new List<byte>(presentation.Length);
        int end = presentation.Length;
        if (end > 1 && presentation[end - 1] == '.' && !EndsEscaped(presentation)) end--;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < end; i++)
        {
            char c = presentation[i];
            if (c == '\\' && i + 1 < end)
            {
                if (i + 3 < end && char.IsAsciiDigit(presentation[i + 1]) && char.IsAsciiDigit(presentation[i + 2]) && char.IsAsciiDigit(presentation[i + 3]))
                {
                    bytes.Add((byte)(((presentation[i + 1] - '0') * 100) + ((presentation[i + 2] - '0') * 10) + (presentation[i + 3] - '0')));
                    i += 3;
                    continue;
                }
                c = presentation[++i];
            }
            if (c < 0x80)
            {
                bytes.Add((byte)char.ToLowerInvariant(c));
            }
            else
            {
                int n = System.Text.Encoding.UTF8.GetBytes([c], utf8);
                for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
            }
        }
        return ZeekLogFile.FromBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>The final dot is escaped (part of the last label), so it is no root dot.</summary>
    private static bool EndsEscaped(string presentation)
    {
        int backslashes = 0;
        for (int i = presentation.Length - 2; i >= 0 && presentation[i] == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }

    /// <summary>
    /// Writes a row: the query's part from <paramref name="info"/>; the answer's from <paramref name="reply"/> when it
    /// is the packet at hand (the common case: written straight from the packet, nothing kept), else from what
    /// <paramref name="info"/> kept of an earlier answer, else unset.
    /// </summary>
    public static void Write(ZeekLogFile log, ZeekConnection c, ZeekDnsInfo info, DecodedPacket? reply = null)
    {
        var dns = reply?.Dns;
        bool hasReply = dns is not null || info.HasReply;
        bool update = info.Opcode == Update && info.HasQuery;
        // Zeek sets AA, RA and the round trip as it logs an answer record: not for an answer without one. An update's
        // answers are its own prerequisites and updates: the round trip is set by its reply.
        bool answered = update ? hasReply : dns is not null ? SetsReplyFlags(reply!) : info.Answered;
        log.BeginRow();
        log.Time(info.Nanos);
        log.ConnectionId(c.Serial, c.OrigHost, c.OrigPort, c.RespHost, c.RespPort);
        log.String(c.Protocol == IpProtocol.Tcp ? "tcp" : "udp");
        log.Count(info.Id);
        long rtt = dns is not null ? reply!.Timestamp.Nanoseconds - info.Nanos : info.Rtt ?? 0;
        log.Interval(answered && info.HasQuery && rtt != 0 ? rtt : null);
        log.String(info.Query ?? (dns is not null && !info.HasQuery ? FirstAnswerName(reply!) : null));
        if (info.HasQuestion)
        {
            log.Count(info.QClass);
            log.String(ClassName(info.QClass));
            log.Count(info.QType);
            log.String(TypeName(info.QType));
        }
        else
        {
            log.Unset(4);
        }
        if (hasReply)
        {
            int rcode = dns?.Rcode ?? info.Rcode;
            log.Count(rcode);
            log.String(RcodeName(rcode));
        }
        else
        {
            log.Unset(2);
        }
        log.Bool(answered && (dns?.AuthoritativeAnswer ?? info.Authoritative));
        log.Bool(info.Truncated);
        log.Bool(info.RecursionDesired);
        log.Bool(answered && (dns?.RecursionAvailable ?? info.RecursionAvailable));
        log.Count(info.Z);
        if (update)
        {
            log.Strings(info.Answers);
            log.Intervals(info.Ttls);
            // An update's reply echoes the zone and no records: Zeek does not take that for a rejection.
            log.Bool(false);
        }
        else if (dns is not null)
        {
            if (answered && HasAnswerText(reply!))
            {
                log.BeginSet();
                foreach (ref readonly var r in dns.StoredRecordSpan)
                {
                    if (r.Section == DnsSection.Answer) WriteAnswer(log, reply!, r);
                }
                log.EndSet();
                log.BeginSet();
                foreach (ref readonly var r in dns.StoredRecordSpan)
                {
                    if (r.Section == DnsSection.Answer && HasText(r)) log.SetInterval(r.Ttl * PacketTimestamp.NanosPerSecond);
                }
                log.EndSet();
            }
            else
            {
                log.Unset(2);
            }
            log.Bool(IsRejected(dns));
        }
        else
        {
            log.Strings(info.Answers);
            log.Intervals(info.Ttls);
            log.Bool(info.Rejected);
        }
        int opcode = dns?.Opcode ?? info.Opcode;
        log.Count(opcode);
        log.String(OpcodeName(opcode));
        log.EndRow();
    }

    private static bool IsRejected(DnsInfo dns) =>
        (dns.Rcode != 0 && dns.QuestionCount == 0)
        || (dns.QuestionCount > 0 && dns.AnswerCount == 0 && dns.AuthorityCount == 0 && dns.AdditionalCount == 0);

    private static bool HasAnswerText(DecodedPacket packet)
    {
        foreach (ref readonly var r in packet.Dns.StoredRecordSpan)
        {
            if (r.Section == DnsSection.Answer && HasText(r)) return true;
        }
        return false;
    }

    /// <summary>An answer record Zeek logs (its reply hook sets AA, RA and the round trip), whether or not with a text.</summary>
    private static bool SetsReplyFlags(DecodedPacket packet)
    {
        foreach (ref readonly var r in packet.Dns.StoredRecordSpan)
        {
            if (r.Section == DnsSection.Answer && SetsReplyFlags(r)) return true;
        }
        return false;
    }

    /// <summary>WKS has a reply of its own in Zeek's DNS script, with no text: the flags are set, no answer is written.</summary>
    private static bool SetsReplyFlags(in DnsRecord r) => HasText(r) || r.Type == 11;

    private static string? FirstAnswerName(DecodedPacket packet)
    {
        foreach (ref readonly var r in packet.Dns.StoredRecordSpan)
        {
            if (r.Section == DnsSection.Answer) return Name(packet, r.Name);
        }
        return null;
    }

    /// <summary>Whether Zeek writes an answer for the record (it writes none for WKS, HINFO, OPT, TKEY, TSIG, CAA, NSEC without its names).</summary>
    private static bool HasText(in DnsRecord r) => r.Type switch
    {
        1 or 28 => !r.Address.IsNone,
        11 or 13 or 41 or 249 or 250 or 257 or 47 => false,
        2 or 5 or 12 or 15 or 33 or 6 or 39 or 16 or 99 => !r.Data.IsEmpty,
        _ => true,
    };

    private static void WriteAnswer(ZeekLogFile log, DecodedPacket packet, in DnsRecord r)
    {
        if (!HasText(r)) return;
        if (r.Type is 1 or 28)
        {
            log.SetItem(r.Address);
            return;
        }
        log.SetItem(AnswerText(packet, r));
    }

    /// <summary>An answer record in Zeek's words; null for the types Zeek writes nothing for.</summary>
    private static string? AnswerText(DecodedPacket packet, in DnsRecord r)
    {
        switch (r.Type)
        {
            case 1:
            case 28:
                return r.Address.IsNone ? null : r.Address.ToString();
            case 16:
            case 99:
                return TxtText(r.Type == 16 ? "TXT" : "SPF", packet.GetText(r.Data));
            case 11: // WKS
            case 13: // HINFO
            case 41: // OPT
            case 249: // TKEY
            case 250: // TSIG
            case 257: // CAA
                return null;
            case 2:
            case 5:
            case 12:
            case 15:
            case 33:
            case 6:
            case 39:
                return r.Data.IsEmpty ? null : Name(packet, r.Data);
            case 65534:
                return "BIND9 signing signal";
            case 47:
                return null;
            case 50:
                return "NSEC3";
            case 51:
                return "NSEC3PARAM";
            default:
                return $"<unknown type={r.Type}>";
        }
    }

    /// <summary>
    /// Zeek writes each character-string of a TXT record as "TXT length text", separated by spaces; the decoder keeps
    /// them quoted and escaped as tcpdump prints them ("a" "b c"): undone here.
    /// </summary>
    private static string TxtText(string kind, string quoted)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        int bytes = 0;
        bool inString = false;
        for (int i = 0; i < quoted.Length; i++)
        {
            char c = quoted[i];
            if (!inString)
            {
                if (c == '"')
                {
                    inString = true;
                    current.Clear();
                    bytes = 0;
                }
                continue;
            }
            if (c == '"')
            {
                parts.Add($"{kind} {bytes} {current}");
                inString = false;
                continue;
            }
            if (c == '\\' && i + 1 < quoted.Length)
            {
                if (i + 3 < quoted.Length && char.IsAsciiDigit(quoted[i + 1]) && char.IsAsciiDigit(quoted[i + 2]) && char.IsAsciiDigit(quoted[i + 3]))
                {
                    current.Append((char)(((quoted[i + 1] - '0') * 100) + ((quoted[i + 2] - '0') * 10) + (quoted[i + 3] - '0')));
                    i += 3;
                }
                else
                {
                    current.Append(quoted[++i]);
                }
                bytes++;
                continue;
            }
            current.Append(c);
            bytes += c < 0x80 ? 1 : System.Text.Encoding.UTF8.GetByteCount([c]);
        }
        return string.Join(' ', parts);
    }

    public static string ClassName(ushort qclass) => qclass switch
    {
        1 => "C_INTERNET",
        2 => "C_CSNET",
        3 => "C_CHAOS",
        4 => "C_HESIOD",
        254 => "C_NONE",
        255 => "C_ANY",
        _ => $"qclass-{qclass}",
    };

    public static string RcodeName(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSet",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        >= 11 and <= 15 => $"unassigned-{rcode}",
        16 => "BADVERS",
        17 => "BADKEY",
        18 => "BADTIME",
        19 => "BADMODE",
        20 => "BADNAME",
        21 => "BADALG",
        22 => "BADTRUNC",
        23 => "BADCOOKIE",
        _ => $"rcode-{rcode}",
    };

    public static string OpcodeName(int opcode) => opcode switch
    {
        0 => "query",
        1 => "iquery",
        2 => "server-status",
        4 => "notify",
        5 => "dynamic-update",
        6 => "dso",
        _ => $"opcode-{opcode}",
    };

    public static string TypeName(ushort type) => type switch
    {
        1 => "A",
        2 => "NS",
        3 => "MD",
        4 => "MF",
        5 => "CNAME",
        6 => "SOA",
        7 => "MB",
        8 => "MG",
        9 => "MR",
        10 => "NULL",
        11 => "WKS",
        12 => "PTR",
        13 => "HINFO",
        14 => "MINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        18 => "AFSDB",
        19 => "X25",
        20 => "ISDN",
        21 => "RT",
        22 => "NSAP",
        23 => "NSAP-PTR",
        24 => "SIG",
        25 => "KEY",
        26 => "PX",
        27 => "GPOS",
        28 => "AAAA",
        29 => "LOC",
        30 => "NXT",
        31 => "EID",
        32 => "NIMLOC",
        33 => "SRV",
        34 => "ATMA",
        35 => "NAPTR",
        36 => "KX",
        37 => "CERT",
        38 => "A6",
        39 => "DNAME",
        40 => "SINK",
        41 => "OPT",
        42 => "APL",
        43 => "DS",
        44 => "SSHFP",
        45 => "IPSECKEY",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        49 => "DHCID",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        53 => "SMIMEA",
        55 => "HIP",
        59 => "CDS",
        60 => "CDNSKEY",
        61 => "OPENPGPKEY",
        62 => "CSYNC",
        63 => "ZONEMD",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        100 => "UINFO",
        101 => "UID",
        102 => "GID",
        103 => "UNSPEC",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        253 => "MAILB",
        254 => "MAILA",
        255 => "*",
        256 => "URI",
        257 => "CAA",
        32768 => "TA",
        32769 => "DLV",
        65422 => "Wildcard",
        _ => $"query-{type}",
    };
}
