import Foundation

/// The durable state of the service: cubes, jobs (a durable queue with leases) and models.
///
/// Free of any database specifics so that a PostgreSQL implementation can follow the SQLite
/// one. Every method is synchronous and short (no transaction outlives a call). `owner: nil`
/// in a look-up means "any owner" (an admin); otherwise rows of other owners are invisible,
/// exactly as if they did not exist.
///
/// Lease protocol: `claim` hands out a job with a fresh `leaseToken`; `heartbeat`, `finish`
/// and `release` act only while the row is still `running` under that token, and report
/// `false` / `.lost` otherwise (the worker must then stop and write nothing more).
/// `reapExpiredLeases` requeues running jobs whose lease expired (the attempt stays counted)
/// or fails them once `attempt >= max_attempts`, with the same guard inside its update.
public protocol JobStore: Sendable {
    // MARK: Cubes
    func insertCube(_ cube: CubeRecord) throws
    func cube(id: String, owner: String?) throws -> CubeRecord?
    /// Newest first; `after` is the id of the last cube of the previous page.
    func listCubes(owner: String?, limit: Int, after: String?) throws -> [CubeRecord]
    /// Removes the row; throws `StoreError.cubeInUse` while a queued or running job uses it.
    func deleteCube(id: String, owner: String?) throws -> CubeRecord?

    // MARK: Jobs
    /// Inserts a queued job unless the owner's `idempotencyKey` was seen (then returns that
    /// job, or throws `idempotencyMismatch` if its request differed). Enforces `limits`
    /// atomically (throws `queueFull`).
    func enqueue(_ job: NewJob, limits: QueueLimits, now: Date) throws -> EnqueueOutcome
    func job(id: String, owner: String?) throws -> JobRecord?
    func job(idempotencyKey: String, owner: String) throws -> JobRecord?
    /// Newest first, filtered by `state` when given; `cursor` comes from the previous page.
    func listJobs(owner: String?, state: JobState?, limit: Int, cursor: String?) throws -> JobPage
    /// Takes the most urgent runnable job (highest priority, then oldest) under a new lease
    /// and counts the attempt. nil when nothing is runnable.
    func claim(worker: String, leaseSeconds: Double, now: Date) throws -> JobRecord?
    /// Renews the lease and records `progress` (JSON); `.lost` when the lease is gone.
    func heartbeat(jobID: String, leaseToken: String, leaseSeconds: Double, progress: Data?, now: Date) throws -> HeartbeatOutcome
    /// Ends a running job under its lease. `.succeeded` may register the trained model in the
    /// same transaction. false: the lease was lost, nothing changed.
    func finish(jobID: String, leaseToken: String, outcome: JobOutcome, now: Date) throws -> Bool
    /// Gives the job back to the queue without counting the attempt (graceful shutdown).
    func release(jobID: String, leaseToken: String, now: Date) throws -> Bool
    /// Requeues (or fails, past max_attempts) running jobs whose lease expired before `now`.
    func reapExpiredLeases(now: Date, retry: RetryPolicy) throws -> ReapReport
    /// Cancels a queued job at once, flags a running one (`cancel_requested`), leaves a
    /// finished one alone. nil: no such job for this owner.
    func requestCancel(id: String, owner: String?, now: Date) throws -> JobRecord?
    /// Removes a finished job's row; false if it does not exist or is not finished.
    func deleteJob(id: String, owner: String?) throws -> Bool
    func countJobs(byStateFor owner: String?) throws -> [JobState: Int]
    /// Finished jobs that ended before `cutoff` (for the retention sweeper).
    func finishedJobs(before cutoff: Date, limit: Int) throws -> [JobRecord]

    // MARK: Models
    func model(id: String, owner: String?) throws -> ModelRecord?
    func listModels(owner: String?, limit: Int, after: String?) throws -> [ModelRecord]
    /// Removes the row; throws `StoreError.modelInUse` while a queued or running job applies it.
    func deleteModel(id: String, owner: String?) throws -> ModelRecord?

    // MARK: Workers
    /// Upserts a worker process's status (each heartbeat) and forgets workers not seen since
    /// `cutoff`.
    func recordWorker(_ status: WorkerStatus, forgettingBefore cutoff: Date) throws
    /// Workers seen since `since`, by id.
    func workers(seenSince since: Date) throws -> [WorkerStatus]

    /// Every blob a row refers to: for the start-up sweep of blobs that a crash left without
    /// a row (a cube written but never inserted, results written but never committed).
    func referencedBlobs() throws -> BlobReferences

    /// Cheap liveness check of the underlying database.
    func ping() throws

    /// Calls `onQueued` when another process makes a job runnable (PostgreSQL: LISTEN/NOTIFY).
    /// Stores without cross-process wake-ups do nothing: workers poll.
    func watchQueue(_ onQueued: @escaping @Sendable () -> Void)

