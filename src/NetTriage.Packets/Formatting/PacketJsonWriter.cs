using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Formatting;

/// <summary>
/// Writes decoded packets as JSON Lines: one JSON object per packet, each on its own line ending in
/// <c>\n</c>; no line is special and the output carries no header. The schema is part of the tool's
/// contract and is described field by field in docs/show-json.md; in short:
/// <code>
/// {"frame":1,"time":"2020-06-10T09:19:54.740079Z","timeKind":"absolute","caplen":98,"len":98,
///  "truncated":false,"link":"ethernet","linkType":1,"srcMac":"..","dstMac":"..","etherType":2048,
///  "ip":{"version":4,"src":"192.168.1.11","dst":"209.87.249.18","proto":17,"ttl":64,"len":84,
///        "id":22989,"frag":{"df":false,"mf":false,"offset":0}},
///  "sport":43966,"dport":53,"udp":{"len":64,"payloadLen":56},
///  "dns":{"id":22836,"qr":false,"opcode":0,"flags":["rd"],"rcode":0,"rcodeName":"NoError",
///         "counts":{"qd":1,"an":0,"ns":0,"ar":1},"overTcp":false,"incomplete":false,
///         "questions":[{"name":"www.tcpdump.org.","type":1,"typeName":"A","class":1}],"answers":[],
///         "edns":{"udpSize":4096,"version":0,"do":false}}}
/// </code>
/// Other members, present when the packet has that layer: <c>line</c> (text input), <c>vlan</c>,
/// <c>arp</c>, <c>tcp</c>, <c>icmp</c> (with <c>quoted</c>), <c>http</c>, <c>tls</c>, <c>anomalies</c>
/// (with <c>anomalyCount</c> when more were raised than kept) and <c>unparsed</c>. Names are camelCase.
/// TCP numbers are the absolute values from the header. Strings from the capture are escaped by
/// <see cref="Utf8JsonWriter"/> with <see cref="System.Text.Encodings.Web.JavaScriptEncoder.Default"/>:
/// control characters, non-ASCII and the HTML-sensitive characters <c>&lt; &gt; &amp; ' "</c> become
/// <c>\uXXXX</c>, so a line stays inert when pasted into a terminal or a web page.
/// <para>
/// An instance reuses its buffers and is not thread-safe. Over a <see cref="Stream"/> the output is
/// buffered and written in blocks; call <see cref="Flush"/> (or dispose) at the end. The stream is not
/// closed by <see cref="Dispose"/>.
/// </para>
/// </summary>
public sealed class PacketJsonWriter : IDisposable
{
    private const int StreamFlushThreshold = 32 * 1024;
    private const int StackTextLimit = 256;

    private readonly IBufferWriter<byte> _output;
    private readonly ArrayBufferWriter<byte>? _streamBuffer;
    private readonly Stream? _stream;
    private readonly Utf8JsonWriter _json;
    private bool _disposed;

