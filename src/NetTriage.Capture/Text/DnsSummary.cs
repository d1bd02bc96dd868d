using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Capture.Text;

/// <summary>
/// DNS as print-domain.c prints it (header fields per RFC 1035 4.1.1).
/// Query:    "ID[op][+][%] [b2&amp;3=0x..] [Na] [Nq] [Nn] [Nau] TYPE? name. ... (LEN)" — '+' is RD, '%' is CD.
/// Response: "ID[op][ rcode][*][-][|][$] [Nq] [q: TYPE? name.] AN/NS/AR records... [ns: ...] [ar: ...] (LEN)" —
/// '*' is AA, '-' means RA is clear, '|' is TC, '$' is AD. The question count is printed only when it is not 1.
/// </summary>
internal static class DnsSummary
{
    private const int MaxTokens = 256;
    private const int MaxRecordTokens = 8;
    private const ushort FlagQr = 0x8000, FlagAa = 0x0400, FlagTc = 0x0200, FlagRd = 0x0100, FlagRa = 0x0080,
        FlagAd = 0x0020, FlagCd = 0x0010;
    private const int OpcodeShift = 11;
    private const ushort ClassIn = 1;

    /// <summary>print-domain.c ns_ops, indexed by opcode (RFC 1035 4.1.1, RFC 1996, RFC 2136).</summary>
    private static readonly string[] Opcodes =
    [
        "", "inv_q", "stat", "op3", "notify", "update", "op6", "op7",
        "op8", "updateA", "updateD", "updateDA", "updateM", "updateMA", "zoneInit", "zoneRef",
    ];

