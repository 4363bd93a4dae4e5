import Dispatch
import Logging
import PostgresNIO
import Synchronization

/// postgres-nio's pooled client for the synchronous `JobStore` API.
///
/// `JobStore` is synchronous: its callers are worker threads, libmicrohttpd threads and the
/// HTTP front's deferred-response queues. Each call here runs its async body in a task whose
/// jobs run on their own dispatch queue (`SerialQueueExecutor`), never on Swift's cooperative
/// pool, and blocks the calling thread until it ends: a busy cooperative pool (CPU-bound work
/// in the same process) cannot stall a query, and a blocked caller holds only its own thread.
/// postgres-nio's I/O runs on its NIO event loops. The client's `run()` lives in a task of the
/// same kind until `shutdown()`.
final class PostgresBridge: Sendable {
    let client: PostgresClient
    private let runTask: Task<Void, Never>

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runTask = Task(executorPreference: SerialQueueExecutor(label: "cubeseg.postgres.client")) {
            await client.run()
        }
    }

    /// Runs `body` with the client and waits for its result.
    func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        Task(executorPreference: SerialQueueExecutor(label: "cubeseg.postgres.call")) {
            let result: Result<T, any Error>
            do { result = .success(try await body(client)) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Runs `body` in a transaction (BEGIN ... COMMIT, ROLLBACK when it throws). An error of
    /// `body` is rethrown as itself once the rollback succeeded (callers match `StoreError`).
    func transaction<T: Sendable>(_ logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        try wait { client in
            do {
                return try await client.withConnection { connection in
                    try await connection.withTransaction(logger: logger) { try await body($0) }
                }
            } catch let error as PostgresTransactionError {
                if let own = error.closureError, error.rollbackError == nil, error.beginError == nil { throw own }
                throw error
            }
        }
    }

    /// Closes the pool's connections and ends `run()`.
    func shutdown() {
        runTask.cancel()
    }
}
