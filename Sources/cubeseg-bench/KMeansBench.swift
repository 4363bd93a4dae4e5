import ArgumentParser
import CubeML
import Foundation

/// `cubeseg-bench kmeans`: wall time of Lloyd iterations (fixed count, tolerance 0) on
/// Gaussian blobs, seeding excluded and reported apart.
struct KMeansBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kmeans",
                                                    abstract: "Seconds for k-means (k-means++ seeding, then --iterations Lloyd steps).")
    @Option(help: "Points.") var n: Int = 1_000_000
    @Option(help: "Dimension.") var dim: Int = 8
    @Option(help: "Clusters.") var k: Int = 10
    @Option(help: "Lloyd iterations (tolerance 0; stops early only if labels stop changing).") var iterations: Int = 20
    @Option(help: "Timed repetitions; the best is reported.") var repeats: Int = 3
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Data: 'uniform' (uniform in [0, 1]^d, which Lloyd does not finish in 20 steps) or 'blobs'.")
    var data: String = "uniform"

    func validate() throws {
        guard ["uniform", "blobs"].contains(data) else { throw ValidationError("--data must be 'uniform' or 'blobs', not '\(data)'") }
    }

    func run() throws {
        let x = data == "blobs" ? BenchSupport.blobs(n: n, dim: dim, k: k, seed: seed).0
                                : BenchSupport.uniform(n: n, dim: dim, seed: seed)
        var bestFit = Double.infinity, bestLloyd = Double.infinity, bestLloydCPU = Double.infinity
        var result: KMeansResult?
        for r in 0..<max(1, repeats) {
            let t0 = BenchSupport.now()
            let init0 = try KMeans.fit(x, k: k, restarts: 1, iterations: 0, tolerance: 0, seed: seed &+ UInt64(r))
            let t1 = BenchSupport.now(), c1 = BenchSupport.cpuSeconds()
            let fitted = try KMeans.lloyd(x, initial: init0.centroids, iterations: iterations, tolerance: 0)
            let t2 = BenchSupport.now(), c2 = BenchSupport.cpuSeconds()
            bestLloydCPU = min(bestLloydCPU, c2 - c1)
            bestFit = min(bestFit, t2 - t0)
            bestLloyd = min(bestLloyd, t2 - t1)
            result = fitted
        }
        print(BenchSupport.jsonLine([("bench", "kmeans"), ("n", n), ("dim", dim), ("k", k), ("data", data),
                                     ("iterations", result!.iterations), ("seconds_lloyd", bestLloyd),
                                     ("seconds_total", bestFit), ("cpu_seconds_lloyd", bestLloydCPU), ("inertia", result!.inertia),
                                     ("workers", ProcessInfo.processInfo.activeProcessorCount)]))
    }
}
