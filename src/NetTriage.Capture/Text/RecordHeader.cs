using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>The time styles tcpdump prints at the start of a record (tcpdump(1) -t options, util-print.c ts_print).</summary>
internal enum TimeStyle : byte
{
    /// <summary>No time printed (-t).</summary>
    None,
    /// <summary>Default: "HH:MM:SS.ffffff", the time of day.</summary>
    TimeOfDay,
    /// <summary>-tt: seconds since the epoch, "1418145369.924505".</summary>
    Epoch,
    /// <summary>-tttt: "2014-12-09 17:16:09.924505".</summary>
    DateTime,
    /// <summary>-ttt (since the previous packet) or -ttttt (since the first): a sign character, then "HH:MM:SS.ffffff".</summary>
    Delta,
}

/// <summary>What the start of a record holds: the -# frame number and the time stamp, and where the summary begins.</summary>
internal struct RecordHeader
{
    public bool HasFrameNumber;
    public long FrameNumber;
    public TimeStyle Style;
    /// <summary>
    /// The time as printed, in nanoseconds: since midnight (<see cref="TimeStyle.TimeOfDay"/>), since the Unix epoch
    /// (<see cref="TimeStyle.Epoch"/>, <see cref="TimeStyle.DateTime"/>), or a signed delta (<see cref="TimeStyle.Delta"/>).
    /// </summary>
    public long Nanoseconds;
    /// <summary>The fraction could not be read (tcpdump's "(invalid us)", or more than nine digits): it is taken as zero.</summary>
    public bool InvalidFraction;
    /// <summary>Index in the record where the one-line summary starts.</summary>
    public int BodyStart;
    /// <summary>The fraction's share of <see cref="Nanoseconds"/>, removed again when tcpdump marks it invalid.</summary>
    public long FractionNanos;

    /// <summary>True when the record begins with a frame number or a time stamp: the marks of a new record.</summary>
    public readonly bool HasMarker => HasFrameNumber || Style != TimeStyle.None;
}

/// <summary>Reads the frame number and time stamp at the start of a tcpdump record.</summary>
internal static class RecordHeaderReader
{
    private const long NanosPerSecond = PacketTimestamp.NanosPerSecond;
    private const int MaxFrameDigits = 12;
    private const int MaxEpochDigits = 10;
    /// <summary>Largest number of seconds whose nanoseconds fit a long (year 2262).</summary>
    private const long MaxSeconds = long.MaxValue / NanosPerSecond - 1;
    /// <summary>Years whose nanoseconds since 1970 fit a long.</summary>
    private const int MinYear = 1678, MaxYear = 2261;
    private const int MaxHourDigits = 6;
    private const int FractionDigits = 9;

    /// <summary>
    /// Reads the header of <paramref name="line"/>. Always succeeds; <see cref="RecordHeader.HasMarker"/> says whether
    /// a frame number or time stamp was found (when not, the summary starts after the leading white space).
    /// </summary>
    public static RecordHeader Read(ReadOnlySpan<char> line)
    {
        var header = default(RecordHeader);
        // tcpdump starts continuation lines with a tab (-v, -x); a record never.
        if (line.Length > 0 && line[0] == '\t')
        {
            header.BodyStart = line.Length - TextScan.SkipSpaces(line).Length;
            return header;
        }
        int lead = 0;
        while (lead < line.Length && TextScan.IsSpace(line[lead])) lead++;
        int pos = lead;

        // "-#": tcpdump prints the packet number as "%5u  " (print.c), so digits then exactly two spaces.
        int digits = CountDigits(line, pos, MaxFrameDigits + 1);
        if (digits is > 0 and <= MaxFrameDigits && pos + digits + 2 <= line.Length
            && line[pos + digits] == ' ' && line[pos + digits + 1] == ' ')
        {
            header.HasFrameNumber = true;
            header.FrameNumber = ParseDigits(line.Slice(pos, digits));
            pos += digits + 2;
            // -ttt/-ttttt print a sign (space or '-') right before the time.
            if (pos < line.Length && line[pos] is ' ' or '-' && TryReadTime(line, pos + 1, delta: true, ref header, out int end))
            {
                return Delta(line, end, negative: line[pos] == '-', header);
            }
        }
        else if ((lead == 1 && line[0] == ' ') || (lead == 0 && line.Length > 0 && line[0] == '-'))
        {
            // Without -#, the sign is the first character of the line.
            if (TryReadTime(line, 1, delta: true, ref header, out int end))
            {
                return Delta(line, end, negative: line[0] == '-', header);
            }
        }

        if (TryReadDateTime(line, pos, ref header, out int dtEnd))
        {
            header.Style = TimeStyle.DateTime;
            header.BodyStart = AfterTime(line, dtEnd, ref header);
        }
        else if (TryReadTime(line, pos, delta: false, ref header, out int todEnd))
        {
            header.Style = TimeStyle.TimeOfDay;
            header.BodyStart = AfterTime(line, todEnd, ref header);
        }
        else if (TryReadEpoch(line, pos, ref header, out int epochEnd))
        {
            header.Style = TimeStyle.Epoch;
            header.BodyStart = AfterTime(line, epochEnd, ref header);
        }
        else
        {
            header.BodyStart = pos;
        }
        return header;
    }

    private static RecordHeader Delta(ReadOnlySpan<char> line, int end, bool negative, RecordHeader header)
    {
        header.Style = TimeStyle.Delta;
        header.BodyStart = AfterTime(line, end, ref header);
        if (negative) header.Nanoseconds = -header.Nanoseconds;
        return header;
    }

