import Foundation
import Logging
import ServiceLifecycle

/// A started service: store, blob store, workers, responder and HTTP server. Made by
/// `buildService`; `shutdown()` stops it gracefully.
public final class RunningService: Sendable {
    public let configuration: ServiceConfiguration
    public let store: any JobStore
    public let blobs: BlobStore
    public let responder: CubeSegService
    public let workers: WorkerPool?
    public let server: HTTPServer?
    public let metrics: ServiceMetrics
    let sweeper: RetentionSweeper
    let logger: Logger
    private let stopped = Flag()

    init(configuration: ServiceConfiguration, store: any JobStore, blobs: BlobStore, responder: CubeSegService,
         workers: WorkerPool?, server: HTTPServer?, metrics: ServiceMetrics, sweeper: RetentionSweeper, logger: Logger) {
        self.configuration = configuration; self.store = store; self.blobs = blobs; self.responder = responder
        self.workers = workers; self.server = server; self.metrics = metrics; self.sweeper = sweeper; self.logger = logger
    }

    /// The bound port (the configured one, or the one picked for port 0).
    public var port: Int { server?.port ?? configuration.port }

    /// Graceful shutdown: refuse new work (503), stop accepting connections, hand running
    /// jobs back to the queue (no attempt counted), stop the server. Idempotent.
    public func shutdown() {
        guard !stopped.isSet else { return }
        stopped.set()
        logger.info("shutting down")
        responder.beginDraining()
        server?.stopAccepting()
        sweeper.stop()
        workers?.stop()
        server?.stop()
        logger.info("stopped")
    }
}

/// Options of `buildService` that only tests and tools change.
public struct ServiceBuildOptions: Sendable {
    /// The engine (tests swap in a fast fake segmenter).
    public var engine: ServiceEngine = .live
    /// Start worker threads (false: jobs stay queued; tests drive the store by hand).
    public var startWorkers: Bool = true
    /// Start the HTTP server (false: use `responder` in-process).
    public var startHTTP: Bool = true
    /// Seconds between looks at a job during `?wait=N`.
    public var waitPollSeconds: Double = 0.1
    public init(engine: ServiceEngine = .live, startWorkers: Bool = true, startHTTP: Bool = true, waitPollSeconds: Double = 0.1) {
        self.engine = engine; self.startWorkers = startWorkers; self.startHTTP = startHTTP; self.waitPollSeconds = waitPollSeconds
    }
}

/// Opens the data directory (`cubeseg.sqlite`, `blobs/`, `uploads/`), reaps leases that
/// expired while the service was down, starts the workers and the HTTP server. Used by
/// `cubeseg serve` (through `runService`) and by the tests (port 0).
public func buildService(configuration: ServiceConfiguration, logger: Logger,
                         options: ServiceBuildOptions = ServiceBuildOptions()) throws -> RunningService {
    try configuration.validate()
    let dataDir = configuration.dataDirectoryURL
    try FileManager.default.createDirectory(at: dataDir.appendingPathComponent("uploads"), withIntermediateDirectories: true)
    let store = try openStore(configuration: configuration, logger: logger)
    let blobs = try BlobStore(root: dataDir.appendingPathComponent("blobs", isDirectory: true))
    // Alone on its data directory (SQLite) the service sweeps every leftover; in a cluster other
    // processes may be writing, so only what is older than a day.
    let cutoff: Date? = configuration.isClustered ? Date().addingTimeInterval(-clusterSweepGraceSeconds) : nil
    blobs.sweepTemporary(olderThan: cutoff)
    let references = try store.referencedBlobs()
    let leftovers = sweepUploads(dataDir.appendingPathComponent("uploads"), olderThan: cutoff)
        + blobs.sweepOrphans(keeping: references, olderThan: cutoff)
    if !leftovers.isEmpty {
        logger.warning("removed files a crash left behind", metadata: ["count": "\(leftovers.count)", "files": "\(leftovers.prefix(20))"])
    }
    let metrics = ServiceMetrics()
    let reaped = try store.reapExpiredLeases(now: Date(), retry: RetryPolicy(baseSeconds: configuration.retryBaseSeconds))
    if !reaped.requeued.isEmpty || !reaped.failed.isEmpty {
        logger.warning("reaped leases expired while stopped", metadata: ["requeued": "\(reaped.requeued)", "failed": "\(reaped.failed)"])
    }
    let pool = options.startWorkers && configuration.workers > 0
        ? WorkerPool(store: store, blobs: blobs, engine: options.engine, configuration: configuration, metrics: metrics, logger: logger)
        : nil
    let responder = CubeSegService(configuration: configuration, store: store, blobs: blobs, engine: options.engine, pool: pool,
                                   metrics: metrics, logger: logger, waitPollSeconds: options.waitPollSeconds)
    let sweeper = RetentionSweeper(store: store, blobs: blobs, retentionDays: configuration.retentionDays, logger: logger)
    var server: HTTPServer? = nil
    if options.startHTTP {
        let s = try HTTPServer(configuration: try makeServerConfiguration(configuration), responder: responder, logger: logger)
        responder.server.set(s)
        try s.start()
        server = s
    }
    pool?.start()
    sweeper.start()
    let service = RunningService(configuration: configuration, store: store, blobs: blobs, responder: responder, workers: pool,
                                 server: server, metrics: metrics, sweeper: sweeper, logger: logger)
    logger.info("cubeseg serving", metadata: [
        "address": "\(configuration.host):\(service.port)", "data_dir": "\(dataDir.path)", "store": "\((try? configuration.storeLocation).map(String.init(describing:)) ?? "?")", "workers": "\(configuration.workers)",
        "blas_threads": "\(configuration.effectiveBLASThreads)", "mode": "\(configuration.isLocalMode ? "local single-user" : "tokens")"])
    return service
}

