import ArgumentParser
import CubeService
import Foundation
import Logging

/// `cubeseg serve`: the HTTP service with its job queue and workers, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the segmentation service: uploads, a durable job queue, workers, results over HTTP.",
        discussion: """
        Settings come from, in order: built-in defaults, the YAML file (--config, else
        config/cubeseg.yaml when it exists), CUBESEG_<KEY> environment variables, then these flags.
        """)

    @Option(help: "YAML configuration file (default: config/cubeseg.yaml when present).") var config: String?
    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port (default 8080; 0 picks a free one).") var port: Int?
    @Option(help: "Directory for the database, cubes, results and models (default ./data).") var dataDir: String?
    @Option(help: "Where rows live: empty for SQLite in the data directory, or a postgres://user@host/database URL shared with cubeseg worker processes.") var store: String?
    @Option(help: "Jobs run at once by this process; 0 with a PostgreSQL store leaves them to cubeseg worker processes.") var workers: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(logLevel)\"")
        }
        var logger = Logger(label: "cubeseg")
        logger.logLevel = level
        try await failingWithOneLine {
            var overrides: [String: String] = [:]
            if let host { overrides["host"] = host }
            if let port { overrides["port"] = String(port) }
            if let dataDir { overrides["data_dir"] = dataDir }
            if let store { overrides["store"] = store }
            if let workers { overrides["workers"] = String(workers) }
            let file = config.map { URL(fileURLWithPath: $0) } ?? ServiceConfiguration.defaultFile
            let configuration = try ServiceConfiguration.load(file: file, overrides: overrides)
            try await runService(configuration: configuration, logger: logger)
        }
    }
}
