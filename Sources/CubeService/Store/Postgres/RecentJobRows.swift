import Foundation
import Synchronization

/// Job rows a front read recently, so that pollers of `GET /v1/jobs/{id}` do not each cost a
/// round trip to PostgreSQL. An entry is used only while
/// - the front listens for row changes (`cubeseg_job_changed`, sent by a trigger on every
///   update or delete): a change anywhere in the cluster drops the entry within milliseconds;
/// - it is younger than `maxAge`: a bound on staleness should notifications go missing;
/// and a read is stored only if no change arrived while it was in flight (`generation`).
/// This process's own writes drop their entries at once (read your writes).
final class RecentJobRows: Sendable {
    private struct State {
        var entries: [String: (record: JobRecord, fetched: ContinuousClock.Instant)] = [:]
        var generation: UInt64 = 0
        var listening = false
    }
    private let state = Mutex(State())
    let maxAge: Duration
    let capacity: Int

    init(maxAge: Duration = .seconds(1), capacity: Int = 10_000) {
        self.maxAge = maxAge; self.capacity = capacity
    }

    /// A fresh cached row, if any (`owner` nil: any owner).
    func lookup(_ id: String, owner: String?) -> JobRecord?? {
        state.withLock { s in
            guard s.listening, let e = s.entries[id], ContinuousClock.now - e.fetched < maxAge else { return nil }
            return .some(owner == nil || e.record.owner == owner ? e.record : nil)
        }
    }

    /// Call before reading a row from the database; pass the value to `store`.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Keeps `record` if nothing changed since `generation` was read.
    func store(_ record: JobRecord, readAt generation: UInt64, fetched: ContinuousClock.Instant) {
        state.withLock { s in
            guard s.listening, s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[record.id] = (record, fetched)
        }
    }

    /// A row changed (or may have): forget it.
    func invalidate(_ id: String) {
        state.withLock { s in s.generation &+= 1; s.entries[id] = nil }
    }

    /// The listener started (true) or lost its connection (false): forget everything; cache
    /// only while listening.
    func setListening(_ listening: Bool) {
        state.withLock { s in s.generation &+= 1; s.entries.removeAll(); s.listening = listening }
    }
}