/// Opens the configured store (SQLite in the data directory, or PostgreSQL), migrating it.
public func openStore(configuration: ServiceConfiguration, logger: Logger) throws -> any JobStore {
    switch try configuration.storeLocation {
    case .sqlite(let path): return try SQLiteJobStore(path: path)
    case .postgres(let location): return try PostgresJobStore(location: location, logger: logger)
    }
}

/// How old a leftover must be before a clustered process sweeps it, seconds: far longer than
/// any write between a blob and its row.
let clusterSweepGraceSeconds: Double = 24 * 3600

/// Removes the files in the upload directory (those older than `cutoff` when given): before
/// the HTTP front starts no request of this process is in flight, so each one is a body whose
/// request a crash cut short. Returns their names.
func sweepUploads(_ directory: URL, olderThan cutoff: Date? = nil) -> [String] {
    let fm = FileManager.default
    return ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).sorted().filter {
        let url = directory.appendingPathComponent($0)
        return BlobStore.isOlder(url, than: cutoff) && (try? fm.removeItem(at: url)) != nil
    }.map { "uploads/\($0)" }
}

/// A `ServiceLifecycle` service: runs until the group's graceful shutdown (SIGTERM, SIGINT)
/// or cancellation, then drains as `shutdown()` does.
extension RunningService: Service {
    public func run() async throws {
        await drainAtGracefulShutdown { self.shutdown() }
    }
}

/// Waits for the service group's graceful shutdown (or the task's cancellation: drain either
/// way), then runs `drain` on a Dispatch thread: draining waits for worker threads to hand
/// their jobs back, which must not hold a thread of the cooperative pool.
func drainAtGracefulShutdown(_ drain: @escaping @Sendable () -> Void) async {
    try? await gracefulShutdown()
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async { drain(); done.resume() }
    }
}

/// Runs the service until SIGTERM or SIGINT, then shuts down gracefully (a `ServiceGroup`
/// owns the signals). For `cubeseg serve`.
public func runService(configuration: ServiceConfiguration, logger: Logger) async throws {
    signal(SIGPIPE, SIG_IGN)
    for name in ServiceConfiguration.unrecognisedEnvironment(ProcessInfo.processInfo.environment) where name != "CUBESEG_OPENAPI" {
        logger.warning("ignoring \(name): not a configuration key")
    }
    let service = try buildService(configuration: configuration, logger: logger)
    let scheme = configuration.tlsCertificate == nil ? "http" : "https"
    let base = "\(scheme)://\(configuration.host):\(service.port)"
    let auth = configuration.isLocalMode ? "" : " -H 'Authorization: Bearer <token>'"
    // Written straight to the descriptor: `print` would hold it in a buffer when stdout is a
    // pipe (systemd, tests) until exit.
    FileHandle.standardOutput.write(Data("""
        cubeseg is listening on \(base)
        try:
          curl\(auth) -T cube.npy '\(base)/v1/cubes?name=mycube'
          curl\(auth) -F cube=@cube.npy -F 'params={"k_min":2,"k_max":6,"epochs":20}' \(base)/v1/jobs
          curl\(auth) '\(base)/v1/jobs/<job id>?wait=30'
          curl\(auth) -o labels.png \(base)/v1/jobs/<job id>/results/labels.png

        """.utf8))
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
}
