namespace NetTriage.Packets.Dns;

/// <summary>Outcome of reading a domain name.</summary>
public enum DnsNameStatus : byte
{
    Ok = 0,
    /// <summary>The name ran past the end of the bytes it may occupy.</summary>
    Truncated,
    /// <summary>A compression pointer pointed at or after the run it was found in (RFC 1035 4.1.4: prior occurrence).</summary>
    CompressionLoop,
    TooManyJumps,
    /// <summary>More than 255 bytes of labels and length octets (RFC 1035 2.3.4).</summary>
    NameTooLong,
    /// <summary>A length octet of 64..127: longer than the 63 of RFC 1035 2.3.4 (and the deprecated 0b01 label type, RFC 6891 5).</summary>
    LabelTooLong,
    /// <summary>A length octet with the reserved 0b10 top bits (RFC 1035 4.1.4, RFC 6891 5).</summary>
    BadLabelType,
}

/// <summary>
/// Reads domain names in wire format (RFC 1035 3.1, 4.1.4) and writes their presentation form: labels
/// joined by dots with a trailing dot, the root as ".", and every byte outside printable ASCII, a space,
/// a dot or a backslash inside a label escaped as \DDD or \. \\ (RFC 4343 2.1, RFC 1035 5.1).
/// </summary>
public static class DnsNameReader
{
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;
    /// <summary>Compression pointers followed before giving up; a legitimate name needs a handful.</summary>
    public const int MaxJumps = 16;
    /// <summary>Longest presentation form: 255 wire bytes, each escaped to four characters, plus the dots.</summary>
    public const int MaxPresentationLength = (MaxWireLength * 4) + 1;

    private const byte LabelTypeMask = 0xC0;
    private const byte PointerType = 0xC0;
    private const byte ExtendedType = 0x40;
    private const byte ReservedType = 0x80;

    /// <summary>
    /// Reads the name at <paramref name="offset"/> of <paramref name="message"/>.
    /// <paramref name="next"/> is the offset just after the name where it was written (after its first pointer,
    /// if any). When <paramref name="output"/> is too small the walk goes on but writing stops,
    /// and <paramref name="outputFull"/> is set; an empty output means "measure only".
    /// Pointers must point strictly before the run of labels they end, which makes every walk terminate;
    /// the jump cap and the 255-byte limit bound the work.
    /// </summary>
    public static DnsNameStatus Read(ReadOnlySpan<byte> message, int offset, Span<byte> output,
        out int next, out int written, out bool outputFull)
    {
        next = -1;
        written = 0;
        outputFull = false;
        bool write = !output.IsEmpty;
        int pos = offset;
        int runStart = offset;
        int jumps = 0;
        int wireLength = 0;
        while (true)
        {
            if ((uint)pos >= (uint)message.Length)
            {
                return DnsNameStatus.Truncated;
            }
            byte lengthOctet = message[pos];
            switch (lengthOctet & LabelTypeMask)
            {
                case PointerType:
                {
                    if (pos + 1 >= message.Length)
                    {
                        return DnsNameStatus.Truncated;
                    }
                    int target = ((lengthOctet & ~LabelTypeMask) << 8) | message[pos + 1];
                    if (next < 0)
                    {
                        next = pos + 2;
                    }
                    // RFC 1035 4.1.4: a pointer refers to a prior occurrence of the name. Anything at or after
                    // the start of the current run would come back here.
                    if (target >= runStart)
                    {
                        return DnsNameStatus.CompressionLoop;
                    }
                    if (++jumps > MaxJumps)
                    {
                        return DnsNameStatus.TooManyJumps;
                    }
                    pos = target;
                    runStart = target;
                    continue;
                }
                case ExtendedType:
                    return DnsNameStatus.LabelTooLong;
                case ReservedType:
                    return DnsNameStatus.BadLabelType;
                default:
                    break;
            }

            if (lengthOctet == 0)
            {
                wireLength++;
                if (wireLength > MaxWireLength)
                {
                    return DnsNameStatus.NameTooLong;
                }
                if (next < 0)
                {
                    next = pos + 1;
                }
                if (written == 0 && write && !outputFull)
                {
                    // The root name (RFC 1035 3.1) is written as a single dot.
                    if (output.Length < 1)
                    {
                        outputFull = true;
                    }
                    else
                    {
                        output[0] = (byte)'.';
                        written = 1;
                    }
                }
                return DnsNameStatus.Ok;
            }

            // The label, its length octet, and at least the root octet after it must fit in 255 bytes.
            wireLength += lengthOctet + 1;
            if (wireLength + 1 > MaxWireLength)
            {
                return DnsNameStatus.NameTooLong;
            }
            int labelStart = pos + 1;
            if (labelStart + lengthOctet > message.Length)
            {
                return DnsNameStatus.Truncated;
            }
            if (write && !outputFull)
            {
                if (!WriteLabel(message.Slice(labelStart, lengthOctet), output, ref written))
                {
                    outputFull = true;
                }
            }
            pos = labelStart + lengthOctet;
        }
    }

    /// <summary>Appends an escaped label and its trailing dot; false when it does not fit.</summary>
    private static bool WriteLabel(ReadOnlySpan<byte> label, Span<byte> output, ref int written)
    {
        int w = written;
        foreach (byte b in label)
        {
            if (!EscapeInto(b, output, ref w, quoteContext: false))
            {
                return false;
            }
        }
        if (w >= output.Length)
        {
            return false;
        }
        output[w++] = (byte)'.';
        written = w;
        return true;
    }

    /// <summary>
    /// Writes one byte in presentation form (RFC 1035 5.1, RFC 4343 2.1): printable ASCII as itself,
    /// the special characters backslash-escaped, anything else as \DDD. Inside a label '.' is special;
    /// inside a quoted character-string '"' is.
    /// </summary>
    internal static bool EscapeInto(byte b, Span<byte> output, ref int written, bool quoteContext)
    {
        int w = written;
        bool special = b == (byte)'\\' || (quoteContext ? b == (byte)'"' : b == (byte)'.');
        if (special)
        {
            if (w + 2 > output.Length) return false;
            output[w++] = (byte)'\\';
            output[w++] = b;
        }
        else if (b is > 0x20 and < 0x7F || (quoteContext && b == 0x20))
        {
            if (w + 1 > output.Length) return false;
            output[w++] = b;
        }
        else
        {
            if (w + 4 > output.Length) return false;
            output[w++] = (byte)'\\';
            output[w++] = (byte)('0' + (b / 100));
            output[w++] = (byte)('0' + (b / 10 % 10));
            output[w++] = (byte)('0' + (b % 10));
        }
        written = w;
        return true;
    }
}
