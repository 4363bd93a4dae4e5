import ArgumentParser
import CubeML

/// `cubeseg-bench`: micro-benchmarks of CubeSeg's engine and readers. Each subcommand lives in its own
/// file and prints exactly one line of JSON on stdout.
@main
struct CubesegBench: ParsableCommand {
    static func main() {
        OpenBLASKernel.upgradeIfPossible()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "cubeseg-bench",
        abstract: "Benchmarks of CubeSeg's engine; each subcommand prints one line of JSON.",
        subcommands: [SgemmPeak.self, SilhouetteBench.self, KMeansBench.self, TrainBench.self, ReadBench.self, QualityBench.self, QueueBench.self, QueueWorkerBench.self]
    )
}
