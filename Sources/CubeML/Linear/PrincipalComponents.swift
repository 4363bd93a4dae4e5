/// Principal component analysis of the rows of a matrix: the classical embedding CubeSeg
/// measures its autoencoder against, and falls back to when the autoencoder learned less.
///
/// The covariance (d x d) comes from one sgemm over (a sample of) the rows; its leading
/// eigenvectors from LAPACK (`BLAS.symmetricEigen`); projecting every row is one more sgemm.
public struct PrincipalComponents: Sendable, Equatable {
    /// Column means (length d).
    public var mean: [Float]
    /// Principal axes, row major (components x d): row i is the unit axis of the i-th
    /// largest variance.
    public var axes: Matrix
    /// Variance along each axis (length components), descending.
    public var variances: [Double]
    /// Total variance of the data: the sum over the d columns (= trace of the covariance).
    public var totalVariance: Double
    /// Rows that rebuild a spectrum from its coordinates (components x d, row major): nil
    /// when the axes are orthonormal (plain PCA: the axes themselves). Noise-adjusted axes
    /// (`fitNoiseAdjusted`) are not, and carry the least-squares decoder.
    public var decoder: Matrix?

    public init(mean: [Float], axes: Matrix, variances: [Double], totalVariance: Double, decoder: Matrix? = nil) {
        self.mean = mean; self.axes = axes; self.variances = variances; self.totalVariance = totalVariance
        self.decoder = decoder
    }

    public var components: Int { axes.rows }
    public var dimension: Int { axes.cols }

    /// Mean squared error per element of reconstructing the rows from their projection on
    /// the first `count` axes (count <= components): (total - kept variance) / d. With
    /// `count` 0 it is the error of predicting the mean row for every row.
    public func reconstructionError(components count: Int) -> Double {
        let kept = variances.prefix(count).reduce(0, +)
        return max(0, totalVariance - kept) / Double(dimension)
    }

    /// Fits `components` axes to the rows of `x` (n x d). Above `sampleRows` rows an evenly
    /// spaced subset of that many rows estimates the covariance.
    ///
    /// - Returns: nil when `x` has fewer than two rows, `components` is outside 1...d, or
    ///   the eigensolver fails.
    public static func fit(_ x: Matrix, components: Int, sampleRows: Int = 50_000) -> PrincipalComponents? {
        guard (1...max(1, x.cols)).contains(components), let moments = Moments(x, sampleRows: sampleRows),
              let eigen = BLAS.symmetricEigen(moments.covariance, n: x.cols, largest: components) else { return nil }
        let axes = Matrix(rows: components, cols: x.cols, values: eigen.vectors.map { Float($0) })
        return PrincipalComponents(mean: moments.mean, axes: axes, variances: eigen.values.map { max(0, $0) },
                                   totalVariance: moments.totalVariance)
    }

    /// Column means and covariance of the rows of a matrix (of an evenly spaced subset of
    /// `sampleRows` rows above that many).
    struct Moments {
        /// Column means (length d).
        var mean: [Float]
        /// Covariance (d x d, row major, symmetric), normalised by rows - 1.
        var covariance: [Double]
        /// Its trace.
        var totalVariance: Double

        /// Nil when `x` has fewer than two rows or no column.
        init?(_ x: Matrix, sampleRows: Int) {
            let n = x.rows, d = x.cols
            guard n >= 2, d >= 1 else { return nil }
            let sample = n > sampleRows ? x.gatherRows((0..<sampleRows).map { $0 * n / sampleRows }) : x
            let m = sample.rows
            // Means in double, then centred rows in float for the sgemm.
            var meanD = [Double](repeating: 0, count: d)
            sample.storage.withUnsafeBufferPointer { s in
                for i in 0..<m { for j in 0..<d { meanD[j] += Double(s[i * d + j]) } }
            }
            for j in 0..<d { meanD[j] /= Double(m) }
            let mean = meanD.map { Float($0) }
            var centred = sample
            centred.storage.withUnsafeMutableBufferPointer { s in
                for i in 0..<m { for j in 0..<d { s[i * d + j] -= mean[j] } }
            }
            let gram = centred.matmul(centred, transposeSelf: true)  // d x d
            let covariance = gram.symmetrisedDoubles(scale: 1 / Double(m - 1))
            let total = (0..<d).reduce(0.0) { $0 + covariance[$1 * d + $1] }
            self.mean = mean; self.covariance = covariance; self.totalVariance = total
        }
    }

