using System.Text;
using System.Text.Json;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Hostile DNS names (markup that closes a script element, terminal escapes, BEL and NUL, a right-to-left override,
/// quotes and backslashes, line breaks, a name of 250 bytes) in a binary capture and in tcpdump text, through
/// `analyze --format json` and `show --json`: the output is plain printable ASCII in which nothing from the capture
/// can act as markup, an escape sequence or a line break, it parses, and the names are still there to read.
/// </summary>
public sealed class JsonInjectionTests : IDisposable
{
    private static readonly string[] HostileLabels =
    [
        "</script><script>alert(1)</script>",
        "\u001b[31mred\u001b[0m\u001b]0;title\u0007",
        "bell\u0007nul\u0000del\u007f",
        "evil\u00e2\u0080\u00aegnp",            // U+202E RIGHT-TO-LEFT OVERRIDE as its UTF-8 bytes
        "\u00e2\u0081\u00a6isolate\u00e2\u0081\u00a9", // U+2066 and U+2069 (bidi isolates) as UTF-8 bytes
        "quote\"back\\slash'apos&amp",
        "line\r\nbreak\u2028",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<string> HostileNames()
    {
        foreach (var label in HostileLabels)
        {
            yield return label.Replace("\u2028", "", StringComparison.Ordinal) + ".example";
        }
        // 250 bytes: four labels of 60 and the rest (RFC 1035 2.3.4 allows 255 on the wire).
        yield return string.Join('.', Enumerable.Range(0, 4).Select(i => new string((char)('a' + i), 60))) + ".example";
    }

    /// <summary>Each hostile name queried three times, each query answered by the server with ICMP port unreachable.</summary>
    private string HostilePcap()
    {
        var client = IpAddr.Parse("192.51.100.15");
        var server = IpAddr.Parse("203.0.113.2");
        var path = Path.Combine(_dir, "hostile.pcap");
        using var file = File.Create(path);
        using var writer = new PcapWriter(file, LinkType.Ethernet);
        var query = new byte[600];
        var error = new byte[700];
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int dns = ip + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
        long nanos = 0;
        ushort id = 1;
        foreach (var name in HostileNames())
        {
            for (int attempt = 0; attempt < 3; attempt++, id++)
            {
                // FrameBuilder writes each character of a label as one byte.
                int n = FrameBuilder.WriteDnsQuery(query.AsSpan(dns), id, name, 1);
                var frame = RobustCaptures.Udp(query, client, server, 50000, 53, n);
                writer.Write(PacketTimestamp.FromUnix(1_700_000_000, nanos), frame);
                nanos += 200_000_000;

                FrameBuilder.WriteEthernet(error, new MacAddress(0x02_00_00_00_00_01), new MacAddress(0x02_00_00_00_00_0A), EtherType.Ipv4);
                int icmp = FrameBuilder.WriteIcmpError(error.AsSpan(ip + FrameBuilder.Ipv4HeaderLength), 3, 3, frame[ip..]);
                FrameBuilder.WriteIpv4(error.AsSpan(ip), server, client, IpProtocol.Icmp, icmp, id);
                writer.Write(PacketTimestamp.FromUnix(1_700_000_000, nanos), error.AsSpan(0, ip + FrameBuilder.Ipv4HeaderLength + icmp));
                nanos += 800_000_000;
            }
        }
        return path;
    }

    /// <summary>
    /// The same attack as text in tcpdump's form, the bytes as they are (tcpdump itself would escape them). A NUL is
    /// left out: text with a NUL is refused as binary (FormatDetector), which is tested elsewhere.
    /// </summary>
    private string HostileText()
    {
        var lines = new List<string>();
        int second = 10;
        ushort id = 300;
        foreach (var name in HostileNames().Select(n => n.Replace("\u0000", "", StringComparison.Ordinal)))
        {
            lines.Add($"13:24:{second:D2}.100000 IP 192.51.100.15.{40000 + id} > 203.0.113.2.53: {id}+ A? {name}. (40)");
            lines.Add($"13:24:{second:D2}.300000 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 68");
            second++;
            id++;
        }
        var path = Path.Combine(_dir, "hostile.txt");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(string.Join("\n", lines) + "\n"));
        return path;
    }

    public static TheoryData<string> Inputs() => ["pcap", "text"];

    private string Input(string kind) => kind == "pcap" ? HostilePcap() : HostileText();

    /// <summary>Only printable ASCII and the line breaks between records; no character that HTML, a terminal or a shell reads as more than text.</summary>
    private static void AssertInertJsonText(string output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            char c = output[i];
            Assert.True(c == '\n' || (c >= 0x20 && c < 0x7F), $"character U+{(int)c:X4} at {i}: {Excerpt(output, i)}");
            Assert.True(c is not ('<' or '>' or '&' or '\'' or '`'), $"'{c}' at {i}: {Excerpt(output, i)}");
        }
    }

    private static string Excerpt(string s, int at) => s.Substring(Math.Max(0, at - 40), Math.Min(80, s.Length - Math.Max(0, at - 40)));

    /// <summary>Every string value in the document, with its path.</summary>
    private static IEnumerable<(string Path, string Value)> Strings(JsonElement e, string path = "$")
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, e.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    foreach (var s in Strings(p.Value, path + "." + p.Name)) yield return s;
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var s in Strings(item, $"{path}[{i++}]")) yield return s;
                }
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Analyze_json_keeps_hostile_names_inert_and_readable(string kind)
    {
        var result = CliRunner.Run("analyze", "--format", "json", Input(kind));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        AssertInertJsonText(result.Stdout);
        Assert.DoesNotContain("</script", result.Stdout, StringComparison.OrdinalIgnoreCase);

        using var doc = JsonDocument.Parse(result.Stdout);
        var strings = Strings(doc.RootElement).ToList();
        // The analysis model holds names in their presentation form: parsed back, no value carries a control
        // character or a bidirectional control that `jq -r` would hand to a terminal.
        foreach (var (path, value) in strings)
        {
            foreach (char c in value)
            {
                Assert.False(char.IsControl(c) && c != '\n', $"{path} holds U+{(int)c:X4}: {value}");
                Assert.False(c is '\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069' or '\u2028' or '\u2029',
                    $"{path} holds bidi or separator U+{(int)c:X4}: {value}");
            }
        }
        // The names are still there to read.
        Assert.Contains(strings, s => s.Value.Contains("<script>alert(1)</script>", StringComparison.Ordinal));
        Assert.Contains(strings, s => s.Value.Contains(new string('d', 60) + ".example", StringComparison.Ordinal));
        Assert.NotEmpty(doc.RootElement.GetProperty("incidents").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Show_json_writes_one_inert_json_line_per_packet(string kind)
    {
        var input = Input(kind);
        var result = CliRunner.Run("show", "--json", input);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        AssertInertJsonText(result.Stdout);

        var lines = result.StdoutLines;
        int expected = kind == "pcap" ? HostileNames().Count() * 6 : HostileNames().Count() * 2;
        Assert.Equal(expected, lines.Length);
        var names = new List<string>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("dns", out var dns) && dns.TryGetProperty("questions", out var questions))
            {
                names.AddRange(questions.EnumerateArray().Select(q => q.GetProperty("name").GetString()!));
            }
        }
        // Parsed back, the names read as they were sent.
        Assert.Contains(names, n => n.StartsWith("</script><script>alert(1)</script>.example", StringComparison.Ordinal));
        if (kind == "pcap")
        {
            // The decoder gives bytes outside printable ASCII in tcpdump's \DDD form.
            Assert.Contains(names, n => n.StartsWith(@"\027[31mred\027[0m\027]0;title\007.example", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith(@"evil\226\128\174gnp.example", StringComparison.Ordinal));
        }
    }
}
