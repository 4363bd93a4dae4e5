/// Which model draws the clusters of each K when `cluster_model` is `auto`.
///
/// k-means gives every cluster the same round spread. A spectrograph's spectra (IFU cubes:
/// a continuum over a thousand channels or more) form regions that differ in spread and
/// shape (faint outskirts, velocity and population gradients): a Gaussian mixture with one
/// covariance per cluster fits them better, whether they are stored as fluxes or as photon
/// counts. Line spectra (X-ray fluorescence) keep k-means. Measured (README, "Where
/// CubeSeg departs"): a full-covariance mixture raised the ARI at the chosen K on 16 of the
/// 18 IFU cubes of both simulators and on all 12 of the suite's IFU cubes turned into
/// photon counts; it lowered it on 45 of 50 MA-XRF cubes, on 7 of 8 MA-XRF cubes read as
/// fluxes, and on the reflectance scene of 156 bands (Samson). What tells them apart is
/// how the summed spectrum spreads its flux (`SpectrumShape`), not whether the values are
/// counts nor how many of them are zero (IFU counts keep 0-52% zeros, MA-XRF counts 49-98%).
enum ClusterModelRule {
    /// Spectra of fewer values are imaging-spectrometer data (airborne scenes have at most
    /// a few hundred bands), which keep k-means.
    static let mixtureMinimumBins = 512
    /// How the reasons name the mixture.
    static let mixture = "a Gaussian mixture (one covariance per cluster; per K the most likely of \(LatentClustering.mixtureStarts) fits started from k-means partitions)"

    /// The model `choice` resolves to for data of this kind with `bins` values per
    /// spectrum, and a sentence saying why (`auto` needs `data`; without it, k-means).
    static func resolve(_ choice: ClusterModelChoice, data: DataKindDecision?, bins: Int) -> (model: ClusterModelChoice, reason: String) {
        switch choice {
        case .kmeans: return (.kmeans, "k-means, as requested")
        case .gaussianMixture: return (.gaussianMixture, "\(mixture), as requested")
        case .auto: break
        }
        guard let shape = SpectrumShape(data) else {
            return (.kmeans, "k-means: the data kind was not measured (bins and background were given)")
        }
        let percent = shape.channelPercent
        if shape.isLineSpectrum {
            return (.kmeans, "k-means: half the summed spectrum's flux lies in \(percent), a line spectrum's (X-ray fluorescence), whose clusters k-means fits")
        }
        if bins < mixtureMinimumBins {
            return (.kmeans, "k-means: \(bins) values per spectrum, an imaging spectrometer's bands (a mixture is used from \(mixtureMinimumBins))")
        }
        return (.gaussianMixture, "\(mixture): \(bins) values per spectrum whose summed flux spreads half over \(percent), a spectrograph's continuum, whose regions differ in spread and shape")
    }
}
