/// Everything a segmentation run produces. Codable; the report writers and the HTTP service
/// turn it into files.
public struct SegmentationResult: Sendable, Codable {
    /// Image shape of the label maps.
    public var height: Int
    public var width: Int
    /// The K that was chosen, and why.
    public var chosenK: Int
    public var selection: KSelection
    /// Label map for every K tried: `labelsByK[k]` is row-major (height, width); values
    /// 0..<k, and -1 for background pixels.
    public var labelsByK: [Int: [Int32]]
    /// Per-cluster summaries for the chosen K.
    public var clusters: [ClusterSummary]
    /// Per-cluster summaries for every K tried (the chosen K's are also in `clusters`).
    public var clustersByK: [Int: [ClusterSummary]]
    /// Loss terms per epoch (empty when a trained model was applied).
    public var history: [EpochRecord]
    /// Wall time per phase, seconds: `preprocess`, `train`, `encode`, `cluster`, `summarise`, `total`.
    public var timings: [String: Double]
    /// The model that produced the embedding (trained in this run or applied).
    public var model: TrainedModel
    public var parameters: SegmentationParameters
    /// The automatic choices of the run (data kind, bins, background, embedding) with their evidence.
    public var decisions: SegmentationDecisions
    /// Number of pixels treated as background (label -1).
    public var backgroundPixels: Int
    /// Spectral axis of the mean spectra (after cropping, in the cube's own units) and of the
    /// reconstructions (after rebinning).
    public var spectralAxis: [Double]
    public var spectralUnit: String
    public var reconstructionAxis: [Double]

    /// The label map of the chosen K.
    public var labels: [Int32] { labelsByK[chosenK] ?? [] }

    public init(height: Int, width: Int, chosenK: Int, selection: KSelection, labelsByK: [Int: [Int32]],
                clusters: [ClusterSummary], clustersByK: [Int: [ClusterSummary]], history: [EpochRecord],
                timings: [String: Double], model: TrainedModel, parameters: SegmentationParameters,
                decisions: SegmentationDecisions, backgroundPixels: Int, spectralAxis: [Double], spectralUnit: String, reconstructionAxis: [Double]) {
        self.height = height; self.width = width; self.chosenK = chosenK; self.selection = selection
        self.labelsByK = labelsByK; self.clusters = clusters; self.clustersByK = clustersByK
        self.history = history; self.timings = timings; self.model = model; self.parameters = parameters
        self.decisions = decisions
        self.backgroundPixels = backgroundPixels; self.spectralAxis = spectralAxis
        self.spectralUnit = spectralUnit; self.reconstructionAxis = reconstructionAxis
    }
}

/// How K was chosen: the criterion, the scores of every K tried, and a sentence.
public struct KSelection: Sendable, Codable, Equatable {
    public var criterion: KCriterion
    public var scores: [KScore]
    /// One sentence a physicist can read, e.g. "K = 5 has the highest silhouette (0.71)".
    public var reason: String
    public init(criterion: KCriterion, scores: [KScore], reason: String) {
        self.criterion = criterion; self.scores = scores; self.reason = reason
    }
}

/// Scores of one K. Silhouette in [-1, 1] (higher is better), Calinski-Harabasz >= 0
/// (higher is better), Davies-Bouldin >= 0 (lower is better), inertia = sum of squared
/// distances to the assigned centroid.
public struct KScore: Sendable, Codable, Equatable {
    public var k: Int
    public var silhouette: Double
    public var calinskiHarabasz: Double
    public var daviesBouldin: Double
    public var inertia: Double
    /// Spatial coherence of the label map (`SpatialCoherence`), when the points are pixels
    /// of an image: 1 when every neighbour shares its pixel's label, about 0 for labels
    /// scattered at random.
    public var spatialCoherence: Double?
    public init(k: Int, silhouette: Double, calinskiHarabasz: Double, daviesBouldin: Double, inertia: Double,
                spatialCoherence: Double? = nil) {
        self.k = k; self.silhouette = silhouette; self.calinskiHarabasz = calinskiHarabasz
        self.daviesBouldin = daviesBouldin; self.inertia = inertia; self.spatialCoherence = spatialCoherence
    }
}

