import CubeML
import Foundation

/// A job a worker is running: its lease, its latest progress, and the reasons to stop it.
/// Shared by the worker thread (progress, isCancelled) and the lease keeper (heartbeats).
final class RunningJob: @unchecked Sendable {
    let job: JobRecord
    let leaseToken: String
    // Invariant: the mutable fields below are only touched with `lock` held.
    private let lock = NSLock()
    private var _progress: Data?
    private var _cancelRequested = false
    private var _leaseLost = false
    private var _shuttingDown = false

    init(job: JobRecord, leaseToken: String) {
        self.job = job
        self.leaseToken = leaseToken
    }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    /// Latest progress as JSON, taken (nil afterwards) by the next heartbeat.
    func takeProgress() -> Data? { locked { defer { _progress = nil }; return _progress } }
    func setProgress(_ p: SegmentationProgress) {
        let data = try? JSONEncoder.snakeCase.encode(p)
        locked { _progress = data }
    }

    var cancelRequested: Bool { locked { _cancelRequested } }
    var leaseLost: Bool { locked { _leaseLost } }
    var shuttingDown: Bool { locked { _shuttingDown } }
    /// Any reason to stop: the run polls this once per batch.
    var shouldStop: Bool { locked { _cancelRequested || _leaseLost || _shuttingDown } }

    func markCancelRequested() { locked { _cancelRequested = true } }
    func markLeaseLost() { locked { _leaseLost = true } }
    func markShuttingDown() { locked { _shuttingDown = true } }
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
