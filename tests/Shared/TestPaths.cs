namespace NetTriage.Tests.Shared;

/// <summary>
/// Where the tests find their inputs: the repository (samples/) and the shared corpus that lives beside
/// the repository (../shared). Tests that need the shared corpus skip when it is absent.
/// </summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root: the first ancestor of the test assembly that holds NetTriage.slnx.</summary>
    public static string RepositoryRoot => Root.Value;

    public static string Samples => Path.Combine(RepositoryRoot, "samples");

    /// <summary>The shared folder beside the repository, or null when it is not there.</summary>
    public static string? Shared
    {
        get
        {
            var parent = Directory.GetParent(RepositoryRoot)?.FullName;
            if (parent is null) return null;
            var shared = Path.Combine(parent, "shared");
            return Directory.Exists(shared) ? shared : null;
        }
    }

    /// <summary>tcpdump's regression corpus (../shared/corpus/tcpdump), or null when it is absent.</summary>
    public static string? TcpdumpCorpus
    {
        get
        {
            var shared = Shared;
            if (shared is null) return null;
            var corpus = Path.Combine(shared, "corpus", "tcpdump");
            return Directory.Exists(corpus) ? corpus : null;
        }
    }

    public const string CorpusAbsent = "the shared corpus (../shared/corpus/tcpdump beside the repository) is absent";

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetTriage.slnx"))) return dir.FullName;
            dir = dir.Parent;
        }
        throw new InvalidOperationException("repository root (NetTriage.slnx) not found above the test assembly");
    }
}
