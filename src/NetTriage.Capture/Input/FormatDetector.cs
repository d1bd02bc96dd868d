using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using NetTriage.Capture.Pcap;
using NetTriage.Capture.Pcapng;

namespace NetTriage.Capture.Input;

/// <summary>What the first bytes of an input say it is.</summary>
internal enum InputKind : byte
{
    Empty,
    Gzip,
    Pcap,
    Pcapng,
    Text,
    /// <summary>Fewer than four bytes that begin a pcap or pcapng magic number.</summary>
    TruncatedMagic,
    Unknown,
}

/// <summary>Recognises an input by its content, never its name.</summary>
internal static class FormatDetector
{
    /// <summary>Bytes examined by the text test, at most (fewer when the input has not delivered more yet).</summary>
    public const int TextSampleLength = 512;

    /// <summary>gzip member header ID1 ID2 (RFC 1952 section 2.3.1).</summary>
    private const byte GzipId1 = 0x1F;
    private const byte GzipId2 = 0x8B;

    private static ReadOnlySpan<uint> BinaryMagics =>
    [
        PcapReader.MagicMicroBigEndian, PcapReader.MagicMicroLittleEndian,
        PcapReader.MagicNanoBigEndian, PcapReader.MagicNanoLittleEndian,
        PcapngReader.SectionHeaderType,
    ];

    /// <summary>
    /// Looks at the first bytes of <paramref name="input"/> without consuming them. Waits for four bytes
    /// (or the end); the text test then uses whatever is already buffered, so a slow pipe is not held up.
    /// </summary>
    public static InputKind Detect(InputBuffer input)
    {
        int have = input.Fill(4);
        ReadOnlySpan<byte> head = input.Peek(Math.Min(input.Buffered, TextSampleLength));
        if (have == 0)
        {
            return InputKind.Empty;
        }
        if (have >= 2 && head[0] == GzipId1 && head[1] == GzipId2)
        {
            return InputKind.Gzip;
        }
        if (have >= 4)
        {
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
            switch (magic)
            {
                case PcapReader.MagicMicroBigEndian:
                case PcapReader.MagicMicroLittleEndian:
                case PcapReader.MagicNanoBigEndian:
                case PcapReader.MagicNanoLittleEndian:
                    return InputKind.Pcap;
                case PcapngReader.SectionHeaderType:
                    return InputKind.Pcapng;
            }
        }
        // A cut magic number wins over text, unless it is plain ASCII ("\n\r" begins the pcapng magic too).
        if (have < 4 && IsMagicPrefix(head) && !Ascii.IsValid(head))
        {
            return InputKind.TruncatedMagic;
        }
        bool wholeInput = input.EndOfStream && head.Length == input.Buffered;
        return LooksLikeText(head, wholeInput) ? InputKind.Text : InputKind.Unknown;
    }

    /// <summary>
    /// Mostly printable: no NUL, and at most one byte in twenty that is a control character other than tab,
    /// CR, LF, or not part of valid UTF-8. A multi-byte character cut by the end of the sample is accepted
    /// unless the sample is the <paramref name="wholeInput"/>.
    /// </summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> sample, bool wholeInput)
    {
        if (sample.IsEmpty)
        {
            return false;
        }

        int bad = 0;
        int i = 0;
        while (i < sample.Length)
        {
            byte b = sample[i];
            if (b < 0x80)
            {
                if (b == 0)
                {
                    return false;
                }
                if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) || b == 0x7F)
                {
                    bad++;
                }
                i++;
                continue;
            }

            OperationStatus status = Rune.DecodeFromUtf8(sample[i..], out _, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                bad += wholeInput ? sample.Length - i : 0;
                break;
            }
            if (status != OperationStatus.Done)
            {
                bad++;
            }
            i += Math.Max(consumed, 1);
        }
        return bad * 20 <= sample.Length;
    }

    private static bool IsMagicPrefix(ReadOnlySpan<byte> head)
    {
        Span<byte> magic = stackalloc byte[4];
        foreach (uint m in BinaryMagics)
        {
            BinaryPrimitives.WriteUInt32BigEndian(magic, m);
            if (magic.StartsWith(head))
            {
                return true;
            }
        }
        return false;
    }
}
