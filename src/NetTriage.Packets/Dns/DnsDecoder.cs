using System.Buffers.Binary;

namespace NetTriage.Packets.Dns;

/// <summary>
/// Decodes a DNS message (RFC 1035 4.1) into <see cref="DecodedPacket.Dns"/>: header, questions, and the
/// records of the answer, authority and additional sections, with EDNS(0) from the OPT record (RFC 6891).
/// Names and TXT strings go into the packet's text store. A message cut short keeps what was read.
/// </summary>
public static class DnsDecoder
{
    /// <summary>Questions plus records walked before giving up (a 64 KiB message could hold thousands).</summary>
    public const int MaxEntriesWalked = 512;
    /// <summary>The two-byte length prefix of DNS over TCP (RFC 1035 4.2.2).</summary>
    public const int TcpLengthPrefix = 2;

    private const int QuestionFixedLength = 4;
    private const int Ipv4Length = 4;
    private const int Ipv6Length = 16;
    private const ushort DnameType = 39;
    /// <summary>The classes NONE and ANY (RFC 2136 1.3, RFC 1035 3.2.5).</summary>
    private const ushort ClassNone = 254;
    private const ushort ClassAny = 255;
    private const int MxPreferenceLength = 2;
    private const int SrvFixedLength = 6;
    private const int SoaSerialLength = 4;
    // RFC 6891 6.1.3: TTL of OPT = extended RCODE (8) | VERSION (8) | DO (1) | Z (15).
    private const uint DnssecOkBit = 0x8000;

    /// <summary>
    /// Decodes <paramref name="message"/> as one DNS message. With <paramref name="overTcp"/>, the bytes are a
    /// TCP payload that starts with the two-byte length prefix of RFC 1035 4.2.2.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> message, DecodedPacket packet, bool overTcp)
    {
        if (overTcp)
        {
            DecodeTcp(message, message.Length, packet);
        }
        else
        {
            DecodeMessage(message, cutByCapture: false, overTcp: false, packet);
        }
    }

    /// <param name="payload">UDP payload present in the capture.</param>
    /// <param name="claimedLength">UDP payload length claimed by the headers.</param>
    internal static void DecodeUdp(ReadOnlySpan<byte> payload, int claimedLength, DecodedPacket packet) =>
        DecodeMessage(payload, cutByCapture: payload.Length < claimedLength, overTcp: false, packet);

    /// <summary>
    /// A TCP segment on the DNS port. The reader that follows connections (<see cref="DecodedPacket.DnsStreams"/>) reads
    /// the messages wherever the segments cut them; otherwise the segment is read alone (<see cref="DecodeSegment"/>).
    /// </summary>
    internal static void DecodeTcp(ReadOnlySpan<byte> payload, int claimedLength, DecodedPacket packet)
    {
        var dns = packet.Dns;
        dns.OverTcp = true;
        dns.TcpSegmentPrefix = payload.Length >= TcpLengthPrefix ? BinaryPrimitives.ReadUInt16BigEndian(payload) : -1;
        if (packet.DnsStreams is { } streams)
        {
            streams.Segment(payload, claimedLength, packet);
            return;
        }
        DecodeSegment(payload, claimedLength, packet);
    }

    /// <summary>
    /// Decodes the first message of a TCP segment read alone (RFC 1035 4.2.2, RFC 7766 8): a length prefix, then the
    /// message. A prefix that cannot be a message's length is a mismatch. One longer than the segment starts a message
    /// that goes on in later segments: what of it is here is read, from its header on, and is no anomaly (unless the
    /// capture cut the segment too, when what the prefix says cannot be checked).
    /// </summary>
    internal static void DecodeSegment(ReadOnlySpan<byte> payload, int claimedLength, DecodedPacket packet)
    {
        if (payload.Length < TcpLengthPrefix)
        {
            PacketDecoder.Cut(packet, AnomalyKind.DnsHeaderTruncated);
            return;
        }
        int declared = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (declared < DnsHeader.Length)
        {
            packet.AddAnomaly(AnomalyKind.DnsTcpLengthMismatch);
            return;
        }
        packet.Dns.TcpMessageLength = declared;
        int segmentCarries = claimedLength - TcpLengthPrefix;
        var body = payload[TcpLengthPrefix..];
        bool cutByCapture = body.Length < Math.Min(declared, segmentCarries);
        if (declared > segmentCarries && !cutByCapture)
        {
            // The message goes on in later segments (RFC 7766 8: a sender may split it anywhere). The header and
            // what follows of it here are read; the message ending with the segment is no anomaly.
            DecodeStart(body, declared, packet);
            return;
        }
        if (declared > segmentCarries)
        {
            // Cut by the capture as well: what the prefix says cannot be checked.
            packet.AddAnomaly(AnomalyKind.DnsTcpLengthMismatch);
        }
        DecodeMessage(body[..Math.Min(declared, body.Length)], cutByCapture, overTcp: true, packet);
    }

