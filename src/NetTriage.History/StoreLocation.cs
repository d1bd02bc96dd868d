using System.Globalization;
using System.Text;

namespace NetTriage.History;

/// <summary>
/// Where the history is kept: a SQLite file (the default, under the user's data directory) or a PostgreSQL
/// database given as a URL. Resolved from <c>--store</c>, then <c>NETTRIAGE_STORE</c>, then the default;
/// <c>--no-store</c> or <c>NETTRIAGE_STORE=off</c> keeps nothing.
/// </summary>
public sealed record StoreLocation
{
    /// <summary>The environment variable that chooses the store when <c>--store</c> is not given.</summary>
    public const string EnvironmentVariable = "NETTRIAGE_STORE";
    /// <summary>The value of <see cref="EnvironmentVariable"/> that turns recording off.</summary>
    public const string Off = "off";

    public required StoreKind Kind { get; init; }
    /// <summary>The SQLite file, or the PostgreSQL connection string (with its password, never printed).</summary>
    public required string Target { get; init; }
    /// <summary>What a message may show: the file, or the URL without its password.</summary>
    public required string Display { get; init; }

    /// <summary>
    /// The store to use: <paramref name="option"/> (<c>--store</c>), else the environment's, else the default file;
    /// null when recording is off. Throws <see cref="HistoryException"/> for a URL that cannot be read.
    /// </summary>
    public static StoreLocation? Resolve(string? option, bool noStore, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (noStore) return null;
        string? chosen = string.IsNullOrWhiteSpace(option) ? environment(EnvironmentVariable) : option;
        if (string.IsNullOrWhiteSpace(chosen)) return DefaultFile(environment);
        if (string.Equals(chosen.Trim(), Off, StringComparison.OrdinalIgnoreCase)) return null;
        return Parse(chosen.Trim());
    }

    /// <summary>A file path, or a postgresql:// (postgres://) URL.</summary>
    public static StoreLocation Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(value);
        }
        string full = Path.GetFullPath(value);
        return new StoreLocation { Kind = StoreKind.Sqlite, Target = full, Display = value };
    }

    /// <summary>$XDG_DATA_HOME/nettriage/history.db, else ~/.local/share/nettriage/history.db (the XDG base directory rule).</summary>
    public static StoreLocation DefaultFile(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? data = environment("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(data) || !Path.IsPathRooted(data))
        {
            string home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            data = Path.Combine(home, ".local", "share");
        }
        string file = Path.Combine(data, "nettriage", "history.db");
        return new StoreLocation { Kind = StoreKind.Sqlite, Target = file, Display = file };
    }

    /// <summary>postgresql://[user[:password]@]host[:port]/database[?sslmode=...] as an Npgsql connection string.</summary>
    private static StoreLocation Postgres(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new HistoryException("--store: cannot read the PostgreSQL URL; write it as postgresql://user@host:port/database");
        }
        string user = "", password = "";
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var builder = new StringBuilder();
        Append(builder, "Host", uri.Host.Trim('[', ']'));
        Append(builder, "Port", (uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port).ToString(CultureInfo.InvariantCulture));
        if (user.Length > 0) Append(builder, "Username", user);
        if (password.Length > 0) Append(builder, "Password", password);
        if (database.Length > 0) Append(builder, "Database", database);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(parts[0]).ToLowerInvariant();
            string val = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            switch (key)
            {
                case "sslmode": Append(builder, "SSL Mode", val); break;
                case "connect_timeout": Append(builder, "Timeout", val); break;
                case "application_name": Append(builder, "Application Name", val); break;
                default: throw new HistoryException($"--store: the PostgreSQL URL's parameter '{key}' is not understood (sslmode, connect_timeout and application_name are)");
            }
        }
        // A server that is down should cost seconds, not the default 15: the report waits for the store.
        if (!uri.Query.Contains("connect_timeout", StringComparison.OrdinalIgnoreCase)) Append(builder, "Timeout", "5");
        Append(builder, "Application Name", "nettriage");
        string display = $"postgresql://{(user.Length > 0 ? Uri.EscapeDataString(user) + "@" : "")}{uri.Authority[(uri.Authority.IndexOf('@', StringComparison.Ordinal) + 1)..]}{uri.AbsolutePath}";
        return new StoreLocation { Kind = StoreKind.Postgres, Target = builder.ToString(), Display = display };
    }

    private static void Append(StringBuilder builder, string key, string value)
    {
        // Connection string values quoted, with quotes doubled: a password holding ';' or '=' stays one value.
        builder.Append(key).Append("='").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append("';");
    }
}

public enum StoreKind
{
    Sqlite,
    Postgres,
}
