/// The spectrum length chosen when `bins` is not given.
///
/// Count data (photon counts: MA-XRF, EDS; see `DataKindDecision`) at low counts leave most
/// channels empty; summing channels trades energy resolution for counts per value. For count
/// data the length is the largest power of two with at least a target of mean counts per
/// bin, within `range`, never more than the channels. The target depends on the embedding:
/// - the autoencoder needs about one count per value or its latent space collapses to the
///   mean spectrum (64 x 64 x 512 MA-XRF at 120 counts: ARI 0.08 at 256 or 512 bins, 0.96
///   at 128): `countsPerBin`, 0.75;
/// - PCA keeps more resolution and averages the noise away itself (PCA + k-means, true K,
///   96 x 96 x 1024 MA-XRF: at 20 counts per pixel 64 bins give ARI 0.76 against 0.57 at
///   1024; at 120 counts 512 bins 0.954 against 0.920 at 128; at 400 counts 1024 bins
///   0.939 against 0.914 at 512): `linearCountsPerBin`, 0.2.
/// Other data (fluxes, reflectances) keep the paper's length, 1024, or their own channel
/// count if smaller.
public enum AutomaticBinning {
    /// Mean counts per bin aimed at for the autoencoder's input.
    public static let countsPerBin = 0.75
    /// Mean counts per bin aimed at for PCA's input.
    public static let linearCountsPerBin = 0.2
    /// Lengths the rule may choose for count data.
    public static let range = 64...1024
    /// The paper's input length, used for non-count data.
    public static let paperLength = 1024

    /// - Parameters:
    ///   - channels: channels after cropping.
    ///   - meanSignalCounts: mean total counts of the signal (non-background) pixels.
    ///   - integral: whether every value is a whole number.
    ///   - perBin: the mean counts per bin aimed at (`countsPerBin` or `linearCountsPerBin`).
    public static func bins(channels: Int, meanSignalCounts: Double, integral: Bool, perBin: Double = countsPerBin) -> Int {
        guard integral else { return min(channels, paperLength) }
        let target = meanSignalCounts / perBin
        var b = range.lowerBound
        while b * 2 <= range.upperBound && Double(b * 2) <= target { b *= 2 }
        return min(b, channels)
    }
}
