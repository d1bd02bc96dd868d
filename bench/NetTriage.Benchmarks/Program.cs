using BenchmarkDotNet.Running;

namespace NetTriage.Benchmarks;

public static class Program
{
    /// <summary>Run with: dotnet run -c Release --project bench/NetTriage.Benchmarks -- --filter '*'</summary>
    /// <summary>Or, for the stages and families timed in alternating passes: ... -- passes [VARIANT...] (see <see cref="InterleavedPasses"/>).</summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "passes") InterleavedPasses.Run(args[1..]);
        else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
