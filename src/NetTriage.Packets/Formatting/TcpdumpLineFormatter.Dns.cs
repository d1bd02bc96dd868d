using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Formatting;

public sealed partial class TcpdumpLineFormatter
{
    private const ushort ClassIn = 1;

    /// <summary>Bits of a query's flags word that tcpdump reports as "[b2&amp;3=0x..]": AA, TC, RA, Z, RCODE.</summary>
    private const ushort QueryOddFlags = 0x06CF;

    /// <summary>Bound on the separators printed for a response's question count (a hostile count is up to 65535).</summary>
    private const int MaxQuestionSeparators = 256;

    /// <summary>Opcode suffixes as tcpdump's ns_ops spells them (RFC 1035 4.1.1, RFC 1996, RFC 2136).</summary>
    private static readonly string[] Opcodes =
    [
        "", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
        " op8", " updateA", " updateD", " updateDA", " updateM", " updateMA", " zoneInit", " zoneRef",
    ];

    /// <summary>
    /// A TCP segment on the DNS port as tcpdump's domain_print reads it (RFC 1035 4.2.2): alone, its first two bytes taken
    /// for the length of one message that fills the rest of it. A segment that holds only a prefix, starts or goes on with
    /// a message split over segments, or holds more than one message is "(invalid)" to tcpdump, whatever the analysis
    /// reads of it by following the connection.
    /// </summary>
    private void WriteDnsSegment(DecodedPacket p, int length)
    {
        int prefix = p.Dns.TcpSegmentPrefix;
        if (length < DnsDecoder.TcpLengthPrefix)
        {
            _line.Append(" [DNS over TCP: length ");
            _line.AppendFormatted(length);
            _line.Append(" < 2] (invalid)");
            return;
        }
        if (prefix < 0)
        {
            WriteDnsCut(); // the capture cut the prefix
            return;
        }
        if (prefix != length - DnsDecoder.TcpLengthPrefix)
        {
            _line.Append(" [prefix length(");
            _line.AppendFormatted(prefix);
            _line.Append(") != length(");
            _line.AppendFormatted(length - DnsDecoder.TcpLengthPrefix);
            _line.Append(")] (invalid)");
            return;
        }
        if (prefix < DnsHeader.Length)
        {
            _line.Append(" domain [length ");
            _line.AppendFormatted(prefix);
            _line.Append(" < 12] (invalid)");
            return;
        }
        if (p.Anomalies.Contains(AnomalyKind.DnsHeaderTruncated))
        {
            WriteDnsCut(); // the capture cut the header
            return;
        }
        // Without a message of its own: a piece of one the analysis read by following the connection.
        if (!p.Has(PacketLayers.Dns)) return;
        _line.Append(' ');
        WriteDns(p, prefix);
    }

    private void WriteDnsCut()
    {
        _line.Append(" [|domain]");
        _truncationWritten = true;
    }

    /// <summary>
    /// A DNS message as tcpdump's domain_print shows it without -v (RFC 1035 4.1.1):
    /// a query is <c>id[op][+][%] [counts] TYPE? name. (len)</c>, a response is
    /// <c>id[op][ rcode][*][-][|][$] an/ns/ar TYPE data, ... (len)</c>.
    /// </summary>
    private void WriteDns(DecodedPacket p, int messageLength)
    {
        DnsInfo dns = p.Dns;
        _line.AppendFormatted(dns.Id);
        _line.Append(Opcodes[dns.Opcode]);
        bool complete = dns.IsResponse ? WriteDnsResponse(p, dns) : WriteDnsQuery(p, dns);
        if (!complete)
        {
            _line.Append(" [|domain]");
            _truncationWritten = true;
            return;
        }
        _line.Append(" (");
        _line.AppendFormatted(messageLength);
        _line.Append(')');
    }

    private bool WriteDnsQuery(DecodedPacket p, DnsInfo dns)
    {
        if (dns.RecursionDesired) _line.Append('+');
        if (dns.CheckingDisabled) _line.Append('%');
        if ((dns.Flags & QueryOddFlags) != 0)
        {
            _line.Append(" [b2&3=0x");
            _line.AppendHex(dns.Flags);
            _line.Append(']');
        }
        if (dns.Opcode == 1)
        {
            // Inverse query (RFC 1035 6.4, obsoleted by RFC 3425): one answer, questions unusual.
            if (dns.QuestionCount != 0) WriteCount(dns.QuestionCount, "q]");
            if (dns.AnswerCount != 1) WriteCount(dns.AnswerCount, "a]");
        }
        else
        {
            if (dns.AnswerCount != 0) WriteCount(dns.AnswerCount, "a]");
            if (dns.QuestionCount != 1) WriteCount(dns.QuestionCount, "q]");
        }
        if (dns.AuthorityCount != 0) WriteCount(dns.AuthorityCount, "n]");
        if (dns.AdditionalCount != 0) WriteCount(dns.AdditionalCount, "au]");

        foreach (ref readonly DnsQuestion q in dns.StoredQuestionSpan)
        {
            _line.Append(' ');
            WriteDnsType(q.Type);
            if (q.Class != ClassIn)
            {
                _line.Append(' ');
                WriteDnsClass(q.Class);
            }
            _line.Append("? ");
            WriteDnsName(p, q.Name);
        }
        // Later sections are shown only with -vv, so only a cut question section makes the line short.
        return !(dns.Incomplete && dns.StoredQuestions < dns.QuestionCount);
    }

