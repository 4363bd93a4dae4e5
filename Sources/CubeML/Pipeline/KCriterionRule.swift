/// Which criterion picks K when `k_criterion` is `auto`.
///
/// The materials of a line spectrum (X-ray fluorescence) form compact, round clusters in
/// the embedding, which k-means draws and whose number the Calinski-Harabasz index finds
/// best on its own. On spectrographs' continua (IFU cubes) and imaging spectrometers'
/// bands (reflectance scenes), regions grade into one another, the index keeps rising with
/// K and the consensus (its median with the inertia elbow and the spatial coherence) holds
/// it back. Measured (README, "Line spectra: Calinski-Harabasz alone"; each cube's maps
/// unchanged, only the K picked among them): on 63 MA-XRF cubes of both simulators (the
/// quality suite and three held-out draws, the last drawn to check the rule) the index
/// alone found the true K on 37 against the consensus's 31, mean ARI at the chosen K 0.836
/// against 0.830, too many clusters on 8 against 2; on 38 IFU cubes it chose too many on
/// 33 (the consensus on 10), and on the Samson scene K = 8 (ARI 0.500) against 5 (0.600).
enum KCriterionRule {
    /// The criterion `choice` resolves to for data of this kind, and a sentence saying why
    /// (`auto` needs `data`; without it, the consensus).
    static func resolve(_ choice: KCriterion, data: DataKindDecision?) -> (criterion: KCriterion, reason: String) {
        guard choice == .auto else { return (choice, "\(choice.rawValue), as requested") }
        guard let shape = SpectrumShape(data) else {
            return (.consensus, "the consensus: the data kind was not measured (bins and background were given)")
        }
        if shape.isLineSpectrum {
            return (.calinskiHarabasz, "Calinski-Harabasz: half the summed spectrum's flux lies in \(shape.channelPercent), a line spectrum's, whose materials form compact clusters")
        }
        return (.consensus, "the consensus of Calinski-Harabasz, the inertia elbow and the spatial coherence: the summed flux spreads half over \(shape.channelPercent), a continuum's or bands', whose regions grade into one another and on which Calinski-Harabasz alone keeps rising with K")
    }
}
