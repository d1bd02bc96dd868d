using System.Buffers.Binary;
using System.Text;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>What a seed input is, and where its records lie.</summary>
internal enum SeedKind { Pcap, Pcapng, Text, Gzip }

/// <summary>A seed input for mutation: its bytes, and for binary captures where each record and each frame starts.</summary>
internal sealed record SeedInput(string Name, SeedKind Kind, byte[] Bytes)
{
    /// <summary>Offsets at which a record (pcap record, pcapng block) or the file header starts, and the end.</summary>
    public List<int> Boundaries { get; init; } = [];
    /// <summary>Each record's length fields: (offset of the field, width in bytes, big-endian, name).</summary>
    public List<Field> RecordFields { get; init; } = [];
    /// <summary>Where each frame starts in the file, and its length.</summary>
    public List<(int Start, int Length)> Frames { get; init; } = [];
}

/// <summary>A field to set: its offset, width (1 for a nibble or byte, 2, 4), byte order, and what it is.</summary>
internal readonly record struct Field(int Offset, int Width, bool BigEndian, string Name, bool LowNibble = false, bool HighNibble = false);

/// <summary>One mutated input and how it was made (the name the input is opened under).</summary>
internal sealed record Mutant(string Seed, string Operator, string Detail, byte[] Bytes)
{
    public string Name => $"{Seed}#{Operator}:{Detail}";
}

/// <summary>
/// Makes mutants of seed captures, deterministically from one seeded <see cref="Random"/>: truncations at every
/// record boundary and one byte either side, every length field a capture or a packet carries set to 0, 1,
/// the maximum and one off its value, bit flips and overwritten bytes, line edits of text, and splices of two
/// captures at record boundaries.
/// </summary>
internal sealed class Mutator(Random random)
{
    private const int EthernetHeader = 14;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const int DnsHeader = 12;
    /// <summary>Frames whose header fields are each set to every interesting value (the rest get random flips).</summary>
    private const int FramesWithFieldEdits = 40;

    private readonly Random _random = random;

    // ---- seeds ----

    public static SeedInput Pcap(string name, byte[] bytes)
    {
        var records = RobustCaptures.PcapRecords(bytes);
        var boundaries = new List<int> { 0 };
        var fields = new List<Field>
        {
            new(0, 4, false, "magic"), new(4, 2, false, "version_major"), new(6, 2, false, "version_minor"),
            new(16, 4, false, "snaplen"), new(20, 4, false, "linktype"),
        };
        foreach (var r in records)
        {
            boundaries.Add(r.Header);
            boundaries.Add(r.Data);
            fields.Add(new(r.Header + 8, 4, false, "incl_len"));
            fields.Add(new(r.Header + 12, 4, false, "orig_len"));
        }
        boundaries.Add(bytes.Length);
        return new SeedInput(name, SeedKind.Pcap, bytes)
        {
            Boundaries = boundaries,
            RecordFields = fields,
            Frames = [.. records.Select(r => (r.Data, r.Length))],
        };
    }

