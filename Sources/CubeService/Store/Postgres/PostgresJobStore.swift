import Foundation
import Logging
import PostgresNIO
import Synchronization

/// `JobStore` on PostgreSQL through postgres-nio's connection pool, for a cluster: several
/// `cubeseg serve` and `cubeseg worker` processes on several machines share the database
/// (and a file system for the blobs). PostgreSQL is the queue:
/// - `claim` takes the most urgent queued row with `FOR UPDATE SKIP LOCKED`, so concurrent
///   claimers never wait for each other and never take the same row;
/// - `heartbeat`, `finish` and `release` are fenced by the lease token: a worker whose lease
///   expired (and whose job was requeued or reclaimed) changes nothing;
/// - `reapExpiredLeases` requeues expired leases with the attempt counted, or fails them past
///   `max_attempts`, with the same guard in its update;
/// - `enqueue` and every requeue `NOTIFY` the `cubeseg_jobs` channel, which idle workers
///   `LISTEN` on (`watchQueue`), so they need not poll often;
/// - pollers' reads of a job go through `RecentJobRows`, a short-lived cache that a trigger's
///   `NOTIFY` on every row change keeps exact to within milliseconds.
/// Semantics are those of `SQLiteJobStore`, checked by the same conformance suite.
public final class PostgresJobStore: JobStore {
    let bridge: PostgresBridge
    let logger: Logger
    public let location: PostgresLocation
    let queueListener: PostgresChannelListener
    let changeListener: PostgresChannelListener
    let recent: RecentJobRows
    private let watchingChanges = Mutex(false)

    /// Connects (a pool of up to `maxConnections`), checks the server answers, and migrates.
    /// `cachedJobMaxAge`: how long a poller may be served a cached job row (`RecentJobRows`).
    public init(location: PostgresLocation, maxConnections: Int = 16, cachedJobMaxAge: Duration = .seconds(1), logger: Logger) throws {
        self.location = location
        recent = RecentJobRows(maxAge: cachedJobMaxAge)
        self.logger = logger
        let configuration = Self.clientConfiguration(location, maxConnections: maxConnections)
        bridge = PostgresBridge(configuration: configuration, logger: logger)
        queueListener = PostgresChannelListener(bridge: bridge, channel: PostgresSchema.queueChannel, logger: logger)
        changeListener = PostgresChannelListener(bridge: bridge, channel: PostgresSchema.jobChannel, logger: logger)
        do {
            try ping()
            let applied = try PostgresSchema.migrate(bridge, schema: location.schema, logger: logger)
            if !applied.isEmpty { logger.info("migrated the PostgreSQL schema", metadata: ["versions": "\(applied)"]) }
        } catch let error as StoreOpenError {
            close(); throw error
        } catch {
            close(); throw StoreOpenError.unreachable(store: location.description, reason: Self.describe(error))
        }
    }

    deinit { close() }

    /// Ends the pool and the listener.
    public func close() {
        queueListener.stop()
        changeListener.stop()
        bridge.shutdown()
    }

    static func clientConfiguration(_ l: PostgresLocation, maxConnections: Int) -> PostgresClient.Configuration {
        var c: PostgresClient.Configuration
        if let dir = l.socketDirectory {
            c = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(l.port)", username: l.user, password: l.password, database: l.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch l.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            c = .init(host: l.host, port: l.port, username: l.user, password: l.password, database: l.database, tls: tls)
        }
        if let schema = l.schema { c.options.additionalStartupParameters = [("search_path", schema)] }
        c.options.maximumConnections = maxConnections
        c.options.minimumConnections = 1
        c.options.connectTimeout = .seconds(10)
        return c
    }

