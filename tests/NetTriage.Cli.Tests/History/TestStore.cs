using Npgsql;

namespace NetTriage.Cli.Tests.History;

/// <summary>
/// A history store of its own for one test: a SQLite file in a temporary folder, or a fresh database on the
/// PostgreSQL server NETTRIAGE_TEST_POSTGRES names (.ci/run starts a throwaway one; without it those tests skip).
/// </summary>
internal sealed class TestStore : IDisposable
{
    public const string PostgresVariable = "NETTRIAGE_TEST_POSTGRES";

    private readonly string? _adminUrl;
    private readonly string? _database;

    public string Folder { get; }
    /// <summary>What --store is given.</summary>
    public string Store { get; }
    public string Kind { get; }

    private TestStore(string kind, string folder, string store, string? adminUrl, string? database)
    {
        Kind = kind;
        Folder = folder;
        Store = store;
        _adminUrl = adminUrl;
        _database = database;
    }

    public static TestStore Create(string kind)
    {
        string folder = Path.Combine(Path.GetTempPath(), "nettriage-history-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (kind == "sqlite") return new TestStore(kind, folder, Path.Combine(folder, "history.db"), null, null);
        string? admin = Environment.GetEnvironmentVariable(PostgresVariable);
        Skip.If(string.IsNullOrEmpty(admin), $"{PostgresVariable} is not set (.ci/run starts a throwaway PostgreSQL server)");
        string database = "nt_test_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(ConnectionString(admin!)))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            create.ExecuteNonQuery();
        }
        var uri = new Uri(admin!);
        string url = $"{uri.Scheme}://{uri.UserInfo}@{uri.Authority[(uri.Authority.IndexOf('@', StringComparison.Ordinal) + 1)..]}/{database}";
        return new TestStore(kind, folder, url, admin, database);
    }

    /// <summary>Runs SQL on the test's own database (PostgreSQL) to inspect or damage the store.</summary>
    public long PostgresScalar(string sql)
    {
        var uri = new Uri(Store);
        using var connection = new NpgsqlConnection(ConnectionString(Store));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>postgresql://user@host:port/db as a connection string (the tests' own, not the program's parser).</summary>
    public static string ConnectionString(string url)
    {
        var uri = new Uri(url);
        string user = uri.UserInfo.Split(':')[0];
        return $"Host={uri.Host};Port={(uri.Port > 0 ? uri.Port : 5432)};Username={user};Database={uri.AbsolutePath.TrimStart('/')};Pooling=false";
    }

    public void Dispose()
    {
        if (_adminUrl is not null && _database is not null)
        {
            try
            {
                using var connection = new NpgsqlConnection(ConnectionString(_adminUrl));
                connection.Open();
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
                drop.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The server went away first: its throwaway cluster is removed with it.
            }
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
