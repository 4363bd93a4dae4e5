extension PrincipalComponents {
    /// Shrinkage of the measured noise covariance towards its mean variance (times the
    /// identity): `(1 - s) N + s (tr N / d) I`. It keeps the whitening finite in channels
    /// that hardly ever hold a count and damps the signal that boundary pairs leak into N.
    /// Chosen over 0.1...0.6 on both simulators' MA-XRF cubes (README: "Noise-adjusted
    /// PCA for counts"); the map changed little across that range.
    public static let noiseShrinkage = 0.3

    /// Noise-adjusted principal components (Green et al.'s minimum noise fraction; Lee et
    /// al.'s NAPC): the axes along which the signal-to-noise ratio is largest, not the
    /// variance. The rows of `x` (n x d) are whitened by the shrunk `noise` covariance
    /// (d x d, row major: `NeighbourNoise.covariance`), and PCA of the whitened rows gives
    /// the axes. A coordinate's noise then has unit variance and `variances` are the
    /// whitened variances (1 + the signal-to-noise ratio).
    ///
    /// PCA ranks directions by variance, so faint materials whose lines sit in low-count
    /// channels (small variance, small noise) lose to the Poisson noise of bright channels;
    /// whitening gives every direction the same noise.
    ///
    /// The axes are not orthonormal, so the result carries the least-squares `decoder`
    /// (Λ⁻¹ A S: the coordinates' regression onto the spectra).
    ///
    /// - Returns: nil when `x` has fewer than two rows, `components` is outside 1...d, the
    ///   noise has no variance, or an eigensolver fails.
    public static func fitNoiseAdjusted(_ x: Matrix, noise: [Double], components: Int,
                                        shrinkage: Double = noiseShrinkage, sampleRows: Int = 50_000) -> PrincipalComponents? {
        guard (1...max(1, x.cols)).contains(components) else { return nil }
        return fitNoiseAdjusted(x, noise: noise, dimension: .exactly(components), shrinkage: shrinkage, sampleRows: sampleRows)
    }

    /// How many noise-adjusted components a fit keeps.
    public enum Dimension: Sendable, Equatable {
        /// This many (at most d).
        case exactly(Int)
        /// As many as carry signal (`SignalAxes`).
        case signal(SignalAxes)
    }

    /// `fitNoiseAdjusted(_:noise:components:)` with the number of components given or chosen
    /// from the whitened variances.
    public static func fitNoiseAdjusted(_ x: Matrix, noise: [Double], dimension: Dimension,
                                        shrinkage: Double = noiseShrinkage, sampleRows: Int = 50_000) -> PrincipalComponents? {
        let d = x.cols
        precondition(noise.count == d * d, "noise covariance: \(noise.count) values for \(d) x \(d)")
        guard d >= 1, let moments = Moments(x, sampleRows: sampleRows) else { return nil }
        let noiseMean = (0..<d).reduce(0.0) { $0 + noise[$1 * d + $1] } / Double(d)
        guard noiseMean > 0, noiseMean.isFinite else { return nil }
        var shrunk = noise.map { (1 - shrinkage) * $0 }
        for i in 0..<d { shrunk[i * d + i] += shrinkage * noiseMean }
        guard let noiseEigen = BLAS.symmetricEigen(shrunk, n: d, largest: d) else { return nil }
        // Whitening W (d x d): row i is the i-th noise eigenvector over its standard deviation.
        var whitening = Matrix(rows: d, cols: d)
        for i in 0..<d {
            let scale = 1 / max(noiseEigen.values[i], shrinkage * noiseMean).squareRoot()
            for j in 0..<d { whitening[i, j] = Float(noiseEigen.vectors[i * d + j] * scale) }
        }
        let covariance = Matrix(rows: d, cols: d, values: moments.covariance.map { Float($0) })
        // The whitened covariance W S Wᵀ, symmetrised, and its leading eigenvectors U.
        let whitened = whitening.matmul(covariance).matmul(whitening, transposeOther: true)
        let symmetric = whitened.symmetrisedDoubles()
        let solved: Int
        switch dimension {
        case .exactly(let n): solved = min(max(1, n), d)
        case .signal(let axes): solved = axes.valuesNeeded(dimension: d)
        }
        guard let eigen = BLAS.symmetricEigen(symmetric, n: d, largest: solved) else { return nil }
        let components: Int
        switch dimension {
        case .exactly: components = solved
        case .signal(let axes): components = axes.count(descending: eigen.values, dimension: d)
        }
        let signal = (values: Array(eigen.values.prefix(components)), vectors: Array(eigen.vectors.prefix(components * d)))
        let u = Matrix(rows: components, cols: d, values: signal.vectors.map { Float($0) })
        let axes = u.matmul(whitening)  // A = U W (components x d)
        // Decoder Λ⁻¹ A S: with coordinates z = A (x - mean), var z_i = λ_i and the best
        // linear estimate of x - mean is Σ z_i (A S)_i / λ_i.
        var decoder = axes.matmul(covariance)
        for i in 0..<components {
            let inverse = signal.values[i] > 0 ? Float(1 / signal.values[i]) : 0
            for j in 0..<d { decoder[i, j] *= inverse }
        }
        let total = (0..<d).reduce(0.0) { $0 + symmetric[$1 * d + $1] }
        return PrincipalComponents(mean: moments.mean, axes: axes, variances: signal.values.map { max(0, $0) },
                                   totalVariance: total, decoder: decoder)
    }
}
