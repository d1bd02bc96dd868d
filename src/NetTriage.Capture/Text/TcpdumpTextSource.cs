using System.Globalization;
using System.IO.Compression;
using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// Reads the one-line summaries tcpdump prints (any -t style, -#, -e, -v, -n or not) and yields them as the same
/// <see cref="DecodedPacket"/> the binary decoders produce, with <see cref="PacketOrigin.Text"/> and only what the text
/// tells. A record is a line that starts with a frame number or a time stamp, plus the lines that follow it without
/// one (-v continuation lines, or a record wrapped by a terminal or a document), joined with line breaks. In text
/// with neither frame numbers nor time stamps (-t), a line that starts at its first column starts a record.
/// tcpdump's own banner and statistics lines are skipped. A record that cannot be read is still yielded, marked
/// <see cref="DecodedPacket.Unparsed"/>, and counted.
/// </summary>
public sealed class TcpdumpTextSource : IPacketSource
{
    /// <summary>Longest line kept; the rest of a longer line is dropped and the record marked.</summary>
    public const int MaxLineLength = 64 * 1024;
    /// <summary>Longest record (a line and its continuation lines) kept.</summary>
    public const int MaxRecordLength = 64 * 1024;
    /// <summary>Longest <see cref="DecodedPacket.RawText"/> kept for a record that could not be read.</summary>
    public const int MaxRawTextLength = 4096;
    private const int ReadChunk = 64 * 1024;
    private const int MaxWarnings = 100;
    /// <summary>Records that may fail to be read before the first one that is, before the input is refused as not tcpdump text.</summary>
    public const int ProbeRecords = 64;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[MaxLineLength + ReadChunk];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _discarding;
    private bool _atFileStart = true;
    private long _bytesRead;

    private readonly char[] _line = new char[MaxLineLength];
    private readonly char[] _record = new char[MaxRecordLength];
    private int _recordLength;
    private bool _haveRecord;
    private bool _recordCut;
    private long _recordLine;
    private long _lineNumber;
    /// <summary>A record with a frame number or time stamp was seen: from then on, lines without one continue records.</summary>
    private bool _sawMarker;
    private long _records;

    private readonly TimestampTracker _times = new();
    private readonly Queue<DecodedPacket> _held = new();
    private DecodedPacket? _probe;
    private DecodedPacket? _waiting;
    private bool _confirmed;
    /// <summary>The record last emitted started with a frame number or time stamp.</summary>
    private bool _emittedHadMarker;
    private readonly List<CaptureWarning> _warnings = [];
    private bool _disposed;

    /// <param name="stream">The input, already decompressed; the source owns and disposes it.</param>
    /// <param name="name">The input's name as the user gave it ("-" for standard input).</param>
    /// <param name="compressed">True when the input was gzip-compressed.</param>
    /// <param name="totalBytes">Total input length when known (a regular file), else null.</param>
    public TcpdumpTextSource(Stream stream, string name, bool compressed, long? totalBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        _stream = stream;
        Name = name;
        Compressed = compressed;
        TotalBytes = totalBytes;
    }

    public string Name { get; }
    public CaptureFormat Format => CaptureFormat.TcpdumpText;
    public bool Compressed { get; }
    public long? TotalBytes { get; }
    public IReadOnlyList<CaptureWarning> Warnings => _warnings;

    /// <summary>The stream that counts and hashes the input as given (set by <see cref="CaptureOpener"/>).</summary>
    internal Input.CountingStream? Counter { get; init; }

    public string? ContentHash => Counter?.ContentHash;

    /// <summary>For gzip input (set by <see cref="CaptureOpener"/>): tells at the end whether the compressed stream was whole.</summary>
    internal Input.GzipEndCheck? GzipEnd { get; init; }

    /// <summary>Records yielded that could not be read (a record is a line and its continuation lines).</summary>
    public long UnparsedLines { get; private set; }

    /// <summary>Records yielded and understood, fully or in part.</summary>
    public long ParsedRecords { get; private set; }

    /// <summary>Lines read so far, including blank, banner and continuation lines.</summary>
    public long LinesRead => _lineNumber;

    /// <summary>
    /// Bytes taken from the input. For gzip input read through a <see cref="GZipStream"/> over a seekable stream this is
    /// the compressed position; otherwise the bytes read from <see cref="Stream"/> given to the constructor.
    /// </summary>
    public long BytesConsumed =>
        Compressed && _stream is GZipStream { BaseStream.CanSeek: true } gz ? SafePosition(gz.BaseStream) : _bytesRead;

    private long SafePosition(Stream s)
    {
        try
        {
            return s.Position;
        }
        catch (ObjectDisposedException)
        {
            return _bytesRead;
        }
    }

