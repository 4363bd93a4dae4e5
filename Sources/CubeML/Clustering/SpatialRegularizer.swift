/// Spatial regularisation of a label map by iterated conditional modes (ICM, Besag 1986)
/// with a Potts prior: neighbouring pixels tend to share a class.
///
/// Each pixel p (not background) takes the label c minimising
/// `|z_p - mu_c|^2 / sigma^2 + beta * #{neighbours q : label_q != c}`, where z_p is its
/// embedding, mu_c the centroids, and sigma^2 the pooled within-cluster variance per
/// dimension of the input labelling (`sum_p |z_p - mu_{label_p}|^2 / (N d)`), so beta is in
/// units of "squared distances in standard deviations" and does not depend on the
/// embedding's scale. Background pixels (label -1) keep -1 and do not vote. Pixels are
/// visited in row-major order and updated in place; sweeps stop early when nothing changes.
/// Deterministic; ties keep the current label, else the lowest.
public enum SpatialRegularizer {
    /// Which neighbours vote.
    public enum Neighbourhood: Sendable {
        /// Left, right, up, down.
        case four
        /// The four plus the diagonals.
        case eight
    }

    /// Regularised labels (row-major, height x width; values 0..<k or -1).
    ///
    /// - Parameters:
    ///   - labels: row-major (height x width) labels, 0..<k, or -1 for background.
    ///   - embeddings: either one row per pixel (height*width rows, row-major pixel order) or
    ///     one row per signal pixel (as many rows as labels != -1, in row-major pixel order);
    ///     d columns.
    ///   - centroids: k x d.
    ///   - beta: Potts weight (>= 0; 0 returns `labels` unchanged). A pixel flips to its
    ///     neighbours' label when (disagreeing neighbours) x beta exceeds its extra squared
    ///     distance in pooled variances: in tests 8-20 cleans isolated pixels lying at the other
    ///     class's centroid without moving straight boundaries.
    ///   - iterations: maximum ICM sweeps.
    /// - Throws: `ClusteringError.shapeMismatch`, `.dimensionMismatch`, `.labelOutOfRange`,
    ///   `.invalidParameter`.
    public static func icm(labels: [Int32], height: Int, width: Int, embeddings: Matrix, centroids: Matrix,
                           beta: Double, iterations: Int, neighbourhood: Neighbourhood = .four) throws -> [Int32] {
        let k = centroids.rows, d = centroids.cols
        let signal = try signalPixels(labels, height: height, width: width, k: k, beta: beta, iterations: iterations)
        guard embeddings.cols == d else { throw ClusteringError.dimensionMismatch(expected: d, found: embeddings.cols) }
        // Embedding row of each pixel (-1: background).
        var rowOf = [Int](repeating: -1, count: labels.count)
        if embeddings.rows == labels.count {
            for p in signal { rowOf[p] = p }
        } else if embeddings.rows == signal.count {
            for (r, p) in signal.enumerated() { rowOf[p] = r }
        } else {
            throw ClusteringError.invalidParameter(name: "embeddings", value: "\(embeddings.rows) rows for \(labels.count) pixels of which \(signal.count) are signal")
        }
        if beta == 0 || iterations == 0 || signal.isEmpty || k < 2 { return labels }
        let cost = dataCost(embeddings: embeddings, rowOf: rowOf, signal: signal, labels: labels, centroids: centroids)
        return sweeps(labels, height: height, width: width, signal: signal, cost: cost, k: k, beta: beta,
                      iterations: iterations, neighbourhood: neighbourhood)
    }

    /// ICM as above on given data costs instead of distances to centroids: `cost` holds,
    /// for every signal pixel (labels != -1, in row-major pixel order) and class c, the cost
    /// of labelling it c (signal pixels x k, row major), in the units of squared distances
    /// in standard deviations: for a Gaussian mixture, -2 log(weight_c N(z | component c)).
    public static func icm(labels: [Int32], height: Int, width: Int, cost: [Double], k: Int,
                           beta: Double, iterations: Int, neighbourhood: Neighbourhood = .four) throws -> [Int32] {
        let signal = try signalPixels(labels, height: height, width: width, k: k, beta: beta, iterations: iterations)
        guard cost.count == signal.count * k else {
            throw ClusteringError.invalidParameter(name: "cost", value: "\(cost.count) values for \(signal.count) signal pixels and k = \(k)")
        }
        if beta == 0 || iterations == 0 || signal.isEmpty || k < 2 { return labels }
        return sweeps(labels, height: height, width: width, signal: signal, cost: cost, k: k, beta: beta,
                      iterations: iterations, neighbourhood: neighbourhood)
    }

