import ArgumentParser
import CubeService
import Foundation
import Logging

/// `cubeseg worker`: runs jobs from a shared store (a cluster's PostgreSQL database) with the
/// cubes, results and models on a shared data directory, until SIGTERM/SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs from a shared queue: cubeseg worker --store postgres://... --data-dir /shared/cubeseg",
        discussion: """
        The worker claims jobs that any `cubeseg serve` accepted, reads their cubes from the data
        directory and writes results and models there. Every process of a cluster must name the
        same store and the same (shared) data directory. Settings come from the same places as
        for `serve` (defaults, --config file, CUBESEG_<KEY> variables, flags). On SIGTERM the
        worker hands its running jobs back to the queue and exits. See deploy/cluster.md.
        """)

    @Option(help: "YAML configuration file (default: config/cubeseg.yaml when present).") var config: String?
    @Option(help: "The shared store: a postgres://user@host/database URL (or empty for SQLite in the data directory).") var store: String?
    @Option(help: "The shared data directory (cubes, results, models).") var dataDir: String?
    @Option(help: "Jobs run at once by this process (default 1).") var workers: Int?
    @Option(help: "OpenBLAS threads per job (default: (cores - 1) / workers, at least 1).") var blasThreads: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(logLevel)\"")
        }
        var logger = Logger(label: "cubeseg-worker")
        logger.logLevel = level
        try await failingWithOneLine {
            var overrides: [String: String] = [:]
            if let store { overrides["store"] = store }
            if let dataDir { overrides["data_dir"] = dataDir }
            if let workers { overrides["workers"] = String(workers) }
            if let blasThreads { overrides["blas_threads"] = String(blasThreads) }
            let file = config.map { URL(fileURLWithPath: $0) } ?? ServiceConfiguration.defaultFile
            let configuration = try ServiceConfiguration.load(file: file, overrides: overrides)
            try await runWorker(configuration: configuration, logger: logger)
        }
    }
}