    /// <summary>
    /// DNS over TCP: a message of <paramref name="declared"/> bytes into <see cref="DecodedPacket.Dns"/>, from its first
    /// bytes (all of them, or those the capture has or the reader kept). <paramref name="cutByCapture"/>: the capture
    /// lost the rest (snap length); otherwise a message read only in part is no anomaly: it ends where the bytes read do.
    /// </summary>
    internal static void DecodeTcpMessage(ReadOnlySpan<byte> start, int declared, bool cutByCapture, DecodedPacket packet)
    {
        packet.Dns.TcpMessageLength = declared;
        if (start.Length >= declared || cutByCapture)
        {
            DecodeMessage(start[..Math.Min(declared, start.Length)], cutByCapture, overTcp: true, packet);
            return;
        }
        DecodeStart(start, declared, packet);
    }

    private static void DecodeStart(ReadOnlySpan<byte> start, int declared, DecodedPacket packet)
    {
        packet.Dns.TcpContinues = declared - start.Length;
        // A prefix sent alone, or the first bytes of a header: the message is still to come, nothing is cut.
        if (start.Length < DnsHeader.Length) return;
        int mark = packet.Anomalies.Count;
        DecodeMessage(start, cutByCapture: false, overTcp: true, packet);
        packet.Anomalies.ForgetDnsTruncationSince(mark);
    }

    private static void DecodeMessage(ReadOnlySpan<byte> message, bool cutByCapture, bool overTcp, DecodedPacket packet)
    {
        var dns = packet.Dns;
        dns.OverTcp = overTcp;
        if (!DnsHeader.TryRead(message, out var header))
        {
            PacketDecoder.Cut(packet, AnomalyKind.DnsHeaderTruncated);
            return;
        }
        dns.Id = header.Id;
        dns.Flags = header.Flags;
        dns.QuestionCount = header.QuestionCount;
        dns.AnswerCount = header.AnswerCount;
        dns.AuthorityCount = header.AuthorityCount;
        dns.AdditionalCount = header.AdditionalCount;
        packet.Layers |= PacketLayers.Dns;

        int pos = DnsHeader.Length;
        int walked = 0;
        bool complete =
            ReadQuestions(message, ref pos, ref walked, header.QuestionCount, packet) &&
            ReadSection(message, ref pos, ref walked, header.AnswerCount, DnsSection.Answer, packet) &&
            ReadSection(message, ref pos, ref walked, header.AuthorityCount, DnsSection.Authority, packet) &&
            ReadSection(message, ref pos, ref walked, header.AdditionalCount, DnsSection.Additional, packet);
        if (!complete)
        {
            dns.Incomplete = true;
            if (cutByCapture)
            {
                packet.Truncated = true;
            }
        }
    }

    /// <summary>Reads the question section (RFC 1035 4.1.2): QNAME, QTYPE, QCLASS.</summary>
    private static bool ReadQuestions(ReadOnlySpan<byte> message, ref int pos, ref int walked, int count, DecodedPacket packet)
    {
        var dns = packet.Dns;
        for (int i = 0; i < count; i++)
        {
            if (walked++ == MaxEntriesWalked)
            {
                packet.AddAnomaly(AnomalyKind.DnsTooManyRecords);
                return false;
            }
            bool store = dns.StoredQuestions < DnsInfo.MaxQuestions;
            if (!ReadName(message, pos, store, inRecordData: false, packet, out int next, out var name))
            {
                return false;
            }
            if (next + QuestionFixedLength > message.Length)
            {
                packet.AddAnomaly(AnomalyKind.DnsMessageTruncated);
                return false;
            }
            if (store)
            {
                ref var question = ref dns.Questions[dns.StoredQuestions++];
                question.Name = name;
                question.Type = BinaryPrimitives.ReadUInt16BigEndian(message[next..]);
                question.Class = BinaryPrimitives.ReadUInt16BigEndian(message[(next + 2)..]);
            }
            pos = next + QuestionFixedLength;
        }
        return true;
    }

