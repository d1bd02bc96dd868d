using System.CommandLine;
using NetTriage.History;
using NetTriage.Packets.Formatting;

namespace NetTriage.Cli.Commands;

/// <summary>The history store's options, the same on every command that records or reads it.</summary>
internal static class HistoryOptions
{
    public static (Option<string?> Store, Option<bool> NoStore, Option<string?> Sensor) Create()
    {
        var store = new Option<string?>("--store")
        {
            Description = "The history store: a SQLite file, or postgresql://user@host:port/database for a store shared by a team. "
                + "Default: $NETTRIAGE_STORE, else ~/.local/share/nettriage/history.db ($XDG_DATA_HOME/nettriage/ when set). NETTRIAGE_STORE=off records nothing.",
        };
        var noStore = new Option<bool>("--no-store")
        {
            Description = "Record nothing in the history store and read no history (no 'Previous trends').",
        };
        var sensor = new Option<string?>("--sensor")
        {
            Description = "The name of the sensor that captured the traffic, as the history records it (default: this host's name).",
        };
        return (store, noStore, sensor);
    }

    /// <summary>The store to use, or null when recording is off; a URL that cannot be read is a usage error.</summary>
    public static StoreLocation? Location(string? store, bool noStore)
    {
        try
        {
            return StoreLocation.Resolve(store, noStore);
        }
        catch (HistoryException ex)
        {
            throw new UsageException(TerminalEscaper.Escape(ex.Message));
        }
    }

    /// <summary>The sensor's name: the option's, else the host's; one line, no control characters.</summary>
    public static string Sensor(string? given)
    {
        string name = string.IsNullOrWhiteSpace(given) ? HistoryRecorder.DefaultSensor() : given.Trim();
        if (name.Any(char.IsControl)) throw new UsageException("--sensor: the name may not hold control characters");
        return name.Length > 200 ? throw new UsageException("--sensor: the name is longer than 200 characters") : name;
    }
}
