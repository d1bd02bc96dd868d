using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NetTriage.Capture;

/// <summary>Why a capture could not be read.</summary>
public enum CaptureErrorReason
{
    UnknownFormat,
    EmptyInput,
    BadFileHeader,
    UnsupportedVersion,
    BadRecordLength,
    CapturedLengthTooLarge,
    BadBlockLength,
    BadBlockTrailer,
    UnknownInterface,
    UnsupportedLinkType,
    CorruptCompression,
    ReadFailed,
    /// <summary>A pcapng section describes more interfaces than <see cref="CaptureLimits.MaxInterfacesPerSection"/>.</summary>
    TooManyInterfaces,
}

/// <summary>
/// A capture that cannot be framed: the one exception a source throws. It names the input and where
/// (byte offset in the decompressed stream, or line number) so the program can print one line and exit 2.
/// </summary>
public sealed class CaptureFormatException : Exception
{
    public CaptureFormatException(string source, CaptureErrorReason reason, string detail, long? offset = null, long? line = null, Exception? inner = null)
        : base(Compose(source, detail, offset, line), inner)
    {
        InputName = source;
        Reason = reason;
        Detail = detail;
        Offset = offset;
        Line = line;
    }

    /// <summary>The input's name as the user gave it ("-" for standard input).</summary>
    public string InputName { get; }
    public CaptureErrorReason Reason { get; }
    public string Detail { get; }
    public long? Offset { get; }
    public long? Line { get; }

    private static string Compose(string source, string detail, long? offset, long? line)
    {
        var sb = new StringBuilder();
        sb.Append(source);
        if (line is { } l) sb.Append(CultureInfo.InvariantCulture, $": line {l}");
        if (offset is { } o) sb.Append(CultureInfo.InvariantCulture, $": offset {o}");
        sb.Append(": ").Append(detail);
        return sb.ToString();
    }
}

/// <summary>Something wrong with the input that did not stop reading (a file cut mid-record, say).</summary>
public readonly record struct CaptureWarning(string Message, long? Offset = null, long? Line = null)
{
    public override string ToString()
    {
        if (Line is { } l) return string.Create(CultureInfo.InvariantCulture, $"line {l}: {Message}");
        if (Offset is { } o) return string.Create(CultureInfo.InvariantCulture, $"offset {o}: {Message}");
        return Message;
    }
}

/// <summary>Throw helpers, so hot paths stay small (System.Text.Json's ThrowHelper pattern).</summary>
public static class CaptureThrow
{
    [DoesNotReturn]
    public static void Format(string source, CaptureErrorReason reason, string detail, long? offset = null, long? line = null) =>
        throw new CaptureFormatException(source, reason, detail, offset, line);

    /// <summary>Makes input bytes safe to put in a message: printable ASCII kept, the rest as \xNN, capped.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int max = 32)
    {
        var sb = new StringBuilder();
        int n = Math.Min(bytes.Length, max);
        for (int i = 0; i < n; i++)
        {
            byte b = bytes[i];
            if (b is >= 0x20 and < 0x7F && b != (byte)'\\') sb.Append((char)b);
            else sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        if (bytes.Length > max) sb.Append("...");
        return sb.ToString();
    }
}
