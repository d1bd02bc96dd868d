using System.Globalization;
using System.Text;
using NetTriage.Capture.Text;
using NetTriage.Packets;
using NetTriage.Tests.Shared;
using Xunit.Abstractions;

namespace NetTriage.Capture.Tests.Oracle;

/// <summary>
/// tcpdump as the oracle. For every test in tcpdump's TESTLIST whose options leave the one-line format
/// alone (only timestamp styles and -c), the expected output is read with the text source and the capture
/// with the binary source; for each frame both understand, the two must agree on the timestamp,
/// addresses, ports, protocol, TCP flags, ICMP type/code and DNS id/qtype/qname/rcode/counts.
/// </summary>
public sealed class TcpdumpOracleTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> NeutralOptions = new(StringComparer.Ordinal)
    {
        "-t", "-tt", "-ttt", "-tttt", "-ttttt", "--nano", "SPECIAL_t", "-n", "-#",
    };

    internal sealed record TestCase(string Name, string Input, string Expected, string[] Options);

    internal static IEnumerable<TestCase> EligibleTests(string corpus)
    {
        foreach (var raw in File.ReadLines(Path.Combine(corpus, "TESTLIST")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3) continue;
            var options = fields[3..];
            bool neutral = true;
            for (int i = 0; i < options.Length; i++)
            {
                if (NeutralOptions.Contains(options[i])) continue;
                // -c N limits the count and leaves the format alone.
                if (options[i] == "-c" && i + 1 < options.Length && int.TryParse(options[i + 1], CultureInfo.InvariantCulture, out _))
                {
                    i++;
                    continue;
                }
                neutral = false;
                break;
            }
            if (!neutral) continue;
            if (!File.Exists(Path.Combine(corpus, fields[1])) || !File.Exists(Path.Combine(corpus, fields[2]))) continue;
            yield return new TestCase(fields[0], fields[1], fields[2], options);
        }
    }

    /// <summary>The fields of one packet that both sources can know, as comparable values.</summary>
    internal readonly record struct Facts(
        bool Understood,
        PacketTimestamp Time,
        PacketLayers Layers,
        IpAddr Source,
        IpAddr Destination,
        byte Protocol,
        ushort SourcePort,
        ushort DestinationPort,
        TcpFlags TcpFlags,
        byte IcmpType,
        byte IcmpCode,
        ushort DnsId,
        ushort DnsQType,
        string? DnsQName,
        int DnsRcode,
        bool DnsResponse,
        int DnsAnswers,
        int DnsAuthority,
        int DnsAdditional)
    {
        public static Facts Of(DecodedPacket p)
        {
            bool hasIp = p.Has(PacketLayers.Ipv4) || p.Has(PacketLayers.Ipv6);
            bool hasDns = p.Has(PacketLayers.Dns);
            return new Facts(
                Understood: !p.Unparsed && (hasIp || p.Has(PacketLayers.Arp)),
                Time: p.Timestamp,
                Layers: p.Layers,
                Source: hasIp ? p.Ip.Source : p.Arp.SenderIp,
                Destination: hasIp ? p.Ip.Destination : p.Arp.TargetIp,
                Protocol: p.Ip.Protocol,
                SourcePort: p.SourcePort,
                DestinationPort: p.DestinationPort,
                TcpFlags: p.Tcp.Flags,
                IcmpType: p.Icmp.Type,
                IcmpCode: p.Icmp.Code,
                DnsId: hasDns ? p.Dns.Id : (ushort)0,
                DnsQType: hasDns && p.Dns.StoredQuestions > 0 ? p.Dns.Questions[0].Type : (ushort)0,
                DnsQName: hasDns && p.Dns.StoredQuestions > 0 ? p.GetText(p.Dns.Questions[0].Name) : null,
                DnsRcode: hasDns ? p.Dns.Rcode : 0,
                DnsResponse: hasDns && p.Dns.IsResponse,
                DnsAnswers: p.Dns.AnswerCount,
                DnsAuthority: p.Dns.AuthorityCount,
                DnsAdditional: p.Dns.AdditionalCount);
        }
    }

    /// <summary>
    /// Compares what both sides know; returns null when they agree, else the first difference.
    /// A field is compared only when both sides decoded its layer: the text may stop where tcpdump's
    /// printer goes further, and the decoders may know layers tcpdump did not print.
    /// </summary>
    internal static string? Compare(in Facts text, in Facts binary, PacketTimestamp firstBinaryTime, long frameNumber)
    {
        // Timestamps: absolute to the text's precision; time of day against the UTC time of day; relative
        // (-ttt deltas accumulated by the text source, -ttttt since the first) against the first packet.
        // tcpdump truncates to the printed precision, and accumulated -ttt deltas may drift by that much
        // per packet, so the tolerance is one printed unit (times the frame number for relative times).
        long textNs = text.Time.Nanoseconds;
        long binNs = text.Time.Kind switch
        {
            TimestampKind.Absolute => binary.Time.Nanoseconds,
            TimestampKind.TimeOfDay => binary.Time.TimeOfDayNanos,
            TimestampKind.Relative => binary.Time.Nanoseconds - firstBinaryTime.Nanoseconds,
            _ => textNs,
        };
        long unit = textNs % 1000 == 0 ? 1000 : 1;
        long tolerance = text.Time.Kind == TimestampKind.Relative ? unit * Math.Max(1, frameNumber) : unit;
        if (text.Time.Kind != TimestampKind.None && (binNs - textNs >= tolerance || textNs - binNs > (text.Time.Kind == TimestampKind.Relative ? tolerance : 0)))
        {
            return $"time {textNs} != {binNs} ({text.Time.Kind})";
        }

        bool bothIp = Either(text.Layers, binary.Layers, PacketLayers.Ipv4 | PacketLayers.Ipv6);
        if (bothIp || (text.Layers.HasFlag(PacketLayers.Arp) && binary.Layers.HasFlag(PacketLayers.Arp)))
        {
            if (text.Source != binary.Source) return $"source {text.Source} != {binary.Source}";
            // An ARP reply's line names no target ("Reply A is-at M"): compare what the text has.
            if (!text.Destination.IsNone && text.Destination != binary.Destination) return $"destination {text.Destination} != {binary.Destination}";
        }
        if (bothIp && text.Protocol != 0 && text.Protocol != binary.Protocol)
        {
            return $"protocol {text.Protocol} != {binary.Protocol}";
        }
        if (Either(text.Layers, binary.Layers, PacketLayers.Udp | PacketLayers.Tcp) && (text.Layers & (PacketLayers.Udp | PacketLayers.Tcp)) == (binary.Layers & (PacketLayers.Udp | PacketLayers.Tcp)))
        {
            if (text.SourcePort != binary.SourcePort || text.DestinationPort != binary.DestinationPort)
            {
                return $"ports {text.SourcePort}>{text.DestinationPort} != {binary.SourcePort}>{binary.DestinationPort}";
            }
        }
        if (text.Layers.HasFlag(PacketLayers.Tcp) && binary.Layers.HasFlag(PacketLayers.Tcp) && text.TcpFlags != binary.TcpFlags)
        {
            return $"tcp flags {text.TcpFlags} != {binary.TcpFlags}";
        }
        if (Either(text.Layers, binary.Layers, PacketLayers.Icmp | PacketLayers.Icmpv6)
            && (text.IcmpType != binary.IcmpType || text.IcmpCode != binary.IcmpCode))
        {
            return $"icmp {text.IcmpType}/{text.IcmpCode} != {binary.IcmpType}/{binary.IcmpCode}";
        }
        if (text.Layers.HasFlag(PacketLayers.Dns) && binary.Layers.HasFlag(PacketLayers.Dns))
        {
            if (text.DnsId != binary.DnsId) return $"dns id {text.DnsId} != {binary.DnsId}";
            if (text.DnsResponse != binary.DnsResponse) return $"dns qr {text.DnsResponse} != {binary.DnsResponse}";
            if (text.DnsRcode != binary.DnsRcode) return $"dns rcode {text.DnsRcode} != {binary.DnsRcode}";
            if (text.DnsQName is not null && binary.DnsQName is not null)
            {
                if (text.DnsQType != binary.DnsQType) return $"dns qtype {text.DnsQType} != {binary.DnsQType}";
                if (!string.Equals(text.DnsQName, binary.DnsQName, StringComparison.Ordinal)) return $"dns qname '{text.DnsQName}' != '{binary.DnsQName}'";
            }
            if (text.DnsResponse && (text.DnsAnswers != binary.DnsAnswers || text.DnsAuthority != binary.DnsAuthority || text.DnsAdditional != binary.DnsAdditional))
            {
                return $"dns counts {text.DnsAnswers}/{text.DnsAuthority}/{text.DnsAdditional} != {binary.DnsAnswers}/{binary.DnsAuthority}/{binary.DnsAdditional}";
            }
        }
        return null;
    }

    private static bool Either(PacketLayers a, PacketLayers b, PacketLayers mask) => (a & mask) != 0 && (b & mask) != 0;

    internal sealed record Tally(int Tests, long Agreed, long Disagreed, long UnreadText, long UnreadBinary, long TextLines, long UnparsedLines, List<string> Samples);

    internal static Tally Run(string corpus)
    {
        var samples = new List<string>();
        long agreed = 0, disagreed = 0, unreadText = 0, unreadBinary = 0, textRecords = 0, unparsed = 0;
        int tests = 0;
        foreach (var test in EligibleTests(corpus))
        {
            tests++;
            var binaryFacts = new Dictionary<long, Facts>();
            var packet = new DecodedPacket();
            try
            {
                using var binary = CaptureOpener.Open(Path.Combine(corpus, test.Input));
                while (binary.TryRead(packet))
                {
                    binaryFacts[packet.FrameNumber] = Facts.Of(packet);
                }
            }
            catch (CaptureFormatException)
            {
                // A capture tcpdump itself rejects part-way; the frames read before the error still count.
            }
            PacketTimestamp first = binaryFacts.TryGetValue(1, out var f1) ? f1.Time : default;

            using var stream = File.OpenRead(Path.Combine(corpus, test.Expected));
            using var text = new TcpdumpTextSource(stream, test.Expected, compressed: false, totalBytes: stream.Length);
            while (text.TryRead(packet))
            {
                textRecords++;
                if (packet.Unparsed)
                {
                    unparsed++;
                    unreadText++;
                    continue;
                }
                var t = Facts.Of(packet);
                if (!t.Understood)
                {
                    unreadText++;
                    continue;
                }
                if (!binaryFacts.TryGetValue(packet.FrameNumber, out var b) || !b.Understood)
                {
                    unreadBinary++;
                    continue;
                }
                var difference = Compare(t, b, first, packet.FrameNumber);
                if (difference is null)
                {
                    agreed++;
                }
                else
                {
                    disagreed++;
                    if (samples.Count < 60) samples.Add($"{test.Name} frame {packet.FrameNumber} (line {packet.LineNumber}): {difference}");
                }
            }
        }
        return new Tally(tests, agreed, disagreed, unreadText, unreadBinary, textRecords, unparsed, samples);
    }

    [SkippableFact]
    public void Binary_and_text_sources_agree_with_tcpdump_on_its_own_corpus()
    {
        var corpus = TestPaths.TcpdumpCorpus;
        Skip.If(corpus is null, TestPaths.CorpusAbsent);

        var tally = Run(corpus!);
        long compared = tally.Agreed + tally.Disagreed;
        double agreement = compared == 0 ? 0 : (double)tally.Agreed / compared;
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"tests: {tally.Tests}; text records: {tally.TextLines}; unparsed lines: {tally.UnparsedLines}")
            .AppendLine(CultureInfo.InvariantCulture, $"agreed: {tally.Agreed}; disagreed: {tally.Disagreed}; unread (text): {tally.UnreadText}; unread (binary): {tally.UnreadBinary}")
            .AppendLine(CultureInfo.InvariantCulture, $"agreement: {agreement:P2}");
        foreach (var s in tally.Samples) report.AppendLine(s);
        output.WriteLine(report.ToString());

        Assert.True(tally.Tests >= 150, $"only {tally.Tests} eligible tests found");
        Assert.True(compared >= 2000, $"only {compared} packets compared\n{report}");
        Assert.True(agreement >= 0.99, report.ToString());
    }
}