    /// Releases connections; the store is not used afterwards.
    func close()
}

extension JobStore {
    public func watchQueue(_ onQueued: @escaping @Sendable () -> Void) {}
    public func close() {}
}

/// A worker process as it last reported itself: its counters since it started.
public struct WorkerStatus: Sendable, Equatable {
    /// `host:pid`.
    public var id: String
    public var startedAt: Date
    /// Its last report (every `heartbeat_seconds` while it runs).
    public var seenAt: Date
    /// Jobs it claimed, committed as succeeded, and failed for good or for a retry.
    public var claimed: Int
    public var succeeded: Int
    public var failed: Int
    /// Jobs running in it at its last report.
    public var running: Int
    /// It drained and exited.
    public var stopped: Bool
    public init(id: String, startedAt: Date, seenAt: Date, claimed: Int = 0, succeeded: Int = 0, failed: Int = 0,
                running: Int = 0, stopped: Bool = false) {
        self.id = id; self.startedAt = startedAt; self.seenAt = seenAt; self.claimed = claimed; self.succeeded = succeeded
        self.failed = failed; self.running = running; self.stopped = stopped
    }
}

/// The ids whose blobs the rows refer to (`cubes/<id>/`, `results/<id>/`, `models/<id>.json`).
public struct BlobReferences: Sendable, Equatable {
    public var cubes: Set<String> = []
    public var results: Set<String> = []
    public var models: Set<String> = []
    public init(cubes: Set<String> = [], results: Set<String> = [], models: Set<String> = []) {
        self.cubes = cubes; self.results = results; self.models = models
    }
}

public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

public enum JobKind: String, Sendable, Codable {
    /// Train a model on the cube and segment it.
    case train
    /// Segment the cube with an existing model (no training).
    case apply
}

/// An uploaded cube as stored: where its bytes are and what they hold.
public struct CubeRecord: Sendable, Codable, Equatable {
    public var id: String
    public var owner: String
    public var name: String
    /// Reader format (`npy`, `raw`, `envi`, `fits`, `hdf5`, ...).
    public var format: String
    /// (height, width, channels).
    public var shape: [Int]
    /// Stored element type, e.g. `float32`, `uint16`.
    public var dtype: String
    /// The spectral axis as JSON (`SpectralAxis`).
    public var axisJSON: Data
    /// Size of the uploaded file, bytes.
    public var size: Int64
    public var sha256: String
    public var createdAt: Date
    /// Path of the stored file, relative to the blob store's root.
    public var blobPath: String
    /// How to open it again (reader options as JSON, `CubeOpenRequest`).
    public var openOptionsJSON: Data

    public init(id: String, owner: String, name: String, format: String, shape: [Int], dtype: String, axisJSON: Data,
                size: Int64, sha256: String, createdAt: Date, blobPath: String, openOptionsJSON: Data) {
        self.id = id; self.owner = owner; self.name = name; self.format = format; self.shape = shape
        self.dtype = dtype; self.axisJSON = axisJSON; self.size = size; self.sha256 = sha256
        self.createdAt = createdAt; self.blobPath = blobPath; self.openOptionsJSON = openOptionsJSON
    }
}

/// A job to enqueue.
public struct NewJob: Sendable {
    public var id: String
    public var owner: String
    public var kind: JobKind
    public var priority: Int
    public var maxAttempts: Int
    /// The job's `SegmentationParameters` as JSON.
    public var paramsJSON: Data
    public var cubeID: String
    public var modelID: String?
    public var idempotencyKey: String?
    /// Fingerprint of the request, compared when an idempotency key is reused.
    public var requestHash: String?

    public init(id: String, owner: String, kind: JobKind, priority: Int = 0, maxAttempts: Int, paramsJSON: Data,
                cubeID: String, modelID: String? = nil, idempotencyKey: String? = nil, requestHash: String? = nil) {
        self.id = id; self.owner = owner; self.kind = kind; self.priority = priority; self.maxAttempts = maxAttempts
        self.paramsJSON = paramsJSON; self.cubeID = cubeID; self.modelID = modelID
        self.idempotencyKey = idempotencyKey; self.requestHash = requestHash
    }
}

/// One row of the queue.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var owner: String
    public var kind: JobKind
    public var state: JobState
    public var priority: Int
    /// Runs started so far (counted at claim).
    public var attempt: Int
    public var maxAttempts: Int
    public var runAfter: Date
    public var leaseOwner: String?
    public var leaseToken: String?
    public var leaseExpiresAt: Date?
    public var heartbeatAt: Date?
    /// Latest `SegmentationProgress` as JSON.
    public var progressJSON: Data?
    public var cancelRequested: Bool
    public var paramsJSON: Data
    public var cubeID: String
    /// The model applied (apply jobs) or trained (train jobs, once succeeded).
    public var modelID: String?
    /// Folder of the result files under the blob store's `results/`.
    public var resultID: String?
    /// Succeeded jobs: the K chosen and why.
    public var choice: KChoice? = nil
    public var error: String?
    public var idempotencyKey: String?
    public var requestHash: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

