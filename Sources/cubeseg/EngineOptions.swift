import ArgumentParser
import CubeML

private let defaults = SegmentationParameters()

/// The engine's parameters as command-line options; names mirror `SegmentationParameters`'
/// snake_case keys in kebab case (`--k-min` is `k_min`). An option not given keeps the
/// engine's default (shown in the help), so the defaults live in one place.
struct EngineOptions: ParsableArguments {
    @Option(help: "Seed of every random choice (default \(defaults.seed)).") var seed: UInt64?
    @Option(help: "Smallest K tried (default \(defaults.kMin)).") var kMin: Int?
    @Option(help: "Largest K tried (default \(defaults.kMax)).") var kMax: Int?
    @Option(help: "How K is chosen: \(names(KCriterion.self)) (default \(defaults.kCriterion.rawValue): calinski_harabasz for line spectra such as X-ray fluorescence, consensus for any other data; report.json says which and why).") var kCriterion: KCriterion?
    @Option(help: "What is clustered: \(names(EmbeddingChoice.self)) (default \(defaults.embedding.rawValue): the autoencoder unless PCA of the same dimension reconstructs better; training that cannot get below PCA's error stops early).") var embedding: EmbeddingChoice?
    @Option(help: "Latent dimension (default: \(SegmentationParameters.standardLatent), or for the noise-adjusted PCA of photon counts as many axes as carry signal, \(SegmentationParameters.signalAxes.least) to \(SegmentationParameters.signalAxes.most)).") var latent: Int?
    @Option(help: "Encoding dimension before the latent heads (default \(defaults.encodingDim)).") var encodingDim: Int?
    @Option(help: "Hidden sizes: \(names(HiddenRule.self)) (default \(defaults.hiddenRule.rawValue)).") var hiddenRule: HiddenRule?
    @Option(help: "Maximum hidden layers per side (default \(defaults.hiddenLayers)).") var hiddenLayers: Int?
    @Option(help: "AlphaDropout probability (default \(defaults.dropout)).") var dropout: Double?
    @Flag(help: "Train the variational autoencoder (InfoVAE MMD) instead of the plain one.") var variational = false
    @Option(help: "Maximum training epochs; early stopping may end sooner (default \(defaults.epochs)).") var epochs: Int?
    @Option(help: "Mini-batch size (default \(defaults.batchSize)).") var batchSize: Int?
    @Option(help: "Adam learning rate (default \(defaults.learningRate)).") var learningRate: Double?
    @Option(help: "Early-stopping patience in epochs, 0 = off (default \(defaults.earlyStoppingPatience)).") var earlyStoppingPatience: Int?
    @Option(help: "Learning-rate cut when the validation loss stalls (default \(defaults.plateauFactor)).") var plateauFactor: Double?
    @Option(help: "Epochs without improvement before the cut (default \(defaults.plateauPatience)).") var plateauPatience: Int?
    @Option(help: "Share of the training pixels held out for validation (default \(defaults.validationFraction)).") var validationFraction: Double?
    @Option(help: "Clustering term in the loss: \(names(ClusteringTerm.self)) (default \(defaults.clusteringTerm.rawValue)).") var clusteringTerm: ClusteringTerm?
    @Option(help: "Weight of the clustering term (default \(defaults.gamma)).") var gamma: Double?
    @Option(help: "MMD weight at the start of its ramp (default \(defaults.betaMin)).") var betaMin: Double?
    @Option(help: "MMD weight at the end of its ramp (default \(defaults.betaMax)).") var betaMax: Double?
    @Option(help: "Epoch where the MMD ramp starts (default \(defaults.betaStartEpoch)).") var betaStartEpoch: Int?
    @Option(help: "Epoch where the MMD ramp ends (default \(defaults.betaEndEpoch)).") var betaEndEpoch: Int?
    @Option(help: "Spectrum length after rebinning by summing adjacent channels; 0 keeps the cube's channels (default: automatic, 1024 for flux data, fewer for sparse counts).") var bins: Int?
    @Option(help: "First channel kept (default 0).") var cropStart: Int?
    @Option(help: "Channel after the last one kept (default: all).") var cropEnd: Int?
    @Option(help: "Per-spectrum transform: \(names(SpectrumTransform.self)) (default: chosen from the data, \(SpectrumTransform.anscombe.rawValue) for PCA of photon counts, else \(SpectrumTransform.logMax.rawValue)).") var transform: SpectrumTransform?
    @Option(help: "Box smoothing width along channels, 0 = off (default \(defaults.smoothing)).") var smoothing: Int?
    @Option(help: "Background mask: auto, none, or a threshold on pixel totals in the cube's unit (default auto).") var background: String?
    @Option(help: "Channels without spatial signal (absorption bands): \(names(SilentChannelsChoice.self)) (default \(defaults.silentChannels.rawValue): left out of the bins when the data are not counts, as report.json's decisions.silent_channels says).") var silentChannels: SilentChannelsChoice?
    @Option(help: "Pixels used for training, 0 = every signal pixel (default \(defaults.trainingPixels ?? 0)).") var trainingPixels: Int?
    @Option(help: "k-means restarts per K (default \(defaults.kmeansRestarts)).") var kmeansRestarts: Int?
    @Option(help: "Lloyd iterations per restart (default \(defaults.lloydIterations)).") var lloydIterations: Int?
    @Option(help: "Points above which the silhouette uses a stratified sample (default \(defaults.silhouetteSample)).") var silhouetteSample: Int?
    @Option(help: "What draws each K's clusters once K is chosen: \(names(ClusterModelChoice.self)) (default \(defaults.clusterModel.rawValue): a Gaussian mixture for continuum spectra of 512 or more values, as from a spectrograph; k-means for line spectra and fewer values).") var clusterModel: ClusterModelChoice?
    @Option(help: "Radius of the edge-preserving neighbourhood averaging of embeddings before clustering, 0 = off (default \(defaults.spatialRadius)).") var spatialRadius: Int?
    @Option(help: "Potts weight of the spatial regularisation of the label map, 0 = off (default \(defaults.spatialBeta)).") var spatialBeta: Double?

