using System.Runtime.CompilerServices;

namespace NetTriage.Tests.Shared;

/// <summary>
/// Every analysis is recorded in the history store by default, and a report's "Previous trends" depend on what
/// was recorded before. Tests must neither write into the user's own history nor see each other's analyses: each
/// test process turns the store off (NETTRIAGE_STORE=off, inherited by the programs and scripts it runs), and the
/// history's own tests name their store with --store.
/// </summary>
internal static class HistoryIsolation
{
#pragma warning disable CA2255 // a test assembly's set-up, run once when it loads
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void TurnOffTheStore() => Environment.SetEnvironmentVariable("NETTRIAGE_STORE", "off");
}
