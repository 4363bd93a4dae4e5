/// Every knob of a segmentation run, with the paper's defaults where it has one.
///
/// Codable with snake_case keys (`k_min`, `latent`, ...): the HTTP service accepts exactly
/// these names in a job's `params`, and the CLI's options mirror them. Unknown keys are the
/// decoder's concern (the service rejects them).
public struct SegmentationParameters: Sendable, Codable, Equatable {
    // MARK: Randomness and threads
    /// Seed of every random choice (subsample, initial weights, dropout, k-means++).
    public var seed: UInt64 = 0

    // MARK: Preprocessing
    /// Keep only channels `cropStart..<cropEnd` of the cube (nil: all).
    public var cropStart: Int? = nil
    public var cropEnd: Int? = nil
    /// Spectrum length after rebinning by summing adjacent channels. Channels are never
    /// dropped: bins take ceil/floor sizes so that every channel lands in one. 0 or a value
    /// >= the channel count keeps the cube's own channels; nil chooses automatically
    /// (`AutomaticBinning`: the paper's 1024 for flux data, fewer bins for sparse counts).
    public var bins: Int? = nil
    /// Per-spectrum transform; nil chooses from the data (`Preprocessor.plan`): `anscombe`
    /// for the PCA embedding of photon counts, `logMax` otherwise and for the autoencoder.
    public var transform: SpectrumTransform? = nil
    /// Box smoothing width along channels (0 or 1: off; the paper's optional value is 5).
    public var smoothing: Int = 0
    /// Background mask: pixels whose total counts fall below a threshold are left out of
    /// training and clustering and get label -1.
    public var background: BackgroundMask = .auto
    /// Whether channels without spatial signal are left out of the bins (`SilentChannels`;
    /// data that are not counts only): `drop` them, or `keep` every channel.
    public var silentChannels: SilentChannelsChoice = .drop
    /// Pixels used for training, drawn at random among signal pixels (nil: all of them).
    public var trainingPixels: Int? = 20_000

    // MARK: Network
    /// What is clustered: the autoencoder's latent space, PCA of the same dimension, or
    /// (`auto`) the autoencoder unless it reconstructs held-out spectra no better than PCA
    /// does, in which case PCA (`EmbeddingChoice`).
    public var embedding: EmbeddingChoice = .auto
    public var variational: Bool = false
    /// Latent dimension L (paper: 3-10); nil chooses: `standardLatent` for the autoencoder
    /// and plain PCA, and for the noise-adjusted PCA of photon counts as many axes as carry
    /// signal (`signalAxes`).
    public var latent: Int? = nil
    /// The latent dimension when none is given and none is chosen from the data.
    public static let standardLatent = 8
    /// How many axes the noise-adjusted PCA of counts keeps when `latent` is nil.
    public static let signalAxes = SignalAxes(least: standardLatent)
    /// `latent`, or `standardLatent` when it is to be chosen.
    public var latentDimension: Int { latent ?? Self.standardLatent }
    /// Encoding dimension E before the mu / log-variance heads.
    public var encodingDim: Int = 32
    /// How hidden sizes shrink from the input: input/2^k (`halving`) or input/k (`division`).
    public var hiddenRule: HiddenRule = .halving
    /// Maximum number of hidden layers per side (sizes stop anyway when they reach E).
    public var hiddenLayers: Int = 4
    public var dropout: Double = 0.1

    // MARK: Training
    public var epochs: Int = 100
    /// Mini-batch size; an upper bound: a small training set trains with smaller batches so
    /// that every epoch has at least `Segmenter.minimumStepsPerEpoch` optimiser steps.
    public var batchSize: Int = 512
    public var learningRate: Double = 1e-3
    /// Reduce-on-plateau: factor and patience (epochs).
    public var plateauFactor: Double = 0.1
    public var plateauPatience: Int = 5
    /// Early stopping patience on validation loss (epochs); 0 turns it off.
    public var earlyStoppingPatience: Int = 10
    /// Fraction of the training pixels held out for validation.
    public var validationFraction: Double = 0.1
    /// MMD weight ramp (variational only): beta goes linearly from betaMin at
    /// betaStartEpoch to betaMax at betaEndEpoch.
    public var betaMin: Double = 0
    public var betaMax: Double = 1
    public var betaStartEpoch: Int = 0
    public var betaEndEpoch: Int = 10
    /// Clustering term in the loss and its weight. Off by default: the paper's term is a
    /// constant that changes no weight and cost a k-means per batch, and DCN's measured
    /// worse (it locks in the K it sees during training).
    public var clusteringTerm: ClusteringTerm = .none
    public var gamma: Double = 0.002

