using NetTriage.Packets;
using NetTriage.Tests.Shared;
using Xunit.Abstractions;

namespace NetTriage.Capture.Tests;

/// <summary>
/// Every pcap and pcapng file of the shared tcpdump test corpus is read to its end: the only exception
/// allowed is <see cref="CaptureFormatException"/> (the corpus holds deliberately broken files).
/// </summary>
public class CorpusTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void EveryCorpusCaptureReadsToTheEnd()
    {
        string? corpus = TestPaths.TcpdumpCorpus;
        Skip.If(corpus is null, TestPaths.CorpusAbsent);

        var files = Directory.EnumerateFiles(corpus)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        int ok = 0, warned = 0, failed = 0;
        long packets = 0;
        var unexpected = new List<string>();
        var packet = new DecodedPacket();
        foreach (string file in files)
        {
            try
            {
                using var source = CaptureOpener.Open(file);
                while (source.TryRead(packet))
                {
                    packets++;
                }
                if (source.Warnings.Count > 0)
                {
                    warned++;
                    output.WriteLine($"warning {Path.GetFileName(file)}: {source.Warnings[0]}");
                }
                else
                {
                    ok++;
                }
            }
            catch (CaptureFormatException e)
            {
                failed++;
                output.WriteLine($"error   {Path.GetFileName(file)}: {e.Reason}: {e.Detail} (offset {e.Offset})");
            }
#pragma warning disable CA1031 // any other exception is the failure this test looks for
            catch (Exception e)
#pragma warning restore CA1031
            {
                unexpected.Add($"{Path.GetFileName(file)}: {e}");
            }
        }

        output.WriteLine($"{files.Count} files: {ok} ok, {warned} with a warning, {failed} refused; {packets} packets");
        Assert.Empty(unexpected);
        Assert.NotEmpty(files);
        Assert.True(ok > files.Count / 2, $"only {ok} of {files.Count} files read cleanly");
    }
}
