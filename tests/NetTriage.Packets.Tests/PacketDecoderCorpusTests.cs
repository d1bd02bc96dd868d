using NetTriage.Packets.Tests.Support;
using Xunit.Abstractions;

namespace NetTriage.Packets.Tests;

public class PacketDecoderCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_capture_in_the_tcpdump_corpus_decodes_without_an_exception_or_an_allocation()
    {
        var directory = SharedCorpus.TcpdumpDirectory();
        if (directory is null)
        {
            output.WriteLine("shared tcpdump corpus not found beside the repository; skipped");
            return;
        }
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var packet = new DecodedPacket();
        long packets = 0, anomalous = 0, anomalies = 0, allocated = 0, truncated = 0, files_ = 0;
        var byLayer = new Dictionary<PacketLayers, long>();
        var byKind = new Dictionary<AnomalyKind, long>();
        var failures = new List<string>();

        // The first pass warms every code path; a later pass must not allocate at all. Up to three later passes
        // run, because tiered compilation may still be replacing code during the first of them.
        long leastAllocated = long.MaxValue;
        for (int pass = 0; pass < 4 && leastAllocated != 0; pass++)
        {
            allocated = 0;
            foreach (var file in files)
            {
                if (pass == 0) files_++;
                long frame = 0;
                foreach (var f in TestCaptureFramer.Read(File.ReadAllBytes(file)))
                {
                    frame++;
                    packet.Reset();
                    packet.FrameNumber = frame;
                    packet.LinkType = f.LinkType;
                    packet.CapturedLength = f.Data.Count;
                    packet.OriginalLength = f.OriginalLength;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    try
                    {
                        PacketDecoder.Decode(f.LinkType, f.Data.AsSpan(), packet);
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{Path.GetFileName(file)} frame {frame}: {e.GetType().Name}: {e.Message}");
                        continue;
                    }
                    long after = GC.GetAllocatedBytesForCurrentThread();
                    if (pass == 0)
                    {
                        packets++;
                        if (packet.Truncated) truncated++;
                        if (packet.Anomalies.Count > 0) anomalous++;
                        anomalies += packet.Anomalies.Count;
                        foreach (var kind in packet.Anomalies.Kept) byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
                        foreach (var layer in Enum.GetValues<PacketLayers>())
                        {
                            if (layer != PacketLayers.None && packet.Has(layer)) byLayer[layer] = byLayer.GetValueOrDefault(layer) + 1;
                        }
                    }
                    else
                    {
                        allocated += after - before;
                    }
                }
            }
            if (pass > 0) leastAllocated = Math.Min(leastAllocated, allocated);
        }

        output.WriteLine($"{files_} files, {packets} packets, {truncated} truncated, {anomalous} with anomalies, {anomalies} anomalies");
        output.WriteLine("layers: " + string.Join(", ", byLayer.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        output.WriteLine("anomalies: " + string.Join(", ", byKind.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Empty(failures);
        Assert.Equal(0, leastAllocated);
        Assert.True(packets > 0);
    }
}
