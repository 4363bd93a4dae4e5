/// The outcome of one k-means fit.
public struct KMeansResult: Sendable, Equatable {
    /// Cluster centres (k x d, row major), in the data's own coordinates.
    public var centroids: Matrix
    /// Label of every data row, in 0..<k, consistent with `centroids` (a final assignment
    /// step follows the last update).
    public var labels: [Int32]
    /// Sum over rows of the squared Euclidean distance to the assigned centroid.
    public var inertia: Double
    /// Lloyd iterations run by the restart that was kept.
    public var iterations: Int

    public init(centroids: Matrix, labels: [Int32], inertia: Double, iterations: Int) {
        self.centroids = centroids; self.labels = labels; self.inertia = inertia; self.iterations = iterations
    }
}

/// k-means: k-means++ seeding then Lloyd iterations, with distances through `BLAS.gemm`.
///
/// Pure functions over value types: safe to call from several threads at once. Each call
/// uses every core for its assignment steps (`DispatchQueue.concurrentPerform` over blocks of
/// rows); results do not depend on scheduling (partials are reduced in block order), so the
/// same input and seed always give the same output on a given machine.
public enum KMeans {
    /// Fits k centroids to the rows of `x` (n x d, row major).
    ///
    /// - Parameters:
    ///   - k: number of clusters, 1...n. Never silently reduced: a cluster that empties during
    ///     Lloyd iterations is re-seeded with the point farthest from its own centroid.
    ///   - restarts: independent seedings (streams of `seed`); the lowest inertia is kept.
    ///   - iterations: maximum Lloyd iterations per restart.
    ///   - tolerance: stop when the summed squared centroid shift falls to
    ///     `tolerance * mean per-feature variance` of `x` (scikit-learn's rule; 0 runs every
    ///     iteration unless the labels stop changing, which always stops).
    ///   - seed: seed of every random choice.
    ///   - localTrials: candidates per k-means++ step (nil: `2 + floor(ln k)`, scikit-learn's
    ///     greedy k-means++; 1: the textbook algorithm).
    /// - Throws: `ClusteringError.emptyData`, `.invalidK`, `.invalidParameter`.
    public static func fit(_ x: Matrix, k: Int, restarts: Int = 1, iterations: Int = 300, tolerance: Double = 1e-4,
                           seed: UInt64 = 0, localTrials: Int? = nil) throws -> KMeansResult {
        let n = x.rows, d = x.cols
        guard n > 0, d > 0 else { throw ClusteringError.emptyData(rows: n, cols: d) }
        guard k >= 1, k <= n else { throw ClusteringError.invalidK(k: k, points: n) }
        guard restarts >= 1 else { throw ClusteringError.invalidParameter(name: "restarts", value: "\(restarts) (need >= 1)") }
        guard iterations >= 0 else { throw ClusteringError.invalidParameter(name: "iterations", value: "\(iterations) (need >= 0)") }

        let (mean, variance) = columnMeanAndVariance(x)
        let threshold = tolerance * variance.reduce(0, +) / Double(d)
        let centeredNorms = centeredSquaredNorms(x, mean: mean)
        let trials = localTrials ?? KMeansPlusPlus.defaultTrials(k: k)

        var best: KMeansResult?
        for r in 0..<restarts {
            var generator = SeededGenerator(seed: seed, stream: UInt64(r))
            let initial = KMeansPlusPlus.seed(x, k: k, localTrials: trials, mean: mean, centeredNorms: centeredNorms,
                                              generator: &generator)
            let result = lloyd(x, initial: initial, iterations: iterations, threshold: threshold)
            if best == nil || result.inertia < best!.inertia { best = result }
        }
        return best!
    }

    /// Nearest-centroid labels of the rows of `x` (n x d) for `centroids` (k x d); ties go to
    /// the lowest index.
    /// - Throws: `ClusteringError.dimensionMismatch`, `.invalidK` (no centroids).
    public static func predict(_ x: Matrix, centroids: Matrix) throws -> [Int32] {
        guard centroids.rows >= 1 else { throw ClusteringError.invalidK(k: 0, points: x.rows) }
        guard x.cols == centroids.cols else { throw ClusteringError.dimensionMismatch(expected: centroids.cols, found: x.cols) }
        var labels = [Int32](repeating: -1, count: x.rows)
        _ = CentroidAssignment(centroids: centroids).assign(x, labels: &labels, distances: nil, accumulate: false)
        return labels
    }