    /// <summary>Skips tcpdump's "(invalid us)"/"(invalid ns)" note and the space before the summary.</summary>
    private static int AfterTime(ReadOnlySpan<char> line, int end, ref RecordHeader header)
    {
        var rest = line[end..];
        var t = TextScan.SkipSpaces(rest);
        if (TextScan.StartsWith(t, "(invalid us)") || TextScan.StartsWith(t, "(invalid ns)"))
        {
            header.InvalidFraction = true;
            header.Nanoseconds -= header.FractionNanos;
            header.FractionNanos = 0;
            t = t["(invalid us)".Length..];
        }
        t = TextScan.SkipSpaces(t);
        return line.Length - t.Length;
    }

    /// <summary>"YYYY-MM-DD HH:MM:SS[.frac]" (-tttt), taken as UTC.</summary>
    private static bool TryReadDateTime(ReadOnlySpan<char> line, int pos, ref RecordHeader header, out int end)
    {
        end = pos;
        if (pos + 11 > line.Length || CountDigits(line, pos, 5) != 4 || line[pos + 4] != '-'
            || CountDigits(line, pos + 5, 3) != 2 || line[pos + 7] != '-' || CountDigits(line, pos + 8, 3) != 2
            || line[pos + 10] != ' ')
        {
            return false;
        }
        int year = (int)ParseDigits(line.Slice(pos, 4));
        int month = (int)ParseDigits(line.Slice(pos + 5, 2));
        int day = (int)ParseDigits(line.Slice(pos + 8, 2));
        if (year is < MinYear or > MaxYear || month is < 1 or > 12 || day < 1 || day > System.DateTime.DaysInMonth(year, month)) return false;
        var probe = header;
        if (!TryReadTime(line, pos + 11, delta: false, ref probe, out end)) return false;
        long days = (long)(new System.DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc) - System.DateTime.UnixEpoch).TotalDays;
        header.Nanoseconds = (days * PacketTimestamp.NanosPerDay) + probe.Nanoseconds;
        header.FractionNanos = probe.FractionNanos;
        header.InvalidFraction = probe.InvalidFraction;
        return true;
    }

    /// <summary>"HH:MM:SS[.frac]" followed by white space or the end. A delta may have more than two hour digits.</summary>
    private static bool TryReadTime(ReadOnlySpan<char> line, int pos, bool delta, ref RecordHeader header, out int end)
    {
        end = pos;
        int h = CountDigits(line, pos, MaxHourDigits + 1);
        if (h == 0 || h > (delta ? MaxHourDigits : 2)) return false;
        int p = pos + h;
        if (p + 6 > line.Length || line[p] != ':' || CountDigits(line, p + 1, 3) != 2 || line[p + 3] != ':'
            || CountDigits(line, p + 4, 3) != 2)
        {
            return false;
        }
        long hours = ParseDigits(line.Slice(pos, h));
        long minutes = ParseDigits(line.Slice(p + 1, 2));
        long seconds = ParseDigits(line.Slice(p + 4, 2));
        if (minutes > 59 || seconds > 60 || (!delta && hours > 23)) return false;
        p += 6;
        if (!TryReadFraction(line, ref p, ref header, out long frac)) return false;
        header.Nanoseconds = (((hours * 3600) + (minutes * 60) + seconds) * NanosPerSecond) + frac;
        header.FractionNanos = frac;
        end = p;
        return true;
    }

    /// <summary>"1418145369.924505" (-tt): seconds since the epoch and a fraction.</summary>
    private static bool TryReadEpoch(ReadOnlySpan<char> line, int pos, ref RecordHeader header, out int end)
    {
        end = pos;
        int d = CountDigits(line, pos, MaxEpochDigits + 1);
        if (d == 0 || d > MaxEpochDigits || pos + d >= line.Length || line[pos + d] != '.') return false;
        int p = pos + d;
        // util-print.c prints the fraction with exactly 6 (or, with --nano, 9) digits.
        int fraction = CountDigits(line, p + 1, FractionDigits + 1);
        if (fraction is not (6 or 9)) return false;
        long seconds = ParseDigits(line.Slice(pos, d));
        if (seconds > MaxSeconds || !TryReadFraction(line, ref p, ref header, out long frac)) return false;
        header.Nanoseconds = (seconds * NanosPerSecond) + frac;
        header.FractionNanos = frac;
        end = p;
        return true;
    }

    /// <summary>
    /// An optional ".digits" (6 for microseconds, 9 for nanoseconds, other counts scaled), then white space or the end.
    /// More than nine digits is tcpdump's invalid-fraction form: read as zero and flagged.
    /// </summary>
    private static bool TryReadFraction(ReadOnlySpan<char> line, ref int p, ref RecordHeader header, out long nanos)
    {
        nanos = 0;
        if (p < line.Length && line[p] == '.')
        {
            int n = CountDigits(line, p + 1, 20);
            if (n == 0) return false;
            if (n <= FractionDigits)
            {
                long v = ParseDigits(line.Slice(p + 1, n));
                for (int i = n; i < FractionDigits; i++) v *= 10;
                nanos = v;
            }
            else
            {
                header.InvalidFraction = true;
            }
            p += 1 + n;
        }
        return p >= line.Length || TextScan.IsSpace(line[p]);
    }

    private static int CountDigits(ReadOnlySpan<char> s, int pos, int max)
    {
        int n = 0;
        while (pos + n < s.Length && n < max && TextScan.IsDigit(s[pos + n])) n++;
        return n;
    }

    private static long ParseDigits(ReadOnlySpan<char> digits)
    {
        long v = 0;
        foreach (char c in digits) v = (v * 10) + (c - '0');
        return v;
    }
}
