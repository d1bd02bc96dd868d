using System.Security.Cryptography;
using NetTriage.Packets.Formatting;

namespace NetTriage.Cli.Commands;

/// <summary>
/// The inputs of one analysis, each capture once: a file named twice, or two copies of one capture, would count
/// every packet twice. Two files are one capture when they are the same file or have the same size and the same
/// SHA-256; only files of equal size are hashed (one extra read, rare). Standard input is always read.
/// </summary>
internal static class DistinctInputs
{
    public static IReadOnlyList<string> Of(IReadOnlyList<string> inputs, List<string> warnings)
    {
        if (inputs.Count < 2) return inputs;
        var kept = new List<string>(inputs.Count);
        var seen = new List<(string Name, string FullPath, long Size)>();
        Dictionary<string, byte[]>? hashes = null;
        foreach (var input in inputs)
        {
            var info = input == "-" ? null : Resolve(new FileInfo(input));
            if (info is null || !info.Exists || info.Length == 0)
            {
                // Standard input; a name whose own error comes when it is opened; or no regular file (a pipe, as
                // `<(zcat a.pcap.gz)` gives, has no size): hashing would read it, and nothing would be left to analyse.
                kept.Add(input);
                continue;
            }
            string full = info.FullName;
            long size = info.Length;
            string? same = null;
            foreach (var other in seen)
            {
                if (other.Size != size) continue;
                if (other.FullPath == full || Hash(other.FullPath).AsSpan().SequenceEqual(Hash(full)))
                {
                    same = other.Name;
                    break;
                }
            }
            if (same is not null)
            {
                warnings.Add($"nettriage: {TerminalEscaper.Escape(input)}: warning: the same capture as {TerminalEscaper.Escape(same)} (same size and content): read once");
                continue;
            }
            seen.Add((input, full, size));
            kept.Add(input);
        }
        return kept;

        byte[] Hash(string path)
        {
            hashes ??= [];
            if (!hashes.TryGetValue(path, out var hash))
            {
                using var stream = File.OpenRead(path);
                hash = SHA256.HashData(stream);
                hashes[path] = hash;
            }
            return hash;
        }
    }

    /// <summary>
    /// The file with symbolic links followed (a link's own size is its target's name): two names of one file compare
    /// equal, and /dev/fd/63 of a process substitution is its pipe, which does not exist as a file. Null when the
    /// link cannot be followed.
    /// </summary>
    private static FileInfo? Resolve(FileInfo info)
    {
        try
        {
            return info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
