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
            var info = input == "-" ? null : new FileInfo(input);
            if (info is null || !info.Exists)
            {
                kept.Add(input); // standard input, or a name whose own error comes when it is opened
                continue;
            }
            string full = Resolve(info);
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

    /// <summary>The file's full path with symbolic links followed, so two names of one file compare equal.</summary>
    private static string Resolve(FileInfo info)
    {
        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        }
        catch (IOException)
        {
            return info.FullName;
        }
    }
}
