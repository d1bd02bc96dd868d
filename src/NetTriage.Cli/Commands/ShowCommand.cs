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

            Examples:
              nettriage show capture.pcapng
              nettriage show --json capture.pcap.gz | jq .dns
              tcpdump -n -r capture.pcap | nettriage show -
            """);
        command.Arguments.Add(inputs);
        command.Options.Add(json);
        command.Options.Add(date);
        command.Options.Add(nano);
        command.Options.Add(count);
        command.Options.Add(absolute);
        command.Options.Add(anomalies);
        command.SetAction(parse =>
        {
            var options = new ShowOptions(
                parse.GetValue(json), parse.GetValue(date), parse.GetValue(nano), parse.GetValue(count), parse.GetValue(absolute), parse.GetValue(anomalies));
            return Run(parse.GetValue(inputs)!, options, stdout, stderr);
        });
        return command;
    }

    public sealed record ShowOptions(bool Json, bool Date, bool Nano, long? Count, bool AbsoluteSequence, bool Anomalies);

    public static int Run(IReadOnlyList<string> inputs, ShowOptions options, TextWriter stdout, TextWriter stderr)
    {
        var packet = new DecodedPacket();
        var formatter = new TcpdumpLineFormatter(new TcpdumpLineOptions
        {
            TimestampStyle = options.Date ? TimestampStyle.DateTime : TimestampStyle.TimeOfDay,
            Nanoseconds = options.Nano,
            AbsoluteSequenceNumbers = options.AbsoluteSequence,
            Annotations = options.Anomalies,
        });
        using var json = options.Json ? new JsonLines(stdout) : null;
        long shown = 0;
        foreach (var input in inputs)
        {
            using var source = CaptureOpener.Open(input);
            formatter.Reset();
            long unparsed = 0;
            long firstUnparsedLine = 0;
            while ((options.Count is not { } limit || shown < limit) && source.TryRead(packet))
            {
                if (packet.Unparsed)
                {
                    if (unparsed++ == 0) firstUnparsedLine = packet.LineNumber;
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
