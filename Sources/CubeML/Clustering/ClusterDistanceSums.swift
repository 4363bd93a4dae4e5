import Dispatch

/// Sums of Euclidean distances from query points to every point of each cluster, the core of
/// the silhouette, computed in tiles through `BLAS.gemm` so no (queries x points) matrix ever
/// exists: extra memory is one (tileRows x tileCols) Float tile per worker plus the output.
///
/// The reference points are sorted by label, so each column tile's points of one cluster are
/// a contiguous run and the per-cluster sums are SIMD reductions over runs.
/// `|q - p| = sqrt(max(0, |q|^2 + |p|^2 - 2 q.p))` on data centred at the reference points'
/// mean (less cancellation); a query's own point contributes exactly 0.
struct ClusterDistanceSums {
    /// Reference points sorted by label (n x d, row major), centred.
    let points: Matrix
    /// `|p|^2` of each centred reference point.
    let norms: [Float]
    /// Cluster c occupies sorted rows `starts[c]..<starts[c + 1]`; `starts.count == k + 1`.
    let starts: [Int]
    /// Original row index of each sorted row.
    let order: [Int]
    /// Sorted position of each original row.
    let position: [Int]
    /// Mean subtracted from every point (length d).
    let mean: [Float]

    var k: Int { starts.count - 1 }

