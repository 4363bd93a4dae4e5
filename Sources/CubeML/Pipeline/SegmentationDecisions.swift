/// A recipe with the automatic choices behind it (`Preprocessor.plan`).
public struct PreprocessingPlan: Sendable {
    public var recipe: PreprocessingRecipe
    /// Counts or not, with the evidence; nil when neither bins nor background were automatic.
    public var data: DataKindDecision?
    /// Spectrum length after rebinning for the autoencoder, and why.
    public var bins: Int
    public var binsReason: String
    /// Spectrum length for PCA: more than `bins` for sparse counts (PCA averages noise
    /// itself and keeps the resolution: `AutomaticBinning.linearCountsPerBin`), else `bins`.
    public var linearBins: Int
    /// Transform of PCA's spectra (`recipe.transform` is the autoencoder's), and why both.
    public var linearTransform: SpectrumTransform
    public var transformReason: String
    /// The automatic background rule's outcome; nil when `background` was not `auto`.
    public var background: BackgroundThreshold.Decision?
    /// Median total of the signal pixels when the data are not counts (what
    /// `Preprocessor.intensityScale` divides among the bins); nil otherwise.
    public var typicalSignalTotal: Double?
    /// Channels left out as silent, with the evidence; nil when not looked for (counts,
    /// `silent_channels: keep`).
    public var silentChannels: SilentChannelsDecision?

    /// `recipe` with `linearBins` values per spectrum and PCA's transform.
    public var linearRecipe: PreprocessingRecipe {
        var r = recipe
        r.binEdges = Rebinning.edges(channels: r.binnedChannelCount, bins: linearBins)
        r.transform = linearTransform
        r.intensityScale = Preprocessor.intensityScale(for: linearTransform, bins: linearBins, medianSignalTotal: typicalSignalTotal,
                                                       countUnit: data?.countUnit)
        return r
    }
}

/// How well the embedding reconstructs held-out spectra, next to what the mean spectrum
/// and PCA of the same dimension achieve: the evidence for `EmbeddingChoice`. Errors are
/// mean squared errors per value of the preprocessed spectra.
public struct ReconstructionCheck: Sendable, Codable, Equatable {
    /// The trained autoencoder's error on the held-out rows (nil when none was trained).
    public var autoencoder: Double?
    /// The error of predicting the mean spectrum for every row (a collapsed latent space).
    public var meanSpectrum: Double
    /// The error of PCA with as many components as the latent dimension.
    public var pca: Double
    /// Training runs made (a collapsed first run is run again with other settings).
    public var attempts: Int
    /// The epoch (from 1) after which the last training run ended because PCA's error was
    /// out of its reach (`ReconstructionGoal`); nil when it ran its course or stopped on
    /// its own (early stopping).
    public var outOfReachEpoch: Int?

    public init(autoencoder: Double?, meanSpectrum: Double, pca: Double, attempts: Int, outOfReachEpoch: Int? = nil) {
        self.autoencoder = autoencoder; self.meanSpectrum = meanSpectrum; self.pca = pca; self.attempts = attempts
        self.outOfReachEpoch = outOfReachEpoch
    }

    enum CodingKeys: String, CodingKey {
        case autoencoder, meanSpectrum = "mean_spectrum", pca, attempts, outOfReachEpoch = "out_of_reach_epoch"
    }
}

/// Every automatic decision of a run, with its evidence: written into `report.json` so a
/// user can see why the map looks as it does.
public struct SegmentationDecisions: Sendable, Codable, Equatable {
    public var data: DataKindDecision?
    public var bins: Int
    public var binsReason: String
    /// The transform of the clustered embedding's spectra, and why.
    public var transform: SpectrumTransform
    public var transformReason: String
    public var background: BackgroundThreshold.Decision?
    /// Channels left out as silent (`SilentChannels`); nil when not looked for.
    public var silentChannels: SilentChannelsDecision?
    /// The embedding that was clustered, and why.
    public var embedding: EmbeddingKind
    public var embeddingReason: String
    /// Nil when a model was applied.
    public var reconstruction: ReconstructionCheck?
    /// For noise-adjusted PCA (counts): each axis's variance in units of the noise, that is
    /// 1 + its signal-to-noise ratio, descending; an axis near 1 carries noise only. Nil
    /// for any other embedding.
    public var signalToNoise: [Double]?
    /// Pixels without any finite value (left out like background) and NaN or infinite
    /// values in the other pixels (counted as 0); nil when nothing is missing.
    public var missingValues: MissingValues?
    /// What drew each K's clusters (`kmeans` or `gaussian_mixture`), and why.
    public var clusterModel: ClusterModelChoice = .kmeans
    public var clusterModelReason: String = "k-means"
    /// What picked K (never `auto`), and why.
    public var kCriterion: KCriterion = .consensus
    public var kCriterionReason: String = "the consensus"

    public init(plan: PreprocessingPlan?, bins: Int, transform: SpectrumTransform, embedding: EmbeddingKind,
                embeddingReason: String, reconstruction: ReconstructionCheck?, signalToNoise: [Double]? = nil) {
        data = plan?.data; self.bins = bins; binsReason = plan?.binsReason ?? "from the applied model"
        self.transform = transform; transformReason = plan?.transformReason ?? "from the applied model"
        background = plan?.background; silentChannels = plan?.silentChannels; self.embedding = embedding; self.embeddingReason = embeddingReason
        self.reconstruction = reconstruction; self.signalToNoise = signalToNoise
    }

    enum CodingKeys: String, CodingKey {
        case data, bins, binsReason = "bins_reason", transform, transformReason = "transform_reason", background, silentChannels = "silent_channels", embedding, embeddingReason = "embedding_reason"
        case reconstruction, signalToNoise = "signal_to_noise", missingValues = "missing_values"
        case clusterModel = "cluster_model", clusterModelReason = "cluster_model_reason"
        case kCriterion = "k_criterion", kCriterionReason = "k_criterion_reason"
    }
}
