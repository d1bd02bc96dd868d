namespace NetTriage.Cli;

/// <summary>The program's exit codes; README documents them.</summary>
public static class ExitCodes
{
    /// <summary>The input was read (warnings, such as a file cut mid-record, go to standard error).</summary>
    public const int Success = 0;
    /// <summary>`analyze --fail-on` was given and the analysis found what it names (the report is still written).</summary>
    public const int IncidentFound = 1;
    /// <summary>
    /// The report was written but the analysis could not be recorded in the history store (it cannot be opened, is not
    /// a NetTriage store, is from a newer version, or the server is down); one line on standard error says why.
    /// <see cref="IncidentFound"/> takes precedence: a pipeline that fails on incidents still sees them.
    /// </summary>
    public const int NotRecorded = 3;
    /// <summary>Bad input (unreadable, not a capture, corrupt) or bad usage.</summary>
    public const int BadInput = 2;
    /// <summary>A fault in NetTriage itself; the message asks for a report.</summary>
    public const int InternalError = 70;
}