    /// <summary>Writes into <paramref name="output"/>; each packet's bytes are committed when <see cref="Write"/> returns.</summary>
    public PacketJsonWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _json = new Utf8JsonWriter(output, WriterOptions);
    }

    /// <summary>Writes to <paramref name="stream"/> through an internal buffer.</summary>
    public PacketJsonWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _streamBuffer = new ArrayBufferWriter<byte>(StreamFlushThreshold * 2);
        _output = _streamBuffer;
        _json = new Utf8JsonWriter(_streamBuffer, WriterOptions);
    }

    private static JsonWriterOptions WriterOptions => new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default,
        Indented = false,
    };

    /// <summary>Writes one packet as one line.</summary>
    public void Write(DecodedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ObjectDisposedException.ThrowIf(_disposed, this);
        WritePacket(packet);
        _json.Flush();
        _json.Reset();
        Span<byte> newline = _output.GetSpan(1);
        newline[0] = (byte)'\n';
        _output.Advance(1);
        if (_streamBuffer is not null && _streamBuffer.WrittenCount >= StreamFlushThreshold)
        {
            CopyToStream();
        }
    }

    /// <summary>Writes any buffered lines to the stream and flushes it.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _json.Flush();
        if (_stream is not null)
        {
            CopyToStream();
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        Flush();
        _disposed = true;
        _json.Dispose();
    }

    private void CopyToStream()
    {
        _stream!.Write(_streamBuffer!.WrittenSpan);
        _streamBuffer.ResetWrittenCount();
    }

    private void WritePacket(DecodedPacket p)
    {
        var j = _json;
        j.WriteStartObject();
        j.WriteNumber(N.Frame, p.FrameNumber);
        if (p.LineNumber > 0)
        {
            j.WriteNumber(N.Line, p.LineNumber);
        }
        if (p.Unparsed)
        {
            j.WriteStartObject(N.Unparsed);
            j.WriteNumber(N.Line, p.LineNumber);
            WriteText(N.Text, p, p.RawText);
            j.WriteEndObject();
            WriteAnomalies(p);
            j.WriteEndObject();
            return;
        }

        WriteTime(p.Timestamp);
        j.WriteNumber(N.Caplen, p.CapturedLength);
        j.WriteNumber(N.Len, p.OriginalLength);
        j.WriteBoolean(N.Truncated, p.Truncated);
        j.WriteString(N.Link, LinkName(p.LinkType));
        j.WriteNumber(N.LinkType, (int)p.LinkType);
        if (p.Has(PacketLayers.Ethernet))
        {
            WriteMac(N.SrcMac, p.SourceMac);
            WriteMac(N.DstMac, p.DestinationMac);
        }
        if (p.EtherType != 0)
        {
            j.WriteNumber(N.EtherType, p.EtherType);
        }
        if (p.VlanCount > 0)
        {
            j.WriteStartArray(N.Vlan);
            j.WriteNumberValue(p.VlanId);
            if (p.VlanCount > 1)
            {
                j.WriteNumberValue(p.InnerVlanId);
            }
            j.WriteEndArray();
        }
        if (p.Has(PacketLayers.Arp))
        {
            WriteArp(in p.Arp);
        }
        if (p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6))
        {
            WriteIp(p);
        }
        if (p.Has(PacketLayers.Tcp) || p.Has(PacketLayers.Udp))
        {
            j.WriteNumber(N.Sport, p.SourcePort);
            j.WriteNumber(N.Dport, p.DestinationPort);
        }
        if (p.Has(PacketLayers.Tcp))
        {
            WriteTcp(p);
        }
        if (p.Has(PacketLayers.Udp))
        {
            j.WriteStartObject(N.Udp);
            j.WriteNumber(N.Len, p.UdpLength);
            j.WriteNumber(N.PayloadLen, p.PayloadClaimedLength);
            j.WriteEndObject();
        }
        if (p.Has(PacketLayers.Icmp) || p.Has(PacketLayers.Icmpv6))
        {
            WriteIcmp(in p.Icmp);
        }
        if (p.Has(PacketLayers.Dns))
        {
            WriteDns(p);
        }
        if (p.Has(PacketLayers.Http))
        {
            WriteHttp(p);
        }
        if (p.Has(PacketLayers.Tls))
        {
            j.WriteStartObject(N.Tls);
            j.WriteBoolean(N.ClientHello, p.Tls.IsClientHello);
            j.WriteNumber(N.Version, p.Tls.LegacyVersion);
            if (!p.Tls.ServerName.IsEmpty)
            {
                WriteText(N.Sni, p, p.Tls.ServerName);
            }
            j.WriteEndObject();
        }
        WriteAnomalies(p);
        j.WriteEndObject();
    }

    // ---- time -------------------------------------------------------------------------------------

    private void WriteTime(PacketTimestamp ts)
    {
        switch (ts.Kind)
        {
            case TimestampKind.Absolute:
                WriteIsoTime(ts);
                _json.WriteString(N.TimeKind, "absolute"u8);
                break;
            case TimestampKind.TimeOfDay:
                WriteSecondsNumber(ts.TimeOfDayNanos);
                _json.WriteString(N.TimeKind, "timeOfDay"u8);
                break;
            case TimestampKind.Relative:
                WriteSecondsNumber(ts.Nanoseconds);
                _json.WriteString(N.TimeKind, "relative"u8);
                break;
            default:
                _json.WriteString(N.TimeKind, "none"u8);
                break;
        }
    }

    /// <summary>ISO 8601 / RFC 3339 UTC with six fractional digits, nine when the time is not a whole microsecond.</summary>
    private void WriteIsoTime(PacketTimestamp ts)
    {
        Span<byte> text = stackalloc byte[40];
        var time = DateTime.UnixEpoch.AddTicks(ts.Seconds * TimeSpan.TicksPerSecond);
        time.TryFormat(text, out int n, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        n += WriteFraction(ts.SubsecondNanos, text[n..]);
        text[n++] = (byte)'Z';
        _json.WriteString(N.Time, text[..n]);
    }

    private void WriteSecondsNumber(long nanoseconds)
    {
        Span<byte> text = stackalloc byte[40];
        int n = 0;
        if (nanoseconds < 0)
        {
            text[n++] = (byte)'-';
            nanoseconds = nanoseconds == long.MinValue ? long.MaxValue : -nanoseconds;
        }
        (nanoseconds / PacketTimestamp.NanosPerSecond).TryFormat(text[n..], out int w, default, CultureInfo.InvariantCulture);
        n += w;
        n += WriteFraction(nanoseconds % PacketTimestamp.NanosPerSecond, text[n..]);
        _json.WritePropertyName(N.Time);
        _json.WriteRawValue(text[..n], skipInputValidation: true);
    }

    private static int WriteFraction(long subsecondNanos, Span<byte> destination)
    {
        bool nanos = subsecondNanos % 1000 != 0;
        long value = nanos ? subsecondNanos : subsecondNanos / 1000;
        int digits = nanos ? 9 : 6;
        destination[0] = (byte)'.';
        for (int i = digits; i >= 1; i--)
        {
            destination[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        return digits + 1;
    }

    // ---- layers -----------------------------------------------------------------------------------

    private void WriteArp(in ArpInfo arp)
    {
        var j = _json;
        j.WriteStartObject(N.Arp);
        j.WriteNumber(N.Op, arp.Operation);
        string? opName = arp.Operation switch
        {
            1 => "request",
            2 => "reply",
            3 => "reverseRequest",
            4 => "reverseReply",
            8 => "inverseRequest",
            9 => "inverseReply",
            _ => null,
        };
        if (opName is not null)
        {
            j.WriteString(N.OpName, opName);
        }
        j.WriteNumber(N.HardwareType, arp.HardwareType);
        j.WriteNumber(N.ProtocolType, arp.ProtocolType);
        WriteMac(N.SenderMac, arp.SenderMac);
        WriteIpAddress(N.SenderIp, arp.SenderIp);
        WriteMac(N.TargetMac, arp.TargetMac);
        WriteIpAddress(N.TargetIp, arp.TargetIp);
        j.WriteEndObject();
    }

    private void WriteIp(DecodedPacket p)
    {
        var j = _json;
        ref readonly IpInfo ip = ref p.Ip;
        j.WriteStartObject(N.Ip);
        j.WriteNumber(N.Version, p.Has(PacketLayers.Ipv6) ? 6 : 4);
        WriteIpAddress(N.Src, ip.Source);
        WriteIpAddress(N.Dst, ip.Destination);
        j.WriteNumber(N.Proto, ip.Protocol);
        j.WriteNumber(N.Ttl, ip.Ttl);
        j.WriteNumber(N.Len, ip.TotalLength);
        if (p.Has(PacketLayers.Ipv6))
        {
            j.WriteNumber(N.FlowLabel, ip.FlowLabel);
        }
        else
        {
            j.WriteNumber(N.Id, ip.Identification);
        }
        if (p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Fragment))
        {
            j.WriteStartObject(N.Frag);
            j.WriteBoolean(N.Df, ip.DontFragment);
            j.WriteBoolean(N.Mf, ip.MoreFragments);
            j.WriteNumber(N.Offset, ip.FragmentOffset);
            j.WriteEndObject();
        }
        j.WriteEndObject();
    }

    private static readonly (TcpFlags Flag, char Letter, string Name)[] TcpFlagTable =
    [
        (TcpFlags.Fin, 'F', "fin"), (TcpFlags.Syn, 'S', "syn"), (TcpFlags.Rst, 'R', "rst"),
        (TcpFlags.Psh, 'P', "psh"), (TcpFlags.Ack, '.', "ack"), (TcpFlags.Urg, 'U', "urg"),
        (TcpFlags.Ece, 'E', "ece"), (TcpFlags.Cwr, 'W', "cwr"), (TcpFlags.Ae, 'e', "ae"),
    ];

    private void WriteTcp(DecodedPacket p)
    {
        var j = _json;
        ref readonly TcpInfo tcp = ref p.Tcp;
        j.WriteStartObject(N.Tcp);

        Span<char> letters = stackalloc char[TcpFlagTable.Length];
        int count = 0;
        foreach (var (flag, letter, _) in TcpFlagTable)
        {
            if ((tcp.Flags & flag) != 0)
            {
                letters[count++] = letter;
            }
        }
        ReadOnlySpan<char> flagText = count == 0 ? "none" : letters[..count];
        j.WriteString(N.Flags, flagText);
        j.WriteStartArray(N.FlagList);
        foreach (var (flag, _, name) in TcpFlagTable)
        {
            if ((tcp.Flags & flag) != 0)
            {
                j.WriteStringValue(name);
            }
        }
        j.WriteEndArray();

        j.WriteNumber(N.Seq, tcp.Sequence);
        j.WriteNumber(N.Ack, tcp.Acknowledgment);
        j.WriteNumber(N.Win, tcp.Window);
        if ((tcp.Flags & TcpFlags.Urg) != 0)
        {
            j.WriteNumber(N.Urg, tcp.UrgentPointer);
        }
        j.WriteStartObject(N.Options);
        if (tcp.HasMss)
        {
            j.WriteNumber(N.Mss, tcp.Mss);
        }
        if (tcp.HasWindowScale)
        {
            j.WriteNumber(N.Wscale, tcp.WindowScale);
        }
        if (tcp.SackPermitted)
        {
            j.WriteBoolean(N.SackOk, true);
        }
        if (tcp.SackBlockCount > 0)
        {
            j.WriteNumber(N.SackBlocks, tcp.SackBlockCount);
        }
        if (tcp.HasTimestamp)
        {
            j.WriteNumber(N.TsVal, tcp.TsValue);
            j.WriteNumber(N.TsEcr, tcp.TsEcho);
        }
        j.WriteEndObject();
        j.WriteNumber(N.PayloadLen, p.PayloadClaimedLength);
        j.WriteEndObject();
    }

    private void WriteIcmp(in IcmpInfo icmp)
    {
        var j = _json;
        j.WriteStartObject(N.Icmp);
        j.WriteNumber(N.Version, icmp.IsV6 ? 6 : 4);
        j.WriteNumber(N.Type, icmp.Type);
        j.WriteNumber(N.Code, icmp.Code);
        bool echo = icmp.IsV6 ? icmp.Type is 128 or 129 : icmp.Type is 0 or 8 or 13 or 14;
        if (echo)
        {
            j.WriteNumber(N.Id, icmp.Identifier);
            j.WriteNumber(N.Seq, icmp.Sequence);
        }
        if (icmp.Parameter != 0)
        {
            j.WriteNumber(N.Param, icmp.Parameter);
        }
        if (!icmp.Gateway.IsNone)
        {
            WriteIpAddress(N.Gateway, icmp.Gateway);
        }
        ref readonly QuotedPacket q = ref icmp.Quoted;
        if (q.Present)
        {
            j.WriteStartObject(N.Quoted);
            j.WriteNumber(N.Proto, q.Protocol);
            WriteIpAddress(N.Src, q.Source);
            WriteIpAddress(N.Dst, q.Destination);
            if (q.HasPorts)
            {
                j.WriteNumber(N.Sport, q.SourcePort);
                j.WriteNumber(N.Dport, q.DestinationPort);
            }
            if (q.HasDnsId)
            {
                j.WriteNumber(N.DnsId, q.DnsId);
            }
            j.WriteBoolean(N.Truncated, q.Truncated);
            j.WriteEndObject();
        }
        j.WriteEndObject();
    }

    private void WriteDns(DecodedPacket p)
    {
        var j = _json;
        DnsInfo dns = p.Dns;
        j.WriteStartObject(N.Dns);
        j.WriteNumber(N.Id, dns.Id);
        j.WriteBoolean(N.Qr, dns.IsResponse);
        j.WriteNumber(N.Opcode, dns.Opcode);
        j.WriteStartArray(N.Flags);
        if (dns.AuthoritativeAnswer) j.WriteStringValue("aa"u8);
        if (dns.Truncation) j.WriteStringValue("tc"u8);
        if (dns.RecursionDesired) j.WriteStringValue("rd"u8);
        if (dns.RecursionAvailable) j.WriteStringValue("ra"u8);
        if (dns.AuthenticData) j.WriteStringValue("ad"u8);
        if (dns.CheckingDisabled) j.WriteStringValue("cd"u8);
        j.WriteEndArray();
        j.WriteNumber(N.Rcode, dns.Rcode);
        j.WriteString(N.RcodeName, DnsNames.RcodeName(dns.Rcode));
        j.WriteStartObject(N.Counts);
        j.WriteNumber(N.Qd, dns.QuestionCount);
        j.WriteNumber(N.An, dns.AnswerCount);
        j.WriteNumber(N.Ns, dns.AuthorityCount);
        j.WriteNumber(N.Ar, dns.AdditionalCount);
        j.WriteEndObject();
        j.WriteBoolean(N.OverTcp, dns.OverTcp);
        j.WriteBoolean(N.Incomplete, dns.Incomplete);

        j.WriteStartArray(N.Questions);
        foreach (ref readonly DnsQuestion q in dns.StoredQuestionSpan)
        {
            j.WriteStartObject();
            WriteText(N.Name, p, q.Name);
            WriteDnsType(q.Type);
            j.WriteNumber(N.Class, q.Class);
            j.WriteEndObject();
        }
        j.WriteEndArray();

        j.WriteStartArray(N.Answers);
        foreach (ref readonly DnsRecord rr in dns.StoredRecordSpan)
        {
            WriteDnsRecord(p, in rr);
        }
        j.WriteEndArray();

        if (dns.HasEdns)
        {
            j.WriteStartObject(N.Edns);
            j.WriteNumber(N.UdpSize, dns.EdnsUdpSize);
            j.WriteNumber(N.Version, dns.EdnsVersion);
            j.WriteBoolean(N.Do, dns.DnssecOk);
            j.WriteEndObject();
        }
        j.WriteEndObject();
    }

    private void WriteDnsRecord(DecodedPacket p, in DnsRecord rr)
    {
        var j = _json;
        j.WriteStartObject();
        j.WriteString(N.Section, rr.Section switch
        {
            DnsSection.Answer => "answer"u8,
            DnsSection.Authority => "authority"u8,
            DnsSection.Additional => "additional"u8,
            _ => "unknown"u8,
        });
        WriteText(N.Name, p, rr.Name);
        WriteDnsType(rr.Type);
        j.WriteNumber(N.Class, rr.Class);
        j.WriteNumber(N.Ttl, rr.Ttl);
        switch (rr.Type)
        {
            case DnsType.A:
            case DnsType.AAAA:
                if (!rr.Address.IsNone)
                {
                    WriteIpAddress(N.Data, rr.Address);
                }
                break;
            case DnsType.MX:
                WriteText(N.Data, p, rr.Data);
                j.WriteNumber(N.Preference, rr.Preference);
                break;
            case DnsType.SRV:
                WriteText(N.Data, p, rr.Data);
                j.WriteNumber(N.Priority, rr.Preference);
                j.WriteNumber(N.Weight, rr.Weight);
                j.WriteNumber(N.Port, rr.Port);
                break;
            case DnsType.SOA:
                WriteText(N.Data, p, rr.Data);
                j.WriteNumber(N.Serial, rr.Serial);
                break;
            default:
                if (!rr.Data.IsEmpty)
                {
                    WriteText(N.Data, p, rr.Data);
                }
                break;
        }
        j.WriteNumber(N.DataLength, rr.DataLength);
        j.WriteEndObject();
    }

    private void WriteDnsType(ushort type)
    {
        _json.WriteNumber(N.Type, type);
        string? name = DnsNames.TypeName(type);
        if (name is not null)
        {
            _json.WriteString(N.TypeName, name);
        }
    }

    private void WriteHttp(DecodedPacket p)
    {
        var j = _json;
        ref readonly HttpInfo http = ref p.Http;
        j.WriteStartObject(N.Http);
        j.WriteBoolean(N.Request, http.IsRequest);
        if (http.IsRequest)
        {
            WriteText(N.Method, p, http.Method);
            WriteText(N.Target, p, http.Target);
        }
        WriteText(N.Version, p, http.Version);
        if (!http.IsRequest)
        {
            j.WriteNumber(N.Status, http.StatusCode);
            WriteText(N.Reason, p, http.Reason);
        }
        if (!http.Host.IsEmpty)
        {
            WriteText(N.Host, p, http.Host);
        }
        j.WriteEndObject();
    }

    private void WriteAnomalies(DecodedPacket p)
    {
        if (p.Anomalies.Count == 0)
        {
            return;
        }
        _json.WriteStartArray(N.Anomalies);
        foreach (AnomalyKind kind in p.Anomalies.Kept)
        {
            _json.WriteStringValue(AnomalyNames.Get(kind));
        }
        _json.WriteEndArray();
        if (p.Anomalies.Count > p.Anomalies.Kept.Length)
        {
            _json.WriteNumber(N.AnomalyCount, p.Anomalies.Count);
        }
    }

    // ---- values -----------------------------------------------------------------------------------

    /// <summary>Writes capture bytes as a string, one character per byte (Latin-1), escaped by the encoder.</summary>
    private void WriteText(JsonEncodedText name, DecodedPacket p, TextRef text)
    {
        ReadOnlySpan<byte> bytes = p.Text.GetSpan(text);
        char[]? rented = null;
        Span<char> chars = bytes.Length <= StackTextLimit
            ? stackalloc char[StackTextLimit]
            : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        int n = Encoding.Latin1.GetChars(bytes, chars);
        _json.WriteString(name, chars[..n]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void WriteIpAddress(JsonEncodedText name, IpAddr address)
    {
        if (address.IsNone)
        {
            _json.WriteNull(name);
            return;
        }
        Span<char> text = stackalloc char[64];
        address.TryFormat(text, out int n, default, CultureInfo.InvariantCulture);
        _json.WriteString(name, text[..n]);
    }

    private void WriteMac(JsonEncodedText name, MacAddress mac)
    {
        const string Hex = "0123456789abcdef";
        Span<byte> text = stackalloc byte[17];
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(mac.Value >> (40 - (8 * i)));
            text[i * 3] = (byte)Hex[b >> 4];
            text[(i * 3) + 1] = (byte)Hex[b & 0xF];
            if (i < 5)
            {
                text[(i * 3) + 2] = (byte)':';
            }
        }
        _json.WriteString(name, text);
    }

    private static string LinkName(LinkType type) => type switch
    {
        LinkType.Null => "null",
        LinkType.Ethernet => "ethernet",
        LinkType.Ppp => "ppp",
        LinkType.RawDlt12 or LinkType.RawDlt14 or LinkType.Raw => "raw",
        LinkType.Loop => "loop",
        LinkType.LinuxSll => "linuxSll",
        LinkType.Ipv4 => "ipv4",
        LinkType.Ipv6 => "ipv6",
        LinkType.LinuxSll2 => "linuxSll2",
        LinkType.Text => "text",
        _ => "unknown",
    };

    /// <summary>Property names, encoded once.</summary>
    private static class N
    {
        public static readonly JsonEncodedText Frame = JsonEncodedText.Encode("frame");
        public static readonly JsonEncodedText Line = JsonEncodedText.Encode("line");
        public static readonly JsonEncodedText Unparsed = JsonEncodedText.Encode("unparsed");
        public static readonly JsonEncodedText Text = JsonEncodedText.Encode("text");
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public static readonly JsonEncodedText TimeKind = JsonEncodedText.Encode("timeKind");
        public static readonly JsonEncodedText Caplen = JsonEncodedText.Encode("caplen");
        public static readonly JsonEncodedText Len = JsonEncodedText.Encode("len");
        public static readonly JsonEncodedText Truncated = JsonEncodedText.Encode("truncated");
        public static readonly JsonEncodedText Link = JsonEncodedText.Encode("link");
        public static readonly JsonEncodedText LinkType = JsonEncodedText.Encode("linkType");
        public static readonly JsonEncodedText SrcMac = JsonEncodedText.Encode("srcMac");
        public static readonly JsonEncodedText DstMac = JsonEncodedText.Encode("dstMac");
        public static readonly JsonEncodedText EtherType = JsonEncodedText.Encode("etherType");
        public static readonly JsonEncodedText Vlan = JsonEncodedText.Encode("vlan");
        public static readonly JsonEncodedText Arp = JsonEncodedText.Encode("arp");
        public static readonly JsonEncodedText Op = JsonEncodedText.Encode("op");
        public static readonly JsonEncodedText OpName = JsonEncodedText.Encode("opName");
        public static readonly JsonEncodedText HardwareType = JsonEncodedText.Encode("hardwareType");
        public static readonly JsonEncodedText ProtocolType = JsonEncodedText.Encode("protocolType");
        public static readonly JsonEncodedText SenderMac = JsonEncodedText.Encode("senderMac");
        public static readonly JsonEncodedText SenderIp = JsonEncodedText.Encode("senderIp");
        public static readonly JsonEncodedText TargetMac = JsonEncodedText.Encode("targetMac");
        public static readonly JsonEncodedText TargetIp = JsonEncodedText.Encode("targetIp");
        public static readonly JsonEncodedText Ip = JsonEncodedText.Encode("ip");
        public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
        public static readonly JsonEncodedText Src = JsonEncodedText.Encode("src");
        public static readonly JsonEncodedText Dst = JsonEncodedText.Encode("dst");
        public static readonly JsonEncodedText Proto = JsonEncodedText.Encode("proto");
        public static readonly JsonEncodedText Ttl = JsonEncodedText.Encode("ttl");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText FlowLabel = JsonEncodedText.Encode("flowLabel");
        public static readonly JsonEncodedText Frag = JsonEncodedText.Encode("frag");
        public static readonly JsonEncodedText Df = JsonEncodedText.Encode("df");
        public static readonly JsonEncodedText Mf = JsonEncodedText.Encode("mf");
        public static readonly JsonEncodedText Offset = JsonEncodedText.Encode("offset");
        public static readonly JsonEncodedText Sport = JsonEncodedText.Encode("sport");
        public static readonly JsonEncodedText Dport = JsonEncodedText.Encode("dport");
        public static readonly JsonEncodedText Tcp = JsonEncodedText.Encode("tcp");
        public static readonly JsonEncodedText Flags = JsonEncodedText.Encode("flags");
        public static readonly JsonEncodedText FlagList = JsonEncodedText.Encode("flagList");
        public static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
        public static readonly JsonEncodedText Ack = JsonEncodedText.Encode("ack");
        public static readonly JsonEncodedText Win = JsonEncodedText.Encode("win");
        public static readonly JsonEncodedText Urg = JsonEncodedText.Encode("urg");
        public static readonly JsonEncodedText Options = JsonEncodedText.Encode("options");
        public static readonly JsonEncodedText Mss = JsonEncodedText.Encode("mss");
        public static readonly JsonEncodedText Wscale = JsonEncodedText.Encode("wscale");
        public static readonly JsonEncodedText SackOk = JsonEncodedText.Encode("sackOK");
        public static readonly JsonEncodedText SackBlocks = JsonEncodedText.Encode("sackBlocks");
        public static readonly JsonEncodedText TsVal = JsonEncodedText.Encode("tsVal");
        public static readonly JsonEncodedText TsEcr = JsonEncodedText.Encode("tsEcr");
        public static readonly JsonEncodedText PayloadLen = JsonEncodedText.Encode("payloadLen");
        public static readonly JsonEncodedText Udp = JsonEncodedText.Encode("udp");
        public static readonly JsonEncodedText Icmp = JsonEncodedText.Encode("icmp");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
        public static readonly JsonEncodedText Param = JsonEncodedText.Encode("param");
        public static readonly JsonEncodedText Gateway = JsonEncodedText.Encode("gateway");
        public static readonly JsonEncodedText Quoted = JsonEncodedText.Encode("quoted");
        public static readonly JsonEncodedText DnsId = JsonEncodedText.Encode("dnsId");
        public static readonly JsonEncodedText Dns = JsonEncodedText.Encode("dns");
        public static readonly JsonEncodedText Qr = JsonEncodedText.Encode("qr");
        public static readonly JsonEncodedText Opcode = JsonEncodedText.Encode("opcode");
        public static readonly JsonEncodedText Rcode = JsonEncodedText.Encode("rcode");
        public static readonly JsonEncodedText RcodeName = JsonEncodedText.Encode("rcodeName");
        public static readonly JsonEncodedText Counts = JsonEncodedText.Encode("counts");
        public static readonly JsonEncodedText Qd = JsonEncodedText.Encode("qd");
        public static readonly JsonEncodedText An = JsonEncodedText.Encode("an");
        public static readonly JsonEncodedText Ns = JsonEncodedText.Encode("ns");
        public static readonly JsonEncodedText Ar = JsonEncodedText.Encode("ar");
        public static readonly JsonEncodedText OverTcp = JsonEncodedText.Encode("overTcp");
        public static readonly JsonEncodedText Incomplete = JsonEncodedText.Encode("incomplete");
        public static readonly JsonEncodedText Questions = JsonEncodedText.Encode("questions");
        public static readonly JsonEncodedText Answers = JsonEncodedText.Encode("answers");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("typeName");
        public static readonly JsonEncodedText Class = JsonEncodedText.Encode("class");
        public static readonly JsonEncodedText Section = JsonEncodedText.Encode("section");
        public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
        public static readonly JsonEncodedText DataLength = JsonEncodedText.Encode("dataLength");
        public static readonly JsonEncodedText Preference = JsonEncodedText.Encode("preference");
        public static readonly JsonEncodedText Priority = JsonEncodedText.Encode("priority");
        public static readonly JsonEncodedText Weight = JsonEncodedText.Encode("weight");
        public static readonly JsonEncodedText Port = JsonEncodedText.Encode("port");
        public static readonly JsonEncodedText Serial = JsonEncodedText.Encode("serial");
        public static readonly JsonEncodedText Edns = JsonEncodedText.Encode("edns");
        public static readonly JsonEncodedText UdpSize = JsonEncodedText.Encode("udpSize");
        public static readonly JsonEncodedText Do = JsonEncodedText.Encode("do");
        public static readonly JsonEncodedText Http = JsonEncodedText.Encode("http");
        public static readonly JsonEncodedText Request = JsonEncodedText.Encode("request");
        public static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
        public static readonly JsonEncodedText Target = JsonEncodedText.Encode("target");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
        public static readonly JsonEncodedText Host = JsonEncodedText.Encode("host");
        public static readonly JsonEncodedText Tls = JsonEncodedText.Encode("tls");
        public static readonly JsonEncodedText ClientHello = JsonEncodedText.Encode("clientHello");
        public static readonly JsonEncodedText Sni = JsonEncodedText.Encode("sni");
        public static readonly JsonEncodedText Anomalies = JsonEncodedText.Encode("anomalies");
        public static readonly JsonEncodedText AnomalyCount = JsonEncodedText.Encode("anomalyCount");
    }
}
