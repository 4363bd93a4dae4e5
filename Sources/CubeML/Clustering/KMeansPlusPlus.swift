import Foundation

/// k-means++ seeding (Arthur & Vassilvitskii 2007) with D^2 sampling, and optionally the
/// greedy variant of scikit-learn: at each step draw `localTrials` candidates by D^2 and keep
/// the one that most lowers the total potential. `localTrials = 1` is the textbook algorithm.
///
/// Distances go through `BLAS.gemm` in blocks of rows:
/// `|x - c|^2 = |x - m|^2 - 2 x.(c - m) + 2 m.(c - m) + |c - m|^2` with m the data mean,
/// clamped at 0.
enum KMeansPlusPlus {
    /// The default number of local trials, scikit-learn's `2 + floor(ln k)`.
    static func defaultTrials(k: Int) -> Int { 2 + Int(log(Double(max(1, k))).rounded(.down)) }

    /// Returns k initial centroids (k x d, row major), rows of `x`.
    /// - Parameters:
    ///   - centeredNorms: `|x_i - m|^2` per row, with m = `mean`.
    static func seed(_ x: Matrix, k: Int, localTrials: Int, mean: [Float], centeredNorms: [Float],
                     generator: inout SeededGenerator) -> Matrix {
        let n = x.rows
        var chosen = [generator.nextInt(below: n)]
        var closest = [Float](repeating: 0, count: n)
        var pot = potentials(x, candidates: chosen, mean: mean, centeredNorms: centeredNorms, closest: &closest, update: true, initial: true)[0]
        var cumulative = [Double](repeating: 0, count: n)
        while chosen.count < k {
            var candidates: [Int] = []
            if pot > 0 {
                var acc = 0.0
                for i in 0..<n { acc += Double(closest[i]); cumulative[i] = acc }
                for _ in 0..<max(1, localTrials) {
                    let r = generator.nextDouble() * acc
                    // First index whose cumulative weight exceeds r: zero-weight points are never drawn.
                    var lo = 0, hi = n - 1
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
                    }
                    candidates.append(lo)
                }
            } else {
                // Every point coincides with a centroid: any choice is as good.
                candidates.append(generator.nextInt(below: n))
            }
            var best = candidates[0]
            if candidates.count > 1 {
                let pots = potentials(x, candidates: candidates, mean: mean, centeredNorms: centeredNorms, closest: &closest, update: false)
                var bestPot = pots[0]
                for t in 1..<candidates.count where pots[t] < bestPot { bestPot = pots[t]; best = candidates[t] }
            }
            pot = potentials(x, candidates: [best], mean: mean, centeredNorms: centeredNorms, closest: &closest, update: true)[0]
            chosen.append(best)
        }
        return x.gatherRows(chosen)
    }

    /// For each candidate row index t: `sum_i min(closest_i, |x_i - x_t|^2)`, the potential if
    /// t were added (with `initial`, `closest` is ignored: the plain sum of distances). With
    /// `update` (one candidate only), `closest` becomes that new minimum.
    private static func potentials(_ x: Matrix, candidates: [Int], mean: [Float], centeredNorms: [Float],
                                   closest: inout [Float], update: Bool, initial: Bool = false) -> [Double] {
        let n = x.rows, d = x.cols, t = candidates.count
        precondition(!update || t == 1)
        let first = initial
        var shifted = [Float](repeating: 0, count: t * d)
        var bias = [Float](repeating: 0, count: t)
        for (c, idx) in candidates.enumerated() {
            var b = 0.0
            for j in 0..<d {
                let s = Double(x.storage[idx * d + j]) - Double(mean[j])
                shifted[c * d + j] = Float(s)
                b += s * s + 2 * Double(mean[j]) * s
            }
            bias[c] = Float(b)
        }
        let blockRows = max(64, min(4096, (1 << 18) / max(1, t * d)))
        let blocks = ParallelBlocks.blockCount(count: n, blockSize: blockRows)
        let workers = ParallelBlocks.workerCount(count: n, blockSize: blockRows)
        var partial = [Double](repeating: 0, count: blocks * t)
        var scratch = [Float](repeating: 0, count: workers * blockRows * t)
        x.storage.withUnsafeBufferPointer { xb in
        centeredNorms.withUnsafeBufferPointer { nb in
        shifted.withUnsafeBufferPointer { sb in
        bias.withUnsafeBufferPointer { bb in
        closest.withUnsafeMutableBufferPointer { clb in
        partial.withUnsafeMutableBufferPointer { pb in
        scratch.withUnsafeMutableBufferPointer { scb in
            // Blocks write disjoint rows of `closest` and their own `partial` slots; workers
            // their own scratch slices.
            let xp = xb.baseAddress!, np = nb.baseAddress!, sp = sb.baseAddress!, bp = bb.baseAddress!
            let closestP = SharedPointer(clb.baseAddress!)
            let partialP = SharedPointer(pb.baseAddress!)
            let scratchP = SharedPointer(scb.baseAddress!)
            ParallelBlocks.run(count: n, blockSize: blockRows) { block, rows, worker in
                let g = scratchP.base + worker * blockRows * t
                BLAS.gemm(transB: true, m: rows.count, n: t, k: d, a: xp + rows.lowerBound * d, lda: d,
                          b: sp, ldb: d, c: g, ldc: t)
                var sums = [Double](repeating: 0, count: t)
                for r in 0..<rows.count {
                    let i = rows.lowerBound + r
                    for c in 0..<t {
                        var dd = np[i] - 2 * g[r * t + c] + bp[c]
                        if !(dd > 0) { dd = 0 }
                        if !first && closestP.base[i] < dd { dd = closestP.base[i] }
                        sums[c] += Double(dd)
                        if update { closestP.base[i] = dd }
                    }
                }
                for c in 0..<t { partialP.base[block * t + c] = sums[c] }
            }
        }}}}}}}
        var pots = [Double](repeating: 0, count: t)
        for b in 0..<blocks { for c in 0..<t { pots[c] += partial[b * t + c] } }
        return pots
    }
}