    // MARK: Clustering
    public var kMin: Int = 2
    public var kMax: Int = 12
    /// How the K is chosen among kMin...kMax; `auto` decides from the data (`KCriterionRule`).
    public var kCriterion: KCriterion = .auto
    /// k-means restarts per K (best inertia kept) and Lloyd iterations per restart.
    public var kmeansRestarts: Int = 3
    public var lloydIterations: Int = 50
    /// Above this many points the silhouette is computed on a stratified sample of this size
    /// (scored against every point). The silhouette no longer votes for K by default, and
    /// 20,000 cost about 1 s per K on a 256 x 256 cube.
    public var silhouetteSample: Int = 5_000
    /// What draws each K's clusters once K is chosen: k-means alone, or a Gaussian mixture
    /// with one full covariance per cluster (per K the most likely of the fits started from
    /// the k-means partition and from other k-means starts); `auto` decides from the data
    /// (`ClusterModelChoice`).
    public var clusterModel: ClusterModelChoice = .auto

    // MARK: Label map
    /// Radius of the edge-preserving neighbourhood averaging of embeddings before k-means
    /// (`NeighbourhoodAveraging`; 0: off, 1: 3 x 3 windows).
    public var spatialRadius: Int = 1
    /// Potts weight of the iterated-conditional-modes spatial regularisation (0: off).
    public var spatialBeta: Double = 0

    public init() {}

    /// Decodes a partial parameter set: every key is optional and keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let v = try c.decodeIfPresent(UInt64.self, forKey: .seed) { seed = v }
        if c.contains(.cropStart) { cropStart = try c.decodeIfPresent(Int.self, forKey: .cropStart) }
        if c.contains(.cropEnd) { cropEnd = try c.decodeIfPresent(Int.self, forKey: .cropEnd) }
        if c.contains(.bins) { bins = try c.decodeIfPresent(Int.self, forKey: .bins) }
        if c.contains(.transform) { transform = try c.decodeIfPresent(SpectrumTransform.self, forKey: .transform) }
        if let v = try c.decodeIfPresent(Int.self, forKey: .smoothing) { smoothing = v }
        if let v = try c.decodeIfPresent(BackgroundMask.self, forKey: .background) { background = v }
        if let v = try c.decodeIfPresent(SilentChannelsChoice.self, forKey: .silentChannels) { silentChannels = v }
        // 0 means every signal pixel, as null does (and as `--training-pixels 0` does).
        if c.contains(.trainingPixels) { trainingPixels = try c.decodeIfPresent(Int.self, forKey: .trainingPixels).flatMap { $0 == 0 ? nil : $0 } }
        if let v = try c.decodeIfPresent(EmbeddingChoice.self, forKey: .embedding) { embedding = v }
        if let v = try c.decodeIfPresent(Bool.self, forKey: .variational) { variational = v }
        if c.contains(.latent) { latent = try c.decodeIfPresent(Int.self, forKey: .latent) }
        if let v = try c.decodeIfPresent(Int.self, forKey: .encodingDim) { encodingDim = v }
        if let v = try c.decodeIfPresent(HiddenRule.self, forKey: .hiddenRule) { hiddenRule = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .hiddenLayers) { hiddenLayers = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .dropout) { dropout = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .epochs) { epochs = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .batchSize) { batchSize = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .learningRate) { learningRate = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .plateauFactor) { plateauFactor = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .plateauPatience) { plateauPatience = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience) { earlyStoppingPatience = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .validationFraction) { validationFraction = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .betaMin) { betaMin = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .betaMax) { betaMax = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .betaStartEpoch) { betaStartEpoch = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .betaEndEpoch) { betaEndEpoch = v }
        if let v = try c.decodeIfPresent(ClusteringTerm.self, forKey: .clusteringTerm) { clusteringTerm = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .gamma) { gamma = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .kMin) { kMin = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .kMax) { kMax = v }
        if let v = try c.decodeIfPresent(KCriterion.self, forKey: .kCriterion) { kCriterion = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .kmeansRestarts) { kmeansRestarts = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .lloydIterations) { lloydIterations = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .silhouetteSample) { silhouetteSample = v }
        if let v = try c.decodeIfPresent(ClusterModelChoice.self, forKey: .clusterModel) { clusterModel = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .spatialRadius) { spatialRadius = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .spatialBeta) { spatialBeta = v }
    }

    /// Every parameter's name, as a job's `params` and report.json spell it.
    public static let names: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case seed, cropStart = "crop_start", cropEnd = "crop_end", bins, transform, smoothing, background
        case silentChannels = "silent_channels"
        case trainingPixels = "training_pixels", embedding, variational, latent, encodingDim = "encoding_dim"
        case hiddenRule = "hidden_rule", hiddenLayers = "hidden_layers", dropout, epochs
        case batchSize = "batch_size", learningRate = "learning_rate", plateauFactor = "plateau_factor"
        case plateauPatience = "plateau_patience", earlyStoppingPatience = "early_stopping_patience"
        case validationFraction = "validation_fraction", betaMin = "beta_min", betaMax = "beta_max"
        case betaStartEpoch = "beta_start_epoch", betaEndEpoch = "beta_end_epoch"
        case clusteringTerm = "clustering_term", gamma, kMin = "k_min", kMax = "k_max"
        case kCriterion = "k_criterion", kmeansRestarts = "kmeans_restarts", lloydIterations = "lloyd_iterations"
        case silhouetteSample = "silhouette_sample", clusterModel = "cluster_model", spatialRadius = "spatial_radius", spatialBeta = "spatial_beta"
    }
}