    /// <summary>
    /// A cheap test for text on a port that is not a DNS port (-T domain, DNS on 8053): digits, DNS flag
    /// characters, and a question "TYPE?" or an answer count "a/n/au" before the closing "(LEN)".
    /// </summary>
    public static bool LooksLikeDns(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && i < 6 && TextScan.IsDigit(s[i])) i++;
        if (i == 0 || i == s.Length) return false;
        if (s[i] is not (' ' or '+' or '%' or '*' or '-' or '|' or '$')) return false;
        int end = FindLengthToken(s, out _);
        if (end < 0 && !s.Contains("[|domain]", StringComparison.Ordinal)) return false;
        var region = end < 0 ? s : s[..end];
        return region.Contains("? ", StringComparison.Ordinal) || FindCounts(region, out _, out _, out _) >= 0;
    }

    /// <summary>
    /// Reads a DNS summary into <see cref="DecodedPacket.Dns"/>. <paramref name="strict"/> (off a DNS port) demands
    /// the closing "(LEN)" and a question or counts, so that other protocols' text is not taken for DNS.
    /// Returns false, leaving the DNS layer unset, when the text is not DNS.
    /// </summary>
    public static bool Parse(ReadOnlySpan<char> s, DecodedPacket p, bool overTcp, bool strict)
    {
        var dns = p.Dns;
        dns.Clear();
        var t = TextScan.SkipSpaces(s);
        if (!TextScan.TryReadUInt16(ref t, out ushort id)) return false;
        dns.Id = id;

        // Opcode and rcode words, each possibly carrying flag characters.
        int opcode = 0;
        int rcode = 0;
        bool response = false;
        bool raClear = false;
        ushort flags = 0;
        ReadFlagChars(ref t, ref flags, ref response, ref raClear);
        for (int i = 0; i < 2; i++)
        {
            if (t.IsEmpty || t[0] != ' ') break;
            var u = t[1..];
            int len = 0;
            while (len < u.Length && char.IsAsciiLetterOrDigit(u[len])) len++;
            if (len == 0) break;
            var word = u[..len];
            int op = OpcodeOf(word);
            if (op > 0 && opcode == 0)
            {
                opcode = op;
            }
            else if (DnsNames.TryParseRcode(word, out int rc) && rc != 0)
            {
                rcode = rc;
                response = true;
            }
            else
            {
                break;
            }
            t = u[len..];
            ReadFlagChars(ref t, ref flags, ref response, ref raClear);
        }

        int end = FindLengthToken(t, out int messageLength);
        bool cut = t.Contains("[|domain]", StringComparison.Ordinal);
        if (strict && end < 0 && !cut) return false;
        var body = end >= 0 ? t[..end] : t;

        int countsAt = FindCounts(body, out ushort an, out ushort ns, out ushort ar);
        if (countsAt >= 0) response = true;
        if (response && countsAt < 0 && strict) return false;

        ushort qd = 1;
        var pre = countsAt >= 0 ? body[..countsAt] : body;
        ReadBracketCounts(ref pre, ref qd, ref an, ref ns, ref ar, ref flags, response);

        if (response)
        {
            flags |= FlagQr;
            // '-' means RA is clear, so RA is set unless it was printed.
            if (!raClear) flags |= FlagRa;
        }
        flags |= (ushort)((opcode & 0xF) << OpcodeShift);
        flags |= (ushort)(rcode & 0xF);
        dns.Flags = flags;
        dns.ExtendedRcodeHigh = (byte)((rcode >> 4) & 0xFF);
        dns.QuestionCount = qd;
        dns.AnswerCount = an;
        dns.AuthorityCount = ns;
        dns.AdditionalCount = ar;
        dns.OverTcp = overTcp;
        dns.Incomplete = cut;

        if (response)
        {
            // -vv prints the question after "q:".
            int q = pre.IndexOf("q: ", StringComparison.Ordinal);
            if (q >= 0) ReadQuestions(pre[(q + 3)..], p, maxQuestions: qd);
            var records = countsAt >= 0 ? body[countsAt..] : default;
            TextScan.ReadToken(ref records);
            ReadSections(records, DnsSection.Answer, p);
        }
        else
        {
            int sections = FindSectionMarker(pre, "an:");
            var questions = pre;
            int nsAt = FindSectionMarker(pre, "ns:");
            int arAt = FindSectionMarker(pre, "ar:");
            int firstSection = Min(sections, nsAt, arAt);
            if (firstSection >= 0) questions = pre[..firstSection];
            int stored = ReadQuestions(questions, p, maxQuestions: qd);
            if (strict && stored == 0 && qd != 0) return false;
            if (firstSection >= 0) ReadSections(pre[firstSection..], DnsSection.Answer, p);
        }

        if (end >= 0 && !overTcp && messageLength > 0) TransportSummary.SetUdpLength(p, (uint)messageLength);
        p.Layers |= PacketLayers.Dns;
        return true;
    }

    private static int OpcodeOf(ReadOnlySpan<char> word)
    {
        for (int i = 1; i < Opcodes.Length; i++)
        {
            if (word.SequenceEqual(Opcodes[i])) return i;
        }
        return 0;
    }

    private static void ReadFlagChars(ref ReadOnlySpan<char> t, ref ushort flags, ref bool response, ref bool raClear)
    {
        int i = 0;
        for (; i < t.Length && i < 8; i++)
        {
            switch (t[i])
            {
                case '+': flags |= FlagRd; break;
                case '%': flags |= FlagCd; break;
                case '*': flags |= FlagAa; response = true; break;
                case '-': raClear = true; response = true; break;
                case '|': flags |= FlagTc; response = true; break;
                case '$': flags |= FlagAd; response = true; break;
                default: t = t[i..]; return;
            }
        }
        t = t[i..];
    }

    private static int Min(int a, int b, int c)
    {
        int m = -1;
        foreach (int v in (ReadOnlySpan<int>)[a, b, c])
        {
            if (v >= 0 && (m < 0 || v < m)) m = v;
        }
        return m;
    }

    /// <summary>" [b2&amp;3=0x...]", " [Na]", " [Nq]", " [Nn]", " [Nau]": counts that differ from a plain query's.</summary>
    private static void ReadBracketCounts(ref ReadOnlySpan<char> s, ref ushort qd, ref ushort an, ref ushort ns, ref ushort ar, ref ushort flags, bool response)
    {
        for (int i = 0; i < 8; i++)
        {
            var t = TextScan.SkipSpaces(s);
            if (t.IsEmpty || t[0] != '[' || TextScan.StartsWith(t, "[|")) return;
            int close = t.IndexOf(']');
            if (close < 0) return;
            var inner = t[1..close];
            if (TextScan.TryConsume(ref inner, "b2&3="))
            {
                // The whole second header word, printed when unusual bits are set.
                if (TextScan.TryReadHex(ref inner, out uint b2) && !response) flags = (ushort)b2;
            }
            else if (TextScan.TryReadUInt16(ref inner, out ushort n))
            {
                switch (inner)
                {
                    case "q": qd = n; break;
                    case "a": an = n; break;
                    case "n": ns = n; break;
                    case "au": ar = n; break;
                    default: return;
                }
            }
            else
            {
                return;
            }
            s = t[(close + 1)..];
        }
    }

    /// <summary>Finds the "(LEN)" that ends the message, outside quotes; returns its index and the length.</summary>
    private static int FindLengthToken(ReadOnlySpan<char> s, out int length)
    {
        length = 0;
        bool quoted = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"') quoted = !quoted;
            if (quoted || c != '(' || (i > 0 && !TextScan.IsSpace(s[i - 1]))) continue;
            var t = s[(i + 1)..];
            if (TextScan.TryReadUInt32(ref t, out uint n) && TextScan.TryConsume(ref t, ")") && (t.IsEmpty || TextScan.IsSpace(t[0])))
            {
                length = (int)Math.Min(n, int.MaxValue);
                return i;
            }
        }
        return -1;
    }

    /// <summary>Finds the "AN/NS/AR" token of a response.</summary>
    private static int FindCounts(ReadOnlySpan<char> s, out ushort an, out ushort ns, out ushort ar)
    {
        an = ns = ar = 0;
        int pos = 0;
        for (int guard = 0; guard < MaxTokens && pos < s.Length; guard++)
        {
            while (pos < s.Length && TextScan.IsSpace(s[pos])) pos++;
            int start = pos;
            while (pos < s.Length && !TextScan.IsSpace(s[pos])) pos++;
            var token = s[start..pos];
            if (token.IsEmpty || !TextScan.IsDigit(token[0])) continue;
            var t = token;
            if (TextScan.TryReadUInt16(ref t, out an) && TextScan.TryConsume(ref t, "/") && TextScan.TryReadUInt16(ref t, out ns)
                && TextScan.TryConsume(ref t, "/") && TextScan.TryReadUInt16(ref t, out ar) && t.IsEmpty)
            {
                return start;
            }
            an = ns = ar = 0;
        }
        return -1;
    }

    /// <summary>Index of a section marker ("an:", "ns:", "ar:") as a whole token, or -1.</summary>
    private static int FindSectionMarker(ReadOnlySpan<char> s, ReadOnlySpan<char> marker)
    {
        int offset = 0;
        for (int guard = 0; guard < 64; guard++)
        {
            int at = s[offset..].IndexOf(marker, StringComparison.Ordinal);
            if (at < 0) return -1;
            at += offset;
            bool before = at == 0 || TextScan.IsSpace(s[at - 1]);
            bool after = at + marker.Length == s.Length || TextScan.IsSpace(s[at + marker.Length]);
            if (before && after) return at;
            offset = at + 1;
        }
        return -1;
    }

    /// <summary>Questions: " TYPE? name.", " TYPE CLASS? name.", mDNS " TYPE (QM)? name." (print-domain.c ns_qprint).</summary>
    private static int ReadQuestions(ReadOnlySpan<char> s, DecodedPacket p, int maxQuestions)
    {
        var dns = p.Dns;
        int stored = 0;
        for (int guard = 0; guard < MaxTokens && stored < maxQuestions; guard++)
        {
            TextScan.SkipSpaces(ref s);
            if (s.IsEmpty) break;
            var typeToken = TextScan.ReadToken(ref s);
            bool endsQuestion = typeToken.Length > 1 && typeToken[^1] == '?';
            var typeName = endsQuestion ? typeToken[..^1] : typeToken;
            if (!TryParseType(typeName, out ushort type)) continue;
            ushort qclass = ClassIn;
            for (int k = 0; k < 4 && !endsQuestion && !s.IsEmpty; k++)
            {
                TextScan.SkipSpaces(ref s);
                var extra = TextScan.ReadToken(ref s);
                endsQuestion = extra.Length > 0 && extra[^1] == '?';
                var word = endsQuestion ? extra[..^1] : extra;
                if (TryParseClass(word, ref s, ref endsQuestion, out ushort c)) qclass = c;
            }
            if (!endsQuestion) break;
            TextScan.SkipSpaces(ref s);
            var name = TextScan.ReadToken(ref s);
            if (name.IsEmpty) break;
            if (dns.StoredQuestions < DnsInfo.MaxQuestions && p.Text.TryAppend(name, out var nameRef))
            {
                ref var q = ref dns.Questions[dns.StoredQuestions++];
                q.Name = nameRef;
                q.Type = type;
                q.Class = qclass;
            }
            stored++;
        }
        return stored;
    }

    /// <summary>A type mnemonic of DnsNames, or tcpdump's "TypeN" for types without one.</summary>
    private static bool TryParseType(ReadOnlySpan<char> token, out ushort type)
    {
        if (DnsNames.TryParseType(token, out type)) return true;
        var t = token;
        return TextScan.TryConsume(ref t, "Type") && TextScan.TryReadUInt16(ref t, out type) && t.IsEmpty;
    }

    /// <summary>Class mnemonics (ns_class2str), "(Class N)" and mDNS's "(QM)"/"(QU)"/"(Cache flush)", which are not classes.</summary>
    private static bool TryParseClass(scoped ReadOnlySpan<char> word, ref ReadOnlySpan<char> rest, ref bool endsQuestion, out ushort qclass)
    {
        qclass = word switch
        {
            "IN" => 1,
            "CHAOS" or "CH" => 3,
            "HS" => 4,
            "NONE" => 254,
            "ANY" => 255,
            _ => 0,
        };
        if (qclass != 0) return true;
        if (word is "(Class")
        {
            // "(Class 769)?": the number is in the next token.
            TextScan.SkipSpaces(ref rest);
            var number = TextScan.ReadToken(ref rest);
            endsQuestion = number.Length > 0 && number[^1] == '?';
            if (endsQuestion) number = number[..^1];
            if (number.Length > 0 && number[^1] == ')') number = number[..^1];
            if (TextScan.TryParseUInt32(number, out uint n) && n <= ushort.MaxValue)
            {
                qclass = (ushort)n;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Records after the counts, split by commas, then the -vv "ns:" and "ar:" sections
    /// (print-domain.c ns_rprint: [name] [class] [[ttl]] TYPE rdata).
    /// </summary>
    private static void ReadSections(ReadOnlySpan<char> s, DnsSection first, DecodedPacket p)
    {
        var section = first;
        for (int n = 0; n < 3 && !s.IsEmpty; n++)
        {
            int nsAt = FindSectionMarker(s, "ns:");
            int arAt = FindSectionMarker(s, "ar:");
            int anAt = FindSectionMarker(s, "an:");
            int next = Min(nsAt, arAt, anAt);
            var part = next >= 0 ? s[..next] : s;
            ReadRecords(part, section, p);
            if (next < 0) break;
            section = next == nsAt ? DnsSection.Authority : next == arAt ? DnsSection.Additional : DnsSection.Answer;
            s = s[(next + 3)..];
        }
    }

    private static void ReadRecords(ReadOnlySpan<char> s, DnsSection section, DecodedPacket p)
    {
        for (int guard = 0; guard < DnsInfo.MaxRecords * 2 && !s.IsEmpty; guard++)
        {
            var item = TextScan.NextItem(ref s);
            if (!item.IsEmpty) ReadRecord(item, section, p);
        }
    }

    private static void ReadRecord(ReadOnlySpan<char> item, DnsSection section, DecodedPacket p)
    {
        var dns = p.Dns;
        var record = default(DnsRecord);
        record.Section = section;
        record.Class = ClassIn;
        var t = item;
        ushort type = 0;
        bool found = false;
        for (int k = 0; k < MaxRecordTokens && !t.IsEmpty; k++)
        {
            TextScan.SkipSpaces(ref t);
            var token = TextScan.ReadToken(ref t);
            if (token.IsEmpty) break;
            if (token[^1] == '.' && record.Name.IsEmpty && p.Text.TryAppend(token, out var name))
            {
                record.Name = name;
                continue;
            }
            if (token[0] == '[' && token[^1] == ']')
            {
                if (TryReadRelTime(token[1..^1], out uint ttl)) record.Ttl = ttl;
                continue;
            }
            bool ignored = false;
            if (TryParseClass(token, ref t, ref ignored, out ushort cls))
            {
                record.Class = cls;
                continue;
            }
            if (TryParseType(token, out type))
            {
                found = true;
                break;
            }
        }
        if (!found) return;
        record.Type = type;
        TextScan.SkipSpaces(ref t);
        ReadRdata(type, t, ref record, p);
        if (type == DnsType.OPT)
        {
            dns.HasEdns = true;
            var u = t;
            if (TextScan.TryConsume(ref u, "UDPsize=") && TextScan.TryReadUInt16(ref u, out ushort size)) dns.EdnsUdpSize = size;
            dns.DnssecOk = TextScan.IndexOfWord(t, "DO") >= 0;
        }
        dns.Store(record);
    }

    /// <summary>RDATA as ns_rprint prints it (RFC 1035 3.3, 3.4; RFC 3596; RFC 2782 for SRV).</summary>
    private static void ReadRdata(ushort type, ReadOnlySpan<char> rdata, ref DnsRecord record, DecodedPacket p)
    {
        var t = rdata;
        var first = TextScan.ReadToken(ref t);
        switch (type)
        {
            case DnsType.A:
            case DnsType.AAAA:
                if (Endpoints.TryParseAddress(first, out var address)) record.Address = address;
                break;
            case DnsType.CNAME:
            case DnsType.NS:
            case DnsType.PTR:
            case 39: // DNAME
                Keep(first, ref record, p);
                break;
            case DnsType.MX:
                // "MX exchange. preference"
                Keep(first, ref record, p);
                TextScan.SkipSpaces(ref t);
                if (TextScan.TryReadUInt16(ref t, out ushort preference)) record.Preference = preference;
                break;
            case DnsType.SRV:
                {
                    // "SRV target.:port priority weight"
                    int colon = first.LastIndexOf(':');
                    var target = colon >= 0 ? first[..colon] : first;
                    Keep(target, ref record, p);
                    var portText = colon >= 0 ? first[(colon + 1)..] : default;
                    if (TextScan.TryReadUInt16(ref portText, out ushort port)) record.Port = port;
                    TextScan.SkipSpaces(ref t);
                    if (TextScan.TryReadUInt16(ref t, out ushort priority)) record.Preference = priority;
                    TextScan.SkipSpaces(ref t);
                    if (TextScan.TryReadUInt16(ref t, out ushort weight)) record.Weight = weight;
                    break;
                }
            case DnsType.SOA:
                {
                    // -v only: "mname. rname. serial refresh retry expire minimum".
                    if (first.IsEmpty) break;
                    Keep(first, ref record, p);
                    TextScan.SkipSpaces(ref t);
                    TextScan.ReadToken(ref t);
                    TextScan.SkipSpaces(ref t);
                    if (TextScan.TryReadUInt32(ref t, out uint serial)) record.Serial = serial;
                    break;
                }
            case DnsType.TXT:
                {
                    // One or more quoted strings; kept as printed.
                    Keep(rdata.Trim(), ref record, p);
                    break;
                }
        }
    }

    private static void Keep(ReadOnlySpan<char> text, ref DnsRecord record, DecodedPacket p)
    {
        if (!text.IsEmpty && p.Text.TryAppend(text, out var data)) record.Data = data;
    }

    /// <summary>tcpdump's relative times ("1m", "1h2m3s", "2d", "1w"; util-print.c unsigned_relts_print) in seconds.</summary>
    private static bool TryReadRelTime(ReadOnlySpan<char> s, out uint seconds)
    {
        seconds = 0;
        if (s.IsEmpty) return false;
        ulong total = 0;
        for (int guard = 0; guard < 8 && !s.IsEmpty; guard++)
        {
            if (!TextScan.TryReadUInt32(ref s, out uint n) || s.IsEmpty) return false;
            ulong unit = s[0] switch
            {
                'y' => 31_536_000,
                'w' => 604_800,
                'd' => 86_400,
                'h' => 3_600,
                'm' => 60,
                's' => 1,
                _ => 0,
            };
            if (unit == 0) return false;
            total += n * unit;
            s = s[1..];
        }
        if (!s.IsEmpty || total > uint.MaxValue) return false;
        seconds = (uint)total;
        return true;
    }
}
