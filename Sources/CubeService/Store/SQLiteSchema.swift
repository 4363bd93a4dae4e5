import GRDB

/// The SQLite schema, as GRDB migrations (applied in order, each once, recorded in the file).
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: cubes, jobs, models") { db in
            try db.execute(sql: """
                CREATE TABLE cubes (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    name TEXT NOT NULL,
                    format TEXT NOT NULL,
                    shape TEXT NOT NULL,            -- JSON [height, width, channels]
                    dtype TEXT NOT NULL,
                    axis TEXT NOT NULL,             -- JSON SpectralAxis
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    created_at REAL NOT NULL,       -- seconds since 1970
                    blob_path TEXT NOT NULL,
                    open_options TEXT NOT NULL      -- JSON CubeOpenRequest
                );
                CREATE INDEX cubes_by_owner ON cubes(owner, created_at, id);

                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('train', 'apply')),
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
                    priority INTEGER NOT NULL DEFAULT 0,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    run_after REAL NOT NULL,
                    lease_owner TEXT,
                    lease_token TEXT,
                    lease_expires_at REAL,
                    heartbeat_at REAL,
                    progress TEXT,                  -- JSON SegmentationProgress
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    params TEXT NOT NULL,           -- JSON SegmentationParameters
                    cube_id TEXT NOT NULL,
                    model_id TEXT,
                    result_id TEXT,
                    error TEXT,
                    idempotency_key TEXT,
                    request_hash TEXT,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    UNIQUE (owner, idempotency_key)
                );
                CREATE INDEX jobs_queue ON jobs(state, priority, run_after, id);
                CREATE INDEX jobs_by_owner ON jobs(owner, created_at, id);
                CREATE INDEX jobs_by_cube ON jobs(cube_id, state);

                CREATE TABLE models (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    cube_id TEXT NOT NULL,
                    chosen_k INTEGER NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX models_by_owner ON models(owner, created_at, id);
                """)
        }
        m.registerMigration("v2: the K a job chose") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN chosen_k INTEGER")
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN k_reason TEXT")
        }
        m.registerMigration("v3: worker processes") { db in
            try db.execute(sql: """
                CREATE TABLE workers (
                    id TEXT PRIMARY KEY NOT NULL,   -- host:pid
                    started_at REAL NOT NULL,
                    seen_at REAL NOT NULL,
                    claimed INTEGER NOT NULL,
                    succeeded INTEGER NOT NULL,
                    failed INTEGER NOT NULL,
                    running INTEGER NOT NULL,
                    stopped INTEGER NOT NULL
                )
                """)
        }
        return m
    }
}
