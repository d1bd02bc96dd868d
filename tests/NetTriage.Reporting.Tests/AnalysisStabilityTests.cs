using NetTriage.Synthetic;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Reporting.Document;
using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Holds what the analysis says about a fixed set of inputs: the samples, every capture <see cref="TestCaptures"/>
/// builds, synthetic mixed captures, and every file of the shared corpus (tcpdump's and Zeek's test traces, when
/// present). For each, the JSON of the analysis and the plain-text report are reduced to SHA-256 digests and held
/// against Approved/analysis-digests.tsv, so a change meant to keep behaviour (a restructuring) proves that it
/// did, input by input. A changed digest names the input; run the tests with NETTRIAGE_ACCEPT_SNAPSHOTS=1 to
/// write the new digests, and look at the JSON of that input before and after (`nettriage analyze --format json`).
/// </summary>
public sealed class AnalysisStabilityTests
{
    private const string DigestFile = "analysis-digests.tsv";

    private static IEnumerable<(string Name, Func<byte[]> Bytes)> BuiltInputs()
    {
        foreach (var file in Directory.GetFiles(TestPaths.Samples).Order(StringComparer.Ordinal))
        {
            string name = "samples/" + Path.GetFileName(file);
            yield return (name, () => File.ReadAllBytes(file));
        }
        // Every capture the report tests build (each parameterless builder of TestCaptures).
        foreach (var method in typeof(TestCaptures).GetMethods(BindingFlags.Public | BindingFlags.Static)
                     .Where(m => m.ReturnType == typeof(byte[]) && m.GetParameters().Length == 0)
                     .OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            yield return ("built/" + method.Name, () => (byte[])method.Invoke(null, null)!);
        }
        foreach (var (packets, seed, hosts) in new[] { (60_000, 7, 300), (80_000, 11, 400), (20_000, 3, 4000) })
        {
            yield return ($"synthetic/packets-{packets}-seed-{seed}-hosts-{hosts}", () =>
            {
                using var stream = new MemoryStream();
                SyntheticCapture.WritePackets(stream, packets, seed, hosts);
                return stream.ToArray();
            });
        }
    }

    private static IEnumerable<(string Name, Func<byte[]> Bytes)> CorpusInputs()
    {
        var shared = TestPaths.Shared;
        if (shared is null) yield break;
        var corpus = Path.Combine(shared, "corpus");
        if (!Directory.Exists(corpus)) yield break;
        foreach (var file in Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(corpus, f).Replace('\\', '/'))
                     .Where(f => !f.EndsWith(".log", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal)
                         && !f.EndsWith(".tsv", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            yield return ("corpus/" + file, () => File.ReadAllBytes(Path.Combine(corpus, file)));
        }
    }

    /// <summary>The digests of one input: its analysis as JSON and as the plain-text report, or the error it gives.</summary>
    private static string Digest(string name, byte[] bytes)
    {
        AnalysisReport report;
        try
        {
            var analyzer = new Analyzer(new AnalysisOptions { Threads = 1 });
            using (var source = CaptureOpener.Open(new MemoryStream(bytes), name))
            {
                analyzer.Read(source);
            }
            report = analyzer.Finish();
        }
        catch (CaptureFormatException ex)
        {
            return "error\t" + Hash(ex.Message);
        }
        return Hash(AnalysisJson.Serialize(report)) + "\t" + Hash(ReportWriter.Write(ReportFormat.Text, report));
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..24];

    [Fact]
    public void Analyses_of_built_inputs_are_unchanged() => Verify("built", BuiltInputs());

    [SkippableFact]
    public void Analyses_of_the_corpus_are_unchanged()
    {
        Skip.If(TestPaths.Shared is null, TestPaths.CorpusAbsent);
        Verify("corpus", CorpusInputs());
    }

    private static void Verify(string part, IEnumerable<(string Name, Func<byte[]> Bytes)> inputs)
    {
        var actual = inputs.Select(i => (i.Name, Digest: Digest(i.Name, i.Bytes()))).ToList();
        Assert.NotEmpty(actual);
        string path = Path.Combine(Snapshot.Directory, DigestFile);
        var approved = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split('\t', 2)).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var prefix = part == "built" ? new[] { "samples/", "built/", "synthetic/" } : ["corpus/"];
        bool Mine(string name) => prefix.Any(p => name.StartsWith(p, StringComparison.Ordinal));

        var changed = actual.Where(a => !approved.TryGetValue(a.Name, out var d) || d != a.Digest).Select(a => a.Name).ToList();
        var gone = approved.Keys.Where(Mine).Except(actual.Select(a => a.Name)).ToList();
        if (changed.Count == 0 && gone.Count == 0) return;
        if (Environment.GetEnvironmentVariable(Snapshot.AcceptVariable) is "1" or "true")
        {
            foreach (var name in gone) approved.Remove(name);
            foreach (var (name, digest) in actual) approved[name] = digest;
            File.WriteAllLines(path, approved.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "\t" + kv.Value));
            return;
        }
        Assert.Fail($"The analysis changed for {changed.Count} input(s) ({string.Join(", ", changed.Take(10))}" +
            (changed.Count > 10 ? ", ..." : "") + ")" + (gone.Count > 0 ? $"; {gone.Count} approved input(s) are gone" : "") +
            $". If the change is meant, run the tests with {Snapshot.AcceptVariable}=1 and review each input's JSON before and after.");
    }
}