    /// Sorts `x`'s rows (n x d) by `labels` (values in 0..<k; stable counting sort) and
    /// centres them.
    init(x: Matrix, labels: [Int32], k: Int) {
        let n = x.rows, d = x.cols
        var starts = [Int](repeating: 0, count: k + 1)
        for l in labels { starts[Int(l) + 1] += 1 }
        for c in 0..<k { starts[c + 1] += starts[c] }
        var next = Array(starts[0..<k])
        var order = [Int](repeating: 0, count: n)
        var position = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(labels[i])
            order[next[c]] = i
            position[i] = next[c]
            next[c] += 1
        }
        let mean = KMeans.columnMeanAndVariance(x).0
        var sorted = x.gatherRows(order)
        sorted.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<n { for j in 0..<d { p[i * d + j] -= mean[j] } }
        }
        self.points = sorted
        self.norms = sorted.rowSquaredNorms()
        self.starts = starts
        self.order = order
        self.position = position
        self.mean = mean
    }

    /// Rows per tile and columns per tile (64 x 512 at d = 8; measured best among 16..128 x
    /// 512..2048). A tile's gemm stays at m*n*k <= 2^18 when d <= 64, OpenBLAS's single-thread
    /// threshold, so our workers own the cores.
    static func tileShape(d: Int) -> (rows: Int, cols: Int) {
        let cols = 512
        let rows = max(8, min(256, (1 << 18) / (cols * max(1, d)) / 8 * 8))
        return (rows, cols)
    }

    /// For each query (original row indices `queries` of the reference set), the sum of
    /// distances to every reference point of each cluster: a (queries.count x k) row-major
    /// Double array. Deterministic; uses every core.
    func sums(queries: [Int]) -> [Double] {
        let m = queries.count, d = points.cols, n = points.rows, k = self.k
        let (tileRows, tileCols) = Self.tileShape(d: d)
        var out = [Double](repeating: 0, count: m * k)
        guard m > 0, n > 0 else { return out }
        // Queries in sorted order, as their own small matrix (rows of `points`).
        let querySorted = queries.map { position[$0] }
        let q = points.gatherRows(querySorted)
        let workers = ParallelBlocks.workerCount(count: m, blockSize: tileRows)
        var scratch = [Float](repeating: 0, count: workers * tileRows * tileCols)
        q.storage.withUnsafeBufferPointer { qb in
        points.storage.withUnsafeBufferPointer { pb in
        norms.withUnsafeBufferPointer { nb in
        starts.withUnsafeBufferPointer { sb in
        querySorted.withUnsafeBufferPointer { selfb in
        out.withUnsafeMutableBufferPointer { ob in
        scratch.withUnsafeMutableBufferPointer { scb in
            // Each block writes only its own rows of `out`; each worker only its own scratch tile.
            let qp = qb.baseAddress!, pp = pb.baseAddress!, np = nb.baseAddress!, st = sb.baseAddress!
            let selfIndex = selfb.baseAddress!
            let outP = SharedPointer(ob.baseAddress!)
            let scratchP = SharedPointer(scb.baseAddress!)
            ParallelBlocks.run(count: m, blockSize: tileRows) { _, rows, worker in
                let g = scratchP.base + worker * tileRows * tileCols
                let r0 = rows.lowerBound, mr = rows.count
                var j0 = 0
                while j0 < n {
                    let j1 = min(n, j0 + tileCols)
                    let w = j1 - j0
                    BLAS.gemm(transB: true, m: mr, n: w, k: d, a: qp + r0 * d, lda: d,
                              b: pp + j0 * d, ldb: d, c: g, ldc: w)
                    // First cluster whose run reaches into this tile.
                    var c = 0
                    while st[c + 1] <= j0 { c += 1 }
                    for r in 0..<mr {
                        let gr = g + r * w
                        let own = selfIndex[r0 + r]
                        let nq = np[own]
                        if own >= j0 && own < j1 { gr[own - j0] = (nq + np[own]) * 0.5 }
                        Self.distancesInPlace(g: gr, norms: np + j0, count: w, queryNorm: nq)
                        let o = outP.base + (r0 + r) * k
                        var cc = c
                        var runStart = j0
                        while runStart < j1 {
                            while st[cc + 1] <= runStart { cc += 1 }
                            let runEnd = min(j1, st[cc + 1])
                            o[cc] += Self.runSum(gr + (runStart - j0), count: runEnd - runStart)
                            runStart = runEnd
                        }
                    }
                    j0 = j1
                }
            }
        }}}}}}}
        return out
    }

    /// For every reference point, the sum of distances to every point of each cluster: an
    /// (n x k) row-major Double array indexed by ORIGINAL row. Uses the symmetry d(i, j) =
    /// d(j, i): each pair's tile is computed once and credited to both rows, which halves
    /// the work of `sums(queries:)` over all rows. Row blocks are dealt to workers in a fixed
    /// zig-zag (balanced, independent of scheduling); each worker accumulates the column side
    /// in its own (n x k) array, reduced in worker order, so results are deterministic for a
    /// given core count. Extra memory: (workers + 1) x n x k Doubles plus one tile per worker.
    func allSums() -> [Double] {
        let n = points.rows, d = points.cols, k = self.k
        let (tileRows, tileCols) = Self.tileShape(d: d)
        let blocks = ParallelBlocks.blockCount(count: n, blockSize: tileRows)
        let workers = max(1, min(ParallelBlocks.workers, blocks))
        var rowSide = [Double](repeating: 0, count: n * k)      // sorted order
        var colSide = [Double](repeating: 0, count: workers * n * k)
        var scratch = [Float](repeating: 0, count: workers * (tileRows * tileCols + tileCols))
        points.storage.withUnsafeBufferPointer { pb in
        norms.withUnsafeBufferPointer { nb in
        starts.withUnsafeBufferPointer { sb in
        rowSide.withUnsafeMutableBufferPointer { rb in
        colSide.withUnsafeMutableBufferPointer { cb in
        scratch.withUnsafeMutableBufferPointer { scb in
            // Row block b writes rows of its own block in rowSide; worker w writes only its own
            // slice of colSide and of scratch.
            let pp = pb.baseAddress!, np = nb.baseAddress!, st = sb.baseAddress!
            let rowP = SharedPointer(rb.baseAddress!), colP = SharedPointer(cb.baseAddress!)
            let scratchP = SharedPointer(scb.baseAddress!)
            let body = UncheckedSendableBox { (worker: Int) in
                let g = scratchP.base + worker * (tileRows * tileCols + tileCols)
                let acc = g + tileRows * tileCols
                let cols = colP.base + worker * n * k
                var b = 0
                while b < blocks {
                    // Zig-zag: in each group of 2W blocks, worker w takes blocks w and 2W-1-w.
                    let inGroup = b % (2 * workers)
                    if inGroup == worker || inGroup == 2 * workers - 1 - worker {
                        let r0 = b * tileRows, r1 = min(n, r0 + tileRows), mr = r1 - r0
                        var j0 = r0
                        while j0 < n {
                            let j1 = j0 == r0 ? r1 : min(n, j0 + tileCols)
                            let w = j1 - j0
                            BLAS.gemm(transB: true, m: mr, n: w, k: d, a: pp + r0 * d, lda: d,
                                      b: pp + j0 * d, ldb: d, c: g, ldc: w)
                            var c = 0
                            while st[c + 1] <= j0 { c += 1 }
                            for r in 0..<mr {
                                let gr = g + r * w
                                let own = r0 + r
                                let nq = np[own]
                                if own >= j0 && own < j1 { gr[own - j0] = (nq + np[own]) * 0.5 }
                                Self.distancesInPlace(g: gr, norms: np + j0, count: w, queryNorm: nq)
                                let o = rowP.base + own * k
                                var cc = c
                                var runStart = j0
                                while runStart < j1 {
                                    while st[cc + 1] <= runStart { cc += 1 }
                                    let runEnd = min(j1, st[cc + 1])
                                    o[cc] += Self.runSum(gr + (runStart - j0), count: runEnd - runStart)
                                    runStart = runEnd
                                }
                            }
                            if j0 >= r1 {
                                // Column side: each column point gets its distances to this
                                // block's rows, summed per row cluster (rows are sorted, so
                                // each cluster is a run of rows).
                                var rc = 0
                                while st[rc + 1] <= r0 { rc += 1 }
                                var ra = r0
                                while ra < r1 {
                                    while st[rc + 1] <= ra { rc += 1 }
                                    let rb = min(r1, st[rc + 1])
                                    Self.sumRows(g + (ra - r0) * w, rows: rb - ra, width: w, into: acc)
                                    let base = cols + j0 * k + rc
                                    for t in 0..<w { base[t * k] += Double(acc[t]) }
                                    ra = rb
                                }
                            }
                            j0 = j1
                        }
                    }
                    b += 1
                }
            }
            if workers == 1 { body.value(0) } else { DispatchQueue.concurrentPerform(iterations: workers) { w in ParallelRegion.inside { body.value(w) } } }
        }}}}}}
        // Reduce in sorted order, then map back to original rows.
        var out = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            let o = order[i] * k
            for c in 0..<k {
                var v = rowSide[i * k + c]
                for w in 0..<workers { v += colSide[w * n * k + i * k + c] }
                out[o + c] = v
            }
        }
        return out
    }

    /// `acc[t] = sum_r rows[r * width + t]` for t in 0..<width (a vectorisable loop).
    @inline(__always)
    static func sumRows(_ rows: UnsafePointer<Float>, rows count: Int, width: Int, into acc: UnsafeMutablePointer<Float>) {
        acc.update(from: rows, count: width)
        var r = 1
        while r < count {
            let row = rows + r * width
            for t in 0..<width { acc[t] += row[t] }
            r += 1
        }
    }

    /// Turns a row of the gemm tile into distances in place:
    /// `g[t] <- sqrt(max(0, (queryNorm + norms[t]) - 2 g[t]))` for t in 0..<count. A plain
    /// loop over contiguous memory so the compiler vectorises it (sqrtps).
    @inline(__always)
    static func distancesInPlace(g: UnsafeMutablePointer<Float>, norms: UnsafePointer<Float>, count: Int, queryNorm: Float) {
        for t in 0..<count {
            var v = (queryNorm + norms[t]) - g[t] * 2
            v = v < 0 ? 0 : v
            g[t] = v.squareRoot()
        }
    }

    /// `sum_t v[t]` for t in 0..<count, eight lanes at a time (Float lanes, Double result).
    @inline(__always)
    static func runSum(_ v: UnsafePointer<Float>, count: Int) -> Double {
        var acc0 = SIMD8<Float>(repeating: 0), acc1 = SIMD8<Float>(repeating: 0)
        let raw = UnsafeRawPointer(v)
        var t = 0
        while t + 16 <= count {
            acc0 += raw.loadUnaligned(fromByteOffset: t * 4, as: SIMD8<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: t * 4 + 32, as: SIMD8<Float>.self)
            t += 16
        }
        var tail: Float = 0
        while t < count { tail += v[t]; t += 1 }
        return Double((acc0 + acc1).sum()) + Double(tail)
    }
}
