/// Network-ready spectra of one cube: the signal pixels after crop, rebinning, transform
/// and smoothing, plus the per-pixel totals that decided the background mask.
public struct PreparedSpectra: Sendable {
    /// Row-major (signal pixels x bins); row `i` is pixel `pixelIndex[i]`.
    public var spectra: Matrix
    /// `y * width + x` of each row of `spectra`, strictly increasing.
    public var pixelIndex: [Int32]
    /// Total counts (sum over the cropped channels, negatives counted as 0) of every pixel,
    /// row-major (height, width), in the cube's own units.
    public var totals: [Float]
    /// Number of pixels left out as background (`totals.count - pixelIndex.count`).
    public var backgroundCount: Int

    /// Pixels without data (counted in `backgroundCount` too) and non-finite values.
    public var missing: MissingValues

    public init(spectra: Matrix, pixelIndex: [Int32], totals: [Float], backgroundCount: Int,
                missing: MissingValues = MissingValues()) {
        self.spectra = spectra; self.pixelIndex = pixelIndex
        self.totals = totals; self.backgroundCount = backgroundCount; self.missing = missing
    }
}

/// What a cube lacks, over the cropped channels: pixels with no finite value at all (outside
/// an IFU's field of view, FITS null pixels), which are left out like background, and NaN
/// or infinite values in the other pixels, which count as 0.
public struct MissingValues: Sendable, Codable, Equatable {
    public var pixelsWithoutData: Int
    public var nonFiniteValues: Int

    public init(pixelsWithoutData: Int = 0, nonFiniteValues: Int = 0) {
        self.pixelsWithoutData = pixelsWithoutData; self.nonFiniteValues = nonFiniteValues
    }

    /// Nothing is missing.
    public var isEmpty: Bool { pixelsWithoutData == 0 && nonFiniteValues == 0 }

    enum CodingKeys: String, CodingKey {
        case pixelsWithoutData = "pixels_without_data", nonFiniteValues = "non_finite_values"
    }
}
