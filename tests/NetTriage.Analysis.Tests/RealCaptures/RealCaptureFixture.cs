using System.Globalization;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests.RealCaptures;

/// <summary>One line of the manifest that tests/scripts/make-captures.sh writes.</summary>
/// <param name="Name">The scenario, e.g. "dns-stopped".</param>
/// <param name="PcapFile">The capture's file name inside the capture folder.</param>
/// <param name="ExpectedKind">The finding the scenario should produce, or "none" for the healthy one.</param>
/// <param name="Description">What was broken, in one line.</param>
/// <param name="DigExit">dig's exit code (0 answered, 9 no reply).</param>
/// <param name="DigStatus">The rcode dig printed (NOERROR, NXDOMAIN, ...), or "no-reply".</param>
/// <param name="CurlExit">curl's exit code, or null when the name did not resolve and curl was not run.</param>
/// <param name="HttpCode">The HTTP status curl reported ("000" when no response), or null when not run.</param>
public sealed record RealCaptureScenario(
    string Name,
    string PcapFile,
    string ExpectedKind,
    string Description,
    int DigExit,
    string DigStatus,
    int? CurlExit,
    string? HttpCode);

/// <summary>
/// Real failure captures, recorded once per test run by tests/scripts/make-captures.sh in private network
/// namespaces (a client, a router, a DNS and web server; one thing broken per scenario). The script needs
/// Linux, root and a few tools; where it cannot run, <see cref="Available"/> is false and
/// <see cref="SkipReason"/> says why. When the environment variable <see cref="PrebuiltVariable"/> names a
/// folder holding a manifest, those captures are used instead of recording new ones.
/// </summary>
public sealed class RealCaptureFixture : IDisposable
{
    /// <summary>Names a folder of captures made earlier by the script (e.g. on a machine where it can run).</summary>
    public const string PrebuiltVariable = "NETTRIAGE_REAL_CAPTURES";

    private const string ManifestFile = "manifest.tsv";

    private readonly bool _ownsDirectory;
    private readonly Dictionary<string, RealCaptureScenario> _scenarios = new(StringComparer.Ordinal);

    public RealCaptureFixture()
    {
        string? prebuilt = Environment.GetEnvironmentVariable(PrebuiltVariable);
        if (!string.IsNullOrEmpty(prebuilt))
        {
            Directory = Path.GetFullPath(prebuilt);
            Failure = LoadManifest();
            Available = Failure is null;
            return;
        }

        Directory = System.IO.Directory.CreateTempSubdirectory("nettriage-captures-").FullName;
        _ownsDirectory = true;
        (SkipReason, Failure, ScriptLog) = CaptureScript.Run("make-captures.sh", Directory);
        if (Failure is null && SkipReason is null)
        {
            Failure = LoadManifest();
            Available = Failure is null;
        }
    }

    /// <summary>True when the captures were made and the manifest read.</summary>
    public bool Available { get; private set; }

    /// <summary>Why the captures could not be made on this machine (not root, no namespaces, a tool missing).</summary>
    public string? SkipReason { get; private set; }

    /// <summary>
    /// Set when the script could run here but failed (a bug, or a scenario that did not behave): tests
    /// must fail then, not skip.
    /// </summary>
    public string? Failure { get; private set; }

    /// <summary>The folder that holds the captures and the manifest.</summary>
    public string Directory { get; }

    /// <summary>The scenarios of the manifest, in its order.</summary>
    public IReadOnlyList<RealCaptureScenario> Scenarios { get; private set; } = [];

    /// <summary>The script's standard error: one line per scenario with what the client saw.</summary>
    public string ScriptLog { get; private set; } = "";

    /// <summary>Fails the calling test when the script failed; skips it when the machine cannot run the script.</summary>
    public void RequireCaptures()
    {
        Assert.True(Failure is null, Failure);
        Skip.If(!Available, SkipReason);
    }

    /// <summary>The manifest line of <paramref name="scenario"/>; fails when the manifest lacks it.</summary>
    public RealCaptureScenario Scenario(string scenario)
    {
        Assert.True(_scenarios.TryGetValue(scenario, out var found),
            $"the manifest in {Directory} has no scenario '{scenario}'");
        return found;
    }

    /// <summary>The full path of <paramref name="scenario"/>'s capture.</summary>
    public string PathOf(string scenario) => Path.Combine(Directory, Scenario(scenario).PcapFile);

    public void Dispose()
    {
        // After a failure the captures and logs stay, for whoever reads the failure.
        if (!_ownsDirectory || Failure is not null) return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the folder is in the temporary directory and is left there.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Reads the manifest; returns what is wrong with it, or null.</summary>
    private string? LoadManifest()
    {
        string path = Path.Combine(Directory, ManifestFile);
        if (!File.Exists(path)) return $"{path} does not exist";
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0) return $"{path} is empty";
        string[] header = lines[0].Split('\t');
        string[] columns = ["scenario", "pcap", "expected_kind", "description", "dig_exit", "dig_status", "curl_exit", "http_code"];
        int[] at = new int[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            at[c] = Array.IndexOf(header, columns[c]);
            if (at[c] < 0) return $"{path} has no column '{columns[c]}'";
        }

        var list = new List<RealCaptureScenario>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            string[] f = lines[i].Split('\t');
            if (f.Length != header.Length) return $"{path} line {i + 1} has {f.Length} fields, not {header.Length}";
            if (!int.TryParse(f[at[4]], NumberStyles.None, CultureInfo.InvariantCulture, out int digExit))
            {
                return $"{path} line {i + 1}: dig_exit '{f[at[4]]}' is not a number";
            }
            int? curlExit = null;
            if (f[at[6]] != "-")
            {
                if (!int.TryParse(f[at[6]], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
                {
                    return $"{path} line {i + 1}: curl_exit '{f[at[6]]}' is not a number";
                }
                curlExit = code;
            }
            var entry = new RealCaptureScenario(f[at[0]], f[at[1]], f[at[2]], f[at[3]], digExit, f[at[5]], curlExit,
                f[at[7]] == "-" ? null : f[at[7]]);
            if (!_scenarios.TryAdd(entry.Name, entry)) return $"{path} lists '{entry.Name}' twice";
            list.Add(entry);
        }
        Scenarios = list;
        return null;
    }
}

/// <summary>Test classes in this collection share one run of the capture script.</summary>
[CollectionDefinition(Name)]
public sealed class RealCaptureCollection : ICollectionFixture<RealCaptureFixture>
{
    public const string Name = "Real captures";
}
