import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// `JobStore` on one SQLite file through GRDB: WAL journal (readers never wait for the
/// writer), a busy timeout, schema migrations at open. Every write that reads before it
/// writes runs in an IMMEDIATE transaction, so two processes on the same file cannot claim
/// the same job. The file must be on a local file system (SQLite locking is unreliable on
/// network file systems). Rows map through GRDB records (`CubeRow`, `JobRow`, `ModelRow`);
/// the queue's guarded updates stay SQL, where the guard is visible.
public final class SQLiteJobStore: JobStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String, busyTimeoutSeconds: Double = 5) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: config)
        try Self.exclusively(path) { try SQLiteSchema.migrator.migrate(pool) }
    }

    /// Runs `body` holding an exclusive `flock` on the database file: GRDB's migrator reads
    /// which migrations are applied, then applies the others, so two processes starting at
    /// once would both try to. (`flock` and SQLite's own `fcntl` locks do not interact on
    /// Linux; the file is on a local file system, as SQLite requires.)
    static func exclusively<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return try body() }
        defer { Glibc.close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction (takes the write lock up front).
    func immediate<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    public func ping() throws {
        _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func referencedBlobs() throws -> BlobReferences {
        try pool.read { db in
            BlobReferences(
                cubes: Set(try CubeRow.select(CubeRow.CodingKeys.id, as: String.self).fetchAll(db)),
                results: Set(try JobRow.select(JobRow.CodingKeys.resultID, as: String?.self).fetchAll(db).compactMap { $0 }),
                models: Set(try ModelRow.select(ModelRow.CodingKeys.id, as: String.self).fetchAll(db)))
        }
    }

    // MARK: - Cubes

    public func insertCube(_ c: CubeRecord) throws {
        try immediate { db in try CubeRow(c).insert(db) }
    }

    public func cube(id: String, owner: String?) throws -> CubeRecord? {
        try pool.read { db in try CubeRow.filter(key: id).owned(by: owner).fetchOne(db)?.record }
    }

    public func listCubes(owner: String?, limit: Int, after: String?) throws -> [CubeRecord] {
        try pool.read { db in
            try CubeRow.fetchAll(db, sql: """
                SELECT * FROM cubes WHERE (? IS NULL OR owner = ?)
                  AND (? IS NULL OR (created_at, id) < (SELECT created_at, id FROM cubes WHERE id = ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, after, after, limit]).map(\.record)
        }
    }

    public func deleteCube(id: String, owner: String?) throws -> CubeRecord? {
        try immediate { db in
            guard let row = try CubeRow.filter(key: id).owned(by: owner).fetchOne(db) else { return nil }
            if let jobID = try Self.unfinishedJobs.filter(JobRow.CodingKeys.cubeID == id)
                .select(JobRow.CodingKeys.id, as: String.self).fetchOne(db) {
                throw StoreError.cubeInUse(cubeID: id, jobID: jobID)
            }
            try row.delete(db)
            return row.record
        }
    }

    // MARK: - Jobs

    public func enqueue(_ j: NewJob, limits: QueueLimits, now: Date) throws -> EnqueueOutcome {
        try immediate { db in
            if let key = j.idempotencyKey,
               let existing = try Self.jobRow(idempotencyKey: key, owner: j.owner, db)?.record {
                guard existing.requestHash == j.requestHash else { throw StoreError.idempotencyMismatch(key: key, jobID: existing.id) }
                return .existing(existing)
            }
            let total = try Self.unfinishedJobs.fetchCount(db)
            if total >= limits.total { throw StoreError.queueFull(queued: total, limit: limits.total, perOwner: false) }
            let mine = try Self.unfinishedJobs.owned(by: j.owner).fetchCount(db)
            if mine >= limits.perOwner { throw StoreError.queueFull(queued: mine, limit: limits.perOwner, perOwner: true) }
            let row = JobRow(j, now: now)
            try row.insert(db)
            return .created(row.record)
        }
    }

    /// The hot read of every poll (`GET /v1/jobs/{id}`): one SELECT through a cached
    /// prepared statement (no re-parse, no authorizer callbacks) and no explicit transaction
    /// (a single statement reads one consistent snapshot by itself).
    public func job(id: String, owner: String?) throws -> JobRecord? {
        try pool.unsafeRead { db in
            let statement = try db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ? AND (? IS NULL OR owner = ?)")
            return try JobRow.fetchOne(statement, arguments: [id, owner, owner])?.record
        }
    }

    public func job(idempotencyKey: String, owner: String) throws -> JobRecord? {
        try pool.read { db in try Self.jobRow(idempotencyKey: idempotencyKey, owner: owner, db)?.record }
    }

    public func listJobs(owner: String?, state: JobState?, limit: Int, cursor: String?) throws -> JobPage {
        var afterTime: Double? = nil, afterID: String? = nil
        if let cursor {
            guard let (t, id) = JobListCursor.decode(cursor) else { throw StoreError.badCursor(cursor) }
            afterTime = t; afterID = id
        }
        let rows = try pool.read { db in
            try JobRow.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE (? IS NULL OR owner = ?) AND (? IS NULL OR state = ?)
                  AND (? IS NULL OR (created_at, id) < (?, ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, state?.rawValue, state?.rawValue, afterTime, afterTime, afterID, limit + 1])
        }
        return JobPage(rows: rows.map(\.record), limit: limit)
    }

    public func claim(worker: String, leaseSeconds: Double, now: Date) throws -> JobRecord? {
        let t = now.timeIntervalSince1970
        return try immediate { db in
            try JobRow.fetchOne(db, sql: """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_token = ?,
                    lease_expires_at = ?, heartbeat_at = ?, started_at = COALESCE(started_at, ?), error = NULL
                WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ?
                            ORDER BY priority DESC, run_after, id LIMIT 1)
                RETURNING *
                """, arguments: [worker, UUID().uuidString.lowercased(), t + leaseSeconds, t, t, t])?.record
        }
    }

    public func heartbeat(jobID: String, leaseToken: String, leaseSeconds: Double, progress: Data?, now: Date) throws -> HeartbeatOutcome {
        let t = now.timeIntervalSince1970
        return try immediate { db in
            let flag = try Int.fetchOne(db, sql: """
                UPDATE jobs SET heartbeat_at = ?, lease_expires_at = ?, progress = COALESCE(?, progress)
                WHERE id = ? AND lease_token = ? AND state = 'running'
                RETURNING cancel_requested
                """, arguments: [t, t + leaseSeconds, progress.map { String(decoding: $0, as: UTF8.self) }, jobID, leaseToken])
            return flag.map { .renewed(cancelRequested: $0 != 0) } ?? .lost
        }
    }

    public func finish(jobID: String, leaseToken: String, outcome: JobOutcome, now: Date) throws -> Bool {
        let t = now.timeIntervalSince1970
        return try immediate { db in
            let guardSQL = "WHERE id = ? AND lease_token = ? AND state = 'running'"
            switch outcome {
            case let .succeeded(resultID, model, choice):
                try db.execute(sql: """
                    UPDATE jobs SET state = 'succeeded', result_id = ?, model_id = COALESCE(?, model_id), finished_at = ?,
                        chosen_k = ?, k_reason = ?,
                        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, error = NULL \(guardSQL)
                    """, arguments: [resultID, model?.id, t, choice?.k, choice?.reason, jobID, leaseToken])
                guard db.changesCount == 1 else { return false }
                if let model { try ModelRow(model).insert(db) }
                return true
            case let .failed(error, retryAfter):
                // Requeue when a retry is asked for and attempts remain; fail otherwise.
                try db.execute(sql: """
                    UPDATE jobs SET
                        state = CASE WHEN ? IS NOT NULL AND attempt < max_attempts AND cancel_requested = 0 THEN 'queued' ELSE 'failed' END,
                        run_after = COALESCE(?, run_after),
                        finished_at = CASE WHEN ? IS NOT NULL AND attempt < max_attempts AND cancel_requested = 0 THEN NULL ELSE ? END,
                        error = ?, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL \(guardSQL)
                    """, arguments: [retryAfter?.timeIntervalSince1970, retryAfter?.timeIntervalSince1970,
                                     retryAfter?.timeIntervalSince1970, t, error, jobID, leaseToken])
                return db.changesCount == 1
            case .cancelled:
                try db.execute(sql: """
                    UPDATE jobs SET state = 'cancelled', finished_at = ?, lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL \(guardSQL)
                    """, arguments: [t, jobID, leaseToken])
                return db.changesCount == 1
            }
        }
    }

    public func release(jobID: String, leaseToken: String, now: Date) throws -> Bool {
        try immediate { db in
            try db.execute(sql: """
                UPDATE jobs SET state = 'queued', attempt = MAX(0, attempt - 1), run_after = ?, lease_owner = NULL,
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = ? AND lease_token = ? AND state = 'running'
                """, arguments: [now.timeIntervalSince1970, jobID, leaseToken])
            return db.changesCount == 1
        }
    }

    public func reapExpiredLeases(now: Date, retry: RetryPolicy) throws -> ReapReport {
        let t = now.timeIntervalSince1970
        return try immediate { db in
            var report = ReapReport()
            let expired = try Row.fetchAll(db, sql: """
                SELECT id, lease_token, attempt, max_attempts, cancel_requested FROM jobs
                WHERE state = 'running' AND lease_expires_at < ?
                """, arguments: [t])
            for row in expired {
                let id: String = row["id"], token: String = row["lease_token"]
                let attempt: Int = row["attempt"], maxAttempts: Int = row["max_attempts"]
                let cancel: Bool = row["cancel_requested"]
                // The guard is inside each UPDATE: a worker that finished in the meantime wins.
                if cancel {
                    try db.execute(sql: """
                        UPDATE jobs SET state = 'cancelled', finished_at = ?, lease_owner = NULL, lease_token = NULL,
                            lease_expires_at = NULL, error = 'lease expired after cancellation was requested'
                        WHERE id = ? AND lease_token = ? AND state = 'running' AND lease_expires_at < ?
                        """, arguments: [t, id, token, t])
                    if db.changesCount == 1 { report.failed.append(id) }
                } else if attempt >= maxAttempts {
                    try db.execute(sql: """
                        UPDATE jobs SET state = 'failed', finished_at = ?, lease_owner = NULL, lease_token = NULL,
                            lease_expires_at = NULL, error = ?
                        WHERE id = ? AND lease_token = ? AND state = 'running' AND lease_expires_at < ?
                        """, arguments: [t, "lease expired on attempt \(attempt) of \(maxAttempts) (worker died or hung)", id, token, t])
                    if db.changesCount == 1 { report.failed.append(id) }
                } else {
                    try db.execute(sql: """
                        UPDATE jobs SET state = 'queued', run_after = ?, lease_owner = NULL, lease_token = NULL,
                            lease_expires_at = NULL, error = ?
                        WHERE id = ? AND lease_token = ? AND state = 'running' AND lease_expires_at < ?
                        """, arguments: [t + retry.delay(afterAttempt: attempt),
                                         "lease expired on attempt \(attempt) of \(maxAttempts); requeued", id, token, t])
                    if db.changesCount == 1 { report.requeued.append(id) }
                }
            }
            return report
        }
    }

    public func requestCancel(id: String, owner: String?, now: Date) throws -> JobRecord? {
        try immediate { db in
            let t = now.timeIntervalSince1970
            try db.execute(sql: """
                UPDATE jobs SET state = 'cancelled', finished_at = ?
                WHERE id = ? AND (? IS NULL OR owner = ?) AND state = 'queued'
                """, arguments: [t, id, owner, owner])
            try db.execute(sql: """
                UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND (? IS NULL OR owner = ?) AND state = 'running'
                """, arguments: [id, owner, owner])
            return try JobRow.filter(key: id).owned(by: owner).fetchOne(db)?.record
        }
    }

    public func deleteJob(id: String, owner: String?) throws -> Bool {
        try immediate { db in
            try JobRow.filter(key: id).owned(by: owner).filter(Self.finishedStates.contains(JobRow.CodingKeys.state))
                .deleteAll(db) == 1
        }
    }

    public func countJobs(byStateFor owner: String?) throws -> [JobState: Int] {
        try pool.read { db in
            var out: [JobState: Int] = [:]
            for s in JobState.allCases { out[s] = 0 }
            let counts = JobRow.select(JobRow.CodingKeys.state, count(JobRow.CodingKeys.id).forKey("n"))
                .owned(by: owner).group(JobRow.CodingKeys.state)
            for row in try Row.fetchAll(db, counts) {
                if let s = JobState(rawValue: row["state"]) { out[s] = row["n"] }
            }
            return out
        }
    }

    public func finishedJobs(before cutoff: Date, limit: Int) throws -> [JobRecord] {
        try pool.read { db in
            try JobRow.filter(Self.finishedStates.contains(JobRow.CodingKeys.state))
                .filter(JobRow.CodingKeys.finishedAt < cutoff.timeIntervalSince1970)
                .order(JobRow.CodingKeys.finishedAt).limit(limit).fetchAll(db).map(\.record)
        }
    }

    // MARK: - Models

    public func model(id: String, owner: String?) throws -> ModelRecord? {
        try pool.read { db in try ModelRow.filter(key: id).owned(by: owner).fetchOne(db)?.record }
    }

    public func listModels(owner: String?, limit: Int, after: String?) throws -> [ModelRecord] {
        try pool.read { db in
            try ModelRow.fetchAll(db, sql: """
                SELECT * FROM models WHERE (? IS NULL OR owner = ?)
                  AND (? IS NULL OR (created_at, id) < (SELECT created_at, id FROM models WHERE id = ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, after, after, limit]).map(\.record)
        }
    }

    public func deleteModel(id: String, owner: String?) throws -> ModelRecord? {
        try immediate { db in
            guard let row = try ModelRow.filter(key: id).owned(by: owner).fetchOne(db) else { return nil }
            if let jobID = try Self.unfinishedJobs
                .filter(JobRow.CodingKeys.modelID == id && JobRow.CodingKeys.kind == JobKind.apply.rawValue)
                .select(JobRow.CodingKeys.id, as: String.self).fetchOne(db) {
                throw StoreError.modelInUse(modelID: id, jobID: jobID)
            }
            try row.delete(db)
            return row.record
        }
    }

    // MARK: - Workers

    public func recordWorker(_ status: WorkerStatus, forgettingBefore cutoff: Date) throws {
        try immediate { db in
            try WorkerRow(status).insert(db, onConflict: .replace)
            try WorkerRow.filter(WorkerRow.CodingKeys.seenAt < cutoff.timeIntervalSince1970).deleteAll(db)
        }
    }

    public func workers(seenSince since: Date) throws -> [WorkerStatus] {
        try pool.read { db in
            try WorkerRow.filter(WorkerRow.CodingKeys.seenAt >= since.timeIntervalSince1970).order(WorkerRow.CodingKeys.id)
                .fetchAll(db).map(\.status)
        }
    }

    // MARK: - Requests

    static let finishedStates = [JobState.succeeded, .failed, .cancelled].map(\.rawValue)

    /// Queued or running jobs.
    static var unfinishedJobs: QueryInterfaceRequest<JobRow> {
        JobRow.filter([JobState.queued.rawValue, JobState.running.rawValue].contains(JobRow.CodingKeys.state))
    }

    static func jobRow(idempotencyKey: String, owner: String, _ db: Database) throws -> JobRow? {
        try JobRow.filter(JobRow.CodingKeys.owner == owner && JobRow.CodingKeys.idempotencyKey == idempotencyKey).fetchOne(db)
    }
}