    public static SeedInput Pcapng(string name, byte[] bytes, List<RobustCaptures.PcapngBlock> blocks, bool bigEndian)
    {
        var boundaries = new List<int>();
        var fields = new List<Field>();
        var frames = new List<(int, int)>();
        foreach (var b in blocks)
        {
            boundaries.Add(b.Offset);
            boundaries.Add(b.Offset + 8);
            fields.Add(new(b.Offset + 4, 4, bigEndian, "block_length"));
            fields.Add(new(b.Offset + b.Length - 4, 4, bigEndian, "trailing_length"));
            switch (b.Type)
            {
                case RobustCaptures.SectionHeaderType:
                    fields.Add(new(b.Offset + 8, 4, bigEndian, "byte_order_magic"));
                    fields.Add(new(b.Offset + 12, 2, bigEndian, "major_version"));
                    fields.Add(new(b.Offset + 16, 4, bigEndian, "section_length"));
                    break;
                case RobustCaptures.InterfaceDescriptionType:
                    fields.Add(new(b.Offset + 8, 2, bigEndian, "link_type"));
                    fields.Add(new(b.Offset + 12, 4, bigEndian, "snap_length"));
                    fields.Add(new(b.Offset + 16, 2, bigEndian, "option_code"));
                    fields.Add(new(b.Offset + 18, 2, bigEndian, "option_length"));
                    fields.Add(new(b.Offset + 20, 1, bigEndian, "if_tsresol"));
                    break;
                case RobustCaptures.EnhancedPacketType:
                    fields.Add(new(b.Offset + 8, 4, bigEndian, "interface_id"));
                    fields.Add(new(b.Offset + 20, 4, bigEndian, "captured_length"));
                    fields.Add(new(b.Offset + 24, 4, bigEndian, "original_length"));
                    int captured = (int)(bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(b.Offset + 20)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(b.Offset + 20)));
                    frames.Add((b.Offset + 28, captured));
                    break;
                case RobustCaptures.SimplePacketType:
                    fields.Add(new(b.Offset + 8, 4, bigEndian, "spb_original_length"));
                    frames.Add((b.Offset + 12, b.Length - 16));
                    break;
            }
        }
        boundaries.Add(bytes.Length);
        return new SeedInput(name, SeedKind.Pcapng, bytes) { Boundaries = boundaries, RecordFields = fields, Frames = frames };
    }

    public static SeedInput Text(string name, byte[] bytes)
    {
        var boundaries = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n') boundaries.Add(i + 1);
        }
        return new SeedInput(name, SeedKind.Text, bytes) { Boundaries = boundaries };
    }

    public static SeedInput Gzip(string name, byte[] bytes) => new(name, SeedKind.Gzip, bytes);

    // ---- mutants ----

    public IEnumerable<Mutant> All(IReadOnlyList<SeedInput> seeds, int flipsPerSeed)
    {
        foreach (var seed in seeds)
        {
            foreach (var m in Truncations(seed)) yield return m;
            foreach (var m in RecordFieldEdits(seed)) yield return m;
            foreach (var m in FrameFieldEdits(seed)) yield return m;
            foreach (var m in Flips(seed, flipsPerSeed)) yield return m;
            if (seed.Kind == SeedKind.Text)
            {
                foreach (var m in LineEdits(seed)) yield return m;
            }
        }
        foreach (var m in Splices(seeds.Where(s => s.Kind is SeedKind.Pcap or SeedKind.Pcapng).ToList())) yield return m;
        foreach (var m in Crossovers(seeds)) yield return m;
    }

    /// <summary>Cut at every record boundary and one byte either side; text and gzip at every byte when short.</summary>
    private static IEnumerable<Mutant> Truncations(SeedInput seed)
    {
        var cuts = new SortedSet<int>();
        if (seed.Kind == SeedKind.Gzip || seed.Bytes.Length <= 2048)
        {
            for (int i = 0; i < seed.Bytes.Length; i++) cuts.Add(i);
        }
        foreach (int b in seed.Boundaries)
        {
            for (int d = -1; d <= 1; d++)
            {
                if (b + d >= 0 && b + d < seed.Bytes.Length) cuts.Add(b + d);
            }
        }
        foreach (int cut in cuts)
        {
            yield return new Mutant(seed.Name, "cut", cut.ToString(System.Globalization.CultureInfo.InvariantCulture), seed.Bytes[..cut]);
        }
    }

    /// <summary>Every length field of the file's records set to 0, 1, the maximum, one off, and a large value.</summary>
    private IEnumerable<Mutant> RecordFieldEdits(SeedInput seed)
    {
        foreach (var field in seed.RecordFields)
        {
            foreach (var m in FieldEdits(seed, field)) yield return m;
        }
    }

    /// <summary>Header fields of the frames inside: IPv4 total length and IHL, UDP length, TCP data offset, DNS counts and names, ICMP quotes.</summary>
    private IEnumerable<Mutant> FrameFieldEdits(SeedInput seed)
    {
        var frames = seed.Frames.Count <= FramesWithFieldEdits
            ? seed.Frames
            : [.. seed.Frames.OrderBy(_ => _random.Next()).Take(FramesWithFieldEdits).OrderBy(f => f.Start)];
        foreach (var (start, length) in frames)
        {
            foreach (var field in FrameFields(seed.Bytes, start, length))
            {
                foreach (var m in FieldEdits(seed, field)) yield return m;
            }
            foreach (var m in PointerEdits(seed, start, length)) yield return m;
        }
    }

    private static IEnumerable<Field> FrameFields(byte[] bytes, int start, int length)
    {
        int end = start + length;
        if (length < EthernetHeader + 20 || BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(start + 12)) != EtherTypeIpv4) yield break;
        int ip = start + EthernetHeader;
        yield return new(ip, 1, true, "ip.ihl", LowNibble: true);
        yield return new(ip, 1, true, "ip.version", HighNibble: true);
        yield return new(ip + 2, 2, true, "ip.total_length");
        yield return new(ip + 6, 2, true, "ip.fragment");
        int ihl = (bytes[ip] & 0x0F) * 4;
        int transport = ip + ihl;
        if (ihl < 20 || transport + 8 > end) yield break;
        switch (bytes[ip + 9])
        {
            case 17:
                yield return new(transport + 4, 2, true, "udp.length");
                if (BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport)) == 53 || BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport + 2)) == 53)
                {
                    foreach (var f in DnsFields(transport + 8, end)) yield return f;
                }
                break;
            case 6:
                if (transport + 20 > end) yield break;
                yield return new(transport + 12, 1, true, "tcp.data_offset", HighNibble: true);
                int payload = transport + (bytes[transport + 12] >> 4) * 4;
                if (payload + 2 + DnsHeader <= end && (BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport)) == 53 || BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport + 2)) == 53))
                {
                    yield return new(payload, 2, true, "dns.tcp_length");
                    foreach (var f in DnsFields(payload + 2, end)) yield return f;
                }
                break;
            case 1:
                int quote = transport + 8;
                if (quote + 20 > end) yield break;
                yield return new(quote, 1, true, "icmp.quoted_ihl", LowNibble: true);
                yield return new(quote + 2, 2, true, "icmp.quoted_total_length");
                yield return new(quote + 9, 1, true, "icmp.quoted_protocol");
                break;
        }
    }

    private static IEnumerable<Field> DnsFields(int dns, int end)
    {
        if (dns + DnsHeader > end) yield break;
        yield return new(dns + 4, 2, true, "dns.qdcount");
        yield return new(dns + 6, 2, true, "dns.ancount");
        yield return new(dns + 8, 2, true, "dns.nscount");
        yield return new(dns + 10, 2, true, "dns.arcount");
        if (dns + DnsHeader < end) yield return new(dns + DnsHeader, 1, true, "dns.first_label_length");
    }

    private IEnumerable<Mutant> FieldEdits(SeedInput seed, Field field)
    {
        if (field.Offset + field.Width > seed.Bytes.Length) yield break;
        var span = seed.Bytes.AsSpan(field.Offset);
        ulong original = field.Width switch
        {
            1 when field.LowNibble => (ulong)(span[0] & 0x0F),
            1 when field.HighNibble => (ulong)(span[0] >> 4),
            1 => span[0],
            2 => field.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span),
            _ => field.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span),
        };
        ulong max = field.LowNibble || field.HighNibble ? 0x0F : field.Width == 1 ? 0xFF : field.Width == 2 ? 0xFFFF : 0xFFFF_FFFF;
        var values = new SortedSet<ulong> { 0, 1, max, max / 2 + 1, (original + max) & max, (original + 1) & max, (ulong)_random.NextInt64((long)max + 1) };
        if (field.Width == 4) values.UnionWith([262_144, 262_145, 65_536]);
        values.Remove(original);
        foreach (ulong value in values)
        {
            var bytes = (byte[])seed.Bytes.Clone();
            var s = bytes.AsSpan(field.Offset);
            switch (field.Width)
            {
                case 1 when field.LowNibble: s[0] = (byte)((s[0] & 0xF0) | (int)value); break;
                case 1 when field.HighNibble: s[0] = (byte)((s[0] & 0x0F) | ((int)value << 4)); break;
                case 1: s[0] = (byte)value; break;
                case 2:
                    if (field.BigEndian) BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)value);
                    else BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)value);
                    break;
                default:
                    if (field.BigEndian) BinaryPrimitives.WriteUInt32BigEndian(s, (uint)value);
                    else BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)value);
                    break;
            }
            yield return new Mutant(seed.Name, field.Name, $"{value}@{field.Offset}", bytes);
        }
    }

    /// <summary>
    /// DNS compression pointers (RFC 1035 4.1.4) aimed at themselves, at the header, past the message, forward, and
    /// two pointers aimed at each other; the question name's first label made a pointer.
    /// </summary>
    private static IEnumerable<Mutant> PointerEdits(SeedInput seed, int start, int length)
    {
        int dns = DnsStart(seed.Bytes, start, length);
        if (dns < 0) yield break;
        int end = start + length;
        var pointers = new List<int>();
        for (int i = dns + DnsHeader; i + 1 < end; i++)
        {
            if ((seed.Bytes[i] & 0xC0) == 0xC0 && BinaryPrimitives.ReadUInt16BigEndian(seed.Bytes.AsSpan(i)) - 0xC000 is >= DnsHeader and < 512) pointers.Add(i);
        }
        pointers.Add(dns + DnsHeader);
        foreach (int p in pointers.Take(6))
        {
            int self = p - dns;
            foreach (var (what, target) in new[] { ("self", self), ("header", 0), ("past-end", 0x3FFF), ("forward", self + 2), ("odd", 1) })
            {
                var bytes = (byte[])seed.Bytes.Clone();
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(p), (ushort)(0xC000 | (target & 0x3FFF)));
                yield return new Mutant(seed.Name, "dns.pointer", $"{what}@{p}", bytes);
            }
        }
        if (dns + DnsHeader + 4 <= end)
        {
            var loop = (byte[])seed.Bytes.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(loop.AsSpan(dns + DnsHeader), 0xC000 | (DnsHeader + 2));
            BinaryPrimitives.WriteUInt16BigEndian(loop.AsSpan(dns + DnsHeader + 2), 0xC000 | DnsHeader);
            yield return new Mutant(seed.Name, "dns.pointer", $"loop@{dns + DnsHeader}", loop);
        }
    }

    private static int DnsStart(byte[] bytes, int start, int length)
    {
        int end = start + length;
        if (length < EthernetHeader + 28 || BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(start + 12)) != EtherTypeIpv4) return -1;
        int ip = start + EthernetHeader;
        int transport = ip + (bytes[ip] & 0x0F) * 4;
        if (bytes[ip + 9] != 17 || transport + 8 + DnsHeader > end) return -1;
        bool dnsPort = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport)) == 53 || BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(transport + 2)) == 53;
        return dnsPort ? transport + 8 : -1;
    }

    /// <summary>Random bit flips (one to four bits) and bytes overwritten with 0x00, 0xFF or a random value.</summary>
    private IEnumerable<Mutant> Flips(SeedInput seed, int count)
    {
        if (seed.Bytes.Length == 0) yield break;
        for (int i = 0; i < count; i++)
        {
            var bytes = (byte[])seed.Bytes.Clone();
            int edits = _random.Next(1, 5);
            int first = -1;
            bool overwrite = i % 4 == 3;
            for (int e = 0; e < edits; e++)
            {
                int at = _random.Next(bytes.Length);
                if (first < 0) first = at;
                bytes[at] = overwrite
                    ? (_random.Next(3) switch { 0 => (byte)0x00, 1 => (byte)0xFF, _ => (byte)_random.Next(256) })
                    : (byte)(bytes[at] ^ (1 << _random.Next(8)));
            }
            yield return new Mutant(seed.Name, overwrite ? "overwrite" : "flip", $"{i}@{first}", bytes);
        }
    }

    /// <summary>Text edits at line level: lines dropped, doubled, swapped, joined, over-long, binary, with huge numbers.</summary>
    private IEnumerable<Mutant> LineEdits(SeedInput seed)
    {
        var text = Encoding.UTF8.GetString(seed.Bytes);
        var lines = text.Split('\n').ToList();
        string Join(IEnumerable<string> l) => string.Join('\n', l);
        Mutant M(string op, string detail, string value) => new(seed.Name, op, detail, Encoding.UTF8.GetBytes(value));
        Mutant B(string op, string detail, byte[] value) => new(seed.Name, op, detail, value);

        for (int i = 0; i < lines.Count; i++)
        {
            yield return M("drop-line", $"{i}", Join(lines.Where((_, k) => k != i)));
            yield return M("double-line", $"{i}", Join(lines.Take(i + 1).Append(lines[i]).Concat(lines.Skip(i + 1))));
            if (i + 1 < lines.Count)
            {
                yield return M("join-lines", $"{i}", Join(lines.Take(i).Append(lines[i] + lines[i + 1]).Concat(lines.Skip(i + 2))));
                yield return M("swap-lines", $"{i}", Join(lines.Take(i).Append(lines[i + 1]).Append(lines[i]).Concat(lines.Skip(i + 2))));
            }
        }
        var huge = new[] { "99999999999999999999", "4294967296", "-1", "65536", "0", "2147483648", "9223372036854775808" };
        var numbers = System.Text.RegularExpressions.Regex.Matches(text, "[0-9]+").Take(200).ToList();
        for (int i = 0; i < numbers.Count; i++)
        {
            var m = numbers[i];
            string replacement = huge[i % huge.Length];
            yield return M("number", $"{replacement}@{m.Index}", text[..m.Index] + replacement + text[(m.Index + m.Length)..]);
        }
        int middle = seed.Boundaries[seed.Boundaries.Count / 2];
        var before = seed.Bytes[..middle];
        var after = seed.Bytes[middle..];
        yield return B("long-line", "70000", [.. before, .. Encoding.ASCII.GetBytes(new string('A', 70_000)), (byte)'\n', .. after]);
        yield return B("long-line", "70000-no-newline", [.. before, .. Encoding.ASCII.GetBytes("12:00:00.000000 IP " + new string('9', 70_000))]);
        yield return B("nul-bytes", $"@{middle}", [.. before, 0, 0, 0, 0, .. after]);
        yield return B("binary-line", $"@{middle}", [.. before, .. Enumerable.Range(0, 256).Select(b => (byte)b), (byte)'\n', .. after]);
        yield return B("invalid-utf8", $"@{middle}", [.. before, 0xC3, 0x28, 0xE2, 0x82, 0xFF, 0xFE, (byte)'\n', .. after]);
        yield return B("crlf", "all", Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal)));
        yield return B("cr-only", "all", Encoding.UTF8.GetBytes(text.Replace("\n", "\r", StringComparison.Ordinal)));
        yield return B("many-unparsed", "5000", [.. before, .. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("12:00:00.000000 IP ???\n", 5000))), .. after]);
        yield return B("bidi-and-escapes", $"@{middle}", [.. before, .. Encoding.UTF8.GetBytes(
            "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? \u202Eevil\u001b[31m</script>.com. (24)\n"), .. after]);
    }

    /// <summary>A prefix of one capture up to a record boundary, then the rest of another from one of its record boundaries.</summary>
    private IEnumerable<Mutant> Splices(IReadOnlyList<SeedInput> seeds)
    {
        if (seeds.Count == 0) yield break;
        for (int i = 0; i < 60 * seeds.Count; i++)
        {
            var a = seeds[_random.Next(seeds.Count)];
            var b = seeds[_random.Next(seeds.Count)];
            int cutA = a.Boundaries[_random.Next(a.Boundaries.Count)];
            int fromB = b.Boundaries[_random.Next(b.Boundaries.Count)];
            // Now and then one byte off, so the records no longer line up.
            if (i % 5 == 4) fromB = Math.Clamp(fromB + (_random.Next(2) == 0 ? -1 : 1), 0, b.Bytes.Length);
            yield return new Mutant(a.Name, "splice", $"{cutA}+{b.Name}@{fromB}", [.. a.Bytes.AsSpan(0, cutA), .. b.Bytes.AsSpan(fromB)]);
        }
    }

    /// <summary>Inputs of one kind followed by another: text after a pcap, a pcap after text, gzip inside, two gzip members.</summary>
    private IEnumerable<Mutant> Crossovers(IReadOnlyList<SeedInput> seeds)
    {
        for (int i = 0; i < 10 * seeds.Count; i++)
        {
            var a = seeds[_random.Next(seeds.Count)];
            var b = seeds[_random.Next(seeds.Count)];
            int cut = _random.Next(a.Bytes.Length + 1);
            yield return new Mutant(a.Name, "crossover", $"{cut}+{b.Name}", [.. a.Bytes.AsSpan(0, cut), .. b.Bytes]);
        }
    }
}
