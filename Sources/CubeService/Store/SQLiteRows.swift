import Foundation
import GRDB

// GRDB records: one row type per table, mapped by `Codable` with the column names as coding
// keys. Times are stored as seconds since 1970 (REAL), JSON documents as TEXT. The public
// store types (`CubeRecord`, `JobRecord`, `ModelRecord`) stay free of GRDB so that other
// stores can map them too.

/// A row of `cubes`.
struct CubeRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "cubes"
    var id: String
    var owner: String
    var name: String
    var format: String
    /// JSON `[height, width, channels]`.
    var shape: String
    var dtype: String
    /// JSON `SpectralAxis`.
    var axis: String
    var size: Int64
    var sha256: String
    var createdAt: Double
    var blobPath: String
    /// JSON `CubeOpenRequest`.
    var openOptions: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, owner, name, format, shape, dtype, axis, size, sha256
        case createdAt = "created_at", blobPath = "blob_path", openOptions = "open_options"
    }

    init(_ c: CubeRecord) {
        id = c.id; owner = c.owner; name = c.name; format = c.format
        shape = "[" + c.shape.map(String.init).joined(separator: ",") + "]"
        dtype = c.dtype; axis = String(decoding: c.axisJSON, as: UTF8.self); size = c.size; sha256 = c.sha256
        createdAt = c.createdAt.timeIntervalSince1970; blobPath = c.blobPath
        openOptions = String(decoding: c.openOptionsJSON, as: UTF8.self)
    }

    var record: CubeRecord {
        CubeRecord(id: id, owner: owner, name: name, format: format,
                   shape: (try? JSONDecoder().decode([Int].self, from: Data(shape.utf8))) ?? [], dtype: dtype,
                   axisJSON: Data(axis.utf8), size: size, sha256: sha256, createdAt: Date(timeIntervalSince1970: createdAt),
                   blobPath: blobPath, openOptionsJSON: Data(openOptions.utf8))
    }
}

/// A row of `jobs`: the durable queue.
struct JobRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "jobs"
    var id: String
    var owner: String
    var kind: String
    var state: String
    var priority: Int
    var attempt: Int
    var maxAttempts: Int
    var runAfter: Double
    var leaseOwner: String?
    var leaseToken: String?
    var leaseExpiresAt: Double?
    var heartbeatAt: Double?
    /// JSON `SegmentationProgress`.
    var progress: String?
    var cancelRequested: Bool
    /// JSON `SegmentationParameters`.
    var params: String
    var cubeID: String
    var modelID: String?
    var resultID: String?
    var chosenK: Int?
    var kReason: String?
    var error: String?
    var idempotencyKey: String?
    var requestHash: String?
    var createdAt: Double
    var startedAt: Double?
    var finishedAt: Double?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, owner, kind, state, priority, attempt, progress, params, error
        case maxAttempts = "max_attempts", runAfter = "run_after", leaseOwner = "lease_owner", leaseToken = "lease_token"
        case leaseExpiresAt = "lease_expires_at", heartbeatAt = "heartbeat_at", cancelRequested = "cancel_requested"
        case cubeID = "cube_id", modelID = "model_id", resultID = "result_id", chosenK = "chosen_k", kReason = "k_reason"
        case idempotencyKey = "idempotency_key", requestHash = "request_hash", createdAt = "created_at"
        case startedAt = "started_at", finishedAt = "finished_at"
    }

    /// Decodes by column name without the `Codable` machinery, as GRDB advises for hot
    /// records: every poll of `GET /v1/jobs/{id}` reads one.
    init(row: Row) throws {
        typealias K = CodingKeys
        id = row[K.id.rawValue]; owner = row[K.owner.rawValue]; kind = row[K.kind.rawValue]; state = row[K.state.rawValue]
        priority = row[K.priority.rawValue]; attempt = row[K.attempt.rawValue]; maxAttempts = row[K.maxAttempts.rawValue]
        runAfter = row[K.runAfter.rawValue]; leaseOwner = row[K.leaseOwner.rawValue]; leaseToken = row[K.leaseToken.rawValue]
        leaseExpiresAt = row[K.leaseExpiresAt.rawValue]; heartbeatAt = row[K.heartbeatAt.rawValue]
        progress = row[K.progress.rawValue]; cancelRequested = row[K.cancelRequested.rawValue]; params = row[K.params.rawValue]
        cubeID = row[K.cubeID.rawValue]; modelID = row[K.modelID.rawValue]; resultID = row[K.resultID.rawValue]
        chosenK = row[K.chosenK.rawValue]; kReason = row[K.kReason.rawValue]; error = row[K.error.rawValue]
        idempotencyKey = row[K.idempotencyKey.rawValue]; requestHash = row[K.requestHash.rawValue]
        createdAt = row[K.createdAt.rawValue]; startedAt = row[K.startedAt.rawValue]; finishedAt = row[K.finishedAt.rawValue]
    }

    /// A new queued row (attempt 0, runnable at `now`).
    init(_ j: NewJob, now: Date) {
        let t = now.timeIntervalSince1970
        id = j.id; owner = j.owner; kind = j.kind.rawValue; state = JobState.queued.rawValue; priority = j.priority
        attempt = 0; maxAttempts = j.maxAttempts; runAfter = t; cancelRequested = false
        params = String(decoding: j.paramsJSON, as: UTF8.self); cubeID = j.cubeID; modelID = j.modelID
        idempotencyKey = j.idempotencyKey; requestHash = j.requestHash; createdAt = t
    }

    var record: JobRecord {
        func date(_ v: Double?) -> Date? { v.map { Date(timeIntervalSince1970: $0) } }
        return JobRecord(
            id: id, owner: owner, kind: JobKind(rawValue: kind) ?? .train, state: JobState(rawValue: state) ?? .failed,
            priority: priority, attempt: attempt, maxAttempts: maxAttempts, runAfter: Date(timeIntervalSince1970: runAfter),
            leaseOwner: leaseOwner, leaseToken: leaseToken, leaseExpiresAt: date(leaseExpiresAt), heartbeatAt: date(heartbeatAt),
            progressJSON: progress.map { Data($0.utf8) }, cancelRequested: cancelRequested, paramsJSON: Data(params.utf8),
            cubeID: cubeID, modelID: modelID, resultID: resultID, choice: chosenK.map { KChoice(k: $0, reason: kReason ?? "") },
            error: error, idempotencyKey: idempotencyKey, requestHash: requestHash,
            createdAt: Date(timeIntervalSince1970: createdAt), startedAt: date(startedAt), finishedAt: date(finishedAt))
    }
}