/// The per-spectrum transform applied after rebinning.
public enum SpectrumTransform: String, Sendable, Codable, CaseIterable {
    /// log(1 + x), then divide by the spectrum's maximum (all-zero spectra stay zero).
    case logMax = "log_max"
    /// Photon counts: sqrt(x + 3/8) - sqrt(3/8) (Anscombe's variance-stabilising transform,
    /// shifted so an empty channel stays 0), then divided by the spectrum's Euclidean norm.
    case anscombe
    /// y = log(1 + (x - m)/(m + r) + r), quantiles 25%/75% of y mapped to -1/+1, then tanh.
    case robust
    /// The values as they are (spelled "none"; named so in Swift that it is never mistaken
    /// for `Optional.none`, "chosen from the data").
    case identity = "none"
}

/// Which pixels count as background.
public enum BackgroundMask: Sendable, Codable, Equatable {
    /// Every pixel is signal.
    case none
    /// A threshold on total counts chosen from the data (Otsu on log totals).
    case auto
    /// Pixels whose total counts are below this value.
    case threshold(Double)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .threshold(v); return }
        switch try c.decode(String.self) {
        case "none": self = .none
        case "auto": self = .auto
        case let s: throw DecodingError.dataCorruptedError(in: c, debugDescription: "background must be \"none\", \"auto\" or a number, not \"\(s)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encode("none")
        case .auto: try c.encode("auto")
        case .threshold(let v): try c.encode(v)
        }
    }
}

/// What becomes of channels without spatial signal (`SegmentationParameters.silentChannels`).
public enum SilentChannelsChoice: String, Sendable, Codable, CaseIterable {
    /// Left out of the bins when the data are not counts (`SilentChannels`).
    case drop
    /// Every channel binned.
    case keep
}

/// Which embedding is clustered.
public enum EmbeddingChoice: String, Sendable, Codable, CaseIterable {
    /// The autoencoder, unless it learned less than PCA (see `SegmentationParameters.embedding`).
    case auto
    case autoencoder
    case pca
}

/// What draws the clusters of each K (`SegmentationParameters.clusterModel`).
public enum ClusterModelChoice: String, Sendable, Codable, CaseIterable {
    /// A Gaussian mixture for continuum spectra of at least 512 values (a spectrograph's,
    /// such as IFU cubes, in fluxes or counts), k-means otherwise: line spectra such as
    /// X-ray fluorescence, and an airborne scene's few hundred bands (`ClusterModelRule`).
    case auto
    case kmeans
    /// k-means, then a Gaussian mixture with one full covariance per cluster, the most
    /// likely of those EM reaches from its partition and from other k-means starts
    /// (`LatentClustering.mixtureRefined`); K is still chosen on the k-means scores.
    case gaussianMixture = "gaussian_mixture"
}

/// Hidden layer size rule of method.md.
public enum HiddenRule: String, Sendable, Codable, CaseIterable {
    /// input/2, input/4, ... while larger than the encoding dimension.
    case halving
    /// input/2, input/3, ... (input/k for k = 2...n).
    case division
}

/// The clustering term added to the training loss.
public enum ClusteringTerm: String, Sendable, Codable, CaseIterable {
    case none
    /// The paper's: gamma * (1 - silhouette)/2 of a per-batch IKMeans, a constant with no gradient.
    case silhouette
    /// DCN: gamma * |z - c_assigned|^2 with centroids refreshed between steps; a real gradient.
    case dcn
}

/// The score that picks K.
public enum KCriterion: String, Sendable, Codable, CaseIterable {
    /// Calinski-Harabasz for line spectra, the consensus for any other data
    /// (`KCriterionRule`); the consensus where the data kind is not known.
    case auto
    /// The median of three votes: Calinski-Harabasz, the elbow of the inertia curve and the
    /// spatial coherence of the maps (`KSelectionRule.consensus`).
    case consensus
    case silhouette
    case calinskiHarabasz = "calinski_harabasz"
    case daviesBouldin = "davies_bouldin"
    /// Split at the best-silhouette K, then split each cluster again while its own best
    /// silhouette is at least 0.45; K is the number of leaves. Finds the sub-clusters of
    /// well-separated groups where the flat silhouette stops at K = 2 (`KSelectionRule`).
    case recursiveSilhouette = "recursive_silhouette"
}
