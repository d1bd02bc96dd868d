using System.Globalization;
using System.Security;
using NetTriage.Capture.Input;
using NetTriage.Capture.Pcap;
using NetTriage.Capture.Pcapng;
using NetTriage.Capture.Text;

namespace NetTriage.Capture;

/// <summary>
/// Opens an input as a packet source, recognising the format by content, never by file name: gzip
/// (decompressed on the fly and recognised again inside), pcap, pcapng, or tcpdump text.
/// </summary>
public static class CaptureOpener
{
    /// <summary>The path that means standard input.</summary>
    public const string StandardInputPath = "-";

    /// <summary>Bytes of an unrecognised input quoted in the error.</summary>
    private const int QuotedBytes = 16;

    /// <summary>
    /// Opens the file at <paramref name="path"/> ("-" for standard input). A file that cannot be opened or
    /// read, or whose format is not recognised, throws <see cref="CaptureFormatException"/>.
    /// </summary>
    public static IPacketSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == StandardInputPath)
        {
            return Open(Console.OpenStandardInput(), path);
        }

        FileStream file = OpenFile(path);
        long? total = null;
        try
        {
            total = file.CanSeek ? file.Length : null;
        }
        catch (IOException)
        {
            // A device or pipe that reports no length.
        }
        catch (NotSupportedException)
        {
        }
        return OpenSource(file, path, leaveOpen: false, total);
    }

    /// <summary>
    /// Opens <paramref name="stream"/>, read forward only from its current position; it may be non-seekable.
    /// The source disposes the stream unless <paramref name="leaveOpen"/>.
    /// </summary>
    public static IPacketSource Open(Stream stream, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        return OpenSource(stream, name, leaveOpen, RemainingLength(stream));
    }

    /// <summary>
    /// Opens <paramref name="stream"/> as a binary capture (pcap or pcapng, gzip-compressed or not) and returns
    /// its frames undecoded. tcpdump text has no frames and throws <see cref="CaptureFormatException"/>.
    /// </summary>
    public static IFrameReader OpenFrames(Stream stream, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var counter = new CountingStream(stream, leaveOpen);
        InputBuffer input = OpenInput(counter, name, out InputKind kind, out _, out _);
        try
        {
            if (kind == InputKind.Text)
            {
                CaptureThrow.Format(name, CaptureErrorReason.UnknownFormat, "tcpdump text input has no binary frames", 0);
            }
            return CreateReader(input, kind);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    private static IPacketSource OpenSource(Stream stream, string name, bool leaveOpen, long? totalBytes)
    {
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        var counter = new CountingStream(stream, leaveOpen);
        InputBuffer input = OpenInput(counter, name, out InputKind kind, out bool compressed, out GzipEndCheck? gzipEnd);
        if (kind == InputKind.Text)
        {
            Stream text = input.Detach();
            try
            {
                return new TcpdumpTextSource(text, name, compressed, totalBytes) { GzipEnd = gzipEnd, Counter = counter };
            }
            catch
            {
                text.Dispose();
                throw;
            }
        }

        IFrameReader reader;
        try
        {
            reader = CreateReader(input, kind);
        }
        catch
        {
            input.Dispose();
            throw;
        }
        return new BinaryPacketSource(reader, name, compressed, totalBytes, counter) { GzipEnd = gzipEnd };
    }

    /// <summary>
    /// Recognises the input, unwrapping one layer of gzip. On return the buffer holds the input at its first
    /// byte (decompressed when <paramref name="compressed"/>); <paramref name="kind"/> is Pcap, Pcapng or Text.
    /// On failure everything down to <paramref name="counter"/> is disposed. For gzip, <paramref name="gzipEnd"/> tells
    /// at the end whether the compressed input was whole.
    /// </summary>
    private static InputBuffer OpenInput(CountingStream counter, string name, out InputKind kind, out bool compressed, out GzipEndCheck? gzipEnd)
    {
        compressed = false;
        gzipEnd = null;
        var input = new InputBuffer(counter, name);
        try
        {
            kind = FormatDetector.Detect(input);
            if (kind == InputKind.Gzip)
            {
                compressed = true;
                gzipEnd = new GzipEndCheck();
                input = new InputBuffer(gzipEnd.Open(input.Detach()), name);
                kind = FormatDetector.Detect(input);
                if (kind == InputKind.Gzip)
                {
                    CaptureThrow.Format(name, CaptureErrorReason.UnknownFormat, "gzip inside gzip is not supported", 0);
                }
            }

            switch (kind)
            {
                case InputKind.Empty:
                    CaptureThrow.Format(name, CaptureErrorReason.EmptyInput,
                        compressed ? "compressed input is empty" : "input is empty");
                    break;
                case InputKind.TruncatedMagic:
                    CaptureThrow.Format(name, CaptureErrorReason.BadFileHeader, string.Create(CultureInfo.InvariantCulture,
                        $"input ends inside a capture file header after {input.Buffered} bytes"), 0);
                    break;
                case InputKind.Unknown:
                    CaptureThrow.Format(name, CaptureErrorReason.UnknownFormat,
                        "not a pcap, pcapng or tcpdump text input; it begins " + CaptureThrow.Escape(input.Peek(QuotedBytes + 1), QuotedBytes), 0);
                    break;
            }
            return input;
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    private static IFrameReader CreateReader(InputBuffer input, InputKind kind) => kind switch
    {
        InputKind.Pcap => new PcapReader(input),
        _ => new PcapngReader(input),
    };

    private static FileStream OpenFile(string path)
    {
        string? problem = null;
        Exception? inner = null;
        try
        {
            if (Directory.Exists(path))
            {
                problem = "is a directory";
            }
            else
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                    bufferSize: 0, FileOptions.SequentialScan);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            (problem, inner) = ("no such file", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or SecurityException)
        {
            (problem, inner) = ("permission denied", e);
        }
        catch (PathTooLongException e)
        {
            (problem, inner) = ("path too long", e);
        }
        catch (IOException e)
        {
            (problem, inner) = (e.Message, e);
        }
        catch (ArgumentException e)
        {
            (problem, inner) = ("invalid path", e);
        }
        throw new CaptureFormatException(path, CaptureErrorReason.ReadFailed, "cannot open: " + problem, inner: inner);
    }

    private static long? RemainingLength(Stream stream)
    {
        try
        {
            return stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
