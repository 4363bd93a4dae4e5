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

    public init(spectra: Matrix, pixelIndex: [Int32], totals: [Float], backgroundCount: Int) {
        self.spectra = spectra; self.pixelIndex = pixelIndex
        self.totals = totals; self.backgroundCount = backgroundCount
    }
}
