import Foundation
import GRDB

/// `JobStore` on one SQLite file through GRDB: WAL journal (readers never wait for the
/// writer), a busy timeout, schema migrations at open. Every write that reads before it
/// writes runs in an IMMEDIATE transaction, so two processes on the same file cannot claim
/// the same job. The file must be on a local file system (SQLite locking is unreliable on
/// network file systems).
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
        try SQLiteSchema.migrator.migrate(pool)
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
                cubes: Set(try String.fetchAll(db, sql: "SELECT id FROM cubes")),
                results: Set(try String.fetchAll(db, sql: "SELECT result_id FROM jobs WHERE result_id IS NOT NULL")),
                models: Set(try String.fetchAll(db, sql: "SELECT id FROM models")))
        }
    }

    // MARK: - Cubes

    public func insertCube(_ c: CubeRecord) throws {
        try immediate { db in
            try db.execute(sql: """
                INSERT INTO cubes (id, owner, name, format, shape, dtype, axis, size, sha256, created_at, blob_path, open_options)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [c.id, c.owner, c.name, c.format, Self.json(c.shape), c.dtype,
                                 String(decoding: c.axisJSON, as: UTF8.self), c.size, c.sha256,
                                 c.createdAt.timeIntervalSince1970, c.blobPath, String(decoding: c.openOptionsJSON, as: UTF8.self)])
        }
    }

    public func cube(id: String, owner: String?) throws -> CubeRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cubes WHERE id = ? AND (? IS NULL OR owner = ?)",
                             arguments: [id, owner, owner]).map(Self.cube(row:))
        }
    }

    public func listCubes(owner: String?, limit: Int, after: String?) throws -> [CubeRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM cubes WHERE (? IS NULL OR owner = ?)
                  AND (? IS NULL OR (created_at, id) < (SELECT created_at, id FROM cubes WHERE id = ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, after, after, limit]).map(Self.cube(row:))
        }
    }

    public func deleteCube(id: String, owner: String?) throws -> CubeRecord? {
        try immediate { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cubes WHERE id = ? AND (? IS NULL OR owner = ?)",
                                             arguments: [id, owner, owner]) else { return nil }
            if let jobID = try String.fetchOne(db, sql: "SELECT id FROM jobs WHERE cube_id = ? AND state IN ('queued', 'running') LIMIT 1",
                                               arguments: [id]) {
                throw StoreError.cubeInUse(cubeID: id, jobID: jobID)
            }
            try db.execute(sql: "DELETE FROM cubes WHERE id = ?", arguments: [id])
            return Self.cube(row: row)
        }
    }

    // MARK: - Jobs

    public func enqueue(_ j: NewJob, limits: QueueLimits, now: Date) throws -> EnqueueOutcome {
        try immediate { db in
            if let key = j.idempotencyKey,
               let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE owner = ? AND idempotency_key = ?", arguments: [j.owner, key]) {
                let existing = Self.job(row: row)
                guard existing.requestHash == j.requestHash else { throw StoreError.idempotencyMismatch(key: key, jobID: existing.id) }
                return .existing(existing)
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')") ?? 0
            if total >= limits.total { throw StoreError.queueFull(queued: total, limit: limits.total, perOwner: false) }
            let mine = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE owner = ? AND state IN ('queued', 'running')",
                                        arguments: [j.owner]) ?? 0
            if mine >= limits.perOwner { throw StoreError.queueFull(queued: mine, limit: limits.perOwner, perOwner: true) }
            let t = now.timeIntervalSince1970
            let row = try Row.fetchOne(db, sql: """
                INSERT INTO jobs (id, owner, kind, state, priority, attempt, max_attempts, run_after, params, cube_id,
                                  model_id, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """, arguments: [j.id, j.owner, j.kind.rawValue, j.priority, j.maxAttempts, t,
                                 String(decoding: j.paramsJSON, as: UTF8.self), j.cubeID, j.modelID,
                                 j.idempotencyKey, j.requestHash, t])!
            return .created(Self.job(row: row))
        }
    }

    /// The hot read of every poll (`GET /v1/jobs/{id}`): one SELECT through a cached
    /// prepared statement (no re-parse, no authorizer callbacks) and no explicit transaction
    /// (a single statement reads one consistent snapshot by itself).
    public func job(id: String, owner: String?) throws -> JobRecord? {
        try pool.unsafeRead { db in
            let statement = try db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ? AND (? IS NULL OR owner = ?)")
            return try Row.fetchOne(statement, arguments: [id, owner, owner]).map(Self.job(row:))
        }
    }

    public func job(idempotencyKey: String, owner: String) throws -> JobRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE owner = ? AND idempotency_key = ?",
                             arguments: [owner, idempotencyKey]).map(Self.job(row:))
        }
    }

    public func listJobs(owner: String?, state: JobState?, limit: Int, cursor: String?) throws -> JobPage {
        var afterTime: Double? = nil, afterID: String? = nil
        if let cursor {
            guard let (t, id) = Self.decodeCursor(cursor) else { throw StoreError.badCursor(cursor) }
            afterTime = t; afterID = id
        }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE (? IS NULL OR owner = ?) AND (? IS NULL OR state = ?)
                  AND (? IS NULL OR (created_at, id) < (?, ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, state?.rawValue, state?.rawValue, afterTime, afterTime, afterID, limit + 1])
        }
        var jobs = rows.map(Self.job(row:))
        var next: String? = nil
        if jobs.count > limit {
            jobs.removeLast()
            next = jobs.last.map { Self.encodeCursor(time: $0.createdAt.timeIntervalSince1970, id: $0.id) }
        }
        return JobPage(jobs: jobs, nextCursor: next)
    }

    public func claim(worker: String, leaseSeconds: Double, now: Date) throws -> JobRecord? {
        let t = now.timeIntervalSince1970
        return try immediate { db in
            try Row.fetchOne(db, sql: """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_token = ?,
                    lease_expires_at = ?, heartbeat_at = ?, started_at = COALESCE(started_at, ?), error = NULL
                WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ?
                            ORDER BY priority DESC, run_after, id LIMIT 1)
                RETURNING *
                """, arguments: [worker, UUID().uuidString.lowercased(), t + leaseSeconds, t, t, t]).map(Self.job(row:))
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
                if let m = model {
                    try db.execute(sql: "INSERT INTO models (id, owner, job_id, cube_id, chosen_k, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [m.id, m.owner, m.jobID, m.cubeID, m.chosenK, m.createdAt.timeIntervalSince1970])
                }
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
            return try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ? AND (? IS NULL OR owner = ?)",
                                    arguments: [id, owner, owner]).map(Self.job(row:))
        }
    }

    public func deleteJob(id: String, owner: String?) throws -> Bool {
        try immediate { db in
            try db.execute(sql: """
                DELETE FROM jobs WHERE id = ? AND (? IS NULL OR owner = ?) AND state IN ('succeeded', 'failed', 'cancelled')
                """, arguments: [id, owner, owner])
            return db.changesCount == 1
        }
    }

    public func countJobs(byStateFor owner: String?) throws -> [JobState: Int] {
        try pool.read { db in
            var out: [JobState: Int] = [:]
            for s in JobState.allCases { out[s] = 0 }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs WHERE (? IS NULL OR owner = ?) GROUP BY state",
                                        arguments: [owner, owner]) {
                if let s = JobState(rawValue: row["state"]) { out[s] = row["n"] }
            }
            return out
        }
    }

    public func finishedJobs(before cutoff: Date, limit: Int) throws -> [JobRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?
                ORDER BY finished_at LIMIT ?
                """, arguments: [cutoff.timeIntervalSince1970, limit]).map(Self.job(row:))
        }
    }

    // MARK: - Models

    public func model(id: String, owner: String?) throws -> ModelRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM models WHERE id = ? AND (? IS NULL OR owner = ?)",
                             arguments: [id, owner, owner]).map(Self.model(row:))
        }
    }

    public func listModels(owner: String?, limit: Int, after: String?) throws -> [ModelRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM models WHERE (? IS NULL OR owner = ?)
                  AND (? IS NULL OR (created_at, id) < (SELECT created_at, id FROM models WHERE id = ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [owner, owner, after, after, limit]).map(Self.model(row:))
        }
    }

    public func deleteModel(id: String, owner: String?) throws -> ModelRecord? {
        try immediate { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM models WHERE id = ? AND (? IS NULL OR owner = ?)",
                                             arguments: [id, owner, owner]) else { return nil }
            if let jobID = try String.fetchOne(db, sql: """
                SELECT id FROM jobs WHERE model_id = ? AND kind = 'apply' AND state IN ('queued', 'running') LIMIT 1
                """, arguments: [id]) {
                throw StoreError.modelInUse(modelID: id, jobID: jobID)
            }
            try db.execute(sql: "DELETE FROM models WHERE id = ?", arguments: [id])
            return Self.model(row: row)
        }
    }

    // MARK: - Row mapping

    static func date(_ v: Double?) -> Date? { v.map { Date(timeIntervalSince1970: $0) } }

    static func json(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ",") + "]" }

    static func cube(row: Row) -> CubeRecord {
        let shapeText: String = row["shape"]
        let shape = (try? JSONDecoder().decode([Int].self, from: Data(shapeText.utf8))) ?? []
        let axis: String = row["axis"], options: String = row["open_options"]
        return CubeRecord(id: row["id"], owner: row["owner"], name: row["name"], format: row["format"], shape: shape,
                          dtype: row["dtype"], axisJSON: Data(axis.utf8), size: row["size"], sha256: row["sha256"],
                          createdAt: Date(timeIntervalSince1970: row["created_at"]), blobPath: row["blob_path"],
                          openOptionsJSON: Data(options.utf8))
    }

    static func job(row: Row) -> JobRecord {
        let params: String = row["params"]
        let progress: String? = row["progress"]
        let chosenK: Int? = row["chosen_k"], reason: String? = row["k_reason"]
        return JobRecord(
            id: row["id"], owner: row["owner"], kind: JobKind(rawValue: row["kind"]) ?? .train,
            state: JobState(rawValue: row["state"]) ?? .failed, priority: row["priority"], attempt: row["attempt"],
            maxAttempts: row["max_attempts"], runAfter: Date(timeIntervalSince1970: row["run_after"]),
            leaseOwner: row["lease_owner"], leaseToken: row["lease_token"], leaseExpiresAt: date(row["lease_expires_at"]),
            heartbeatAt: date(row["heartbeat_at"]), progressJSON: progress.map { Data($0.utf8) },
            cancelRequested: row["cancel_requested"], paramsJSON: Data(params.utf8), cubeID: row["cube_id"],
            modelID: row["model_id"], resultID: row["result_id"], choice: chosenK.map { KChoice(k: $0, reason: reason ?? "") },
            error: row["error"],
            idempotencyKey: row["idempotency_key"], requestHash: row["request_hash"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"]))
    }

    static func model(row: Row) -> ModelRecord {
        ModelRecord(id: row["id"], owner: row["owner"], jobID: row["job_id"], cubeID: row["cube_id"],
                    chosenK: row["chosen_k"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    // A job-list cursor: base64url of "<created_at bit pattern hex>:<id>" (exact, opaque).
    static func encodeCursor(time: Double, id: String) -> String {
        let raw = String(time.bitPattern, radix: 16) + ":" + id
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ s: String) -> (Double, String)? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let raw = String(data: data, encoding: .utf8),
              let colon = raw.firstIndex(of: ":"), let bits = UInt64(raw[..<colon], radix: 16) else { return nil }
        let id = String(raw[raw.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        return (Double(bitPattern: bits), id)
    }
}