    /// The options as engine parameters; throws a `ValidationError` naming a bad value.
    func parameters() throws -> SegmentationParameters {
        var p = SegmentationParameters()
        func set<T>(_ value: T?, _ path: WritableKeyPath<SegmentationParameters, T>) { if let value { p[keyPath: path] = value } }
        set(seed, \.seed); set(kMin, \.kMin); set(kMax, \.kMax)
        set(encodingDim, \.encodingDim); set(hiddenLayers, \.hiddenLayers); set(dropout, \.dropout)
        set(epochs, \.epochs); set(batchSize, \.batchSize); set(learningRate, \.learningRate)
        set(earlyStoppingPatience, \.earlyStoppingPatience); set(gamma, \.gamma)
        set(plateauFactor, \.plateauFactor); set(plateauPatience, \.plateauPatience); set(validationFraction, \.validationFraction)
        set(betaMin, \.betaMin); set(betaMax, \.betaMax); set(betaStartEpoch, \.betaStartEpoch); set(betaEndEpoch, \.betaEndEpoch)
        set(smoothing, \.smoothing); set(kmeansRestarts, \.kmeansRestarts); set(lloydIterations, \.lloydIterations)
        set(silhouetteSample, \.silhouetteSample); set(spatialBeta, \.spatialBeta)
        set(spatialRadius, \.spatialRadius)
        if variational { p.variational = true }
        if let bins { p.bins = bins }
        if let latent { p.latent = latent }
        if let trainingPixels { p.trainingPixels = trainingPixels > 0 ? trainingPixels : nil }
        if let cropStart { p.cropStart = cropStart }
        if let cropEnd { p.cropEnd = cropEnd }
        set(kCriterion, \.kCriterion); set(hiddenRule, \.hiddenRule); set(clusteringTerm, \.clusteringTerm)
        if let transform { p.transform = transform }
        set(embedding, \.embedding); set(clusterModel, \.clusterModel); set(silentChannels, \.silentChannels)
        switch background {
        case nil: break
        case "auto": p.background = .auto
        case "none": p.background = .none
        case let text?:
            guard let t = Double(text) else { throw ValidationError("--background must be auto, none or a number, not \"\(text)\"") }
            p.background = .threshold(t)
        }
        do { try p.validate() } catch let e as SegmentationError { throw ValidationError(e.description) }
        return p
    }

}

private func names<T: RawRepresentable & CaseIterable>(_: T.Type) -> String where T.RawValue == String {
    T.allCases.map(\.rawValue).joined(separator: ", ")
}

// The engine's choices parse themselves: ArgumentParser refuses a value that is not one of
// their raw values, listing them (RawRepresentable + CaseIterable give both).
extension KCriterion: ExpressibleByArgument {}
extension EmbeddingChoice: ExpressibleByArgument {}
extension HiddenRule: ExpressibleByArgument {}
extension ClusteringTerm: ExpressibleByArgument {}
extension SpectrumTransform: ExpressibleByArgument {}
extension ClusterModelChoice: ExpressibleByArgument {}
extension SilentChannelsChoice: ExpressibleByArgument {}
