import ArgumentParser
import CubeService
import Foundation
import Logging

/// The options `serve` and `worker` share: where the settings come from, the data directory,
/// the store, the jobs run at once, the log level. Flags win over `CUBESEG_<KEY>` variables,
/// which win over the YAML file, which wins over the built-in defaults.
struct ServiceOptions: ParsableArguments {
    @Option(help: "YAML configuration file (default: config/cubeseg.yaml when present).") var config: String?
    @Option(help: "Directory for the cubes, results and models (and the SQLite database) (default ./data).") var dataDir: String?
    @Option(help: "Where rows live: empty for SQLite in the data directory, or a postgres://user@host/database URL shared by the processes of a cluster.") var store: String?
    @Option(help: "Jobs run at once by this process (default 1; serve with a PostgreSQL store: 0 leaves them to cubeseg worker processes).") var workers: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(logLevel)\"")
        }
    }

    func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }

    /// The configuration, with these flags and the command's own `overrides` (keys as in the file).
    func configuration(_ overrides: [String: String] = [:]) throws -> ServiceConfiguration {
        var all = overrides
        if let dataDir { all["data_dir"] = dataDir }
        if let store { all["store"] = store }
        if let workers { all["workers"] = String(workers) }
        let file = config.map { URL(fileURLWithPath: $0) } ?? ServiceConfiguration.defaultFile
        return try ServiceConfiguration.load(file: file, overrides: all)
    }
}
