@testable import CubeML

/// Small deterministic data sets and naive references for the clustering tests.
enum ClusteringTestData {
    /// Gaussian blobs: `sizes[c]` points around centre c (uniform in [-span, span]^d) with
    /// standard deviation `spreads[c]`; rows in random order.
    static func blobs(sizes: [Int], spreads: [Double], dim: Int, span: Double = 10, seed: UInt64) -> (Matrix, [Int32]) {
        var g = SeededGenerator(seed: seed)
        let k = sizes.count
        let centres = (0..<(k * dim)).map { _ in (g.nextDouble() * 2 - 1) * span }
        var labels: [Int32] = []
        for c in 0..<k { labels += [Int32](repeating: Int32(c), count: sizes[c]) }
        labels.shuffle(using: &g)
        var x = Matrix(rows: labels.count, cols: dim)
        for (i, l) in labels.enumerated() {
            for j in 0..<dim { x[i, j] = Float(centres[Int(l) * dim + j] + spreads[Int(l)] * g.nextGaussian()) }
        }
        return (x, labels)
    }

    /// Euclidean distance in Double.
    static func distance(_ x: Matrix, _ a: Int, _ b: Int) -> Double {
        var s = 0.0
        for j in 0..<x.cols { let t = Double(x[a, j]) - Double(x[b, j]); s += t * t }
        return s.squareRoot()
    }

    /// s(i) by the O(N^2) definition in Double (scikit-learn's convention).
    static func naiveSilhouetteSamples(_ x: Matrix, _ labels: [Int32], k: Int) -> [Double] {
        let n = x.rows
        var counts = [Int](repeating: 0, count: k)
        for l in labels { counts[Int(l)] += 1 }
        return (0..<n).map { i in
            let own = Int(labels[i])
            if counts[own] == 1 { return 0 }
            var sums = [Double](repeating: 0, count: k)
            for j in 0..<n where j != i { sums[Int(labels[j])] += distance(x, i, j) }
            let a = sums[own] / Double(counts[own] - 1)
            var b = Double.infinity
            for c in 0..<k where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
            return max(a, b) > 0 ? (b - a) / max(a, b) : 0
        }
    }

    static func naiveSilhouette(_ x: Matrix, _ labels: [Int32], k: Int) -> Double {
        naiveSilhouetteSamples(x, labels, k: k).reduce(0, +) / Double(x.rows)
    }
}
