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

    @OptionGroup var options: ServiceOptions
    @Option(help: "Threads per job (default: (cores - 1) / workers, at least 1).") var blasThreads: Int?

    func run() async throws {
        try await failingWithOneLine {
            let overrides = blasThreads.map { ["blas_threads": String($0)] } ?? [:]
            try await runWorker(configuration: try options.configuration(overrides), logger: options.logger(label: "cubeseg-worker"))
        }
    }
}
