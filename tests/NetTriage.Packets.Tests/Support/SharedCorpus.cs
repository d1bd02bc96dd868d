namespace NetTriage.Packets.Tests.Support;

/// <summary>Finds the shared corpus beside the repository: &lt;repo&gt;/../shared, where &lt;repo&gt; holds NetTriage.slnx.</summary>
internal static class SharedCorpus
{
    public static string? TcpdumpDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetTriage.slnx")))
            {
                var corpus = dir.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "corpus", "tcpdump");
                return corpus is not null && Directory.Exists(corpus) ? corpus : null;
            }
        }
        return null;
    }
}
