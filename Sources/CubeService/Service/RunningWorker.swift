import Foundation
import Logging
import ServiceLifecycle

/// A `cubeseg worker` process: `workers` threads that claim jobs from a shared store, run
/// them, and write results and models to the shared data directory. No HTTP front; a
/// `cubeseg serve` (possibly with `workers: 0`) accepts the work elsewhere. Expired leases of
/// dead workers anywhere in the cluster are reaped by every worker's lease keeper.
public final class RunningWorker: Sendable {
    public let configuration: ServiceConfiguration
    public let store: any JobStore
    public let pool: WorkerPool
    let logger: Logger

    init(configuration: ServiceConfiguration, store: any JobStore, pool: WorkerPool, logger: Logger) {
        self.configuration = configuration; self.store = store; self.pool = pool; self.logger = logger
    }

    /// Stops claiming, hands running jobs back to the queue (no attempt counted), joins the
    /// threads. Idempotent.
    public func shutdown() {
        logger.info("worker draining")
        pool.stop()
        logger.info("worker stopped")
    }
}

/// Opens the store and the shared data directory and starts the worker threads.
public func buildWorker(configuration: ServiceConfiguration, logger: Logger, engine: ServiceEngine = .live) throws -> RunningWorker {
    try configuration.validate()
    guard configuration.workers > 0 else {
        throw ConfigurationError.invalidValue(key: "workers", value: "0", reason: "a worker process needs at least one worker thread")
    }
    let dataDir = configuration.dataDirectoryURL
    let store = try openStore(configuration: configuration, logger: logger)
    let blobs = try BlobStore(root: dataDir.appendingPathComponent("blobs", isDirectory: true))
    let pool = WorkerPool(store: store, blobs: blobs, engine: engine, configuration: configuration, metrics: ServiceMetrics(), logger: logger)
    pool.start()
    logger.info("cubeseg worker running", metadata: [
        "store": "\((try? configuration.storeLocation).map(String.init(describing:)) ?? "?")", "data_dir": "\(dataDir.path)",
        "workers": "\(configuration.workers)", "blas_threads": "\(configuration.effectiveBLASThreads)"])
    return RunningWorker(configuration: configuration, store: store, pool: pool, logger: logger)
}

extension RunningWorker: Service {
    /// Runs until the group's graceful shutdown (SIGTERM, SIGINT) or cancellation, then drains.
    public func run() async throws {
        await drainAtGracefulShutdown { self.shutdown() }
    }
}

/// `cubeseg worker`: runs jobs until SIGTERM or SIGINT, then drains.
public func runWorker(configuration: ServiceConfiguration, logger: Logger) async throws {
    signal(SIGPIPE, SIG_IGN)
    let worker = try buildWorker(configuration: configuration, logger: logger)
    let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
}
