using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NetTriage.Capture.Text;
using NetTriage.Packets;
using Xunit.Abstractions;

namespace NetTriage.Capture.Tests.Text;

/// <summary>
/// Reads every expected output of tcpdump's own test suite (shared/corpus/tcpdump/*.out, made with -# -n and the
/// options TESTLIST gives). Skips when the shared folder is not beside the repository.
/// </summary>
public partial class CorpusTests(ITestOutputHelper output)
{
    /// <summary>Options that change only the time and number columns, so the records are plain one-line summaries.</summary>
    private static readonly HashSet<string> PlainOptions = ["-n", "-#", "-t", "-tt", "-ttt", "-tttt", "-ttttt", "--nano", "SPECIAL_t"];

    /// <summary>Share of records that may be left unread in the plain outputs.</summary>
    private const double MaxUnparsedShare = 0.05;

    [GeneratedRegex(@"^ *\d+  ")]
    private static partial Regex FrameNumberLine();

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d+ ")]
    private static partial Regex TimeLine();

    /// <summary>The corpus folder: walk up from the test assembly to the repository root, then its sibling "shared".</summary>
    internal static string? FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetTriage.slnx")))
            {
                string corpus = Path.Combine(dir.FullName, "..", "shared", "corpus", "tcpdump");
                return Directory.Exists(corpus) ? Path.GetFullPath(corpus) : null;
            }
        }
        return null;
    }

    private static Dictionary<string, string[]> ReadTestList(string corpus)
    {
        var options = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string list = Path.Combine(corpus, "TESTLIST");
        if (!File.Exists(list)) return options;
        foreach (string raw in File.ReadLines(list))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3) options[parts[2]] = parts[3..];
        }
        return options;
    }

    [Fact]
    public void EveryExpectedOutputIsReadRecordForRecord()
    {
        string? corpus = FindCorpus();
        if (corpus is null)
        {
            output.WriteLine("shared/corpus/tcpdump not found beside the repository; skipped.");
            return;
        }
        var options = ReadTestList(corpus);
        var packet = new DecodedPacket();
        long parsed = 0, unparsed = 0, plainParsed = 0, plainUnparsed = 0;
        int files = 0, plainFiles = 0;
        var report = new StringBuilder();
        var miscounted = new List<string>();

        foreach (string file in Directory.GetFiles(corpus, "*.out").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            bool listed = options.TryGetValue(name, out string[]? opts);
            bool plain = listed && opts!.All(PlainOptions.Contains);

            // A record starts at each line with a frame number (or, for outputs made without -#, with a time).
            string[] lines = File.ReadAllLines(file, Encoding.Latin1);
            int expected = lines.Count(l => FrameNumberLine().IsMatch(l));
            if (expected == 0) expected = lines.Count(l => TimeLine().IsMatch(l));

            using var source = new TcpdumpTextSource(File.OpenRead(file), name, compressed: false, totalBytes: null);
            int records = 0;
            while (source.TryRead(packet))
            {
                records++;
                Assert.Equal(PacketOrigin.Text, packet.Origin);
                Assert.Equal(LinkType.Text, packet.LinkType);
                Assert.InRange(packet.LineNumber, 1, lines.Length);
                Assert.Equal(packet.Unparsed, packet.Anomalies.Contains(AnomalyKind.TextLineUnparsed));
            }
            Assert.Equal(records, source.ParsedRecords + source.UnparsedLines);
            if (records != expected) miscounted.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {records} records, {expected} expected"));

            files++;
            parsed += source.ParsedRecords;
            unparsed += source.UnparsedLines;
            if (plain)
            {
                plainFiles++;
                plainParsed += source.ParsedRecords;
                plainUnparsed += source.UnparsedLines;
            }
            string kind = plain ? "plain" : listed ? string.Join(' ', opts!) : "not in TESTLIST";
            report.Append(CultureInfo.InvariantCulture, $"{name} [{kind}]: parsed {source.ParsedRecords}, unparsed {source.UnparsedLines}").AppendLine();
        }

        double share = (double)plainUnparsed / Math.Max(1, plainParsed + plainUnparsed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all {files} files: parsed {parsed}, unparsed {unparsed} ({100.0 * unparsed / Math.Max(1, parsed + unparsed):F2}%)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plain-option files ({plainFiles}): parsed {plainParsed}, unparsed {plainUnparsed} ({100.0 * share:F2}%)"));
        output.WriteLine(report.ToString());

        Assert.Empty(miscounted);
        Assert.True(share < MaxUnparsedShare, string.Create(CultureInfo.InvariantCulture, $"{100.0 * share:F2}% of plain records unparsed"));
    }
}