/// One cluster of a segmentation.
public struct ClusterSummary: Sendable, Codable, Equatable {
    public var label: Int
    public var pixels: Int
    /// Centroid in latent space (length L).
    public var centroid: [Float]
    /// Mean measured spectrum in the cube's own units, one value per (cropped) channel.
    public var meanSpectrum: [Float]
    /// Mean reconstruction by the decoder, in the transformed units (length = bins).
    public var meanReconstruction: [Float]
    /// Mean preprocessed (transformed) input, comparable to `meanReconstruction`.
    public var meanInput: [Float]
    /// The cluster of the previous K this one mostly came from (`ConsistentLabels`); nil at
    /// the smallest K.
    public var parent: Int?
    public init(label: Int, pixels: Int, centroid: [Float], meanSpectrum: [Float],
                meanReconstruction: [Float], meanInput: [Float], parent: Int? = nil) {
        self.parent = parent
        self.label = label; self.pixels = pixels; self.centroid = centroid
        self.meanSpectrum = meanSpectrum; self.meanReconstruction = meanReconstruction; self.meanInput = meanInput
    }
}

/// Loss terms of one training epoch (means over its batches), the learning rate and MMD
/// weight in force, and its wall time in seconds. JSON keys are snake_case, as in report.json.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var loss: Double
    public var reconstruction: Double
    public var mmd: Double
    public var clustering: Double
    public var validation: Double
    public var learningRate: Double
    public var beta: Double
    public var seconds: Double
    enum CodingKeys: String, CodingKey {
        case epoch, loss, reconstruction, mmd, clustering, validation, learningRate = "learning_rate", beta, seconds
    }

    public init(epoch: Int, loss: Double, reconstruction: Double, mmd: Double, clustering: Double,
                validation: Double, learningRate: Double, beta: Double, seconds: Double) {
        self.epoch = epoch; self.loss = loss; self.reconstruction = reconstruction; self.mmd = mmd
        self.clustering = clustering; self.validation = validation; self.learningRate = learningRate
        self.beta = beta; self.seconds = seconds
    }
}

/// What a run reports while it works.
public struct SegmentationProgress: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable { case preprocessing, training, encoding, clustering, summarising, done }
    public var phase: Phase
    /// Fraction of the whole run done, 0...1.
    public var fraction: Double
    public var epoch: Int?
    public var epochs: Int?
    public var loss: Double?
    /// Estimated seconds left, when known.
    public var etaSeconds: Double?
    public init(phase: Phase, fraction: Double, epoch: Int? = nil, epochs: Int? = nil, loss: Double? = nil, etaSeconds: Double? = nil) {
        self.phase = phase; self.fraction = fraction; self.epoch = epoch; self.epochs = epochs
        self.loss = loss; self.etaSeconds = etaSeconds
    }
}

/// Hooks a caller gives a run: progress reports and a cancellation check (polled once per
/// training batch and between K values). Both are called on the run's own thread.
public struct SegmentationObserver: Sendable {
    public var progress: @Sendable (SegmentationProgress) -> Void
    public var isCancelled: @Sendable () -> Bool
    public init(progress: @escaping @Sendable (SegmentationProgress) -> Void = { _ in },
                isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.progress = progress
        self.isCancelled = isCancelled
    }
}

/// Why a run stopped without a result. `description` is one line a user can act on.
public enum SegmentationError: Error, Sendable, Equatable, CustomStringConvertible {
    case cancelled
    case invalidParameter(name: String, reason: String)
    case invalidData(String)
    case tooFewSignalPixels(found: Int)
    case impossibleKRange(kMin: Int, kMax: Int, points: Int)
    case modelMismatch(String)

    public var description: String {
        switch self {
        case .cancelled: return "the run was cancelled"
        case let .invalidParameter(name, reason): return "invalid parameter \(name): \(reason)"
        case let .invalidData(s): return s
        case let .tooFewSignalPixels(found): return "the cube has \(found) pixel(s) with signal; at least 2 are needed"
        case let .impossibleKRange(kMin, kMax, points): return "K range \(kMin)...\(kMax) is impossible for \(points) signal pixels (need 2 <= k_min <= k_max <= pixels)"
        case let .modelMismatch(s): return "the model does not fit this cube: \(s)"
        }
    }
}
