/// Which model draws the clusters of each K when `cluster_model` is `auto`.
///
/// k-means gives every cluster the same round spread. That suits photon counts, whose PCA
/// axes are whitened by the noise measured between neighbours, so a material is a round
/// cloud of noise. Spectrograph data that are not counts (IFU cubes: fluxes of a thousand
/// channels or more) are clustered unwhitened, and their regions differ in spread and
/// shape (faint outskirts, velocity and population gradients): a Gaussian mixture with one
/// covariance per cluster fits them better. Measured (README, "Where CubeSeg departs"):
/// on the 18 IFU cubes of both simulators a full-covariance mixture raised the ARI at the
/// chosen K on 16 and lowered it on 1; on photon counts (50 MA-XRF cubes) it lowered it on
/// 45, and on the reflectance scene of 156 bands (Samson) too; on 8 MA-XRF count cubes
/// multiplied by 0.731, measured while such cubes were still read as fluxes, it lowered it
/// on 7. They are read as counts now (`CubeStatistics.countQuantum`); the condition on
/// zeros still keeps sparse counts that lie on no single lattice (counts divided by each
/// pixel's own live time) from the mixture.
enum ClusterModelRule {
    /// Spectra of fewer values are imaging-spectrometer data (airborne scenes have at most
    /// a few hundred bands), which keep k-means.
    static let mixtureMinimumBins = 512
    /// Spectra with more zeros than this are sparse counts, whatever their unit.
    static let mixtureMaximumZeroFraction = 0.1
    /// How the reasons name the mixture.
    static let mixture = "a Gaussian mixture (one covariance per cluster, started from k-means)"

    /// The model `choice` resolves to for data of this kind with `bins` values per
    /// spectrum, and a sentence saying why (`auto` needs `data`; without it, k-means).
    static func resolve(_ choice: ClusterModelChoice, data: DataKindDecision?, bins: Int) -> (model: ClusterModelChoice, reason: String) {
        switch choice {
        case .kmeans: return (.kmeans, "k-means, as requested")
        case .gaussianMixture: return (.gaussianMixture, "\(mixture), as requested")
        case .auto: break
        }
        guard let data else {
            return (.kmeans, "k-means: the data kind was not measured (bins and background were given)")
        }
        if data.kind == .counts {
            return (.kmeans, "k-means: photon counts, whose noise-whitened clusters are round")
        }
        if data.zeroFraction > mixtureMaximumZeroFraction {
            return (.kmeans, "k-means: \(Int((data.zeroFraction * 100).rounded()))% of the values are zero, as in sparse counts")
        }
        if bins < mixtureMinimumBins {
            return (.kmeans, "k-means: \(bins) values per spectrum, an imaging spectrometer's bands (a mixture is used from \(mixtureMinimumBins))")
        }
        return (.gaussianMixture, "\(mixture): \(bins) values per spectrum that are not counts, as from a spectrograph, whose regions differ in spread and shape")
    }
}
