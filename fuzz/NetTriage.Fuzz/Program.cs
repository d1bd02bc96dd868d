using SharpFuzz;

namespace NetTriage.Fuzz;

/// <summary>
/// The fuzzing harness (docs/robustness.md). Usage:
///   NetTriage.Fuzz TARGET                 run under afl-fuzz (fuzz/run.sh does this)
///   NetTriage.Fuzz seeds TARGET DIR       write the target's starting inputs into DIR
///   NetTriage.Fuzz replay TARGET PATH...  run files (or every file of folders) through the target; exit 1 if any crashes
///   NetTriage.Fuzz capture TARGET IN OUT  write the capture the target makes of IN (a regression file for the tests)
/// TARGET is one of pcap, pcapng, text, dns, icmp.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 1 && Targets.Get(args[0]) is { } target)
        {
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                target(copy.ToArray());
            });
            return 0;
        }
        if (args.Length == 3 && args[0] == "seeds" && Targets.Get(args[1]) is not null)
        {
            Seeds.Write(args[1], args[2]);
            return 0;
        }
        if (args.Length >= 3 && args[0] == "replay" && Targets.Get(args[1]) is { } replayed)
        {
            return Replay(replayed, args.Skip(2));
        }
        if (args.Length == 4 && args[0] == "capture" && Targets.Get(args[1]) is not null)
        {
            File.WriteAllBytes(args[3], Targets.CaptureOf(args[1], File.ReadAllBytes(args[2])));
            return 0;
        }
        Console.Error.WriteLine("usage: NetTriage.Fuzz TARGET | seeds TARGET DIR | replay TARGET PATH... | capture TARGET IN OUT   (TARGET: " + string.Join(", ", Targets.Names) + ")");
        return 2;
    }

    private static int Replay(Action<byte[]> target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
        int crashes = 0;
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Replaying reports every kind of failure, then goes on with the next file.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                crashes++;
                Console.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
                Console.WriteLine(ex.StackTrace);
            }
        }
        Console.WriteLine($"replayed {files.Count} file(s), {crashes} crash(es)");
        return crashes == 0 ? 0 : 1;
    }
}
