using System.Runtime.CompilerServices;

namespace NetTriage.Tests.Shared;

/// <summary>
/// `show` and the human reports print times in the local time zone, as tcpdump does. So that no test depends on
/// the zone of the machine it runs on, each test process sets TZ=UTC (inherited by the programs it runs, tcpdump
/// included); the tests of the time zones choose theirs explicitly (TZ for a child process, or an injected zone).
/// </summary>
internal static class TimeZoneIsolation
{
#pragma warning disable CA2255 // a test assembly's set-up, run once when it loads
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseUtc()
    {
        Environment.SetEnvironmentVariable("TZ", "UTC");
        TimeZoneInfo.ClearCachedData();
    }
}
