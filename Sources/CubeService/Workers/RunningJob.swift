import CubeML
import Foundation
import Synchronization

/// A job a worker is running: its lease, its latest progress, and the reasons to stop it.
/// Shared by the worker thread (progress, isCancelled) and the lease keeper (heartbeats).
final class RunningJob: Sendable {
    let job: JobRecord
    let leaseToken: String
    private struct State {
        var progress: Data?
        var cancelRequested = false
        var leaseLost = false
        var shuttingDown = false
    }
    private let state = Mutex(State())

    init(job: JobRecord, leaseToken: String) {
        self.job = job
        self.leaseToken = leaseToken
    }

    /// Latest progress as JSON, taken (nil afterwards) by the next heartbeat.
    func takeProgress() -> Data? { state.withLock { s in defer { s.progress = nil }; return s.progress } }
    func setProgress(_ p: SegmentationProgress) {
        let data = try? JSONEncoder.snakeCase.encode(p)
        state.withLock { $0.progress = data }
    }

    var cancelRequested: Bool { state.withLock { $0.cancelRequested } }
    var leaseLost: Bool { state.withLock { $0.leaseLost } }
    var shuttingDown: Bool { state.withLock { $0.shuttingDown } }
    /// Any reason to stop: the run polls this once per batch.
    var shouldStop: Bool { state.withLock { $0.cancelRequested || $0.leaseLost || $0.shuttingDown } }

    func markCancelRequested() { state.withLock { $0.cancelRequested = true } }
    func markLeaseLost() { state.withLock { $0.leaseLost = true } }
    func markShuttingDown() { state.withLock { $0.shuttingDown = true } }
}

extension JSONEncoder {
    /// Sorted keys, snake_case keys, ISO 8601 dates: the service's JSON.
    static var snakeCase: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        return e
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