    /// Lloyd iterations from given centroids `initial` (k x d), e.g. to refresh centroids
    /// between training steps; stopping rules and result as in `fit`.
    /// - Throws: `ClusteringError.emptyData`, `.invalidK`, `.dimensionMismatch`.
    public static func lloyd(_ x: Matrix, initial: Matrix, iterations: Int, tolerance: Double = 1e-4) throws -> KMeansResult {
        guard x.rows > 0, x.cols > 0 else { throw ClusteringError.emptyData(rows: x.rows, cols: x.cols) }
        guard initial.rows >= 1, initial.rows <= x.rows else { throw ClusteringError.invalidK(k: initial.rows, points: x.rows) }
        guard initial.cols == x.cols else { throw ClusteringError.dimensionMismatch(expected: x.cols, found: initial.cols) }
        let variance = columnMeanAndVariance(x).1
        return lloyd(x, initial: initial, iterations: iterations, threshold: tolerance * variance.reduce(0, +) / Double(x.cols))
    }

    /// Lloyd iterations from `initial` (k x d) until `iterations`, unchanged labels, or a
    /// squared centroid shift <= `threshold`; then a final assignment.
    static func lloyd(_ x: Matrix, initial: Matrix, iterations: Int, threshold: Double) -> KMeansResult {
        let n = x.rows, d = x.cols, k = initial.rows
        var centroids = initial
        var labels = [Int32](repeating: -1, count: n)
        var distances = [Float](repeating: 0, count: n)
        var done = 0
        while done < iterations {
            let assignment = CentroidAssignment(centroids: centroids)
            var totals = distances.withUnsafeMutableBufferPointer {
                assignment.assign(x, labels: &labels, distances: $0.baseAddress!, accumulate: true)
            }
            done += 1
            if totals.changed == 0 { break }
            relocateEmptyClusters(x, labels: &labels, distances: &distances, totals: &totals)
            var shift = 0.0
            var next = centroids
            for c in 0..<k where totals.counts[c] > 0 {
                let inv = 1 / Double(totals.counts[c])
                for j in 0..<d {
                    let v = totals.sums[c * d + j] * inv
                    let delta = v - Double(centroids.storage[c * d + j])
                    shift += delta * delta
                    next.storage[c * d + j] = Float(v)
                }
            }
            centroids = next
            if shift <= threshold { break }
        }
        let totals = CentroidAssignment(centroids: centroids).assign(x, labels: &labels, distances: nil, accumulate: false)
        return KMeansResult(centroids: centroids, labels: labels, inertia: totals.inertia, iterations: done)
    }

    /// Gives every empty cluster the point farthest from its own centroid (taken from a
    /// cluster with more than one point), moving that point's contribution in `totals`.
    static func relocateEmptyClusters(_ x: Matrix, labels: inout [Int32], distances: inout [Float],
                                      totals: inout CentroidAssignment.Totals) {
        let empty = totals.counts.indices.filter { totals.counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let d = x.cols
        // Candidates by decreasing distance (ties: lower index first).
        let order = distances.indices.sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
        var cursor = 0
        for c in empty {
            while cursor < order.count && totals.counts[Int(labels[order[cursor]])] <= 1 { cursor += 1 }
            guard cursor < order.count else { return }
            let i = order[cursor]
            cursor += 1
            let old = Int(labels[i])
            for j in 0..<d {
                let v = Double(x.storage[i * d + j])
                totals.sums[old * d + j] -= v
                totals.sums[c * d + j] = v
            }
            totals.counts[old] -= 1
            totals.counts[c] = 1
            labels[i] = Int32(c)
            distances[i] = 0
        }
    }

    /// Per-column mean (Float) and population variance (Double) of `x`.
    static func columnMeanAndVariance(_ x: Matrix) -> ([Float], [Double]) {
        let n = x.rows, d = x.cols
        var sum = [Double](repeating: 0, count: d)
        var sq = [Double](repeating: 0, count: d)
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n { for j in 0..<d { sum[j] += Double(p[i * d + j]) } }
            for j in 0..<d { sum[j] /= Double(n) }
            for i in 0..<n { for j in 0..<d { let t = Double(p[i * d + j]) - sum[j]; sq[j] += t * t } }
        }
        return (sum.map { Float($0) }, sq.map { $0 / Double(n) })
    }

    /// `|x_i - mean|^2` per row.
    static func centeredSquaredNorms(_ x: Matrix, mean: [Float]) -> [Float] {
        let n = x.rows, d = x.cols
        var out = [Float](repeating: 0, count: n)
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var acc: Float = 0
                for j in 0..<d { let t = p[i * d + j] - mean[j]; acc += t * t }
                out[i] = acc
            }
        }
        return out
    }
}