public struct JobPage: Sendable {
    public var jobs: [JobRecord]
    /// Pass back to get the next page; nil on the last page.
    public var nextCursor: String?

    /// A page from up to `limit + 1` rows in list order: the extra row only says that more follow.
    init(rows: [JobRecord], limit: Int) {
        jobs = Array(rows.prefix(limit))
        nextCursor = rows.count > limit ? jobs.last.map { JobListCursor.encode(time: $0.createdAt.timeIntervalSince1970, id: $0.id) } : nil
    }
}

public struct QueueLimits: Sendable {
    /// Queued + running jobs allowed overall, and per owner.
    public var total: Int
    public var perOwner: Int
    public init(total: Int, perOwner: Int) { self.total = total; self.perOwner = perOwner }
}

public enum EnqueueOutcome: Sendable, Equatable {
    case created(JobRecord)
    /// The idempotency key was already used for the same request: the job it created.
    case existing(JobRecord)
    public var job: JobRecord {
        switch self { case .created(let j), .existing(let j): return j }
    }
}

public enum HeartbeatOutcome: Sendable, Equatable {
    case renewed(cancelRequested: Bool)
    case lost
}

public enum JobOutcome: Sendable, Equatable {
    /// `choice`: the K the run chose and why, shown with the job.
    case succeeded(resultID: String, model: ModelRecord?, choice: KChoice? = nil)
    /// `retryAfter` nil: final failure; otherwise requeue (if attempts remain) to run after it.
    case failed(error: String, retryAfter: Date?)
    case cancelled
}

/// The K a succeeded run chose, and the selection's one-line reason.
public struct KChoice: Sendable, Equatable {
    public var k: Int
    public var reason: String
    public init(k: Int, reason: String) { self.k = k; self.reason = reason }
}

public struct ReapReport: Sendable, Equatable {
    public var requeued: [String] = []
    public var failed: [String] = []
    public init(requeued: [String] = [], failed: [String] = []) { self.requeued = requeued; self.failed = failed }
}

/// A trained model, stored as `models/<id>.json` in the blob store.
public struct ModelRecord: Sendable, Codable, Equatable {
    public var id: String
    public var owner: String
    public var jobID: String
    public var cubeID: String
    public var chosenK: Int
    public var createdAt: Date
    public init(id: String, owner: String, jobID: String, cubeID: String, chosenK: Int, createdAt: Date) {
        self.id = id; self.owner = owner; self.jobID = jobID; self.cubeID = cubeID; self.chosenK = chosenK; self.createdAt = createdAt
    }
}

/// Store failures that callers turn into HTTP statuses.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case queueFull(queued: Int, limit: Int, perOwner: Bool)
    case idempotencyMismatch(key: String, jobID: String)
    case cubeInUse(cubeID: String, jobID: String)
    case modelInUse(modelID: String, jobID: String)
    case badCursor(String)

    public var description: String {
        switch self {
        case let .queueFull(queued, limit, perOwner):
            return "\(perOwner ? "your" : "the") queue holds \(queued) unfinished job(s), the limit is \(limit)"
        case let .idempotencyMismatch(key, jobID): return "Idempotency-Key \"\(key)\" was used for job \(jobID) with a different request"
        case let .cubeInUse(cubeID, jobID): return "cube \(cubeID) is used by unfinished job \(jobID)"
        case let .modelInUse(modelID, jobID): return "model \(modelID) is used by unfinished job \(jobID)"
        case let .badCursor(c): return "cursor \"\(c)\" is not one this service handed out"
        }
    }
}

/// Exponential back-off with jitter for retries: `base * 2^(attempt-1)`, times a random
/// factor in [0.5, 1.5), capped at `cap` seconds.
public struct RetryPolicy: Sendable {
    public var baseSeconds: Double
    public var capSeconds: Double
    public init(baseSeconds: Double, capSeconds: Double = 600) { self.baseSeconds = baseSeconds; self.capSeconds = capSeconds }

    /// Delay before run number `attempt + 1`, seconds, after run `attempt` (>= 1) failed.
    public func delay(afterAttempt attempt: Int) -> Double {
        let exp = baseSeconds * pow(2, Double(max(0, min(attempt - 1, 30))))
        return min(capSeconds, exp * Double.random(in: 0.5..<1.5))
    }
}
