/// The spectrum length chosen when `bins` is not given.
///
/// Count data (every value a whole number: MA-XRF, EDS) at low counts leave most channels
/// empty; an autoencoder trained on such spectra collapses to the mean spectrum (measured:
/// a 64 x 64 x 512 MA-XRF cube at 120 counts per pixel gives ARI 0.08 at 256 or 512 bins and
/// 0.96 at 128). So for count data the length is the largest power of two with at least
/// `countsPerBin` mean counts per bin, within `range`, never more than the channels. Other
/// data (fluxes, reflectances) keep the paper's length, 1024, or their own channel count if
/// smaller.
public enum AutomaticBinning {
    /// Mean counts per bin aimed at for count data.
    public static let countsPerBin = 0.75
    /// Lengths the rule may choose for count data.
    public static let range = 64...1024
    /// The paper's input length, used for non-count data.
    public static let paperLength = 1024

    /// - Parameters:
    ///   - channels: channels after cropping.
    ///   - meanSignalCounts: mean total counts of the signal (non-background) pixels.
    ///   - integral: whether every value is a whole number.
    public static func bins(channels: Int, meanSignalCounts: Double, integral: Bool) -> Int {
        guard integral else { return min(channels, paperLength) }
        let target = meanSignalCounts / countsPerBin
        var b = range.lowerBound
        while b * 2 <= range.upperBound && Double(b * 2) <= target { b *= 2 }
        return min(b, channels)
    }
}
