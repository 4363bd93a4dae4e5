import ArgumentParser
import CubeML

/// `cubeseg-bench sgemm-peak`: GFLOP/s of an n^3 single-precision gemm through `BLAS.gemm`.
struct SgemmPeak: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sgemm-peak",
                                                    abstract: "GFLOP/s of an n x n x n sgemm (best of --repeats).")
    @Option(help: "Matrix size n.") var n: Int = 2048
    @Option(help: "Threads (0: OpenBLAS's default count).") var threads: Int = 0
    @Option(help: "Timed repetitions; the best is reported.") var repeats: Int = 5

    func run() throws {
        if threads > 0 { BLAS.setThreads(threads) }
        var g = SeededGenerator(seed: 1)
        let a = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in g.nextFloat() - 0.5 })
        let b = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in g.nextFloat() - 0.5 })
        _ = a.matmul(b) // warm-up: thread pool start, page faults
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let t0 = BenchSupport.now()
            _ = a.matmul(b)
            best = min(best, BenchSupport.now() - t0)
        }
        let gflops = 2 * Double(n) * Double(n) * Double(n) / best / 1e9
        print(BenchSupport.jsonLine([("bench", "sgemm-peak"), ("n", n), ("threads", BLAS.threads),
                                     ("seconds", best), ("gflops", gflops)]))
    }
}
