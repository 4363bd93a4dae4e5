import Foundation
import Testing
@testable import CubeML

/// Products, and so trainings, give the same bits whatever the thread budget: `BLAS.gemm`
/// splits products into blocks chosen by shape (`GemmBlocks`) and OpenBLAS stays on one
/// thread. (OpenBLAS's own threads sum in another order: a 512 x 512 x 1024 product
/// differed in the last bits between 1 and 2 of them.)
@Suite("Results with any thread budget", .serialized)
struct ThreadBudgetTests {
    static func randomMatrix(rows: Int, cols: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed, stream: 0)
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.storage.count { m.storage[i] = Float(g.nextGaussian()) }
        return m
    }

    /// Runs `body` with the budget set to `threads`, then restores the budget.
    static func withBudget<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let before = BLAS.threads
        defer { BLAS.setThreads(before) }
        BLAS.setThreads(threads)
        return try body()
    }

    /// op(A) op(B) in double precision, the plain triple loop.
    static func reference(_ a: Matrix, _ b: Matrix, transA: Bool, transB: Bool) -> [Double] {
        let m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols, n = transB ? b.rows : b.cols
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let x = Double(transA ? a[p, i] : a[i, p])
                for j in 0..<n { c[i * n + j] += x * Double(transB ? b[j, p] : b[p, j]) }
            }
        }
        return c
    }

    @Test("a split product is right and gives the same bits with 1, 2 and 3 threads, in all four transpose cases",
          arguments: [(m: 512, n: 384, k: 320), (m: 16, n: 4096, k: 256)])
    func productsDoNotDependOnTheBudget(shape: (m: Int, n: Int, k: Int)) {
        let plan = GemmBlocks(m: shape.m, n: shape.n, k: shape.k)
        #expect(plan.count > 1, "the product is not split: the test would prove nothing")
        for transA in [false, true] {
            for transB in [false, true] {
                let a = transA ? Self.randomMatrix(rows: shape.k, cols: shape.m, seed: 1)
                               : Self.randomMatrix(rows: shape.m, cols: shape.k, seed: 1)
                let b = transB ? Self.randomMatrix(rows: shape.n, cols: shape.k, seed: 2)
                               : Self.randomMatrix(rows: shape.k, cols: shape.n, seed: 2)
                let products = [1, 2, 3].map { t in Self.withBudget(t) { a.matmul(b, transposeSelf: transA, transposeOther: transB) } }
                #expect(products[0] == products[1] && products[1] == products[2], "transA \(transA), transB \(transB)")
                let exact = Self.reference(a, b, transA: transA, transB: transB)
                let worst = zip(products[0].storage, exact).map { abs(Double($0) - $1) }.max() ?? .infinity
                #expect(worst < 1e-3, "largest error \(worst), transA \(transA), transB \(transB)")
            }
        }
    }

    @Test("a split product of submatrices (leading dimensions wider than the block) is right and writes only C")
    func submatrixProducts() {
        // C (64 x 256, inside a 64 x 300 buffer) = A (64 x 700 buffer, first 600 columns) * B (600 x 256).
        let a = Self.randomMatrix(rows: 64, cols: 700, seed: 3), b = Self.randomMatrix(rows: 600, cols: 256, seed: 4)
        var c = [Float](repeating: 7, count: 64 * 300)
        #expect(GemmBlocks(m: 64, n: 256, k: 600).count > 1)
        Self.withBudget(2) {
            a.storage.withUnsafeBufferPointer { ap in
                b.storage.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        BLAS.gemm(m: 64, n: 256, k: 600, a: ap.baseAddress!, lda: 700, b: bp.baseAddress!, ldb: 256,
                                  c: cp.baseAddress!, ldc: 300)
                    }
                }
            }
        }
        var worst = 0.0
        for i in 0..<64 {
            for j in 0..<256 {
                var s = 0.0
                for p in 0..<600 { s += Double(a[i, p]) * Double(b[p, j]) }
                worst = max(worst, abs(Double(c[i * 300 + j]) - s))
            }
            for j in 256..<300 { #expect(c[i * 300 + j] == 7, "column \(j) outside C was written") }
        }
        #expect(worst < 1e-3)
    }

    @Test("blocks cover every row or column once, in multiples of 16, and small products stay whole")
    func blocksDependOnTheShapeOnly() {
        for (m, n, k) in [(512, 512, 1024), (65536, 8, 1024), (1024, 1024, 9216), (16, 4096, 256), (100, 37, 5000), (9999, 12, 8)] {
            let plan = GemmBlocks(m: m, n: n, k: k)
            let extent = plan.alongRows ? m : n
            #expect(plan.extent == extent)
            #expect((1...GemmBlocks.maximumBlocks).contains(plan.count))
            let ranges = (0..<plan.count).map(plan.range)
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == extent)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$1.isEmpty })
            if plan.count > 1 { #expect(ranges.dropLast().allSatisfy { $0.count % GemmBlocks.granule == 0 }) }
        }
        #expect(GemmBlocks(m: 512, n: 32, k: 64).count == 1)  // 1M multiply-adds: one call
        #expect(GemmBlocks(m: 8, n: 8, k: 65536).count == 1)  // nothing to split but the inner sum
        #expect(GemmBlocks(m: 512, n: 512, k: 1024) == GemmBlocks(m: 512, n: 512, k: 1024))
        #expect(GemmBlocks(m: 512, n: 512, k: 1024).count == GemmBlocks.maximumBlocks)
    }

    @Test("training gives the same weights and losses with one thread and with two")
    func trainingDoesNotDependOnTheBudget() throws {
        // 1,024 inputs and batches of 256: the first layers' products are split.
        var g = SeededGenerator(seed: 11, stream: 0)
        var x = Matrix(rows: 768, cols: 1024)
        for r in 0..<x.rows {
            let centre = Double(200 + 300 * (r % 3))
            for j in 0..<x.cols {
                let d = Double(j) - centre
                x[r, j] = Float(min(max(0.6 * exp(-d * d / 800) + 0.05 * g.nextGaussian(), 0), 1))
            }
        }
        var p = SegmentationParameters()
        p.seed = 4
        p.batchSize = 256
        p.epochs = 2
        p.earlyStoppingPatience = 0
        #expect(GemmBlocks(m: 256, n: 512, k: 1024).count > 1)
        func run(threads: Int) throws -> ([Tensor], [Double]) {
            try Self.withBudget(threads) {
                var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 1024), seed: 4)
                let records = try Trainer(parameters: p).train(&model, on: x)
                return (model.tensors(), records.map(\.loss))
            }
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one.0 == two.0)
        #expect(one.1 == two.1)
    }

    @Test("a Gaussian mixture gives the same labels and likelihood with 1, 2 and 3 threads")
    func mixtureDoesNotDependOnTheBudget() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [3000, 1500, 700], spreads: [2, 1, 0.5], dim: 6, span: 2, seed: 9)
        let km = try KMeans.fit(x, k: 3, restarts: 1, iterations: 30, seed: 1)
        #expect(ParallelBlocks.blockCount(count: x.rows, blockSize: GaussianMixture.blockRows) > 2)
        let fits = [1, 2, 3].map { t in Self.withBudget(t) { GaussianMixture.fit(x, labels: km.labels, k: 3) } }
        #expect(fits[0] != nil)
        #expect(fits[1] == fits[0] && fits[2] == fits[0])
    }
}
