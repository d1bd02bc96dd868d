namespace NetTriage.Packets.Tests.Formatting;

/// <summary>
/// Measures what a piece of code allocates on the current thread once the JIT has settled. Code first
/// runs unoptimised (tier 0), where generic formatting calls may box; optimised code replaces it only
/// after a delay on a background thread. So the body is run in rounds with short pauses between them,
/// and the smallest count seen is returned, stopping early at zero. Nothing here is timed.
/// </summary>
internal static class AllocationProbe
{
    public static long SteadyStateBytes(Action body, int iterationsPerRound = 200, int maxRounds = 50)
    {
        long least = long.MaxValue;
        for (int round = 0; round < maxRounds && least > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterationsPerRound; i++)
            {
                body();
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            if (least > 0)
            {
                Thread.Sleep(100);
            }
        }
        return least;
    }
}
