import CubeFormats

/// Mean measured spectra per cluster, for explaining a segmentation.
public enum ClusterSpectra {
    /// Per-cluster sums of the measured spectra over `channels` (values as stored, in the
    /// cube's own units, negatives kept) and pixel counts, in one block pass.
    ///
    /// - Parameters:
    ///   - labels: row-major (height, width) cluster of every pixel, in `0..<k`, or -1
    ///     (background: ignored).
    /// - Returns: `sums` (k x channels.count, row-major, row = cluster) and `counts` (k).
    /// - Throws: `SegmentationError.invalidParameter` when `labels`, `k` or `channels` do
    ///   not fit the cube.
    public static func sums(cube: Datacube, labels: [Int32], k: Int, channels: Range<Int>) throws -> (sums: Matrix, counts: [Int]) {
        let (acc, counts) = try accumulate(cube: cube, labels: labels, k: k, channels: channels)
        return (Matrix(rows: k, cols: channels.count, values: acc.map { Float($0) }), counts)
    }

    /// Double-precision sums (k x channels.count) and counts.
    static func accumulate(cube: Datacube, labels: [Int32], k: Int, channels: Range<Int>) throws -> ([Double], [Int]) {
        guard labels.count == cube.pixelCount else {
            throw SegmentationError.invalidParameter(name: "labels", reason: "\(labels.count) labels for \(cube.pixelCount) pixels")
        }
        guard k >= 1 else { throw SegmentationError.invalidParameter(name: "k", reason: "must be at least 1, got \(k)") }
        guard channels.lowerBound >= 0, channels.upperBound <= cube.channels, !channels.isEmpty else {
            throw SegmentationError.invalidParameter(name: "channels", reason: "\(channels) is not inside 0..<\(cube.channels)")
        }
        if let bad = labels.first(where: { $0 < -1 || Int($0) >= k }) {
            throw SegmentationError.invalidParameter(name: "labels", reason: "label \(bad) is outside -1..<\(k)")
        }
        let n = channels.count, c = cube.channels, w = cube.width
        var acc = [Double](repeating: 0, count: k * n)
        var counts = [Int](repeating: 0, count: k)
        try labels.withUnsafeBufferPointer { lab in
            try acc.withUnsafeMutableBufferPointer { a in
                try cube.forEachRowBlock { rows, values in
                    let first = rows.lowerBound * w
                    for p in 0..<(rows.count * w) {
                        let l = Int(lab[first + p])
                        guard l >= 0 else { continue }
                        counts[l] += 1
                        let src = values.baseAddress! + p * c + channels.lowerBound
                        let dst = a.baseAddress! + l * n
                        for j in 0..<n { dst[j] += Double(src[j]) }
                    }
                }
            }
        }
        return (acc, counts)
    }

    /// Mean measured spectrum per cluster (k x channels.count, row-major; a cluster with no
    /// pixel gets a zero row). See `sums(cube:labels:k:channels:)`.
    public static func means(cube: Datacube, labels: [Int32], k: Int, channels: Range<Int>) throws -> Matrix {
        let (acc, counts) = try accumulate(cube: cube, labels: labels, k: k, channels: channels)
        let n = channels.count
        var means = [Float](repeating: 0, count: k * n)
        for l in 0..<k where counts[l] > 0 {
            let inv = 1 / Double(counts[l])
            for j in 0..<n { means[l * n + j] = Float(acc[l * n + j] * inv) }
        }
        return Matrix(rows: k, cols: n, values: means)
    }
}
