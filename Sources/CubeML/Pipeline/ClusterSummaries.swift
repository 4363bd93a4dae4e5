import CubeFormats

/// Per-cluster summaries for every K at once: pixel counts, latent centroids, mean measured
/// spectra (cube units, cropped channels), mean preprocessed inputs and mean reconstructions.
///
/// Every sum is a one-hot product through sgemm: with `T = sum of K` clusters over all K,
/// a block's one-hot matrix H (rows x T) gives `sums (T x C) += Hᵀ · block (rows x C)`.
/// Memory stays at one block of each input plus the (T x C) sums.
enum ClusterSummaries {
    /// Rows per block for the encoder/decoder and the one-hot products.
    static let blockRows = 4096

    static func compute(cube: Datacube, recipe: PreprocessingRecipe, prepared: PreparedSpectra,
                        embedding: SpectralEmbedding, embeddings mu: Matrix,
                        labelsByK: [Int: [Int32]], centroidsByK: [Int: Matrix]) throws -> [Int: [ClusterSummary]] {
        let layout = OneHotLayout(labelsByK: labelsByK)
        let n = prepared.spectra.rows
        let bins = prepared.spectra.cols

        var counts = [Int](repeating: 0, count: layout.total)
        var latentSums = Matrix(rows: layout.total, cols: mu.cols)
        var inputSums = Matrix(rows: layout.total, cols: bins)
        var reconstructionSums = Matrix(rows: layout.total, cols: bins)
        var start = 0
        while start < n {
            let rows = start..<min(n, start + blockRows)
            let hot = layout.oneHot(rows: rows)
            for r in rows { layout.forEachColumn(of: r) { counts[$0] += 1 } }
            let latentBlock = mu.rows(rows)
            accumulate(&latentSums, hot: hot, block: latentBlock)
            accumulate(&inputSums, hot: hot, block: prepared.spectra.rows(rows))
            accumulate(&reconstructionSums, hot: hot, block: embedding.decode(latentBlock))
            start = rows.upperBound
        }

        // Mean measured spectra: one pass over the cube in its own units, cropped channels;
        // NaN and infinities count as 0 (one would otherwise spoil every sum of the product).
        let crop = recipe.cropStart..<recipe.cropEnd
        var spectrumSums = Matrix(rows: layout.total, cols: crop.count)
        var rowOfPixel = [Int32](repeating: -1, count: cube.pixelCount)
        for (row, pixel) in prepared.pixelIndex.enumerated() { rowOfPixel[Int(pixel)] = Int32(row) }
        try cube.forEachRowBlock { imageRows, values in
            let pixels = imageRows.count * cube.width
            let firstPixel = imageRows.lowerBound * cube.width
            var block = Matrix(rows: pixels, cols: crop.count)
            var hot = Matrix(rows: pixels, cols: layout.total)
            block.storage.withUnsafeMutableBufferPointer { dst in
                for p in 0..<pixels {
                    let src = values.baseAddress! + p * cube.channels + crop.lowerBound
                    let out = dst.baseAddress! + p * crop.count
                    for j in 0..<crop.count { out[j] = src[j].isFinite ? src[j] : 0 }
                }
            }
            let total = layout.total
            hot.storage.withUnsafeMutableBufferPointer { h in
                for p in 0..<pixels {
                    let row = Int(rowOfPixel[firstPixel + p])
                    guard row >= 0 else { continue }
                    layout.forEachColumn(of: row) { h[p * total + $0] = 1 }
                }
            }
            accumulate(&spectrumSums, hot: hot, block: block)
        }

        var out: [Int: [ClusterSummary]] = [:]
        for k in layout.ks {
            var summaries: [ClusterSummary] = []
            for c in 0..<k {
                let t = layout.offset(of: k) + c
                let count = counts[t]
                let scale = count > 0 ? 1 / Float(count) : 0
                let centroid = count > 0
                    ? latentSums.row(t).map { $0 * scale }
                    : (centroidsByK[k].map { $0.row(c) } ?? [Float](repeating: 0, count: mu.cols))
                summaries.append(ClusterSummary(
                    label: c, pixels: count, centroid: centroid,
                    meanSpectrum: spectrumSums.row(t).map { $0 * scale },
                    meanReconstruction: reconstructionSums.row(t).map { $0 * scale },
                    meanInput: inputSums.row(t).map { $0 * scale }))
            }
            out[k] = summaries
        }
        return out
    }

    /// `sums += hotᵀ · block` through sgemm.
    static func accumulate(_ sums: inout Matrix, hot: Matrix, block: Matrix) {
        precondition(hot.rows == block.rows && sums.rows == hot.cols && sums.cols == block.cols)
        guard hot.rows > 0 else { return }
        let (t, c, r) = (sums.rows, sums.cols, hot.rows)
        hot.storage.withUnsafeBufferPointer { h in
            block.storage.withUnsafeBufferPointer { b in
                sums.storage.withUnsafeMutableBufferPointer { s in
                    BLAS.gemm(transA: true, m: t, n: c, k: r, a: h.baseAddress!, lda: t,
                              b: b.baseAddress!, ldb: c, beta: 1, c: s.baseAddress!, ldc: c)
                }
            }
        }
    }
}

/// Column layout of the stacked one-hot matrix: K's clusters occupy columns offset..<offset+K.
struct OneHotLayout {
    /// One entry per K, in increasing K: its first column and its labels (per signal row).
    let entries: [(k: Int, offset: Int, labels: [Int32])]
    let total: Int

    init(labelsByK: [Int: [Int32]]) {
        var e: [(k: Int, offset: Int, labels: [Int32])] = []
        var t = 0
        for k in labelsByK.keys.sorted() { e.append((k, t, labelsByK[k]!)); t += k }
        entries = e
        total = t
    }

    var ks: [Int] { entries.map(\.k) }
    func offset(of k: Int) -> Int { entries.first { $0.k == k }!.offset }

    /// Calls `body` with the one-hot column of signal row `row` for every K (skipping -1).
    @inline(__always)
    func forEachColumn(of row: Int, _ body: (Int) -> Void) {
        for e in entries {
            let l = Int(e.labels[row])
            if l >= 0 { body(e.offset + l) }
        }
    }

    /// The (rows.count x total) one-hot matrix of signal rows `rows`.
    func oneHot(rows: Range<Int>) -> Matrix {
        var hot = Matrix(rows: rows.count, cols: total)
        let t = total
        hot.storage.withUnsafeMutableBufferPointer { h in
            for (i, r) in rows.enumerated() { forEachColumn(of: r) { h[i * t + $0] = 1 } }
        }
        return hot
    }
}
