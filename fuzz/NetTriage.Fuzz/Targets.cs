using System.Buffers;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Icmp;
using NetTriage.Reporting;

namespace NetTriage.Fuzz;

/// <summary>
/// The fuzz targets. Each takes the bytes the fuzzer made and runs them through the real code, as the program
/// would: the capture targets open the bytes as an input (format recognised by content), print every packet as
/// `show` does (tcpdump line and JSON), analyse them and write every report format; the DNS and ICMP targets call
/// their decoder on the bytes, then wrap them in a frame and run the capture path on it. Only
/// <see cref="CaptureFormatException"/> may leave the code under test, and it must say where; anything else
/// escapes the target and is a crash.
/// </summary>
internal static class Targets
{
    /// <summary>The name every input is opened under; an error must name it.</summary>
    public const string InputName = "fuzz-input";

    public static readonly IReadOnlyList<string> Names = ["pcap", "pcapng", "text", "dns", "icmp"];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static Action<byte[]>? Get(string name) => name switch
    {
        "pcap" or "pcapng" or "text" => Capture,
        "dns" => Dns,
        "icmp" => Icmp,
        _ => null,
    };

    /// <summary>
    /// The capture the target feeds to the program for <paramref name="data"/>: the input itself for the capture
    /// targets, the wrapping pcap for dns and icmp. Regression files are kept in this form, so one replay serves all.
    /// </summary>
    public static byte[] CaptureOf(string target, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return target switch
        {
            "dns" when data.Length > 0 => Frames.DnsExchange(data.AsSpan(1, Math.Min(data.Length - 1, Frames.MaxPayload - 2)), (data[0] & 1) != 0, (data[0] & 2) != 0),
            "icmp" when data.Length > 0 => Frames.IcmpError(data.AsSpan(1, Math.Min(data.Length - 1, Frames.MaxPayload - 8)), data[0]),
            _ => data,
        };
    }

    /// <summary>A whole input: shown packet by packet, then analysed and reported.</summary>
    public static void Capture(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            Show(data);
        }
        catch (CaptureFormatException ex)
        {
            CheckError(ex);
        }
        try
        {
            Analyze(data);
        }
        catch (CaptureFormatException ex)
        {
            CheckError(ex);
        }
    }

    /// <summary>
    /// A DNS message. The first byte chooses how it travels: bit 0 over TCP (with the RFC 1035 4.2.2 length
    /// prefix), bit 1 from the server (after a well-formed query) rather than from the client (before a well-formed answer).
    /// </summary>
    public static void Dns(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0) return;
        bool overTcp = (data[0] & 1) != 0;
        bool fromServer = (data[0] & 2) != 0;
        var message = data.AsSpan(1, Math.Min(data.Length - 1, Frames.MaxPayload - 2));
        var packet = new DecodedPacket();
        DnsDecoder.Decode(overTcp ? Frames.WithTcpLengthPrefix(message) : message, packet, overTcp);
        Capture(Frames.DnsExchange(message, overTcp, fromServer));
    }

    /// <summary>
    /// The packet an ICMP error quotes. The first byte chooses the error: bit 3 ICMPv6 over IPv6 (bit 4: time
    /// exceeded rather than destination unreachable, bits 0-2 the code), else ICMPv4 with one of eight
    /// type/code pairs (bits 0-2). The error follows a well-formed DNS query that the seeds quote.
    /// </summary>
    public static void Icmp(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0) return;
        var quote = data.AsSpan(1, Math.Min(data.Length - 1, Frames.MaxPayload - 8));
        QuotedPacketDecoder.Decode(quote, out _);
        Capture(Frames.IcmpError(quote, data[0]));
    }

    private static void Show(byte[] data)
    {
        using var source = CaptureOpener.Open(new MemoryStream(data, writable: false), InputName);
        var packet = new DecodedPacket();
        var line = new TcpdumpLineFormatter(new TcpdumpLineOptions { Annotations = true });
        var text = new ArrayBufferWriter<char>(256);
        var json = new ArrayBufferWriter<byte>(256);
        using var jsonWriter = new PacketJsonWriter(json);
        while (source.TryRead(packet))
        {
            line.Write(packet, text);
            CheckInert(text.WrittenSpan, "show line");
            jsonWriter.Write(packet);
            jsonWriter.Flush();
            text.ResetWrittenCount();
            json.ResetWrittenCount();
        }
        _ = source.Warnings.Select(w => w.ToString()).ToList();
    }

    private static void Analyze(byte[] data)
    {
        using var source = CaptureOpener.Open(new MemoryStream(data, writable: false), InputName);
        var analyzer = new Analyzer(new AnalysisOptions { Threads = 1 });
        analyzer.Read(source);
        var report = analyzer.Finish();
        foreach (var format in Enum.GetValues<ReportFormat>())
        {
            string written = ReportWriter.Write(format, report);
            if (format is ReportFormat.Text or ReportFormat.Markdown) CheckInert(written, format + " report");
        }
    }

    /// <summary>
    /// Text meant for a terminal holds no control character but line breaks and tabs, and no bidirectional
    /// control (UAX #9): whatever the input, it cannot move the cursor, recolour, or reorder what is shown.
    /// </summary>
    private static void CheckInert(ReadOnlySpan<char> text, string what)
    {
        foreach (char c in text)
        {
            bool control = (c < 0x20 && c is not ('\n' or '\t')) || c is >= '\u007F' and <= '\u009F';
            bool bidi = c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
            if (control || bidi)
            {
                throw new FuzzInvariantException($"{what} holds U+{(int)c:X4}", new InvalidDataException(text.ToString()));
            }
        }
    }

    /// <summary>The one error allowed must name the input and where (offset or line), or say the input is empty.</summary>
    private static void CheckError(CaptureFormatException ex)
    {
        if (ex.InputName != InputName || !ex.Message.StartsWith(InputName, StringComparison.Ordinal))
        {
            throw new FuzzInvariantException("the error does not name the input: " + ex.Message, ex);
        }
        if (ex.Offset is null && ex.Line is null && ex.Reason != CaptureErrorReason.EmptyInput)
        {
            throw new FuzzInvariantException("the error says neither offset nor line: " + ex.Message, ex);
        }
    }
}

/// <summary>A property of the program that the fuzzed input broke without an exception of its own.</summary>
internal sealed class FuzzInvariantException(string message, Exception inner) : Exception(message, inner);
