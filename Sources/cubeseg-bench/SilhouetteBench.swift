import ArgumentParser
import CubeML
import Foundation

/// `cubeseg-bench silhouette`: wall time and peak extra memory of the exact silhouette
/// (or of the stratified-sample estimate with --sample) on labelled Gaussian blobs.
struct SilhouetteBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "silhouette",
                                                    abstract: "Seconds and peak extra memory of the exact silhouette.")
    @Option(help: "Points.") var n: Int = 100_000
    @Option(help: "Dimension.") var dim: Int = 8
    @Option(help: "Clusters (labels are the blobs' true labels).") var k: Int = 10
    @Option(help: "Estimate from a stratified sample of this size instead (0: exact).") var sample: Int = 0
    @Option(help: "Seed.") var seed: UInt64 = 0

    func run() throws {
        let (x, labels) = BenchSupport.blobs(n: n, dim: dim, k: k, seed: seed)
        let rssBefore = BenchSupport.procStatusBytes("VmRSS") ?? 0
        let resetWorked = BenchSupport.resetPeakRSS()
        let t0 = BenchSupport.now(), c0 = BenchSupport.cpuSeconds()
        let score = sample > 0
            ? try Silhouette.sampled(x: x, labels: labels, k: k, sampleSize: sample, seed: seed)
            : try Silhouette.exact(x: x, labels: labels, k: k)
        let seconds = BenchSupport.now() - t0, cpu = BenchSupport.cpuSeconds() - c0
        let peak = BenchSupport.procStatusBytes("VmHWM") ?? 0
        print(BenchSupport.jsonLine([
            ("bench", "silhouette"), ("n", n), ("dim", dim), ("k", k), ("sample", sample),
            ("seconds", seconds), ("cpu_seconds", cpu), ("silhouette", score),
            ("peak_extra_mb", resetWorked ? Double(max(0, peak - rssBefore)) / 1_048_576 : -1.0),
            ("workers", ProcessInfo.processInfo.activeProcessorCount),
        ]))
    }
}