    private static bool ReadSection(ReadOnlySpan<byte> message, ref int pos, ref int walked, int count, DnsSection section, DecodedPacket packet)
    {
        for (int i = 0; i < count; i++)
        {
            if (walked++ == MaxEntriesWalked)
            {
                packet.AddAnomaly(AnomalyKind.DnsTooManyRecords);
                return false;
            }
            if (!ReadRecord(message, ref pos, section, packet))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads one resource record (RFC 1035 4.1.3); false when the message cannot be walked further.</summary>
    private static bool ReadRecord(ReadOnlySpan<byte> message, ref int pos, DnsSection section, DecodedPacket packet)
    {
        var dns = packet.Dns;
        bool store = dns.StoredRecords < DnsInfo.MaxRecords;
        int ownerStart = pos;
        if (!ReadName(message, pos, store, inRecordData: false, packet, out int next, out var owner))
        {
            return false;
        }
        if (!DnsRecordFixed.TryRead(message[next..], out var fixedPart))
        {
            packet.AddAnomaly(AnomalyKind.DnsMessageTruncated);
            return false;
        }
        var record = new DnsRecord
        {
            Section = section,
            Name = owner,
            Type = fixedPart.Type,
            Class = fixedPart.Class,
            Ttl = fixedPart.Ttl,
            DataLength = fixedPart.DataLength,
        };

        // RFC 6891 6.1.2, 6.1.3: the OPT pseudo-record lives in the additional section and is owned by the root.
        if (record.Type == DnsType.OPT && section == DnsSection.Additional && message[ownerStart] == 0 && !dns.HasEdns)
        {
            dns.HasEdns = true;
            dns.EdnsUdpSize = record.Class;
            dns.ExtendedRcodeHigh = (byte)(record.Ttl >> 24);
            dns.EdnsVersion = (byte)(record.Ttl >> 16);
            dns.DnssecOk = (record.Ttl & DnssecOkBit) != 0;
        }

        int dataStart = next + DnsRecordFixed.Length;
        int dataEnd = dataStart + record.DataLength;
        if (dataEnd > message.Length)
        {
            if (store)
            {
                dns.Store(record);
            }
            packet.AddAnomaly(AnomalyKind.DnsMessageTruncated);
            return false;
        }
        if (store)
        {
            // Names inside RDATA may point back anywhere in the message but must end inside the RDATA.
            ReadData(message[..dataEnd], dataStart, ref record, packet);
            dns.Store(record);
        }
        pos = dataEnd;
        return true;
    }

    /// <summary>Decodes the RDATA of the common types (RFC 1035 3.3, 3.4; RFC 3596; RFC 2782; RFC 6672).</summary>
    private static void ReadData(ReadOnlySpan<byte> messageToDataEnd, int dataStart, ref DnsRecord record, DecodedPacket packet)
    {
        var data = messageToDataEnd[dataStart..];
        // A dynamic update's prerequisites and deletions name an RRset with no data: class ANY or NONE and RDLENGTH 0
        // (RFC 2136 2.4.1-2.4.5, 2.5.2-2.5.3). That is the record's whole form, not a record cut short.
        if (data.IsEmpty && record.Class is ClassNone or ClassAny) return;
        switch (record.Type)
        {
            case DnsType.A:
                if (data.Length != Ipv4Length)
                {
                    packet.AddAnomaly(AnomalyKind.DnsRecordTruncated);
                    return;
                }
                record.Address = IpAddr.FromV4(data);
                return;
            case DnsType.AAAA:
                if (data.Length != Ipv6Length)
                {
                    packet.AddAnomaly(AnomalyKind.DnsRecordTruncated);
                    return;
                }
                record.Address = IpAddr.FromV6(data);
                return;
            case DnsType.CNAME:
            case DnsType.NS:
            case DnsType.PTR:
            case DnameType:
                ReadDataName(messageToDataEnd, dataStart, ref record, packet, out _);
                return;
            case DnsType.MX:
                if (data.Length < MxPreferenceLength)
                {
                    packet.AddAnomaly(AnomalyKind.DnsRecordTruncated);
                    return;
                }
                record.Preference = BinaryPrimitives.ReadUInt16BigEndian(data);
                ReadDataName(messageToDataEnd, dataStart + MxPreferenceLength, ref record, packet, out _);
                return;
            case DnsType.SRV when !DnsPorts.IsNetbios(packet.SourcePort, packet.DestinationPort):
                // RFC 2782: priority, weight, port, target. (The NetBIOS name service's NBSTAT has its number and other data.)
                if (data.Length < SrvFixedLength)
                {
                    packet.AddAnomaly(AnomalyKind.DnsRecordTruncated);
                    return;
                }
                record.Preference = BinaryPrimitives.ReadUInt16BigEndian(data);
                record.Weight = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                record.Port = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
                ReadDataName(messageToDataEnd, dataStart + SrvFixedLength, ref record, packet, out _);
                return;
            case DnsType.SOA:
            {
                // RFC 1035 3.3.13: MNAME, RNAME, SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM.
                if (!ReadDataName(messageToDataEnd, dataStart, ref record, packet, out int afterMname))
                {
                    return;
                }
                var status = DnsNameReader.Read(messageToDataEnd, afterMname, default, out int afterRname, out _, out _);
                if (status != DnsNameStatus.Ok || afterRname + SoaSerialLength > messageToDataEnd.Length)
                {
                    RecordNameAnomaly(status == DnsNameStatus.Ok ? DnsNameStatus.Truncated : status, inRecordData: true, packet);
                    return;
                }
                record.Serial = BinaryPrimitives.ReadUInt32BigEndian(messageToDataEnd[afterRname..]);
                return;
            }
            case DnsType.TXT:
                ReadText(data, ref record, packet);
                return;
            default:
                return;
        }
    }

    private static bool ReadDataName(ReadOnlySpan<byte> messageToDataEnd, int offset, ref DnsRecord record, DecodedPacket packet, out int next)
    {
        if (!ReadName(messageToDataEnd, offset, store: true, inRecordData: true, packet, out next, out var name))
        {
            return false;
        }
        record.Data = name;
        return true;
    }

    /// <summary>
    /// TXT RDATA is one or more character-strings (RFC 1035 3.3.14, 3.3): each written quoted and escaped
    /// (RFC 1035 5.1), separated by spaces, as tcpdump prints them.
    /// </summary>
    private static void ReadText(ReadOnlySpan<byte> data, ref DnsRecord record, DecodedPacket packet)
    {
        // Each octet is written as at most four ("\\DDD"), each character-string adds a space and two quotes.
        var output = packet.Text.Remaining(data.Length * 4 + data.Length * 3 + 3);
        int written = 0;
        bool full = false;
        int i = 0;
        // Every step consumes at least the length octet: the loop is bounded by the RDATA length.
        while (i < data.Length)
        {
            int length = data[i];
            if (i + 1 + length > data.Length)
            {
                packet.AddAnomaly(AnomalyKind.DnsRecordTruncated);
                break;
            }
            if (!full)
            {
                full = !WriteCharacterString(data.Slice(i + 1, length), output, ref written, first: i == 0);
            }
            i += 1 + length;
        }
        if (full)
        {
            PacketDecoder.NoteTextStoreFull(packet);
            return;
        }
        if (written > 0)
        {
            record.Data = packet.Text.Commit(written);
        }
    }

    private static bool WriteCharacterString(ReadOnlySpan<byte> text, Span<byte> output, ref int written, bool first)
    {
        int w = written;
        if (w + (first ? 1 : 2) > output.Length) return false;
        if (!first) output[w++] = (byte)' ';
        output[w++] = (byte)'"';
        foreach (byte b in text)
        {
            if (!DnsNameReader.EscapeInto(b, output, ref w, quoteContext: true)) return false;
        }
        if (w + 1 > output.Length) return false;
        output[w++] = (byte)'"';
        written = w;
        return true;
    }

    /// <summary>
    /// Reads a name, storing its presentation form when <paramref name="store"/>; records an anomaly and
    /// returns false when it is malformed or cut.
    /// </summary>
    private static bool ReadName(ReadOnlySpan<byte> message, int offset, bool store, bool inRecordData, DecodedPacket packet,
        out int next, out TextRef name)
    {
        name = default;
        var output = store ? packet.Text.Remaining(PacketText.MaxNameText) : default;
        if (store && output.IsEmpty)
        {
            // The store is exactly full: measure the name, and note that it could not be kept.
            store = false;
            PacketDecoder.NoteTextStoreFull(packet);
        }
        var status = DnsNameReader.Read(message, offset, output, out next, out int written, out bool outputFull);
        if (status != DnsNameStatus.Ok)
        {
            RecordNameAnomaly(status, inRecordData, packet);
            return false;
        }
        if (store)
        {
            if (outputFull)
            {
                PacketDecoder.NoteTextStoreFull(packet);
            }
            else
            {
                name = packet.Text.Commit(written);
            }
        }
        return true;
    }

    private static void RecordNameAnomaly(DnsNameStatus status, bool inRecordData, DecodedPacket packet)
    {
        packet.AddAnomaly(status switch
        {
            DnsNameStatus.Truncated => inRecordData ? AnomalyKind.DnsRecordTruncated : AnomalyKind.DnsMessageTruncated,
            DnsNameStatus.CompressionLoop => AnomalyKind.DnsCompressionLoop,
            DnsNameStatus.TooManyJumps => AnomalyKind.DnsTooManyCompressionJumps,
            DnsNameStatus.NameTooLong => AnomalyKind.DnsNameTooLong,
            DnsNameStatus.LabelTooLong => AnomalyKind.DnsLabelTooLong,
            _ => AnomalyKind.DnsBadLabelType,
        });
    }
}
