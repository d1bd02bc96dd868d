using System.Runtime.CompilerServices;

// The stage benchmarks drive the tracker directly, to time tracking without the reading around it.
[assembly: InternalsVisibleTo("NetTriage.Benchmarks")]
