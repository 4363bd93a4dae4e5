/// The assignment step shared by Lloyd iterations and `KMeans.predict`: every row of `x`
/// goes to its nearest centroid, with `x . c` computed by `BLAS.gemm` over blocks of rows and
/// the argmin, exact squared distance and per-cluster sums fused right after, while the block
/// is in cache.
///
/// Precision: the argmin uses `|c - m|^2 + 2 m.(c - m) - 2 x.(c - m)` (equal to
/// `|x - c|^2 - |x - m|^2`, with m the mean of the centroids), so a large common offset of
/// the data does not cancel digits away. The reported distance to the chosen centroid is
/// computed directly as `sum_j (x_j - c_j)^2`.
struct CentroidAssignment {
    /// Per-cluster sums of the assigned rows (k x d, row major), counts (k) and the total
    /// squared distance; filled only when requested.
    struct Totals {
        var sums: [Double]
        var counts: [Int]
        var inertia: Double
        /// Number of rows whose label differs from the one `labels` held before the pass.
        var changed: Int
    }

    let k: Int
    let d: Int
    /// Centroids (k x d, row major).
    let centroids: [Float]
    /// Centroids minus their mean (k x d).
    let shifted: [Float]
    /// `|c - m|^2 + 2 m.(c - m)` per centroid.
    let bias: [Float]

    init(centroids: Matrix) {
        k = centroids.rows
        d = centroids.cols
        self.centroids = centroids.storage
        var mean = [Double](repeating: 0, count: d)
        for c in 0..<k { for j in 0..<d { mean[j] += Double(centroids.storage[c * d + j]) } }
        for j in 0..<d { mean[j] /= Double(max(1, k)) }
        var shifted = [Float](repeating: 0, count: k * d)
        var bias = [Float](repeating: 0, count: k)
        for c in 0..<k {
            var b = 0.0
            for j in 0..<d {
                let s = Double(centroids.storage[c * d + j]) - mean[j]
                shifted[c * d + j] = Float(s)
                b += s * s + 2 * mean[j] * s
            }
            bias[c] = Float(b)
        }
        self.shifted = shifted
        self.bias = bias
    }

    /// Rows per gemm block: small enough that OpenBLAS runs each call on the calling thread
    /// (m*n*k at most 2^18, its single-thread threshold) while our own workers share the cores.
    var blockRows: Int { max(64, min(4096, (1 << 18) / max(1, k * d))) }

    /// Assigns every row of `x` (n x d). Writes `labels` (n), and `distances` (n, squared
    /// distance to the chosen centroid) when given; returns totals when `accumulate`.
    /// Deterministic: per-block partials are reduced in block order.
    func assign(_ x: Matrix, labels: inout [Int32], distances: UnsafeMutablePointer<Float>?, accumulate: Bool) -> Totals {
        let n = x.rows, k = self.k, d = self.d
        precondition(x.cols == d && labels.count == n)
        let blockRows = self.blockRows
        let blocks = ParallelBlocks.blockCount(count: n, blockSize: blockRows)
        let workers = ParallelBlocks.workerCount(count: n, blockSize: blockRows)
        let partialWidth = accumulate ? k * d : 0
        var partialSums = [Double](repeating: 0, count: blocks * partialWidth)
        var partialCounts = [Int](repeating: 0, count: accumulate ? blocks * k : 0)
        var partialInertia = [Double](repeating: 0, count: blocks)
        var partialChanged = [Int](repeating: 0, count: blocks)
        var scratch = [Float](repeating: 0, count: workers * blockRows * k)
        let distOut = distances.map { SharedPointer($0) }

        x.storage.withUnsafeBufferPointer { xb in
        centroids.withUnsafeBufferPointer { cb in
        shifted.withUnsafeBufferPointer { sb in
        bias.withUnsafeBufferPointer { biasb in
        labels.withUnsafeMutableBufferPointer { lb in
        partialSums.withUnsafeMutableBufferPointer { psb in
        partialCounts.withUnsafeMutableBufferPointer { pcb in
        partialInertia.withUnsafeMutableBufferPointer { pib in
        partialChanged.withUnsafeMutableBufferPointer { pchb in
        scratch.withUnsafeMutableBufferPointer { scb in
            // Each block writes only its own rows of labels/distances and its own partial slots;
            // each worker only its own scratch slice.
            let xp = xb.baseAddress!, cp = cb.baseAddress!, sp = sb.baseAddress!, bp = biasb.baseAddress!
            let labelsP = SharedPointer(lb.baseAddress!)
            let sumsP = psb.baseAddress.map { SharedPointer($0) }
            let countsP = pcb.baseAddress.map { SharedPointer($0) }
            let inertiaP = SharedPointer(pib.baseAddress!)
            let changedP = SharedPointer(pchb.baseAddress!)
            let scratchP = SharedPointer(scb.baseAddress!)
            ParallelBlocks.run(count: n, blockSize: blockRows) { block, rows, worker in
                let g = scratchP.base + worker * blockRows * k
                let m = rows.count
                BLAS.gemm(transB: true, m: m, n: k, k: d, a: xp + rows.lowerBound * d, lda: d,
                          b: sp, ldb: d, c: g, ldc: k)
                var inertia = 0.0
                var changed = 0
                let sums = sumsP.map { $0.base + block * partialWidth }
                let counts = countsP.map { $0.base + block * k }
                for r in 0..<m {
                    let gr = g + r * k
                    var best = bp[0] - 2 * gr[0]
                    var bi = 0
                    var c = 1
                    while c < k {
                        let v = bp[c] - 2 * gr[c]
                        if v < best { best = v; bi = c }
                        c += 1
                    }
                    let i = rows.lowerBound + r
                    let row = xp + i * d
                    let cen = cp + bi * d
                    var dist: Float = 0
                    for j in 0..<d { let t = row[j] - cen[j]; dist += t * t }
                    inertia += Double(dist)
                    if labelsP.base[i] != Int32(bi) { changed += 1; labelsP.base[i] = Int32(bi) }
                    if let distOut { distOut.base[i] = dist }
                    if accumulate, let sums, let counts {
                        let s = sums + bi * d
                        for j in 0..<d { s[j] += Double(row[j]) }
                        counts[bi] += 1
                    }
                }
                inertiaP.base[block] = inertia
                changedP.base[block] = changed
            }
        }}}}}}}}}}

        var totals = Totals(sums: [Double](repeating: 0, count: k * d), counts: [Int](repeating: 0, count: k), inertia: 0, changed: 0)
        for b in 0..<blocks {
            totals.inertia += partialInertia[b]
            totals.changed += partialChanged[b]
            if accumulate {
                for t in 0..<(k * d) { totals.sums[t] += partialSums[b * partialWidth + t] }
                for c in 0..<k { totals.counts[c] += partialCounts[b * k + c] }
            }
        }
        return totals
    }
}