    /// The coordinates of every row of `x` (n x d) on the axes: (n x components), row major.
    public func project(_ x: Matrix) -> Matrix {
        precondition(x.cols == dimension, "project: \(x.cols) columns, the axes have \(dimension)")
        var out = x.matmul(axes, transposeOther: true)
        // Subtract the projected mean once per row.
        let offset = (0..<components).map { i -> Float in
            var s: Float = 0
            for j in 0..<dimension { s += axes[i, j] * mean[j] }
            return s
        }
        let k = components
        out.storage.withUnsafeMutableBufferPointer { o in
            for r in 0..<x.rows { for i in 0..<k { o[r * k + i] -= offset[i] } }
        }
        return out
    }

    /// Spectra back from coordinates `z` (n x components): mean + z * decoder, (n x d),
    /// where the decoder is the axes themselves unless `decoder` is set.
    public func reconstruct(_ z: Matrix) -> Matrix {
        precondition(z.cols == components, "reconstruct: \(z.cols) columns, there are \(components) axes")
        var out = z.matmul(decoder ?? axes)
        let d = dimension
        out.storage.withUnsafeMutableBufferPointer { o in
            for r in 0..<z.rows { for j in 0..<d { o[r * d + j] += mean[j] } }
        }
        return out
    }

    /// The axes as model tensors: `pca.mean` (d), `pca.axes` (components x d) and, for
    /// axes that are not orthonormal, `pca.decoder` (components x d).
    public func tensors() -> [Tensor] {
        var out = [Tensor(name: "pca.mean", shape: [dimension], values: mean),
                   Tensor(name: "pca.axes", shape: [components, dimension], values: axes.storage)]
        if let decoder { out.append(Tensor(name: "pca.decoder", shape: [components, dimension], values: decoder.storage)) }
        return out
    }

    /// Rebuilds the embedding from `tensors()`' output (variances are not stored).
    public init(tensors: [Tensor]) throws {
        guard let m = tensors.first(where: { $0.name == "pca.mean" }) else { throw ModelFileError.missingTensor("pca.mean") }
        guard let a = tensors.first(where: { $0.name == "pca.axes" }) else { throw ModelFileError.missingTensor("pca.axes") }
        guard m.shape.count == 1, a.shape.count == 2, a.shape[1] == m.shape[0], a.shape[0] >= 1 else {
            throw ModelFileError.badTensor(name: "pca.axes", reason: "shape \(a.shape) does not fit a mean of shape \(m.shape)")
        }
        var decoder: Matrix?
        if let b = tensors.first(where: { $0.name == "pca.decoder" }) {
            guard b.shape == a.shape else {
                throw ModelFileError.badTensor(name: "pca.decoder", reason: "shape \(b.shape) differs from the axes' \(a.shape)")
            }
            decoder = Matrix(rows: b.shape[0], cols: b.shape[1], values: b.values)
        }
        self.init(mean: m.values, axes: Matrix(rows: a.shape[0], cols: a.shape[1], values: a.values),
                  variances: [], totalVariance: 0, decoder: decoder)
    }
}

extension Matrix {
    /// The symmetric part of a square matrix, (A + Aᵀ) / 2, times `scale`, in double (row
    /// major): sgemm's two triangles of a symmetric product may differ in the last bit.
    func symmetrisedDoubles(scale: Double = 1) -> [Double] {
        precondition(rows == cols, "symmetrisedDoubles: \(rows) x \(cols) is not square")
        let d = rows
        var out = [Double](repeating: 0, count: d * d)
        storage.withUnsafeBufferPointer { a in
            for i in 0..<d { for j in 0..<d { out[i * d + j] = 0.5 * (Double(a[i * d + j]) + Double(a[j * d + i])) * scale } }
        }
        return out
    }
}
