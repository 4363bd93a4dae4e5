import Dispatch

/// A task executor that runs one task's jobs on its own serial dispatch queue.
///
/// Deferred responses (uploads, long-polls, previews) run on one of these instead of Swift's
/// cooperative pool. That pool has one thread per core, and CPU-bound work elsewhere in the
/// process (an in-process segmentation, a test suite running beside the server) can hold every
/// one of its threads for minutes, leaving a 1 s long-poll unanswered. A serial queue made
/// with a label targets libdispatch's overcommitting pool, which adds a thread when the
/// others are busy; blocking file work in an upload handler then holds only its own queue.
final class SerialQueueExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
