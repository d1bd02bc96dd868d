using System.Diagnostics;

namespace NetTriage.Live.Probes;

/// <summary>
/// The budget of a run: time since the start, what remains, and a step's timeout cut to what remains (less
/// a reserve kept for the capture to drain).
/// </summary>
internal sealed class ProbeClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeSpan _budget;
    private readonly TimeSpan _reserve;

    public ProbeClock(TimeSpan budget, TimeSpan reserve)
    {
        _budget = budget;
        _reserve = reserve;
        StartedUtc = DateTime.UtcNow;
    }

    public DateTime StartedUtc { get; }

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Time left for probes (the reserve excluded).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _budget - _reserve - _watch.Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public bool Exhausted => Remaining <= TimeSpan.Zero;

    /// <summary>The step's own timeout, or what remains of the budget when that is less.</summary>
    public TimeSpan Limit(TimeSpan stepTimeout) => stepTimeout < Remaining ? stepTimeout : Remaining;
}
