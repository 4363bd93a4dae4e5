import Foundation
import Synchronization

/// The last rendered JSON (without `elapsed_seconds`) and ETag of each job, keyed by job id
/// and valid while the job's row is unchanged. Decoding the stored parameters and encoding
/// the view is most of the cost of `GET /v1/jobs/{id}`; pollers ask far more often than a
/// job changes (a heartbeat every few seconds).
final class JobBodyCache: Sendable {
    private let capacity: Int
    /// Guarded by the mutex; emptied when it reaches `capacity` (simple, and bounded).
    private let entries = Mutex<[String: (record: JobRecord, body: Data, etag: String)]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The cached rendering of `job`, or `render(job)` stored for next time. A queued job
    /// waiting for its retry time is not cached: its view depends on the clock.
    func body(for job: JobRecord, now: Date, render: (JobRecord) -> (Data, String)) -> (Data, String) {
        let clockDependent = job.state == .queued && job.runAfter > now
        if !clockDependent, let hit = entries.withLock({ $0[job.id] }), hit.record == job {
            return (hit.body, hit.etag)
        }
        let (body, etag) = render(job)
        if !clockDependent {
            entries.withLock { e in
                if e.count >= capacity { e.removeAll(keepingCapacity: true) }
                e[job.id] = (job, body, etag)
            }
        }
        return (body, etag)
    }
}
