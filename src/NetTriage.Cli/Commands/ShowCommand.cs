using System.CommandLine;
using System.Globalization;
using NetTriage.Capture;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;

namespace NetTriage.Cli.Commands;

/// <summary>`nettriage show`: one line per packet in tcpdump -n style, or JSON Lines.</summary>
public static class ShowCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("input")
        {
            Description = "Capture files: pcap, pcapng or tcpdump text, optionally gzip-compressed; '-' reads standard input. The format is recognised by content.",
            Arity = ArgumentArity.OneOrMore,
        };
        inputs.RejectOptionLike();
        var json = new Option<bool>("--json")
        {
            Description = "Write JSON Lines (one object per packet) instead of text; the fields are described in docs/show-json.md.",
        };
        var date = new Option<bool>("--date")
        {
            Description = "Print the date with the time, as tcpdump -tttt does.",
        };
        var utc = new Option<bool>("--utc")
        {
            Description = "Print times in UTC. Without it they are in the local time zone (the TZ environment variable, else the system's), as tcpdump prints them.",
        };
        var nano = new Option<bool>("--nano")
        {
            Description = "Print nanosecond timestamps, as tcpdump --nano does.",
        };
        var count = new Option<long?>("--count", "-c")
        {
            Description = "Stop after this many packets (over all inputs).",
        };
        count.Check(n => n is <= 0 ? "--count must be a positive number." : null);
        var absolute = new Option<bool>("--absolute-seq", "-S")
        {
            Description = "Print absolute TCP sequence numbers, as tcpdump -S does (default: relative to the connection's first).",
        };
        var anomalies = new Option<bool>("--anomalies")
        {
            Description = "Append each packet's decoding anomalies (malformed or truncated headers) in brackets.",
        };

        var command = new Command("show", """
            Print every packet on one line in tcpdump -n style, with its frame number, so the output can be held
            against tcpdump's. Text input (tcpdump's own output) is read back into the same form; lines that cannot
            be read are shown as such and counted on standard error.

            Times are in the local time zone, as tcpdump prints them (TZ=Europe/Paris chooses one; --utc prints
            UTC); standard error names the zone, once, when it is not UTC. Text input is shown with the times it
            gives: a time of day alone has no date and no zone, and standard error says so. --json always writes
            UTC (ISO 8601).

            Examples:
              nettriage show capture.pcapng
              nettriage show --utc --date capture.pcapng
              nettriage show --json capture.pcap.gz | jq .dns
              tcpdump -n -r capture.pcap | nettriage show -
            """);
        command.Arguments.Add(inputs);
        command.Options.Add(json);
        command.Options.Add(date);
        command.Options.Add(utc);
        command.Options.Add(nano);
        command.Options.Add(count);
        command.Options.Add(absolute);
        command.Options.Add(anomalies);
        command.SetAction(parse =>
        {
            var options = new ShowOptions(
                parse.GetValue(json), parse.GetValue(date), parse.GetValue(nano), parse.GetValue(count), parse.GetValue(absolute), parse.GetValue(anomalies))
            {
                Zone = parse.GetValue(utc) ? DisplayZone.Utc : DisplayZone.Local(),
            };
            return Run(parse.GetValue(inputs)!, options, stdout, stderr);
        });
        return command;
    }

    /// <summary>What `show` was asked to do. <see cref="Zone"/> is the zone of absolute times (default: the local one).</summary>
    public sealed record ShowOptions(bool Json, bool Date, bool Nano, long? Count, bool AbsoluteSequence, bool Anomalies)
    {
        public DisplayZone? Zone { get; init; }
    }

    public static int Run(IReadOnlyList<string> inputs, ShowOptions options, TextWriter stdout, TextWriter stderr)
    {
        // The tunnels tcpdump opens are opened (their outer headers printed first, as its lines have them); fragments are
        // not reassembled, as tcpdump does not.
        var packet = new DecodedPacket { DecodeTunnels = true, IpTunnelsOnly = true };
        var zone = options.Zone ?? DisplayZone.Local();
        using var json = options.Json ? new JsonLines(stdout) : null;
        long shown = 0;
        bool zoneSaid = false;
        foreach (var input in inputs)
        {
            using var source = CaptureOpener.Open(input);
            bool text = source.Format == CaptureFormat.TcpdumpText;
            // The dates of tcpdump text are in the zone tcpdump ran in, which the text does not say: the reader takes
            // them as UTC, and they are printed back as read, never shifted again.
            var formatter = new TcpdumpLineFormatter(new TcpdumpLineOptions
            {
                TimestampStyle = options.Date ? TimestampStyle.DateTime : TimestampStyle.TimeOfDay,
                Nanoseconds = options.Nano,
                AbsoluteSequenceNumbers = options.AbsoluteSequence,
                Annotations = options.Anomalies,
                Tunnels = true,
                Zone = text ? DisplayZone.Utc : zone,
            });
            long unparsed = 0;
            long firstUnparsedLine = 0;
            bool inputSaid = false;
            while ((options.Count is not { } limit || shown < limit) && source.TryRead(packet))
            {
                if (packet.Unparsed)
                {
                    if (unparsed++ == 0) firstUnparsedLine = packet.LineNumber;
                }
                else if (json is null && !(text ? inputSaid : zoneSaid) && TimesNote(packet.Timestamp, text, zone) is { } note)
                {
                    // Once, before the first line it is about (tcpdump, too, writes what it reads on standard error).
                    stderr.WriteLine(text ? $"nettriage: {TerminalEscaper.Escape(input)}: {note}" : $"nettriage: {note}");
                    if (text) inputSaid = true;
                    else zoneSaid = true;
                }
                if (json is not null) json.Write(packet);
                else formatter.Write(packet, stdout);
                shown++;
            }
            stdout.Flush();
            foreach (var warning in source.Warnings)
            {
                stderr.WriteLine($"nettriage: {TerminalEscaper.Escape(input)}: warning: {TerminalEscaper.Escape(warning.ToString())}");
            }
            if (unparsed > 0)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"nettriage: {TerminalEscaper.Escape(input)}: {unparsed} line(s) could not be read (first at line {firstUnparsedLine}); they are shown as [unparsed]."));
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// What standard error says about the times of an input, before its first packet with a time: the zone when it
    /// is not UTC (or UTC only because the local zone could not be read), and that a date or a zone is unknown.
    /// Plain UTC, the zone of tcpdump's own output on a machine set to UTC, goes without saying: standard error
    /// stays for what needs attention.
    /// </summary>
    private static string? TimesNote(PacketTimestamp time, bool text, DisplayZone zone) => time.Kind switch
    {
        TimestampKind.TimeOfDay => "times are the time of day as the input gives it; the date and the time zone are unknown",
        TimestampKind.Absolute when text => "times are shown as the text gives them (taken as UTC); the text does not say its time zone",
        TimestampKind.Absolute when zone.Fallback is not null => "times are " + zone.Describe(),
        TimestampKind.Absolute when !zone.IsUtc => $"times are {zone.Describe(time.Seconds)}; --utc prints UTC",
        _ => null,
    };

    /// <summary>
    /// JSON Lines onto a TextWriter: each object is written as UTF-8 into a reused buffer, then
    /// transcoded into a reused char buffer, so a packet costs no allocation.
    /// </summary>
    private sealed class JsonLines(TextWriter output) : IDisposable
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _bytes = new(4096);
        private char[] _chars = new char[4096];
        private PacketJsonWriter? _writer;

        public void Write(DecodedPacket packet)
        {
            _writer ??= new PacketJsonWriter(_bytes);
            _writer.Write(packet);
            _writer.Flush();
            var span = _bytes.WrittenSpan;
            int needed = System.Text.Encoding.UTF8.GetMaxCharCount(span.Length);
            if (_chars.Length < needed) _chars = new char[needed];
            int n = System.Text.Encoding.UTF8.GetChars(span, _chars);
            output.Write(_chars, 0, n);
            _bytes.ResetWrittenCount();
        }

        public void Dispose() => _writer?.Dispose();
    }
}
