namespace NetTriage.Packets.Tests.Support;

/// <summary>Finds the shared corpus beside the repository: &lt;repo&gt;/../shared, where &lt;repo&gt; holds NetTriage.slnx.</summary>
internal static class SharedCorpus
{
    public static string? TcpdumpDirectory() => Directory("tcpdump");

    /// <summary>A trace of Zeek's test suite (corpus/zeek/Traces), or null when the corpus or the trace is absent.</summary>
    public static string? ZeekTrace(string name)
    {
        var traces = Directory("zeek") is { } zeek ? Path.Combine(zeek, "Traces", name) : null;
        return traces is not null && File.Exists(traces) ? traces : null;
    }

    private static string? Directory(string corpusName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetTriage.slnx")))
            {
                var corpus = dir.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "corpus", corpusName);
                return corpus is not null && System.IO.Directory.Exists(corpus) ? corpus : null;
            }
        }
        return null;
    }
}
