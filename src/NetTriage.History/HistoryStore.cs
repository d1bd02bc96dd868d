using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using NetTriage.Analysis;
using Npgsql;

namespace NetTriage.History;

/// <summary>What <see cref="HistoryStore.Record"/> did.</summary>
public enum RecordOutcome
{
    Recorded,
    /// <summary>The same inputs were recorded before: the store keeps the first record and is not changed.</summary>
    AlreadyRecorded,
}

/// <summary>
/// The history store: every analysis recorded (<see cref="AnalysisRecord"/>), read back by service for trends and by
/// time for <c>nettriage history</c>. One implementation over ADO.NET for both engines: the SQL is shared
/// (<see cref="Schema"/>), only opening and locking differ. Every failure is a <see cref="HistoryException"/> with a
/// one-line message; a write is one transaction, so a failed one leaves the store as it was.
/// </summary>
public sealed class HistoryStore : IDisposable
{
    /// <summary>A PostgreSQL advisory lock key: migrations of one database run one at a time.</summary>
    private const long MigrationLock = 0x4E54_7269_6167_6501;

    private readonly DbConnection _connection;
    private readonly NpgsqlDataSource? _dataSource;

    public StoreLocation Location { get; }

    private HistoryStore(StoreLocation location, DbConnection connection, NpgsqlDataSource? dataSource)
    {
        Location = location;
        _connection = connection;
        _dataSource = dataSource;
    }

