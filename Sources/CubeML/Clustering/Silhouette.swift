/// The silhouette coefficient (Rousseeuw 1987) with Euclidean distances, scikit-learn's
/// convention: for point i in cluster A, `a(i)` = mean distance to the other points of A
/// (divided by |A| - 1), `b(i)` = smallest mean distance to the points of another non-empty
/// cluster, `s(i) = (b - a) / max(a, b)`, `s(i) = 0` when |A| = 1 (or a = b = 0); the score is
/// the mean of s over points.
///
/// Computed through blocked `BLAS.gemm` tiles (`ClusterDistanceSums`): O(N^2 d) time on every
/// core (each pair once for `exact`), never an N x N matrix; extra memory is a sorted copy of
/// the data plus (workers + 1) (N x k) Double arrays plus one small tile per worker (measured
/// peak 37 MB at N = 100,000, d = 8, k = 10, 2 workers).
/// Precision: Float32 distances accumulated in Double; agrees with a Double reference to
/// about 1e-5.
public enum Silhouette {
    /// The exact mean silhouette of all rows of `x` (n x d) labelled `labels` (0..<k).
    /// - Throws: `ClusteringError` for mismatched or out-of-range labels, or fewer than two
    ///   non-empty clusters (the silhouette is undefined).
    public static func exact(x: Matrix, labels: [Int32], k: Int) throws -> Double {
        try validate(x: x, labels: labels, k: k)
        var counts = [Int](repeating: 0, count: k)
        for l in labels { counts[Int(l)] += 1 }
        guard counts.filter({ $0 > 0 }).count >= 2 else { throw ClusteringError.invalidK(k: counts.filter { $0 > 0 }.count, points: x.rows) }
        let sums = ClusterDistanceSums(x: x, labels: labels, k: k).allSums()
        let values = silhouettes(sums: sums, labels: labels, indices: Array(0..<x.rows), counts: counts, k: k)
        var total = 0.0
        for v in values { total += v }
        return total / Double(x.rows)
    }

    /// The silhouette of selected rows, each computed exactly against ALL rows: `s(i)` for i
    /// in `indices`, in that order.
    /// - Throws: as `exact`.
    public static func samples(x: Matrix, labels: [Int32], k: Int, indices: [Int]) throws -> [Double] {
        try validate(x: x, labels: labels, k: k)
        var counts = [Int](repeating: 0, count: k)
        for l in labels { counts[Int(l)] += 1 }
        let nonEmpty = counts.filter { $0 > 0 }.count
        guard nonEmpty >= 2 else { throw ClusteringError.invalidK(k: nonEmpty, points: x.rows) }
        let table = ClusterDistanceSums(x: x, labels: labels, k: k)
        return silhouettes(sums: table.sums(queries: indices), labels: labels, indices: indices, counts: counts, k: k)
    }

    /// s(i) from per-cluster distance sums (row q of `sums` belongs to `indices[q]`).
    static func silhouettes(sums: [Double], labels: [Int32], indices: [Int], counts: [Int], k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: indices.count)
        for (q, i) in indices.enumerated() {
            let own = Int(labels[i])
            guard counts[own] > 1 else { continue }
            let a = sums[q * k + own] / Double(counts[own] - 1)
            var b = Double.infinity
            for c in 0..<k where c != own && counts[c] > 0 { b = min(b, sums[q * k + c] / Double(counts[c])) }
            let denominator = max(a, b)
            out[q] = denominator > 0 ? (b - a) / denominator : 0
        }
        return out
    }

    /// An estimate of the mean silhouette from a stratified sample of about `sampleSize` rows.
    ///
    /// Every non-empty cluster gets `min(size, 50)` sampled rows so small clusters are never
    /// missed; the rest of the budget is shared in proportion to cluster sizes. Each sampled
    /// row's `s(i)` is exact (distances to ALL rows), and the mean weights cluster c's sampled
    /// rows by `size_c / sampled_c`, so the estimate is unbiased. With `sampleSize >= n` this
    /// is `exact`. The sample may exceed `sampleSize` when 50 per cluster does.
    /// - Throws: as `exact`; `.invalidParameter` when `sampleSize < 1`.
    public static func sampled(x: Matrix, labels: [Int32], k: Int, sampleSize: Int, seed: UInt64) throws -> Double {
        try validate(x: x, labels: labels, k: k)
        guard sampleSize >= 1 else { throw ClusteringError.invalidParameter(name: "sampleSize", value: "\(sampleSize) (need >= 1)") }
        let n = x.rows
        if sampleSize >= n { return try exact(x: x, labels: labels, k: k) }
        let plan = stratifiedSample(labels: labels, k: k, sampleSize: sampleSize, seed: seed)
        let values = try samples(x: x, labels: labels, k: k, indices: plan.indices)
        var total = 0.0
        for (q, i) in plan.indices.enumerated() { total += values[q] * plan.weight[Int(labels[i])] }
        return total / Double(n)
    }

    /// Stratified sample: row indices (grouped by cluster) and the weight `size_c / sampled_c`
    /// of each cluster's rows (0 for empty clusters).
    static let perClusterFloor = 50

    static func stratifiedSample(labels: [Int32], k: Int, sampleSize: Int, seed: UInt64) -> (indices: [Int], weight: [Double]) {
        var members = [[Int]](repeating: [], count: k)
        for (i, l) in labels.enumerated() { members[Int(l)].append(i) }
        let sizes = members.map(\.count)
        var take = sizes.map { min($0, perClusterFloor) }
        let rest = sampleSize - take.reduce(0, +)
        if rest > 0 {
            let spare = (0..<k).map { sizes[$0] - take[$0] }
            let spareTotal = spare.reduce(0, +)
            if spareTotal > 0 {
                // Proportional shares, floors first, then the remainder by largest fraction.
                var shares = (0..<k).map { Double(rest) * Double(spare[$0]) / Double(spareTotal) }
                var given = 0
                for c in 0..<k { let s = min(spare[c], Int(shares[c])); take[c] += s; given += s; shares[c] -= Double(s) }
                let byFraction = (0..<k).sorted { shares[$0] != shares[$1] ? shares[$0] > shares[$1] : $0 < $1 }
                var left = min(rest, spareTotal) - given
                for c in byFraction where left > 0 && take[c] < sizes[c] { take[c] += 1; left -= 1 }
            }
        }
        var generator = SeededGenerator(seed: seed, stream: 0x5117)
        var indices: [Int] = []
        var weight = [Double](repeating: 0, count: k)
        for c in 0..<k where take[c] > 0 {
            var pool = members[c]
            // Partial Fisher-Yates: the first take[c] entries become a uniform sample.
            for t in 0..<take[c] {
                let j = t + generator.nextInt(below: pool.count - t)
                pool.swapAt(t, j)
            }
            indices.append(contentsOf: pool[0..<take[c]])
            weight[c] = Double(sizes[c]) / Double(take[c])
        }
        return (indices, weight)
    }

    static func validate(x: Matrix, labels: [Int32], k: Int) throws {
        guard x.rows > 0, x.cols > 0 else { throw ClusteringError.emptyData(rows: x.rows, cols: x.cols) }
        guard labels.count == x.rows else { throw ClusteringError.labelCountMismatch(labels: labels.count, rows: x.rows) }
        guard k >= 1 else { throw ClusteringError.invalidK(k: k, points: x.rows) }
        for (i, l) in labels.enumerated() where l < 0 || Int(l) >= k {
            throw ClusteringError.labelOutOfRange(index: i, label: l, k: k)
        }
    }
}
