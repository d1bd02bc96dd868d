using System.Diagnostics;
using System.Globalization;
using NetTriage.Analysis;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>
/// The stages of <see cref="StageBenchmarks"/> and the families of <see cref="SensorBenchmarks"/>, timed as whole passes
/// over the generator's mixed traffic, the variants taking turns pass after pass. On a shared machine whose load drifts,
/// BenchmarkDotNet's short job runs one variant after another and their difference drifts with the load; taking turns
/// puts each variant under the same load. Prints the fastest and the median pass of each, in ns a packet.
/// <code>
/// dotnet run -c Release --project bench/NetTriage.Benchmarks -- passes none track tracksens all ScanDetection [--passes 10]
/// </code>
/// Variants: none (read and decode), track (and tracking), tracksens (and tracking and every sensor), all (every
/// sensor, no tracking), or a family's class name alone. Each is warmed up by 15 passes first (its tables full).
/// </summary>
public static class InterleavedPasses
{
    private const int Packets = 200_000;
    private const int Hosts = 1000;
    private const int WarmUpPasses = 15;

    public static void Run(string[] args)
    {
        int passes = 10;
        var variants = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--passes" && i + 1 < args.Length) passes = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else variants.Add(args[i]);
        }
        if (variants.Count == 0) variants.AddRange(["none", "track", "tracksens", "all"]);
        var capture = BenchCaptures.Mixed(Packets, Hosts);
        var packet = new DecodedPacket();
        var runs = new List<(string Name, Action Pass, List<double> Times)>();
        foreach (var name in variants)
        {
            var source = new EndlessSource(capture, Packets);
            var sensors = name is "none" or "track" ? null : new ActivitySensors(name is "all" or "tracksens" ? null : name);
            TrafficTracker? tracker = null;
            if (name is "track" or "tracksens")
            {
                var options = new AnalysisOptions();
                tracker = new TrafficTracker(options, new FailureRecorder(options));
            }
            void Pass()
            {
                source.Take(Packets);
                while (source.TryRead(packet))
                {
                    tracker?.Observe(packet, 0);
                    sensors?.Observe(packet, 0);
                }
            }
            for (int w = 0; w < WarmUpPasses; w++) Pass();
            runs.Add((name, Pass, []));
        }
        for (int r = 0; r < passes; r++)
        {
            foreach (var (_, pass, times) in runs)
            {
                var clock = Stopwatch.StartNew();
                pass();
                times.Add(clock.Elapsed.TotalNanoseconds / Packets);
            }
        }
        foreach (var (name, _, times) in runs)
        {
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-26} fastest {times[0],7:F1}  median {times[times.Count / 2],7:F1} ns a packet"));
        }
    }
}