/// A row of `models`.
struct ModelRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "models"
    var id: String
    var owner: String
    var jobID: String
    var cubeID: String
    var chosenK: Int
    var createdAt: Double

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, owner, jobID = "job_id", cubeID = "cube_id", chosenK = "chosen_k", createdAt = "created_at"
    }

    init(_ m: ModelRecord) {
        id = m.id; owner = m.owner; jobID = m.jobID; cubeID = m.cubeID; chosenK = m.chosenK
        createdAt = m.createdAt.timeIntervalSince1970
    }

    var record: ModelRecord {
        ModelRecord(id: id, owner: owner, jobID: jobID, cubeID: cubeID, chosenK: chosenK,
                    createdAt: Date(timeIntervalSince1970: createdAt))
    }
}

/// A row of `workers`.
struct WorkerRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "workers"
    var id: String
    var startedAt: Double
    var seenAt: Double
    var claimed: Int
    var succeeded: Int
    var failed: Int
    var running: Int
    var stopped: Bool

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, claimed, succeeded, failed, running, stopped, startedAt = "started_at", seenAt = "seen_at"
    }

    init(_ w: WorkerStatus) {
        id = w.id; startedAt = w.startedAt.timeIntervalSince1970; seenAt = w.seenAt.timeIntervalSince1970
        claimed = w.claimed; succeeded = w.succeeded; failed = w.failed; running = w.running; stopped = w.stopped
    }

    var status: WorkerStatus {
        WorkerStatus(id: id, startedAt: Date(timeIntervalSince1970: startedAt), seenAt: Date(timeIntervalSince1970: seenAt),
                     claimed: claimed, succeeded: succeeded, failed: failed, running: running, stopped: stopped)
    }
}

extension QueryInterfaceRequest {
    /// Rows of `owner`, or every row when `owner` is nil (an admin).
    func owned(by owner: String?) -> Self {
        guard let owner else { return self }
        return filter(Column("owner") == owner)
    }
}
