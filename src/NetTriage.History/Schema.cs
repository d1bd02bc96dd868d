namespace NetTriage.History;

/// <summary>
/// The store's tables, created and migrated by the program: each migration is one version, applied in order in
/// one transaction, and <c>nt_schema</c> says which have run. A store from a newer program (a higher version) is
/// never written to. The SQL is the same for SQLite and PostgreSQL: types named so that both read them (BIGINT,
/// DOUBLE PRECISION, TEXT), booleans as 0/1, times as seconds since the epoch.
/// <para>
/// Every primary key begins with <c>sensor</c>: it is the distribution key a sharded PostgreSQL (Citus) needs in
/// every primary and unique key, and the partition key of a table partitioned by sensor (docs/history.md).
/// </para>
/// </summary>
internal static class Schema
{
    /// <summary>The version this program writes. A store at a higher version is refused.</summary>
    public static int Latest => Migrations.Length;

    /// <summary>Migration n (1-based) is Migrations[n - 1]: its statements, run in order.</summary>
    public static readonly string[][] Migrations =
    [
        [
            """
            CREATE TABLE nt_analyses (
                sensor TEXT NOT NULL,
                analysis_id TEXT NOT NULL,
                recorded_at BIGINT NOT NULL,
                time_kind TEXT NOT NULL,
                capture_start DOUBLE PRECISION,
                capture_end DOUBLE PRECISION,
                order_time DOUBLE PRECISION NOT NULL,
                packets BIGINT NOT NULL,
                verdict TEXT NOT NULL,
                incidents BIGINT NOT NULL,
                findings BIGINT NOT NULL,
                inputs TEXT NOT NULL,
                minutes_dropped BIGINT NOT NULL,
                PRIMARY KEY (sensor, analysis_id))
            """,
            "CREATE INDEX nt_analyses_id ON nt_analyses (analysis_id)",
            "CREATE INDEX nt_analyses_order ON nt_analyses (order_time)",
            """
            CREATE TABLE nt_inputs (
                sensor TEXT NOT NULL,
                analysis_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                name TEXT NOT NULL,
                format TEXT NOT NULL,
                compressed BIGINT NOT NULL,
                bytes BIGINT NOT NULL,
                packets BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (sensor, analysis_id, position))
            """,
            """
            CREATE TABLE nt_service_minutes (
                sensor TEXT NOT NULL,
                analysis_id TEXT NOT NULL,
                server TEXT NOT NULL,
                port BIGINT NOT NULL,
                transport TEXT NOT NULL,
                minute_start BIGINT NOT NULL,
                place DOUBLE PRECISION NOT NULL,
                attempts BIGINT NOT NULL,
                successes BIGINT NOT NULL,
                refused BIGINT NOT NULL,
                unanswered BIGINT NOT NULL,
                icmp_errors BIGINT NOT NULL,
                pending BIGINT NOT NULL,
                rcode_noerror BIGINT NOT NULL,
                rcode_nxdomain BIGINT NOT NULL,
                rcode_servfail BIGINT NOT NULL,
                rcode_refused BIGINT NOT NULL,
                rcode_other BIGINT NOT NULL,
                p50_ms DOUBLE PRECISION,
                p90_ms DOUBLE PRECISION,
                p99_ms DOUBLE PRECISION,
                clients BIGINT NOT NULL,
                clients_capped BIGINT NOT NULL,
                PRIMARY KEY (sensor, analysis_id, server, port, transport, minute_start))
            """,
            "CREATE INDEX nt_service_minutes_service ON nt_service_minutes (server, port, transport, place)",
            """
            CREATE TABLE nt_problems (
                sensor TEXT NOT NULL,
                analysis_id TEXT NOT NULL,
                problem TEXT NOT NULL,
                id TEXT NOT NULL,
                kind TEXT NOT NULL,
                severity TEXT NOT NULL,
                title TEXT NOT NULL,
                protocol TEXT NOT NULL,
                transport TEXT NOT NULL,
                port BIGINT,
                servers TEXT NOT NULL,
                first_time DOUBLE PRECISION NOT NULL,
                last_time DOUBLE PRECISION NOT NULL,
                attempts BIGINT NOT NULL,
                failed BIGINT NOT NULL,
                PRIMARY KEY (sensor, analysis_id, problem, id))
            """,
        ],
        // 2: the addresses names resolved to, so that a later capture can tell a name's answer changed.
        [
            """
            CREATE TABLE nt_dns_answers (
                sensor TEXT NOT NULL,
                analysis_id TEXT NOT NULL,
                name TEXT NOT NULL,
                address TEXT NOT NULL,
                place DOUBLE PRECISION NOT NULL,
                ttl_min BIGINT NOT NULL,
                ttl_max BIGINT NOT NULL,
                answers BIGINT NOT NULL,
                PRIMARY KEY (sensor, analysis_id, name, address))
            """,
            "CREATE INDEX nt_dns_answers_name ON nt_dns_answers (name, place)",
        ],
    ];
}
