import CubeML

/// `scores.json`: how K was chosen. Keys: criterion, chosen_k, reason, scores (one row per
/// K tried, ascending K).
public struct ScoresDocument: Sendable, Codable, Equatable {
    public var criterion: String
    public var chosenK: Int
    public var reason: String
    public var scores: [Row]

    enum CodingKeys: String, CodingKey {
        case criterion, chosenK = "chosen_k", reason, scores
    }

    /// Scores of one K: silhouette (higher is better), calinski_harabasz (higher is better),
    /// davies_bouldin (lower is better), inertia (sum of squared distances to centroids),
    /// spatial_coherence (1: solid regions, 0: labels scattered at random; absent when the
    /// points were not pixels of one image).
    public struct Row: Sendable, Codable, Equatable {
        public var k: Int
        public var silhouette: Double
        public var calinskiHarabasz: Double
        public var daviesBouldin: Double
        public var inertia: Double
        public var spatialCoherence: Double?

        enum CodingKeys: String, CodingKey {
            case k, silhouette, calinskiHarabasz = "calinski_harabasz", daviesBouldin = "davies_bouldin", inertia
            case spatialCoherence = "spatial_coherence"
        }

        init(_ s: KScore) {
            k = s.k; silhouette = s.silhouette; calinskiHarabasz = s.calinskiHarabasz
            daviesBouldin = s.daviesBouldin; inertia = s.inertia; spatialCoherence = s.spatialCoherence
        }
    }

    init(_ selection: KSelection, chosenK: Int) {
        criterion = selection.criterion.rawValue
        self.chosenK = chosenK
        reason = selection.reason
        scores = selection.scores.sorted { $0.k < $1.k }.map(Row.init)
    }
}