    /// postgres-nio's errors print as a generic message; the server's own words are more use.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    /// Runs one statement and returns its rows.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let logger = self.logger
        return try bridge.wait { client in try await client.query(query, logger: logger).collect() }
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        let logger = self.logger
        return try bridge.transaction(logger) { try await body($0, logger) }
    }

    /// Throws `StoreOpenError.unreachable` with the server's or the network's words (no password).
    public func ping() throws {
        do { _ = try rows("SELECT 1") } catch {
            throw StoreOpenError.unreachable(store: location.description, reason: Self.describe(error))
        }
    }

    public func referencedBlobs() throws -> BlobReferences {
        let cubes = try rows("SELECT id FROM cubes").map { try $0.decode(String.self) }
        let results = try rows("SELECT result_id FROM jobs WHERE result_id IS NOT NULL").map { try $0.decode(String.self) }
        let models = try rows("SELECT id FROM models").map { try $0.decode(String.self) }
        return BlobReferences(cubes: Set(cubes), results: Set(results), models: Set(models))
    }

    /// Calls `onQueued` whenever a job becomes runnable anywhere in the cluster (best effort:
    /// workers poll as well). Replaces an earlier handler.
    public func watchQueue(_ onQueued: @escaping @Sendable () -> Void) {
        // Listening (again): whatever was queued meanwhile is worth a look.
        queueListener.start(onListening: { if $0 { onQueued() } }, onNotification: { _ in onQueued() })
    }

    /// Starts following row changes for `RecentJobRows` (once, at the first job read).
    private func watchChanges() {
        let start = watchingChanges.withLock { started in
            defer { started = true }
            return !started
        }
        guard start else { return }
        let recent = self.recent
        changeListener.start(onListening: { recent.setListening($0) }, onNotification: { recent.invalidate($0) })
    }

    // MARK: - Cubes

    public func insertCube(_ c: CubeRecord) throws {
        _ = try rows("""
            INSERT INTO cubes (id, owner, name, format, shape, dtype, axis, size, sha256, created_at, blob_path, open_options)
            VALUES (\(c.id), \(c.owner), \(c.name), \(c.format), \(Self.json(c.shape)), \(c.dtype), \(Self.text(c.axisJSON)),
                    \(c.size), \(c.sha256), \(c.createdAt.timeIntervalSince1970), \(c.blobPath), \(Self.text(c.openOptionsJSON)))
            """)
    }

    public func cube(id: String, owner: String?) throws -> CubeRecord? {
        try rows("SELECT * FROM cubes WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner))").first.map(Self.cube)
    }

    public func listCubes(owner: String?, limit: Int, after: String?) throws -> [CubeRecord] {
        try rows("""
            SELECT * FROM cubes WHERE (\(owner)::text IS NULL OR owner = \(owner))
              AND (\(after)::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM cubes WHERE id = \(after)))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).map(Self.cube)
    }

    public func deleteCube(id: String, owner: String?) throws -> CubeRecord? {
        try deleteUnlessUsed(
            select: "SELECT * FROM cubes WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner)) FOR UPDATE",
            user: "SELECT id FROM jobs WHERE cube_id = \(id) AND state IN ('queued', 'running') LIMIT 1",
            delete: "DELETE FROM cubes WHERE id = \(id)",
            decode: Self.cube, inUse: { StoreError.cubeInUse(cubeID: id, jobID: $0) })
    }

    /// In one transaction: locks the row `select` finds (nil when none), refuses with
    /// `inUse(job id)` when `user` finds an unfinished job using it, else runs `delete`.
    private func deleteUnlessUsed<R: Sendable>(select: PostgresQuery, user: PostgresQuery, delete: PostgresQuery,
                                               decode: @escaping @Sendable (PostgresRow) throws -> R,
                                               inUse: @escaping @Sendable (String) -> StoreError) throws -> R? {
        try transaction { db, logger in
            guard let row = try await db.query(select, logger: logger).collect().first else { return nil }
            let record = try decode(row)
            if let job = try await db.query(user, logger: logger).collect().first { throw inUse(try job.decode(String.self)) }
            try await db.query(delete, logger: logger)
            return record
        }
    }

    // MARK: - Jobs

    public func enqueue(_ j: NewJob, limits: QueueLimits, now: Date) throws -> EnqueueOutcome {
        let t = now.timeIntervalSince1970
        return try transaction { db, logger in
            // Limits are counted, and idempotency keys looked up, one enqueue at a time.
            try await db.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.enqueueLock))", logger: logger)
            if let key = j.idempotencyKey, let row = try await db.query("""
                SELECT * FROM jobs WHERE owner = \(j.owner) AND idempotency_key = \(key)
                """, logger: logger).collect().first {
                let existing = try Self.job(row)
                guard existing.requestHash == j.requestHash else { throw StoreError.idempotencyMismatch(key: key, jobID: existing.id) }
                return .existing(existing)
            }
            let counts = try await db.query("""
                SELECT count(*), count(*) FILTER (WHERE owner = \(j.owner)) FROM jobs WHERE state IN ('queued', 'running')
                """, logger: logger).collect()
            let (total, mine) = try counts[0].decode((Int, Int).self)
            if total >= limits.total { throw StoreError.queueFull(queued: total, limit: limits.total, perOwner: false) }
            if mine >= limits.perOwner { throw StoreError.queueFull(queued: mine, limit: limits.perOwner, perOwner: true) }
            let inserted = try await db.query("""
                INSERT INTO jobs (id, owner, kind, state, priority, attempt, max_attempts, run_after, params, cube_id,
                                  model_id, idempotency_key, request_hash, created_at)
                VALUES (\(j.id), \(j.owner), \(j.kind.rawValue), 'queued', \(j.priority), 0, \(j.maxAttempts), \(t),
                        \(Self.text(j.paramsJSON)), \(j.cubeID), \(j.modelID), \(j.idempotencyKey), \(j.requestHash), \(t))
                RETURNING *
                """, logger: logger).collect()
            try await db.query("SELECT pg_notify(\(PostgresSchema.queueChannel), \(j.id))", logger: logger)
            return .created(try Self.job(inserted[0]))
        }
    }

    /// The hot read of every poll: from `RecentJobRows` when fresh, else one indexed SELECT.
    public func job(id: String, owner: String?) throws -> JobRecord? {
        watchChanges()
        if let cached = recent.lookup(id, owner: owner) { return cached }
        let generation = recent.generation, fetched = ContinuousClock.now
        guard let row = try rows("SELECT * FROM jobs WHERE id = \(id)").first.map(Self.job) else { return nil }
        recent.store(row, readAt: generation, fetched: fetched)
        return owner == nil || row.owner == owner ? row : nil
    }

    public func job(idempotencyKey: String, owner: String) throws -> JobRecord? {
        try rows("SELECT * FROM jobs WHERE owner = \(owner) AND idempotency_key = \(idempotencyKey)").first.map(Self.job)
    }

    public func listJobs(owner: String?, state: JobState?, limit: Int, cursor: String?) throws -> JobPage {
        var afterTime: Double? = nil, afterID: String? = nil
        if let cursor {
            guard let (t, id) = JobListCursor.decode(cursor) else { throw StoreError.badCursor(cursor) }
            afterTime = t; afterID = id
        }
        let page = try rows("""
            SELECT * FROM jobs WHERE (\(owner)::text IS NULL OR owner = \(owner)) AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
              AND (\(afterTime)::float8 IS NULL OR (created_at, id) < (\(afterTime), \(afterID)))
            ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
            """).map(Self.job)
        return JobPage(rows: page, limit: limit)
    }

    public func claim(worker: String, leaseSeconds: Double, now: Date) throws -> JobRecord? {
        let t = now.timeIntervalSince1970
        let token = UUID().uuidString.lowercased()
        return try rows("""
            UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = \(worker), lease_token = \(token),
                lease_expires_at = \(t + leaseSeconds), heartbeat_at = \(t), started_at = COALESCE(started_at, \(t)), error = NULL
            WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= \(t)
                        ORDER BY priority DESC, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).first.map(Self.job)
        .map { recent.invalidate($0.id); return $0 }
    }

    public func heartbeat(jobID: String, leaseToken: String, leaseSeconds: Double, progress: Data?, now: Date) throws -> HeartbeatOutcome {
        let t = now.timeIntervalSince1970
        let flag = try rows("""
            UPDATE jobs SET heartbeat_at = \(t), lease_expires_at = \(t + leaseSeconds),
                progress = COALESCE(\(progress.map(Self.text))::text, progress)
            WHERE id = \(jobID) AND lease_token = \(leaseToken) AND state = 'running'
            RETURNING cancel_requested
            """).first
        recent.invalidate(jobID)
        return try flag.map { .renewed(cancelRequested: try $0.decode(Bool.self)) } ?? .lost
    }

    public func finish(jobID: String, leaseToken: String, outcome: JobOutcome, now: Date) throws -> Bool {
        defer { recent.invalidate(jobID) }
        let t = now.timeIntervalSince1970
        switch outcome {
        case let .succeeded(resultID, model, choice):
            // One statement: the fenced update and, only if it took, the model's row.
            let m = model
            let counts = try rows("""
                WITH done AS (
                    UPDATE jobs SET state = 'succeeded', result_id = \(resultID), model_id = COALESCE(\(m?.id)::text, model_id),
                        finished_at = \(t), chosen_k = \(choice?.k), k_reason = \(choice?.reason),
                        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, error = NULL
                    WHERE id = \(jobID) AND lease_token = \(leaseToken) AND state = 'running'
                    RETURNING id),
                registered AS (
                    INSERT INTO models (id, owner, job_id, cube_id, chosen_k, created_at)
                    SELECT \(m?.id)::text, \(m?.owner)::text, \(m?.jobID)::text, \(m?.cubeID)::text, \(m?.chosenK)::bigint,
                           \(m?.createdAt.timeIntervalSince1970)::float8
                    FROM done WHERE \(m?.id)::text IS NOT NULL
                    RETURNING id)
                SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM registered)
                """)
            return try counts[0].decode((Int, Int).self).0 == 1
        case let .failed(error, retryAfter):
            // Requeue when a retry is asked for and attempts remain; fail otherwise.
            let retry = retryAfter?.timeIntervalSince1970
            let rows = try rows("""
                UPDATE jobs SET
                    state = CASE WHEN \(retry)::float8 IS NOT NULL AND attempt < max_attempts AND NOT cancel_requested THEN 'queued' ELSE 'failed' END,
                    run_after = COALESCE(\(retry)::float8, run_after),
                    finished_at = CASE WHEN \(retry)::float8 IS NOT NULL AND attempt < max_attempts AND NOT cancel_requested THEN NULL ELSE \(t) END,
                    error = \(error), lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(jobID) AND lease_token = \(leaseToken) AND state = 'running'
                RETURNING state
                """)
            if try rows.first?.decode(String.self) == JobState.queued.rawValue { notifyQueued(jobID) }
            return rows.count == 1
        case .cancelled:
            return try rows("""
                UPDATE jobs SET state = 'cancelled', finished_at = \(t), lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = \(jobID) AND lease_token = \(leaseToken) AND state = 'running'
                RETURNING id
                """).count == 1
        }
    }

    public func release(jobID: String, leaseToken: String, now: Date) throws -> Bool {
        defer { recent.invalidate(jobID) }
        let released = try rows("""
            UPDATE jobs SET state = 'queued', attempt = GREATEST(0, attempt - 1), run_after = \(now.timeIntervalSince1970),
                lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(jobID) AND lease_token = \(leaseToken) AND state = 'running'
            RETURNING id
            """).count == 1
        if released { notifyQueued(jobID) }
        return released
    }

    public func reapExpiredLeases(now: Date, retry: RetryPolicy) throws -> ReapReport {
        let t = now.timeIntervalSince1970
        var report = ReapReport()
        let expired = try rows("""
            SELECT id, lease_token, attempt, max_attempts, cancel_requested FROM jobs
            WHERE state = 'running' AND lease_expires_at < \(t)
            """)
        for row in expired {
            let (id, token, attempt, maxAttempts, cancel) = try row.decode((String, String, Int, Int, Bool).self)
            defer { recent.invalidate(id) }
            // The guard is inside each UPDATE: a worker that finished (or renewed) meanwhile wins.
            if cancel {
                if try rows("""
                    UPDATE jobs SET state = 'cancelled', finished_at = \(t), lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL, error = 'lease expired after cancellation was requested'
                    WHERE id = \(id) AND lease_token = \(token) AND state = 'running' AND lease_expires_at < \(t) RETURNING id
                    """).count == 1 { report.failed.append(id) }
            } else if attempt >= maxAttempts {
                let message = "lease expired on attempt \(attempt) of \(maxAttempts) (worker died or hung)"
                if try rows("""
                    UPDATE jobs SET state = 'failed', finished_at = \(t), lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL, error = \(message)
                    WHERE id = \(id) AND lease_token = \(token) AND state = 'running' AND lease_expires_at < \(t) RETURNING id
                    """).count == 1 { report.failed.append(id) }
            } else {
                let message = "lease expired on attempt \(attempt) of \(maxAttempts); requeued"
                if try rows("""
                    UPDATE jobs SET state = 'queued', run_after = \(t + retry.delay(afterAttempt: attempt)), lease_owner = NULL,
                        lease_token = NULL, lease_expires_at = NULL, error = \(message)
                    WHERE id = \(id) AND lease_token = \(token) AND state = 'running' AND lease_expires_at < \(t) RETURNING id
                    """).count == 1 { report.requeued.append(id); notifyQueued(id) }
            }
        }
        return report
    }

    public func requestCancel(id: String, owner: String?, now: Date) throws -> JobRecord? {
        defer { recent.invalidate(id) }
        let t = now.timeIntervalSince1970
        return try transaction { db, logger in
            try await db.query("""
                UPDATE jobs SET state = 'cancelled', finished_at = \(t)
                WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner)) AND state = 'queued'
                """, logger: logger)
            try await db.query("""
                UPDATE jobs SET cancel_requested = true
                WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner)) AND state = 'running'
                """, logger: logger)
            return try await db.query("""
                SELECT * FROM jobs WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner))
                """, logger: logger).collect().first.map(Self.job)
        }
    }

    public func deleteJob(id: String, owner: String?) throws -> Bool {
        defer { recent.invalidate(id) }
        return try rows("""
            DELETE FROM jobs WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner))
              AND state IN ('succeeded', 'failed', 'cancelled')
            RETURNING id
            """).count == 1
    }

    public func countJobs(byStateFor owner: String?) throws -> [JobState: Int] {
        var out: [JobState: Int] = [:]
        for s in JobState.allCases { out[s] = 0 }
        for row in try rows("SELECT state, count(*) FROM jobs WHERE (\(owner)::text IS NULL OR owner = \(owner)) GROUP BY state") {
            let (state, n) = try row.decode((String, Int).self)
            if let s = JobState(rawValue: state) { out[s] = n }
        }
        return out
    }

    public func finishedJobs(before cutoff: Date, limit: Int) throws -> [JobRecord] {
        try rows("""
            SELECT * FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < \(cutoff.timeIntervalSince1970)
            ORDER BY finished_at LIMIT \(limit)
            """).map(Self.job)
    }

    // MARK: - Models

    public func model(id: String, owner: String?) throws -> ModelRecord? {
        try rows("SELECT * FROM models WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner))").first.map(Self.model)
    }

    public func listModels(owner: String?, limit: Int, after: String?) throws -> [ModelRecord] {
        try rows("""
            SELECT * FROM models WHERE (\(owner)::text IS NULL OR owner = \(owner))
              AND (\(after)::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM models WHERE id = \(after)))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).map(Self.model)
    }

    public func deleteModel(id: String, owner: String?) throws -> ModelRecord? {
        try deleteUnlessUsed(
            select: "SELECT * FROM models WHERE id = \(id) AND (\(owner)::text IS NULL OR owner = \(owner)) FOR UPDATE",
            user: "SELECT id FROM jobs WHERE model_id = \(id) AND kind = 'apply' AND state IN ('queued', 'running') LIMIT 1",
            delete: "DELETE FROM models WHERE id = \(id)",
            decode: Self.model, inUse: { StoreError.modelInUse(modelID: id, jobID: $0) })
    }

    /// Drops a schema and everything in it (clean-up of tests and benchmarks that made one;
    /// `schema` must be an identifier that `PostgresLocation` accepted).
    public func dropSchema(_ schema: String) throws {
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else { return }
        _ = try rows(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
    }

    // MARK: - Workers

    public func recordWorker(_ w: WorkerStatus, forgettingBefore cutoff: Date) throws {
        try transaction { db, logger in
            try await db.query("""
                INSERT INTO workers (id, started_at, seen_at, claimed, succeeded, failed, running, stopped)
                VALUES (\(w.id), \(w.startedAt.timeIntervalSince1970), \(w.seenAt.timeIntervalSince1970), \(w.claimed),
                        \(w.succeeded), \(w.failed), \(w.running), \(w.stopped))
                ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, seen_at = EXCLUDED.seen_at,
                    claimed = EXCLUDED.claimed, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed,
                    running = EXCLUDED.running, stopped = EXCLUDED.stopped
                """, logger: logger)
            try await db.query("DELETE FROM workers WHERE seen_at < \(cutoff.timeIntervalSince1970)", logger: logger)
        }
    }

    public func workers(seenSince since: Date) throws -> [WorkerStatus] {
        try rows("""
            SELECT id, started_at, seen_at, claimed, succeeded, failed, running, stopped FROM workers
            WHERE seen_at >= \(since.timeIntervalSince1970) ORDER BY id
            """).map { row in
            let (id, started, seen, claimed, succeeded, failed, running, stopped) =
                try row.decode((String, Double, Double, Int, Int, Int, Int, Bool).self)
            return WorkerStatus(id: id, startedAt: Date(timeIntervalSince1970: started), seenAt: Date(timeIntervalSince1970: seen),
                                claimed: claimed, succeeded: succeeded, failed: failed, running: running, stopped: stopped)
        }
    }

    // MARK: - Notifications and row mapping

    /// Tells idle workers anywhere that `jobID` is runnable (outside any transaction).
    private func notifyQueued(_ jobID: String) {
        do { _ = try rows("SELECT pg_notify(\(PostgresSchema.queueChannel), \(jobID))") }
        catch { logger.warning("pg_notify failed (workers will poll): \(Self.describe(error))") }
    }

    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
    static func json(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ",") + "]" }
    static func date(_ v: Double?) -> Date? { v.map { Date(timeIntervalSince1970: $0) } }

    static func cube(_ row: PostgresRow) throws -> CubeRecord {
        let r = row.makeRandomAccess()
        let shape = try r["shape"].decode(String.self)
        return CubeRecord(
            id: try r["id"].decode(String.self), owner: try r["owner"].decode(String.self), name: try r["name"].decode(String.self),
            format: try r["format"].decode(String.self),
            shape: (try? JSONDecoder().decode([Int].self, from: Data(shape.utf8))) ?? [], dtype: try r["dtype"].decode(String.self),
            axisJSON: Data(try r["axis"].decode(String.self).utf8), size: try r["size"].decode(Int64.self),
            sha256: try r["sha256"].decode(String.self), createdAt: Date(timeIntervalSince1970: try r["created_at"].decode(Double.self)),
            blobPath: try r["blob_path"].decode(String.self), openOptionsJSON: Data(try r["open_options"].decode(String.self).utf8))
    }

    static func job(_ row: PostgresRow) throws -> JobRecord {
        let r = row.makeRandomAccess()
        func s(_ c: String) throws -> String { try r[c].decode(String.self) }
        func os(_ c: String) throws -> String? { try r[c].decode(String?.self) }
        func od(_ c: String) throws -> Date? { date(try r[c].decode(Double?.self)) }
        let chosenK = try r["chosen_k"].decode(Int?.self)
        return JobRecord(
            id: try s("id"), owner: try s("owner"), kind: JobKind(rawValue: try s("kind")) ?? .train,
            state: JobState(rawValue: try s("state")) ?? .failed, priority: try r["priority"].decode(Int.self),
            attempt: try r["attempt"].decode(Int.self), maxAttempts: try r["max_attempts"].decode(Int.self),
            runAfter: Date(timeIntervalSince1970: try r["run_after"].decode(Double.self)),
            leaseOwner: try os("lease_owner"), leaseToken: try os("lease_token"), leaseExpiresAt: try od("lease_expires_at"),
            heartbeatAt: try od("heartbeat_at"), progressJSON: try os("progress").map { Data($0.utf8) },
            cancelRequested: try r["cancel_requested"].decode(Bool.self), paramsJSON: Data(try s("params").utf8),
            cubeID: try s("cube_id"), modelID: try os("model_id"), resultID: try os("result_id"),
            choice: try chosenK.map { KChoice(k: $0, reason: try os("k_reason") ?? "") }, error: try os("error"),
            idempotencyKey: try os("idempotency_key"), requestHash: try os("request_hash"),
            createdAt: Date(timeIntervalSince1970: try r["created_at"].decode(Double.self)), startedAt: try od("started_at"),
            finishedAt: try od("finished_at"))
    }

    static func model(_ row: PostgresRow) throws -> ModelRecord {
        let (id, owner, jobID, cubeID, chosenK, createdAt) = try row.decode((String, String, String, String, Int, Double).self)
        return ModelRecord(id: id, owner: owner, jobID: jobID, cubeID: cubeID, chosenK: chosenK,
                           createdAt: Date(timeIntervalSince1970: createdAt))
    }
}
