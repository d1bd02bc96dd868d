namespace NetTriage.History;

/// <summary>
/// The history store could not be opened, read or written. The message is one line for standard error: what was
/// not done and why ("cannot open the SQLite store /x/history.db: file is not a database"). Nothing in the store
/// was changed by the operation that failed (each write is one transaction).
/// </summary>
public sealed class HistoryException : Exception
{
    public HistoryException()
    {
    }

    public HistoryException(string message) : base(message)
    {
    }

    public HistoryException(string message, Exception inner) : base(message, inner)
    {
    }
}
