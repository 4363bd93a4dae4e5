import Foundation
import Logging
import Synchronization

/// Removes finished jobs (and their result files) older than the retention period, hourly
/// and once at start. Cubes and models are kept until deleted.
final class RetentionSweeper: Sendable {
    let store: any JobStore
    let blobs: BlobStore
    let retentionDays: Double
    let logger: Logger
    /// Made in `start()` and resumed at once (a suspended source must never be released).
    private let timer = Mutex<DispatchSourceTimer?>(nil)

    init(store: any JobStore, blobs: BlobStore, retentionDays: Double, logger: Logger) {
        self.store = store; self.blobs = blobs; self.retentionDays = retentionDays; self.logger = logger
    }

    func start() {
        guard retentionDays > 0 else { return }
        timer.withLock { timer in
            guard timer == nil else { return }
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "cubeseg.sweeper", qos: .utility))
            t.schedule(deadline: .now() + 1, repeating: 3600)
            t.setEventHandler { [weak self] in _ = self?.sweep(now: Date()) }
            t.resume()
            timer = t
        }
    }

    func stop() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
    }

    /// Deletes what is past retention at `now`; returns the ids of the jobs removed.
    @discardableResult
    func sweep(now: Date) -> [String] {
        guard retentionDays > 0 else { return [] }
        let cutoff = now.addingTimeInterval(-retentionDays * 86400)
        var removed: [String] = []
        do {
            while true {
                let batch = try store.finishedJobs(before: cutoff, limit: 100)
                if batch.isEmpty { break }
                for job in batch where try store.deleteJob(id: job.id, owner: nil) {
                    if let r = job.resultID { blobs.removeResult(r) }
                    removed.append(job.id)
                }
            }
        } catch {
            logger.error("retention sweep failed: \(error)")
        }
        if !removed.isEmpty { logger.info("retention sweep removed \(removed.count) job(s)") }
        return removed
    }
}
