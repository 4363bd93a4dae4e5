import ArgumentParser
import CubeService
import Foundation
import Logging

/// `cubeseg-bench queue`: claim-and-finish throughput of empty jobs (no engine, nothing
/// written) with P worker processes sharing one store, PostgreSQL or SQLite: the queue's own
/// cost, which bounds how many small jobs a cluster can turn over.
struct QueueBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Jobs per second that P worker processes claim and finish on one store (empty jobs).")
    @Option(help: "Store: a postgres:// URL, or empty for SQLite in a temporary directory.") var store: String = ""
    @Option(help: "Worker processes.") var processes: Int = 1
    @Option(help: "Jobs to enqueue before the workers start.") var jobs: Int = 2000

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cubeseg-queue-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var url = store
        if url.hasPrefix("postgres") {   // a fresh schema per run, dropped at the end
            url += (url.contains("?") ? "&" : "?") + "schema=qbench_\(UUID().uuidString.prefix(8).lowercased())"
        }
        let location = try StoreLocation.parse(url, dataDirectory: dir)
        let queue = try QueueBenchStore.open(location)
        defer { QueueBenchStore.drop(queue, location) }
        let limits = QueueLimits(total: Int.max, perOwner: Int.max)
        for i in 0..<jobs {
            _ = try queue.enqueue(NewJob(id: String(format: "j%08d", i), owner: "bench", kind: .train, maxAttempts: 3,
                                         paramsJSON: Data("{}".utf8), cubeID: "c"), limits: limits, now: Date())
        }
        // Children claim and finish until the queue is empty; the clock runs from their start.
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let start = Date()
        let children = try (0..<processes).map { i -> Process in
            let p = Process()
            p.executableURL = me
            p.arguments = ["queue-worker", "--store", url, "--data-dir", dir.path, "--name", "bench\(i)"]
            try p.run()
            return p
        }
        for p in children { p.waitUntilExit() }
        let seconds = Date().timeIntervalSince(start)
        let counts = try queue.countJobs(byStateFor: nil)
        guard counts[.succeeded] == jobs, children.allSatisfy({ $0.terminationStatus == 0 }) else {
            throw ValidationError("not every job finished exactly once: \(counts)")
        }
        print(BenchSupport.jsonLine([
            ("bench", "queue"), ("store", location.kind), ("processes", processes), ("jobs", jobs),
            ("seconds", seconds), ("jobs_per_second", Double(jobs) / seconds),
        ]))
    }
}

/// `cubeseg-bench queue-worker`: one worker process of `queue` (claim, finish, until empty).
struct QueueWorkerBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-worker", abstract: "A worker process of `queue`.",
                                                    shouldDisplay: false)
    @Option var store: String
    @Option var dataDir: String
    @Option var name: String

    func run() throws {
        let queue = try QueueBenchStore.open(try StoreLocation.parse(store, dataDirectory: URL(fileURLWithPath: dataDir)))
        defer { queue.close() }
        while let job = try queue.claim(worker: name, leaseSeconds: 60, now: Date()) {
            guard try queue.finish(jobID: job.id, leaseToken: job.leaseToken!, outcome: .succeeded(resultID: job.id, model: nil),
                                   now: Date()) else { throw ValidationError("lost the lease of \(job.id)") }
        }
    }
}

enum QueueBenchStore {
    static func open(_ location: StoreLocation) throws -> any JobStore {
        switch location {
        case .sqlite(let path): return try SQLiteJobStore(path: path)
        case .postgres(let p):
            var quiet = Logger(label: "bench")
            quiet.logLevel = .error
            return try PostgresJobStore(location: p, maxConnections: 2, logger: quiet)
        }
    }

    static func drop(_ store: any JobStore, _ location: StoreLocation) {
        if let pg = store as? PostgresJobStore, case .postgres(let p) = location, let schema = p.schema { try? pg.dropSchema(schema) }
        store.close()
    }
}

extension StoreLocation {
    var kind: String {
        switch self { case .sqlite: return "sqlite"; case .postgres: return "postgres" }
    }
}