    private bool WriteDnsResponse(DecodedPacket p, DnsInfo dns)
    {
        int rcode = dns.Rcode;
        if (rcode != 0)
        {
            _line.Append(' ');
            _line.Append(DnsNames.RcodeName(rcode));
        }
        if (dns.AuthoritativeAnswer) _line.Append('*');
        if (!dns.RecursionAvailable) _line.Append('-');
        if (dns.Truncation) _line.Append('|');
        if (dns.AuthenticData) _line.Append('$');
        if (dns.QuestionCount != 1)
        {
            WriteCount(dns.QuestionCount, "q]");
        }
        // tcpdump skips the questions without -vv but still prints a comma between them.
        int questions = dns.Incomplete ? dns.StoredQuestions : Math.Min((int)dns.QuestionCount, MaxQuestionSeparators);
        for (int i = 1; i < questions; i++)
        {
            _line.Append(',');
        }
        if (dns.Incomplete && dns.StoredQuestions < dns.QuestionCount)
        {
            return false;
        }

        _line.Append(' ');
        _line.AppendFormatted(dns.AnswerCount);
        _line.Append('/');
        _line.AppendFormatted(dns.AuthorityCount);
        _line.Append('/');
        _line.AppendFormatted(dns.AdditionalCount);

        int answers = 0;
        foreach (ref readonly DnsRecord rr in dns.StoredRecordSpan)
        {
            if (rr.Section != DnsSection.Answer)
            {
                continue;
            }
            if (answers++ > 0)
            {
                _line.Append(',');
            }
            WriteDnsAnswer(p, in rr);
        }
        return !(dns.Incomplete && answers < dns.AnswerCount);
    }

    private void WriteCount(ushort count, string suffix)
    {
        _line.Append(" [");
        _line.AppendFormatted(count);
        _line.Append(suffix);
    }

    /// <summary>One answer as tcpdump's ns_rprint shows it without -v: the owner name is skipped.</summary>
    private void WriteDnsAnswer(DecodedPacket p, in DnsRecord rr)
    {
        if (rr.Class != ClassIn && rr.Type != DnsType.OPT)
        {
            _line.Append(' ');
            WriteDnsClass(rr.Class);
        }
        _line.Append(' ');
        WriteDnsType(rr.Type);
        switch (rr.Type)
        {
            case DnsType.A:
            case DnsType.AAAA:
                if (!rr.Address.IsNone)
                {
                    _line.Append(' ');
                    _line.AppendFormatted(rr.Address);
                }
                break;
            case DnsType.NS:
            case DnsType.CNAME:
            case DnsType.PTR:
            case 39: // DNAME, RFC 6672
                _line.Append(' ');
                WriteDnsName(p, rr.Data);
                break;
            case DnsType.MX:
                // RFC 1035 3.3.9: tcpdump prints the exchange, then the preference.
                _line.Append(' ');
                WriteDnsName(p, rr.Data);
                _line.Append(' ');
                _line.AppendFormatted(rr.Preference);
                break;
            case DnsType.SRV:
                // RFC 2782: target:port priority weight.
                _line.Append(' ');
                WriteDnsName(p, rr.Data);
                _line.Append(':');
                _line.AppendFormatted(rr.Port);
                _line.Append(' ');
                _line.AppendFormatted(rr.Preference);
                _line.Append(' ');
                _line.AppendFormatted(rr.Weight);
                break;
            case DnsType.TXT:
                _line.Append(" \"");
                WriteDnsName(p, rr.Data);
                _line.Append('"');
                break;
        }
    }

    private void WriteDnsType(ushort type)
    {
        string? name = DnsNames.TypeName(type);
        if (name is null)
        {
            _line.Append("Type");
            _line.AppendFormatted(type);
        }
        else
        {
            _line.Append(name);
        }
    }

    /// <summary>Class as tcpdump's ns_class2str spells it; unknown classes as "(Class N)".</summary>
    private void WriteDnsClass(ushort @class)
    {
        switch (@class)
        {
            case 1:
                _line.Append("IN");
                break;
            case 3:
                _line.Append("CHAOS");
                break;
            case 4:
                _line.Append("HS");
                break;
            case 255:
                _line.Append("ANY");
                break;
            default:
                _line.Append("(Class ");
                _line.AppendFormatted(@class);
                _line.Append(')');
                break;
        }
    }

    /// <summary>
    /// Names from the binary decoder are already in escaped presentation form; names read from text may
    /// not be. Both go through the escaper, which leaves presentation escapes as they are.
    /// </summary>
    private void WriteDnsName(DecodedPacket p, TextRef name) => _line.AppendEscaped(p.Text.GetSpan(name));
}
