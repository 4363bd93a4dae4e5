/// How a cube's summed spectrum spreads its flux over the channels
/// (`CubeStatistics.halfFluxChannelShare`): the one place that tells line spectra from the
/// rest. `ClusterModelRule` (what draws the clusters) and `KCriterionRule` (what picks K)
/// both decide from it.
enum SpectrumShape: Equatable {
    /// Half the flux in fewer than `lineSpectrumShare` of the channels: X-ray fluorescence
    /// (MA-XRF cubes of both simulators: 0.02-0.11), EDS.
    case lines(share: Double)
    /// A continuum or bands: IFU cubes 0.34-0.46 at 1,024-2,048 channels (CubeSeg's
    /// 512-channel test galaxy 0.28), reflectance scenes.
    case spread(share: Double)

    /// The share of the channels holding half the flux below which a spectrum is a line spectrum.
    static let lineSpectrumShare = 0.2

    /// The shape `data` measured; nil when the data kind was not measured.
    init?(_ data: DataKindDecision?) {
        guard let data else { return nil }
        let share = data.halfFluxChannelShare ?? 0
        self = share < Self.lineSpectrumShare ? .lines(share: share) : .spread(share: share)
    }

    var isLineSpectrum: Bool {
        if case .lines = self { return true }
        return false
    }

    /// "5% of the channels", for the reasons.
    var channelPercent: String {
        let share: Double
        switch self { case .lines(let s), .spread(let s): share = s }
        return "\(Int((share * 100).rounded()))% of the channels"
    }
}
