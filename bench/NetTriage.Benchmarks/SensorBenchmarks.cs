using BenchmarkDotNet.Attributes;
using NetTriage.Analysis;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Benchmarks;

/// <summary>
/// Each activity family alone on the generator's mixed traffic, per packet, after read and decode (the baseline,
/// "none"): where the sensors' cost goes. The families are warmed up to their steady state first, as in
/// <see cref="StageBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class SensorBenchmarks
{
    private const int Packets = StageBenchmarks.Packets;
    private const int CapturePackets = 200_000;

    [Params("none", "ScanDetection", "FloodDetection", "DnsSpoofingDetection", "TlsFailureDetection", "BeaconDetection", "ReflectionDetection", "BruteForceDetection", "ResolverSwitchDetection", "DnsTunnelDetection", "HttpErrorDetection", "all")]
    public string Family { get; set; } = "all";

    private EndlessSource _source = null!;
    private ActivitySensors _sensors = null!;
    private readonly DecodedPacket _packet = new();

    [GlobalSetup]
    public void Setup()
    {
        var capture = BenchCaptures.Mixed(CapturePackets, 1000);
        _source = new EndlessSource(capture, CapturePackets);
        _sensors = new ActivitySensors(Family == "all" ? null : Family);
        for (int pass = 0; pass < 15; pass++)
        {
            _source.Take(CapturePackets);
            while (_source.TryRead(_packet)) _sensors.Observe(_packet, 0);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _source.Dispose();

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadDecodeSense()
    {
        long n = 0;
        _source.Take(Packets);
        while (_source.TryRead(_packet))
        {
            _sensors.Observe(_packet, 0);
            n++;
        }
        return n;
    }
}
