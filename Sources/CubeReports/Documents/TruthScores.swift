import CubeML

/// `report.json`'s `truth`: how the label maps score against a ground truth the user gave
/// (`cubeseg segment --truth`). Truth value -1 marks unlabelled pixels, which are not scored.
/// Keys: source (the truth file's name), classes (distinct labels >= 0 in the truth),
/// labelled_pixels, chosen (the chosen K's scores), by_k ({"<k>": scores} for every K).
public struct TruthScores: Sendable, Codable, Equatable {
    /// Adjusted Rand index, normalised mutual information, Hungarian-matched accuracy.
    public struct Scores: Sendable, Codable, Equatable {
        public var ari: Double
        public var nmi: Double
        public var accuracy: Double

        public init(truth: [Int32], predicted: [Int32]) {
            ari = ClusteringMetrics.adjustedRandIndex(truth, predicted)
            nmi = ClusteringMetrics.normalizedMutualInformation(truth, predicted)
            accuracy = ClusteringMetrics.matchedAccuracy(truth, predicted)
        }
    }

    public var source: String
    public var classes: Int
    public var labelledPixels: Int
    public var chosen: Scores
    public var byK: [String: Scores]

    /// - Parameter truth: row-major (height, width), the result's shape.
    public init(truth: [Int32], result: SegmentationResult, source: String) {
        self.source = source
        classes = Set(truth.filter { $0 >= 0 }).count
        labelledPixels = truth.count { $0 >= 0 }
        chosen = Scores(truth: truth, predicted: result.labels)
        var byK: [String: Scores] = [:]
        for (k, labels) in result.labelsByK { byK[String(k)] = Scores(truth: truth, predicted: labels) }
        self.byK = byK
    }

    enum CodingKeys: String, CodingKey {
        case source, classes, labelledPixels = "labelled_pixels", chosen, byK = "by_k"
    }
}
