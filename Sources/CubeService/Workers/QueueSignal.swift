import Foundation

/// In-process wake-up for idle workers: `notify()` after an enqueue, `wait(seconds:)` in the
/// worker loop. Only cuts latency; the worker polls the store anyway when it times out.
final class QueueSignal: @unchecked Sendable {
    // Invariant: `pending` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var pending = 0

    func notify(count: Int = 1) {
        condition.lock()
        pending += count
        condition.broadcast()
        condition.unlock()
    }

    /// Returns when notified or after `seconds`.
    func wait(seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while pending == 0 {
            if !condition.wait(until: deadline) { return }
        }
        pending -= 1
    }
}
