/// The noise covariance of a cube's spectra, measured between adjacent pixels.
///
/// Neighbouring pixels mostly share a material, so the difference of two adjacent spectra
/// is mostly noise: for noise independent from pixel to pixel (photon counts), the
/// covariance of the differences is twice the noise covariance. The few pairs that straddle
/// a boundary add a little signal; the shrinkage of `PrincipalComponents.fitNoiseAdjusted`
/// keeps that from mattering.
public enum NeighbourNoise {
    /// Adjacent pairs used at most (evenly spaced over all of them).
    public static let samplePairs = 32_768
    /// Pairs per block of differences (bounds the memory: block x d floats).
    static let blockPairs = 4_096

    /// The noise covariance (d x d, row major, in the units of `x` squared) of the rows of
    /// `x` (n x d; row i is the spectrum of pixel `grid.pixelIndex[i]`), from horizontally
    /// and vertically adjacent rows.
    ///
    /// - Returns: nil when no two rows are adjacent.
    public static func covariance(of x: Matrix, grid: ImageGrid) -> [Double]? {
        precondition(grid.pixelIndex.count == x.rows, "one pixel per row")
        let pairs = adjacentPairs(grid)
        guard !pairs.isEmpty else { return nil }
        let used = pairs.count > samplePairs ? (0..<samplePairs).map { pairs[$0 * pairs.count / samplePairs] } : pairs
        let d = x.cols
        var sum = [Double](repeating: 0, count: d * d)
        var start = 0
        while start < used.count {
            let end = min(start + blockPairs, used.count)
            var diff = Matrix(rows: end - start, cols: d)
            x.storage.withUnsafeBufferPointer { s in
                diff.storage.withUnsafeMutableBufferPointer { o in
                    for (r, pair) in used[start..<end].enumerated() {
                        let a = Int(pair.0) * d, b = Int(pair.1) * d, out = r * d
                        for j in 0..<d { o[out + j] = s[a + j] - s[b + j] }
                    }
                }
            }
            let gram = diff.matmul(diff, transposeSelf: true)
            gram.storage.withUnsafeBufferPointer { g in
                for i in 0..<(d * d) { sum[i] += Double(g[i]) }
            }
            start = end
        }
        let scale = 1 / (2 * Double(used.count))
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d { covariance[i * d + j] = 0.5 * (sum[i * d + j] + sum[j * d + i]) * scale }
        }
        return covariance
    }

    /// Every (row, row) pair of horizontally or vertically adjacent pixels, in raster order.
    static func adjacentPairs(_ grid: ImageGrid) -> [(Int32, Int32)] {
        let w = grid.width, h = grid.height
        var rowOf = [Int32](repeating: -1, count: w * h)
        for (row, pixel) in grid.pixelIndex.enumerated() { rowOf[Int(pixel)] = Int32(row) }
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(2 * grid.pixelIndex.count)
        for y in 0..<h {
            for x in 0..<w {
                let a = rowOf[y * w + x]
                guard a >= 0 else { continue }
                if x + 1 < w, case let b = rowOf[y * w + x + 1], b >= 0 { pairs.append((a, b)) }
                if y + 1 < h, case let b = rowOf[(y + 1) * w + x], b >= 0 { pairs.append((a, b)) }
            }
        }
        return pairs
    }
}
