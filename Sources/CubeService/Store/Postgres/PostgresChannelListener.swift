import Logging
import PostgresNIO
import Synchronization

/// Holds one pooled connection that `LISTEN`s on a channel and calls `onNotification` with
/// each payload; `onListening(true)` once the LISTEN is in place, `onListening(false)` when the
/// connection is lost (then it reconnects after a second).
final class PostgresChannelListener: Sendable {
    private let bridge: PostgresBridge
    private let channel: String
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(bridge: PostgresBridge, channel: String, logger: Logger) {
        self.bridge = bridge; self.channel = channel; self.logger = logger
    }

    /// Starts listening (again; an earlier listening task is cancelled).
    func start(onListening: @escaping @Sendable (Bool) -> Void = { _ in },
               onNotification: @escaping @Sendable (String) -> Void) {
        let client = bridge.client, channel = self.channel, logger = self.logger
        let listening = Task(executorPreference: SerialQueueExecutor(label: "cubeseg.postgres.listen")) {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            onListening(true)
                            for try await n in notifications { onNotification(n.payload) }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("listener on \(channel) lost its connection; retrying: \(PostgresJobStore.describe(error))")
                }
                onListening(false)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        task.withLock { old in old?.cancel(); old = listening }
    }

    func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
    }
}