    public bool TryRead(DecodedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_confirmed && _held.Count == 0 && _waiting is null)
        {
            return TryReadRecord(packet);
        }
        return TryReadOnProbation(packet);
    }

    /// <summary>
    /// Until a first record is understood or starts with tcpdump's frame number or time stamp, the records that are
    /// not are held back rather than yielded: text of which none of the first <see cref="ProbeRecords"/> records (or
    /// none at all) is a tcpdump record is not tcpdump output, and is refused as an unknown format with one error
    /// instead of being shown line by line as unreadable. Once a record qualifies, the held ones are yielded first,
    /// in order, then that record.
    /// </summary>
    private bool TryReadOnProbation(DecodedPacket packet)
    {
        if (_held.Count > 0 && (_confirmed || _waiting is not null))
        {
            _held.Dequeue().CopyTo(packet);
            return true;
        }
        if (_waiting is not null)
        {
            _waiting.CopyTo(packet);
            _waiting = null;
            return true;
        }
        while (true)
        {
            var probe = _probe ??= new DecodedPacket();
            if (!TryReadRecord(probe))
            {
                if (_held.Count > 0)
                {
                    throw NotText(_held.Peek().LineNumber);
                }
                _confirmed = true;
                return false;
            }
            // A record that starts with tcpdump's frame number or time stamp is tcpdump output even when its body
            // (a malformed packet's "[|proto]", say) cannot be read.
            if (!probe.Unparsed || _emittedHadMarker)
            {
                _confirmed = true;
                if (_held.Count == 0)
                {
                    probe.CopyTo(packet);
                    return true;
                }
                _waiting = probe;
                _probe = null;
                _held.Dequeue().CopyTo(packet);
                return true;
            }
            if (_held.Count >= ProbeRecords)
            {
                throw NotText(_held.Peek().LineNumber);
            }
            _held.Enqueue(probe);
            _probe = null;
        }
    }

    private CaptureFormatException NotText(long line) => new(Name, CaptureErrorReason.UnknownFormat,
        string.Create(CultureInfo.InvariantCulture,
            $"not a capture: neither pcap, pcapng nor tcpdump output (no tcpdump record in the first {Math.Min(_held.Count, ProbeRecords)} record(s) of text)"),
        line: line);

    private bool TryReadRecord(DecodedPacket packet)
    {
        while (true)
        {
            if (!TryReadLine(out var bytes, out bool cut))
            {
                if (!_haveRecord) return false;
                Emit(packet);
                _haveRecord = false;
                return true;
            }
            _lineNumber++;
            if (cut) Warn(string.Create(CultureInfo.InvariantCulture, $"line longer than {MaxLineLength} characters; the rest was dropped"), _lineNumber);
            var line = Decode(bytes);
            var trimmed = line.Trim();
            if (trimmed.IsEmpty) continue;
            if (Banner.IsBanner(trimmed))
            {
                // A banner or statistics line ends the record before it.
                if (_haveRecord)
                {
                    Emit(packet);
                    _haveRecord = false;
                    return true;
                }
                continue;
            }

            bool indented = TextScan.IsSpace(line[0]);
            var header = RecordHeaderReader.Read(line);
            bool starts = header.HasMarker || (!_sawMarker && !indented) || !_haveRecord;
            if (!starts)
            {
                Append(trimmed, cut);
                continue;
            }
            if (header.HasMarker) _sawMarker = true;
            if (_haveRecord)
            {
                Emit(packet);
                Load(line, cut);
                return true;
            }
            Load(line, cut);
        }
    }

    private void Load(ReadOnlySpan<char> line, bool cut)
    {
        line.CopyTo(_record);
        _recordLength = line.Length;
        _recordCut = cut;
        _recordLine = _lineNumber;
        _haveRecord = true;
    }

    /// <summary>Adds a continuation line to the record, after a line break.</summary>
    private void Append(ReadOnlySpan<char> trimmed, bool cut)
    {
        int room = MaxRecordLength - _recordLength - 1;
        if (room <= 0)
        {
            _recordCut = true;
            return;
        }
        _record[_recordLength++] = '\n';
        int n = Math.Min(room, trimmed.Length);
        trimmed[..n].CopyTo(_record.AsSpan(_recordLength));
        _recordLength += n;
        if (n < trimmed.Length || cut) _recordCut = true;
    }

    private void Emit(DecodedPacket packet)
    {
        var text = _record.AsSpan(0, _recordLength);
        var header = RecordHeaderReader.Read(text);
        _emittedHadMarker = header.HasMarker;
        _records++;
        long frame = header.HasFrameNumber ? header.FrameNumber : _records;
        var timestamp = _times.Convert(header);

        packet.Reset();
        SetFrame(packet, frame, timestamp);
        bool understood = SummaryParser.Parse(text[header.BodyStart..], packet);
        if (understood)
        {
            ParsedRecords++;
            if (_recordCut) packet.AddAnomaly(AnomalyKind.TextLineTooLong);
            return;
        }

        // Nothing partial is kept from a record that was not understood.
        UnparsedLines++;
        packet.Reset();
        SetFrame(packet, frame, timestamp);
        packet.Unparsed = true;
        packet.AddAnomaly(AnomalyKind.TextLineUnparsed);
        if (_recordCut) packet.AddAnomaly(AnomalyKind.TextLineTooLong);
        var raw = text.Length > MaxRawTextLength ? text[..MaxRawTextLength] : text;
        if (packet.Text.TryAppend(raw, out var rawRef)) packet.RawText = rawRef;
    }

    private void SetFrame(DecodedPacket packet, long frame, PacketTimestamp timestamp)
    {
        packet.Origin = PacketOrigin.Text;
        packet.LinkType = LinkType.Text;
        packet.LineNumber = _recordLine;
        packet.FrameNumber = frame;
        packet.Timestamp = timestamp;
    }

    /// <summary>
    /// Bytes to characters, one for one (ASCII and Latin-1 as is; the bytes of a UTF-8 sequence each become a
    /// character, which only affects names and prose, never the fields read). A UTF-8 byte order mark is dropped.
    /// DEL and the C1 controls (0x7F-0x9F, ECMA-48 8.3: 0x9B is a one-byte CSI) become '?', so no control reaches a
    /// name or the analysis from text; tcpdump itself never prints them raw.
    /// </summary>
    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes)
    {
        if (_atFileStart)
        {
            _atFileStart = false;
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        }
        var chars = _line.AsSpan(0, bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            // A stray carriage return or other control character inside a line is white space to the parser.
            chars[i] = b < 0x20 && b != (byte)'\t' ? ' ' : b is >= 0x7F and <= 0x9F ? '?' : (char)b;
        }
        return chars;
    }

    /// <summary>
    /// Next line without its terminator ("\n" or "\r\n"). A line longer than <see cref="MaxLineLength"/> is cut there
    /// (<paramref name="cut"/>) and the rest of it skipped. The span is valid until the next call.
    /// </summary>
    private bool TryReadLine(out ReadOnlySpan<byte> line, out bool cut)
    {
        cut = false;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            int nl = pending.IndexOf((byte)'\n');
            if (_discarding)
            {
                if (nl >= 0)
                {
                    _start += nl + 1;
                    _discarding = false;
                    continue;
                }
                _start = _end;
                if (_eof)
                {
                    _discarding = false;
                    continue;
                }
            }
            else if (nl >= 0)
            {
                line = TrimCr(pending[..nl]);
                _start += nl + 1;
                if (line.Length > MaxLineLength)
                {
                    // A long line that ends within the buffer: cut like one that does not.
                    line = line[..MaxLineLength];
                    cut = true;
                }
                return true;
            }
            else if (pending.Length >= MaxLineLength)
            {
                line = pending[..MaxLineLength];
                _start += MaxLineLength;
                _discarding = true;
                cut = true;
                return true;
            }
            else if (_eof)
            {
                if (pending.IsEmpty)
                {
                    if (GzipEnd?.TakeWarning() is { } warning) _warnings.Add(warning);
                    line = default;
                    return false;
                }
                line = TrimCr(pending);
                _start = _end;
                return true;
            }
            Fill();
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_eof) return;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        int n;
        try
        {
            n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException ex)
        {
            throw new CaptureFormatException(Name, CaptureErrorReason.CorruptCompression, "the compressed input is corrupt: " + ex.Message,
                offset: _bytesRead, line: _lineNumber + 1, inner: ex);
        }
        catch (IOException ex)
        {
            throw new CaptureFormatException(Name, CaptureErrorReason.ReadFailed, "read failed: " + ex.Message,
                offset: _bytesRead, line: _lineNumber + 1, inner: ex);
        }
        if (n <= 0)
        {
            _eof = true;
            return;
        }
        _end += n;
        _bytesRead += n;
    }

    private void Warn(string message, long line)
    {
        if (_warnings.Count < MaxWarnings) _warnings.Add(new CaptureWarning(message, Line: line));
        else if (_warnings.Count == MaxWarnings) _warnings.Add(new CaptureWarning("further warnings not shown"));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Dispose();
    }
}
