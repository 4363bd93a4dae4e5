import Logging
import PostgresNIO
import Synchronization

/// Holds one pooled connection that `LISTEN`s on the queue channel and calls a handler for
/// each notification; reconnects after a second when the connection drops.
final class PostgresQueueListener: Sendable {
    private let bridge: PostgresBridge
    private let channel: String
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(bridge: PostgresBridge, channel: String, logger: Logger) {
        self.bridge = bridge; self.channel = channel; self.logger = logger
    }

    /// Starts listening (again), calling `handler` on each notification.
    func start(_ handler: @escaping @Sendable () -> Void) {
        let client = bridge.client, channel = self.channel, logger = self.logger
        let listening = Task(executorPreference: SerialQueueExecutor(label: "cubeseg.postgres.listen")) {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            handler()   // whatever was queued while not listening
                            for try await _ in notifications { handler() }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("queue listener lost its connection; retrying: \(PostgresJobStore.describe(error))")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        task.withLock { old in old?.cancel(); old = listening }
    }

    func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
    }
}