    /// The signal pixels (labels != -1) of a checked label map.
    static func signalPixels(_ labels: [Int32], height: Int, width: Int, k: Int, beta: Double, iterations: Int) throws -> [Int] {
        guard height >= 0, width >= 0, labels.count == height * width else {
            throw ClusteringError.shapeMismatch(height: height, width: width, labels: labels.count)
        }
        guard beta >= 0, beta.isFinite else { throw ClusteringError.invalidParameter(name: "beta", value: "\(beta) (need a finite value >= 0)") }
        guard iterations >= 0 else { throw ClusteringError.invalidParameter(name: "iterations", value: "\(iterations) (need >= 0)") }
        for (i, l) in labels.enumerated() where l < -1 || Int(l) >= k {
            throw ClusteringError.labelOutOfRange(index: i, label: l, k: k)
        }
        return labels.indices.filter { labels[$0] >= 0 }
    }

    /// The ICM sweeps: each signal pixel in turn takes the class of least cost plus beta per
    /// disagreeing neighbour, until a sweep changes nothing or `iterations` have run.
    static func sweeps(_ labels: [Int32], height: Int, width: Int, signal: [Int], cost: [Double], k: Int, beta: Double,
                       iterations: Int, neighbourhood: Neighbourhood) -> [Int32] {
        let offsets: [(Int, Int)] = neighbourhood == .four
            ? [(-1, 0), (1, 0), (0, -1), (0, 1)]
            : [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
        var out = labels
        var votes = [Int](repeating: 0, count: k)
        for _ in 0..<iterations {
            var changed = 0
            for (s, p) in signal.enumerated() {
                let y = p / width, x = p % width
                for c in 0..<k { votes[c] = 0 }
                var voters = 0
                for (dy, dx) in offsets {
                    let yy = y + dy, xx = x + dx
                    guard yy >= 0, yy < height, xx >= 0, xx < width else { continue }
                    let l = out[yy * width + xx]
                    if l >= 0 { votes[Int(l)] += 1; voters += 1 }
                }
                let current = Int(out[p])
                var best = current
                var bestEnergy = cost[s * k + current] + beta * Double(voters - votes[current])
                for c in 0..<k where c != current {
                    let e = cost[s * k + c] + beta * Double(voters - votes[c])
                    if e < bestEnergy { bestEnergy = e; best = c }
                }
                if best != current { out[p] = Int32(best); changed += 1 }
            }
            if changed == 0 { break }
        }
        return out
    }

    /// `|z - mu_c|^2 / sigma^2` for every signal pixel (in `signal` order) and centroid:
    /// (signal.count x k) row-major Doubles. `z . mu` through `BLAS.gemm` in blocks.
    static func dataCost(embeddings: Matrix, rowOf: [Int], signal: [Int], labels: [Int32], centroids: Matrix) -> [Double] {
        let k = centroids.rows, d = centroids.cols, n = signal.count
        let z = embeddings.rows == signal.count ? embeddings : embeddings.gatherRows(signal.map { rowOf[$0] })
        // Centre on the centroids' mean to keep digits in the expansion.
        var mean = [Float](repeating: 0, count: d)
        for c in 0..<k { for j in 0..<d { mean[j] += centroids[c, j] / Float(k) } }
        var zc = z
        for i in 0..<n { for j in 0..<d { zc.storage[i * d + j] -= mean[j] } }
        var cc = centroids
        for c in 0..<k { for j in 0..<d { cc.storage[c * d + j] -= mean[j] } }
        let zNorms = zc.rowSquaredNorms(), cNorms = cc.rowSquaredNorms()
        var cost = [Double](repeating: 0, count: n * k)
        let blockRows = 4096
        var g = [Float](repeating: 0, count: blockRows * k)
        var within = 0.0
        zc.storage.withUnsafeBufferPointer { zp in
            cc.storage.withUnsafeBufferPointer { cp in
                g.withUnsafeMutableBufferPointer { gp in
                    var r0 = 0
                    while r0 < n {
                        let m = min(blockRows, n - r0)
                        BLAS.gemm(transB: true, m: m, n: k, k: d, a: zp.baseAddress! + r0 * d, lda: d,
                                  b: cp.baseAddress!, ldb: d, c: gp.baseAddress!, ldc: k)
                        for r in 0..<m {
                            for c in 0..<k {
                                let v = Double(zNorms[r0 + r]) - 2 * Double(gp[r * k + c]) + Double(cNorms[c])
                                cost[(r0 + r) * k + c] = max(0, v)
                            }
                            within += cost[(r0 + r) * k + Int(labels[signal[r0 + r]])]
                        }
                        r0 += m
                    }
                }
            }
        }
        let variance = within / Double(n * d)
        let scale = variance > 0 ? 1 / variance : 1
        for t in 0..<cost.count { cost[t] *= scale }
        return cost
    }
}
