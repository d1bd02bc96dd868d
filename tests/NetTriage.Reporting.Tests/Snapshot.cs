using NetTriage.Tests.Shared;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// Approved-file snapshots: the text must equal tests/NetTriage.Reporting.Tests/Approved/NAME. When it does not
/// (or the file is missing), the text is written beside it as NAME with ".received" before the extension and
/// the test fails naming the first differing line and how to look at the change. Set NETTRIAGE_ACCEPT_SNAPSHOTS=1
/// to write received text as approved (then review the diff in git before committing).
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "NETTRIAGE_ACCEPT_SNAPSHOTS";

    public static string Directory => Path.Combine(TestPaths.RepositoryRoot, "tests", "NetTriage.Reporting.Tests", "Approved");

    public static void Verify(string name, string actual)
    {
        actual = Normalise(actual);
        string approvedPath = Path.Combine(Directory, name);
        string receivedPath = Path.Combine(Directory, ReceivedName(name));
        string? approved = File.Exists(approvedPath) ? Normalise(File.ReadAllText(approvedPath)) : null;
        if (approved == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true")
        {
            File.WriteAllText(approvedPath, actual);
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual);
        string where = approved is null ? "there is no approved file yet" : FirstDifference(approved, actual);
        Assert.Fail(
            $"Snapshot {name} differs from the approved file: {where}.\n" +
            $"  see the change:  diff -u {Relative(approvedPath)} {Relative(receivedPath)}\n" +
            $"  accept it:       mv {Relative(receivedPath)} {Relative(approvedPath)}   (or run the tests with {AcceptVariable}=1)");
    }

    /// <summary>"report.md" becomes "report.received.md".</summary>
    public static string ReceivedName(string name)
    {
        string ext = Path.GetExtension(name);
        return Path.GetFileNameWithoutExtension(name) + ".received" + ext;
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    internal static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? x = i < e.Length ? e[i] : null;
            string? y = i < a.Length ? a[i] : null;
            if (x != y)
            {
                return $"line {i + 1}: approved {Show(x)}, received {Show(y)}";
            }
        }
        return "the texts differ";
    }

    private static string Show(string? line) =>
        line is null ? "(end of file)" : "\"" + (line.Length > 120 ? line[..120] + "..." : line) + "\"";

    private static string Relative(string path) => Path.GetRelativePath(TestPaths.RepositoryRoot, path);
}
