namespace NetTriage.Packets.Tests.Formatting;

/// <summary>
/// Finds the shared tcpdump corpus: walks up from the test assembly to the repository root (the folder
/// holding NetTriage.slnx) and looks for <c>shared/corpus/tcpdump</c> beside it. Absent on machines that
/// do not have it; tests that use it return early then.
/// </summary>
internal static class CorpusFiles
{
    public static string? TcpdumpDirectory { get; } = Find();

    /// <summary>The lines of a tcpdump .out file, or null when the corpus is not present.</summary>
    public static string[]? ReadLines(string fileName)
    {
        if (TcpdumpDirectory is null)
        {
            return null;
        }
        string path = Path.Combine(TcpdumpDirectory, fileName);
        return File.Exists(path) ? File.ReadAllLines(path) : null;
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetTriage.slnx")))
            {
                string? parent = dir.Parent?.FullName;
                if (parent is null)
                {
                    return null;
                }
                string corpus = Path.Combine(parent, "shared", "corpus", "tcpdump");
                return Directory.Exists(corpus) ? corpus : null;
            }
        }
        return null;
    }
}
