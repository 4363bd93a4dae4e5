import CubeML
import Foundation
import Logging

/// N worker threads that claim jobs from the store and run them, plus a lease keeper
/// thread that heartbeats the running jobs and reaps expired leases.
///
/// `stop()` asks running jobs to stop at their next batch, gives them back to the queue
/// (without counting the attempt) and joins every thread.
public final class WorkerPool: @unchecked Sendable {
    let store: any JobStore
    let runner: JobRunner
    let configuration: ServiceConfiguration
    let logger: Logger
    let signal = QueueSignal()
    let retry: RetryPolicy
    let workerPrefix: String

    // Invariant: `running`, `stopping`, `threadsAlive` and `counts` are only touched with
    // `lock` held.
    private let lock = NSCondition()
    private var running: [String: RunningJob] = [:]
    private var counts = (claimed: 0, succeeded: 0, failed: 0)
    private let startedAt = Date()
    private var stopping = false
    private var threadsAlive = 0
    private var started = false

    init(store: any JobStore, blobs: BlobStore, engine: ServiceEngine, configuration: ServiceConfiguration,
         metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.retry = RetryPolicy(baseSeconds: configuration.retryBaseSeconds)
        self.runner = JobRunner(store: store, blobs: blobs, engine: engine, retry: retry, metrics: metrics, logger: logger)
        self.workerPrefix = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Sets the BLAS thread count and starts the threads.
    public func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        threadsAlive = configuration.workers + 1
        lock.unlock()
        BLAS.setThreads(configuration.effectiveBLASThreads)
        // Jobs queued by other processes (a front, another worker's requeue) wake us at once.
        store.watchQueue { [signal] in signal.notify() }
        for i in 0..<configuration.workers {
            let t = Thread { [self] in workerLoop(name: "\(workerPrefix):w\(i)") }
            t.name = "cubeseg-worker-\(i)"
            t.stackSize = 16 << 20
            t.start()
        }
        let keeper = Thread { [self] in leaseKeeperLoop() }
        keeper.name = "cubeseg-lease-keeper"
        keeper.start()
    }

    /// Wakes an idle worker (after an enqueue).
    public func notify() { signal.notify() }

    /// Jobs being run right now.
    public var runningJobIDs: [String] { lock.lock(); defer { lock.unlock() }; return running.keys.sorted() }

    /// Stops claiming, hands running jobs back to the queue, joins all threads.
    public func stop() {
        lock.lock()
        stopping = true
        for job in running.values { job.markShuttingDown() }
        lock.unlock()
        signal.notify(count: configuration.workers + 1)
        lock.lock()
        while threadsAlive > 0 && started {
            _ = lock.wait(until: Date(timeIntervalSinceNow: 0.1))
            signal.notify(count: 1)
        }
        let report = started
        lock.unlock()
        if report { reportStatus(stopped: true) }
    }

    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    private func threadExited() {
        lock.lock(); threadsAlive -= 1; lock.broadcast(); lock.unlock()
    }

    private func workerLoop(name: String) {
        defer { threadExited() }
        while !isStopping {
            let job: JobRecord?
            do { job = try store.claim(worker: name, leaseSeconds: configuration.leaseSeconds, now: Date()) }
            catch {
                logger.error("claim failed: \(error)")
                signal.wait(seconds: configuration.pollSeconds)
                continue
            }
            guard let job, let token = job.leaseToken else {
                signal.wait(seconds: configuration.pollSeconds)
                continue
            }
            let r = RunningJob(job: job, leaseToken: token)
            lock.lock()
            running[job.id] = r
            counts.claimed += 1
            if stopping { r.markShuttingDown() }
            lock.unlock()
            let outcome = runner.run(r)
            lock.lock()
            running[job.id] = nil
            if outcome == "succeeded" { counts.succeeded += 1 }
            if outcome == "failed" || outcome == "requeued" { counts.failed += 1 }
            lock.unlock()
        }
    }

    /// Heartbeats every running job each `heartbeatSeconds`, and reaps expired leases as often.
    private func leaseKeeperLoop() {
        defer { threadExited() }
        var nextBeat = Date(), nextReap = Date()
        while !isStopping {
            if Date() >= nextBeat {
                heartbeatNow()
                nextBeat = Date().addingTimeInterval(configuration.heartbeatSeconds)
            }
            if Date() >= nextReap {
                reportStatus()
                reapNow()
                nextReap = Date().addingTimeInterval(configuration.heartbeatSeconds)
            }
            Thread.sleep(forTimeInterval: min(0.1, configuration.heartbeatSeconds / 4))
        }
    }

    /// How long the rows of worker processes that stopped reporting are kept, seconds.
    static let reportedFor: Double = 24 * 3600

    /// Writes this process's counters to the store (`workers`), for every front's /metrics.
    func reportStatus(stopped: Bool = false) {
        lock.lock()
        let now = Date()
        let status = WorkerStatus(id: workerPrefix, startedAt: startedAt, seenAt: now, claimed: counts.claimed,
                                  succeeded: counts.succeeded, failed: counts.failed, running: running.count, stopped: stopped)
        lock.unlock()
        do { try store.recordWorker(status, forgettingBefore: now.addingTimeInterval(-Self.reportedFor)) }
        catch { logger.error("could not report the worker's status: \(error)") }
    }

    /// Renews the lease of every running job; marks lost leases and cancel requests.
    func heartbeatNow() {
        lock.lock()
        let jobs = Array(running.values)
        lock.unlock()
        for r in jobs {
            do {
                switch try store.heartbeat(jobID: r.job.id, leaseToken: r.leaseToken, leaseSeconds: configuration.leaseSeconds,
                                           progress: r.takeProgress(), now: Date()) {
                case .lost: r.markLeaseLost(); logger.warning("lease lost", metadata: ["job": "\(r.job.id)"])
                case .renewed(let cancel): if cancel { r.markCancelRequested() }
                }
            } catch {
                logger.error("heartbeat failed: \(error)", metadata: ["job": "\(r.job.id)"])
            }
        }
    }

    /// Tells a job running in this process that its cancellation was requested (the store
    /// has the flag too; this only saves waiting for the next heartbeat).
    public func cancelLocally(jobID: String) {
        lock.lock()
        let r = running[jobID]
        lock.unlock()
        r?.markCancelRequested()
    }

    /// Requeues or fails jobs whose lease expired; wakes workers if any came back.
    @discardableResult
    func reapNow() -> ReapReport {
        do {
            let report = try store.reapExpiredLeases(now: Date(), retry: retry)
            if !report.requeued.isEmpty || !report.failed.isEmpty {
                logger.warning("reaped expired leases", metadata: ["requeued": "\(report.requeued)", "failed": "\(report.failed)"])
            }
            return report
        } catch {
            logger.error("reaper failed: \(error)")
            return ReapReport()
        }
    }
}