    /// <summary>
    /// Opens the store and brings its schema to this program's version. With <paramref name="create"/> false a SQLite
    /// file that does not exist is not made: null is returned (nothing recorded yet).
    /// </summary>
    public static HistoryStore? Open(StoreLocation location, bool create = true)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Kind == StoreKind.Sqlite ? OpenSqlite(location, create) : OpenPostgres(location);
    }

    private static HistoryStore? OpenSqlite(StoreLocation location, bool create)
    {
        string what = $"the SQLite store {location.Display}";
        if (!File.Exists(location.Target))
        {
            if (!create) return null;
            try
            {
                if (Path.GetDirectoryName(location.Target) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new HistoryException($"cannot create {what}: {ex.Message}", ex);
            }
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = location.Target,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            // Several nettriage processes may share the file: a writer waits up to this long for another's transaction.
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var store = new HistoryStore(location, connection, null);
            store.CheckSqliteIsOurs();
            store.Execute("PRAGMA journal_mode=WAL");
            store.Execute("PRAGMA synchronous=NORMAL");
            store.Migrate();
            return store;
        }
        catch (HistoryException)
        {
            connection.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            connection.Dispose();
            throw new HistoryException($"cannot open {what}: {OneLine(ex)}", ex);
        }
    }

    private static HistoryStore OpenPostgres(StoreLocation location)
    {
        NpgsqlDataSource? source = null;
        DbConnection? connection = null;
        try
        {
            // The slim builder leaves out what the schema does not use (arrays, ranges, JSON, network types) and is
            // clean under native AOT; TLS is enabled for servers that require it (sslmode in the URL).
            var builder = new NpgsqlSlimDataSourceBuilder(location.Target);
            builder.EnableTransportSecurity();
            source = builder.Build();
            connection = source.OpenConnection();
            var store = new HistoryStore(location, connection, source);
            store.Migrate();
            return store;
        }
        catch (HistoryException)
        {
            connection?.Dispose();
            source?.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or InvalidOperationException or IOException or TimeoutException)
        {
            connection?.Dispose();
            source?.Dispose();
            throw new HistoryException($"cannot open the PostgreSQL store {location.Display}: {OneLine(ex)}", ex);
        }
    }

    /// <summary>
    /// A SQLite file with tables but no <c>nt_schema</c> belongs to something else: it is never written to. A corrupt
    /// file fails here, on its first read.
    /// </summary>
    private void CheckSqliteIsOurs()
    {
        long tables = Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
        long ours = Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'nt_schema'");
        if (tables > 0 && ours == 0)
        {
            throw new HistoryException($"{Location.Display} is a SQLite database of something else (it has no NetTriage schema): not written to");
        }
    }

    /// <summary>Applies the migrations this store lacks, in one transaction, one program at a time.</summary>
    private void Migrate()
    {
        using var tx = Begin();
        if (_dataSource is not null) Execute($"SELECT pg_advisory_xact_lock({MigrationLock})", tx);
        Execute("CREATE TABLE IF NOT EXISTS nt_schema (version BIGINT NOT NULL)", tx);
        long version = Scalar("SELECT coalesce(max(version), 0) FROM nt_schema", tx);
        if (version > Schema.Latest)
        {
            throw new HistoryException($"the store {Location.Display} has schema version {version}, newer than this program's {Schema.Latest}: "
                + "not written to; use a newer nettriage");
        }
        for (long v = version + 1; v <= Schema.Latest; v++)
        {
            foreach (var statement in Schema.Migrations[v - 1]) Execute(statement, tx);
            Execute($"INSERT INTO nt_schema (version) VALUES ({v.ToString(CultureInfo.InvariantCulture)})", tx);
        }
        tx.Commit();
    }

    /// <summary>Records an analysis, unless the same inputs were recorded before.</summary>
    public RecordOutcome Record(AnalysisRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Guard("record the analysis in", () =>
        {
            using var tx = Begin();
            if (Scalar("SELECT count(*) FROM nt_analyses WHERE analysis_id = @id", tx, ("@id", record.Id)) > 0) return RecordOutcome.AlreadyRecorded;
            int added = Execute("""
                INSERT INTO nt_analyses (sensor, analysis_id, recorded_at, time_kind, capture_start, capture_end, order_time, packets,
                    verdict, incidents, findings, inputs, minutes_dropped)
                VALUES (@sensor, @id, @recorded, @kind, @start, @end, @order, @packets, @verdict, @incidents, @findings, @inputs, @dropped)
                ON CONFLICT DO NOTHING
                """, tx,
                ("@sensor", record.Sensor), ("@id", record.Id), ("@recorded", record.RecordedAt), ("@kind", record.TimeKind),
                ("@start", record.CaptureStart), ("@end", record.CaptureEnd), ("@order", record.OrderTime), ("@packets", record.Packets),
                ("@verdict", record.Verdict), ("@incidents", (long)record.Incidents.Count), ("@findings", (long)record.Findings.Count),
                ("@inputs", record.InputNames), ("@dropped", record.MinutesDropped));
            if (added == 0) return RecordOutcome.AlreadyRecorded; // another process recorded it a moment ago
            InsertRows(tx, "nt_inputs", ["sensor", "analysis_id", "position", "name", "format", "compressed", "bytes", "packets", "content_hash"],
                record.Inputs.Select((i, n) => new object?[] { record.Sensor, record.Id, (long)n, i.Name, i.Format, i.Compressed ? 1L : 0L, i.Bytes, i.Packets, i.ContentHash }));
            InsertRows(tx, "nt_service_minutes", ["sensor", "analysis_id", "server", "port", "transport", "minute_start", "place", "attempts", "successes",
                "refused", "unanswered", "icmp_errors", "pending", "rcode_noerror", "rcode_nxdomain", "rcode_servfail", "rcode_refused", "rcode_other",
                "p50_ms", "p90_ms", "p99_ms", "clients", "clients_capped"],
                record.Minutes.Select(m => new object?[] { record.Sensor, record.Id, m.Server, (long)m.Port, m.Transport, m.MinuteStart, record.PlaceOf(m.MinuteStart),
                    m.Attempts, m.Successes, m.Refused, m.Unanswered, m.IcmpErrors, m.Pending, m.NoError, m.NxDomain, m.ServFail, m.RcodeRefused, m.OtherRcode,
                    Or(m.P50Milliseconds), Or(m.P90Milliseconds), Or(m.P99Milliseconds), (long)m.Clients, m.ClientsCapped ? 1L : 0L }));
            string[] problemColumns = ["sensor", "analysis_id", "problem", "id", "kind", "severity", "title", "protocol", "transport", "port", "servers",
                "first_time", "last_time", "attempts", "failed"];
            InsertRows(tx, "nt_problems", problemColumns,
                record.Incidents.Select(p => Problem(record, "incident", p)).Concat(record.Findings.Select(p => Problem(record, "finding", p))));
            InsertRows(tx, "nt_dns_answers", ["sensor", "analysis_id", "name", "address", "place", "ttl_min", "ttl_max", "answers"],
                record.DnsAnswers.Select(a => new object?[] { record.Sensor, record.Id, a.Name, a.Address, record.OrderTime, (long)a.MinTtl, (long)a.MaxTtl, a.Answers }));
            tx.Commit();
            return RecordOutcome.Recorded;
        });
    }

    private static object?[] Problem(AnalysisRecord record, string problem, RecordedProblem p) =>
        [record.Sensor, record.Id, problem, p.Id, p.Kind, p.Severity, p.Title, p.Protocol, p.Transport, p.Port is { } port ? (long)port : NullNumber.Long,
            p.Servers, p.First, p.Last, p.Attempts, p.Failed];

    /// <summary>Every analysis recorded, newest (by capture time) first, filtered by sensor and capture time.</summary>
    public IReadOnlyList<StoredAnalysis> Analyses(string? sensor = null, double? from = null, double? to = null)
    {
        return Guard("read", () =>
        {
            var list = new List<StoredAnalysis>();
            using var command = Command("""
                SELECT sensor, analysis_id, recorded_at, time_kind, capture_start, capture_end, order_time, packets, verdict, incidents, findings, inputs
                FROM nt_analyses
                WHERE (@sensor IS NULL OR sensor = @sensor) AND (@from IS NULL OR order_time >= @from) AND (@to IS NULL OR order_time < @to)
                ORDER BY order_time DESC, analysis_id
                """, null, ("@sensor", sensor), ("@from", from), ("@to", to));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new StoredAnalysis(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), NullableDouble(reader, 4),
                    NullableDouble(reader, 5), reader.GetDouble(6), reader.GetInt64(7), reader.GetString(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetString(11)));
            }
            return list;
        });
    }

    /// <summary>The incidents of one analysis, as recorded.</summary>
    public IReadOnlyList<RecordedProblem> IncidentsOf(string sensor, string analysisId) => Guard("read", () =>
    {
        var list = new List<RecordedProblem>();
        using var command = Command("""
            SELECT id, kind, severity, title, protocol, transport, port, servers, first_time, last_time, attempts, failed
            FROM nt_problems WHERE sensor = @sensor AND analysis_id = @id AND problem = 'incident' ORDER BY id
            """, null, ("@sensor", sensor), ("@id", analysisId));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            list.Add(new RecordedProblem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : (int)reader.GetInt64(6), reader.GetString(7), reader.GetDouble(8), reader.GetDouble(9),
                reader.GetInt64(10), reader.GetInt64(11)));
        }
        return list;
    });

    /// <summary>Every recorded minute of one service, in history order, with the analysis each comes from.</summary>
    public IReadOnlyList<StoredMinute> ServiceMinutes(string server, int port, string transport) => Guard("read", () =>
    {
        var list = new List<StoredMinute>();
        using var command = Command("""
            SELECT m.sensor, m.analysis_id, a.inputs, a.time_kind, m.place, m.minute_start, m.attempts, m.successes, m.refused, m.unanswered, m.icmp_errors,
                m.pending, m.rcode_noerror, m.rcode_nxdomain, m.rcode_servfail, m.rcode_refused, m.rcode_other, m.p50_ms, m.p90_ms, m.p99_ms, m.clients,
                m.clients_capped
            FROM nt_service_minutes m JOIN nt_analyses a ON a.sensor = m.sensor AND a.analysis_id = m.analysis_id
            WHERE m.server = @server AND m.port = @port AND m.transport = @transport
            ORDER BY m.place, m.analysis_id
            """, null, ("@server", server), ("@port", (long)port), ("@transport", transport));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var minute = new ServiceMinute
            {
                Server = server,
                Port = port,
                Transport = transport,
                MinuteStart = reader.GetInt64(5),
                Attempts = reader.GetInt64(6),
                Successes = reader.GetInt64(7),
                Refused = reader.GetInt64(8),
                Unanswered = reader.GetInt64(9),
                IcmpErrors = reader.GetInt64(10),
                Pending = reader.GetInt64(11),
                NoError = reader.GetInt64(12),
                NxDomain = reader.GetInt64(13),
                ServFail = reader.GetInt64(14),
                RcodeRefused = reader.GetInt64(15),
                OtherRcode = reader.GetInt64(16),
                P50Milliseconds = NullableDouble(reader, 17),
                P90Milliseconds = NullableDouble(reader, 18),
                P99Milliseconds = NullableDouble(reader, 19),
                Clients = (int)reader.GetInt64(20),
                ClientsCapped = reader.GetInt64(21) != 0,
            };
            list.Add(new StoredMinute(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDouble(4), minute));
        }
        return list;
    });

    /// <summary>Servers seen on <paramref name="port"/>/<paramref name="transport"/> in minutes placed before <paramref name="before"/>, other analyses than <paramref name="except"/>.</summary>
    public IReadOnlyList<string> ServersSeen(int port, string transport, double before, string except) => Guard("read", () =>
    {
        var list = new List<string>();
        using var command = Command("""
            SELECT DISTINCT server FROM nt_service_minutes
            WHERE port = @port AND transport = @transport AND place < @before AND analysis_id <> @except AND successes > 0
            ORDER BY server
            """, null, ("@port", (long)port), ("@transport", transport), ("@before", before), ("@except", except));
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    });

    /// <summary>The answers recorded for <paramref name="name"/> in captures placed before <paramref name="before"/>, other analyses than <paramref name="except"/>, latest first.</summary>
    public IReadOnlyList<StoredAnswer> AnswersFor(string name, double before, string except) => Guard("read", () =>
    {
        var list = new List<StoredAnswer>();
        using var command = Command("""
            SELECT d.analysis_id, a.inputs, d.place, d.address, d.ttl_min, d.ttl_max
            FROM nt_dns_answers d JOIN nt_analyses a ON a.sensor = d.sensor AND a.analysis_id = d.analysis_id
            WHERE d.name = @name AND d.place < @before AND d.analysis_id <> @except
            ORDER BY d.place DESC, d.analysis_id, d.address
            """, null, ("@name", name), ("@before", before), ("@except", except));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            list.Add(new StoredAnswer(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return list;
    });

    /// <summary>Analyses in the store, leaving out <paramref name="except"/> (an analysis id), only those placed before <paramref name="before"/> and of <paramref name="sensor"/> when given.</summary>
    public long Count(string? except = null, double? before = null, string? sensor = null) => Guard("read", () =>
        Scalar("""
            SELECT count(*) FROM nt_analyses
            WHERE (@except IS NULL OR analysis_id <> @except) AND (@to IS NULL OR order_time < @to) AND (@sensor IS NULL OR sensor = @sensor)
            """, null, ("@except", except), ("@to", before), ("@sensor", sensor)));

    // ---- ADO.NET plumbing -----------------------------------------------------------------------

    private T Guard<T>(string action, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or TimeoutException or InvalidCastException)
        {
            throw new HistoryException($"cannot {action} the store {Location.Display}: {OneLine(ex)}", ex);
        }
    }

    /// <summary>A write transaction. SQLite's begins IMMEDIATE (takes the write lock at once, waiting for another writer) so that it cannot deadlock half-way.</summary>
    private DbTransaction Begin() =>
        _connection is SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: false) : _connection.BeginTransaction(IsolationLevel.ReadCommitted);

    private void InsertRows(DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows)
    {
        if (_connection is NpgsqlConnection postgres)
        {
            Copy(postgres, table, columns, rows);
            return;
        }
        InsertEach(tx, table, columns, rows);
    }

    /// <summary>
    /// PostgreSQL: binary COPY, inside the analysis's transaction (COPY takes part in it like any statement): the
    /// server's bulk path, one stream whatever the number of rows.
    /// </summary>
    private static void Copy(NpgsqlConnection connection, string table, string[] columns, IEnumerable<object?[]> rows)
    {
        using var import = connection.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            import.StartRow();
            foreach (var value in row)
            {
                switch (value)
                {
                    case null or NullNumber:
                        import.WriteNull();
                        break;
                    case string text:
                        import.Write(text, NpgsqlTypes.NpgsqlDbType.Text);
                        break;
                    case long number:
                        import.Write(number, NpgsqlTypes.NpgsqlDbType.Bigint);
                        break;
                    case double real:
                        import.Write(real, NpgsqlTypes.NpgsqlDbType.Double);
                        break;
                    default:
                        throw new InvalidOperationException($"a {value.GetType().Name} has no column type in the store");
                }
            }
        }
        import.Complete();
    }

    /// <summary>
    /// SQLite: one prepared single-row INSERT, run once per row in the transaction (an embedded engine has no round
    /// trips to save, and it finds a named parameter by a linear search: a statement of thousands of them costs
    /// seconds; this costs about 2 µs a row).
    /// </summary>
    private void InsertEach(DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // built from constant names and parameter placeholders
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, c) => "@c" + c.ToString(CultureInfo.InvariantCulture)))})";
#pragma warning restore CA2100
        var parameters = new DbParameter[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "@c" + c.ToString(CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[c]);
        }
        bool prepared = false;
        foreach (var row in rows)
        {
            for (int c = 0; c < columns.Length; c++) parameters[c].Value = row[c] is null or NullNumber ? DBNull.Value : row[c];
            if (!prepared)
            {
                command.Prepare();
                prepared = true;
            }
            command.ExecuteNonQuery();
        }
    }

    private DbCommand Command(string sql, DbTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // constant SQL; values are parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters) Add(command, name, value);
        return command;
    }

    private int Execute(string sql, DbTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, tx, parameters);
        return command.ExecuteNonQuery();
    }

    private long Scalar(string sql, DbTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, tx, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>A null that keeps its column's type: PostgreSQL will not put a text-typed null in a number column.</summary>
    private sealed record NullNumber(DbType Type)
    {
        public static readonly NullNumber Double = new(DbType.Double);
        public static readonly NullNumber Long = new(DbType.Int64);
    }

    private static object Or(double? value) => value is { } v ? v : NullNumber.Double;

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        if (value is NullNumber typed)
        {
            parameter.Value = DBNull.Value;
            parameter.DbType = typed.Type;
            command.Parameters.Add(parameter);
            return;
        }
        parameter.Value = value ?? DBNull.Value;
        // A null must still have a type for PostgreSQL to compare it (@sensor IS NULL OR sensor = @sensor).
        parameter.DbType = value switch
        {
            string => DbType.String,
            long or int => DbType.Int64,
            double => DbType.Double,
            _ => name is "@from" or "@to" ? DbType.Double : DbType.String,
        };
        command.Parameters.Add(parameter);
    }

    private static double? NullableDouble(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);

    /// <summary>An exception's message on one line (drivers put details on further lines).</summary>
    internal static string OneLine(Exception ex)
    {
        string message = ex.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        return (newline < 0 ? message : message[..newline]).Trim();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _dataSource?.Dispose();
        if (_connection is SqliteConnection) SqliteConnection.ClearAllPools();
    }
}

/// <summary>A recorded DNS answer: which analysis, placed when, the address and the TTLs seen.</summary>
public sealed record StoredAnswer(string AnalysisId, string Inputs, double Place, string Address, long MinTtl, long MaxTtl);

/// <summary>One recorded analysis, as <c>nettriage history</c> lists it.</summary>
public sealed record StoredAnalysis(string Sensor, string Id, long RecordedAt, string TimeKind, double? CaptureStart, double? CaptureEnd,
    double OrderTime, long Packets, string Verdict, long Incidents, long Findings, string Inputs);

/// <summary>A recorded minute of a service, placed in the history (<see cref="AnalysisRecord.PlaceOf"/>), with the analysis it comes from.</summary>
public sealed record StoredMinute(string Sensor, string AnalysisId, string Inputs, string TimeKind, double Place, ServiceMinute Minute);
