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

    @OptionGroup var options: ServiceOptions
    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port (default 8080; 0 picks a free one).") var port: Int?

    func run() async throws {
        try await failingWithOneLine {
            var overrides: [String: String] = [:]
            if let host { overrides["host"] = host }
            if let port { overrides["port"] = String(port) }
            try await runService(configuration: try options.configuration(overrides), logger: options.logger(label: "cubeseg"))
        }
    }
}
