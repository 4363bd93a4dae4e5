import Logging
import PostgresNIO

/// The PostgreSQL schema as numbered migrations, applied at start by every `serve` and
/// `worker` process. Safe when several start at once: the runner takes a transaction-level
/// advisory lock first, so one process applies what is missing while the others wait, then
/// find it applied. Each migration commits with its row in `cubeseg_migrations`.
///
/// Same tables and columns as the SQLite store (`SQLiteSchema`): times are seconds since 1970
/// (`double precision`, so that a list cursor round-trips exactly), JSON documents are `text`
/// (kept byte for byte).
enum PostgresSchema {
    /// Key of the advisory lock that serialises migrations (any constant unique to CubeSeg).
    static let migrationLock: Int64 = 0x0C0B_E5E6_0001
    /// Key of the advisory lock that serialises enqueues (queue limits are counted under it).
    static let enqueueLock: Int64 = 0x0C0B_E5E6_0002
    /// The channel `enqueue` and requeues notify and idle workers listen on.
    static let queueChannel = "cubeseg_jobs"
    /// The channel a trigger notifies with a job's id whenever its row changes or goes.
    static let jobChannel = "cubeseg_job_changed"

    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "cubes, jobs, models", [
            """
            CREATE TABLE cubes (
                id text PRIMARY KEY,
                owner text NOT NULL,
                name text NOT NULL,
                format text NOT NULL,
                shape text NOT NULL,
                dtype text NOT NULL,
                axis text NOT NULL,
                size bigint NOT NULL,
                sha256 text NOT NULL,
                created_at double precision NOT NULL,
                blob_path text NOT NULL,
                open_options text NOT NULL
            )
            """,
            "CREATE INDEX cubes_by_owner ON cubes (owner, created_at, id)",
            """
            CREATE TABLE jobs (
                id text PRIMARY KEY,
                owner text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('train', 'apply')),
                state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
                priority bigint NOT NULL DEFAULT 0,
                attempt bigint NOT NULL DEFAULT 0,
                max_attempts bigint NOT NULL,
                run_after double precision NOT NULL,
                lease_owner text,
                lease_token text,
                lease_expires_at double precision,
                heartbeat_at double precision,
                progress text,
                cancel_requested boolean NOT NULL DEFAULT false,
                params text NOT NULL,
                cube_id text NOT NULL,
                model_id text,
                result_id text,
                chosen_k bigint,
                k_reason text,
                error text,
                idempotency_key text,
                request_hash text,
                created_at double precision NOT NULL,
                started_at double precision,
                finished_at double precision,
                UNIQUE (owner, idempotency_key)
            )
            """,
            // The claim reads queued rows only, most urgent first.
            "CREATE INDEX jobs_runnable ON jobs (priority DESC, run_after, id) WHERE state = 'queued'",
            "CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'running'",
            "CREATE INDEX jobs_by_owner ON jobs (owner, created_at, id)",
            "CREATE INDEX jobs_by_created ON jobs (created_at, id)",
            "CREATE INDEX jobs_by_cube ON jobs (cube_id, state)",
            "CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'failed', 'cancelled')",
            """
            CREATE TABLE models (
                id text PRIMARY KEY,
                owner text NOT NULL,
                job_id text NOT NULL,
                cube_id text NOT NULL,
                chosen_k bigint NOT NULL,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX models_by_owner ON models (owner, created_at, id)",
        ]),
        (2, "notify job changes", [
            // Fronts cache job rows for pollers and drop an entry when its row changes anywhere.
            """
            CREATE FUNCTION cubeseg_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(jobChannel)', COALESCE(NEW.id, OLD.id));
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER jobs_changed AFTER UPDATE OR DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION cubeseg_job_changed()",
        ]),
        (3, "worker processes", [
            """
            CREATE TABLE workers (
                id text PRIMARY KEY,
                started_at double precision NOT NULL,
                seen_at double precision NOT NULL,
                claimed bigint NOT NULL,
                succeeded bigint NOT NULL,
                failed bigint NOT NULL,
                running bigint NOT NULL,
                stopped boolean NOT NULL
            )
            """,
        ]),
    ]

    /// Applies the migrations this database lacks; returns the versions it applied.
    @discardableResult
    static func migrate(_ bridge: PostgresBridge, schema: String?, logger: Logger) throws -> [Int] {
        try bridge.transaction(logger) { db in
            try await db.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            if let schema {
                // A lower-case identifier (checked by `PostgresLocation`); the search path names it.
                try await db.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            }
            try await db.query("""
                CREATE TABLE IF NOT EXISTS cubeseg_migrations (
                    version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await db.query("SELECT version FROM cubeseg_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            if let newest = applied.max(), newest > (migrations.map(\.version).max() ?? 0) {
                throw StoreOpenError.newerSchema(found: newest, known: migrations.map(\.version).max() ?? 0)
            }
            var done: [Int] = []
            for m in migrations where !applied.contains(m.version) {
                for statement in m.sql {
                    try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await db.query("INSERT INTO cubeseg_migrations (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
                done.append(m.version)
            }
            return done
        }
    }
}

/// A store that cannot be opened as it stands.
public enum StoreOpenError: Error, Sendable, CustomStringConvertible {
    case newerSchema(found: Int, known: Int)
    case unreachable(store: String, reason: String)

    public var description: String {
        switch self {
        case let .newerSchema(found, known):
            return "the database's schema is at version \(found), this cubeseg knows up to \(known): upgrade cubeseg before running it against this database"
        case let .unreachable(store, reason):
            return "cannot reach the store \(store): \(reason)"
        }
    }
}
