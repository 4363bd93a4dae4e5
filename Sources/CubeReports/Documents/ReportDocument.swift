import CubeML

/// `report.json`: everything about a run in one file. Keys: software {name, version}, cube
/// (a `CubeSummary`, omitted when unknown), height, width, parameters (as
/// `SegmentationParameters` encodes them), k_values (every K tried), chosen_k, criterion,
/// reason, scores (as in scores.json), history (one row per epoch), timings (seconds per
/// phase), background_pixels, signal_pixels, files (the names written beside it).
public struct ReportDocument: Sendable, Codable {
    public var software: Software
    public var cube: CubeSummary?
    public var height: Int
    public var width: Int
    public var parameters: SegmentationParameters
    public var kValues: [Int]
    public var chosenK: Int
    public var criterion: String
    public var reason: String
    public var scores: [ScoresDocument.Row]
    public var history: [Epoch]
    public var timings: [String: Double]
    public var backgroundPixels: Int
    public var signalPixels: Int
    public var files: [String]

    enum CodingKeys: String, CodingKey {
        case software, cube, height, width, parameters, kValues = "k_values", chosenK = "chosen_k", criterion, reason
        case scores, history, timings, backgroundPixels = "background_pixels", signalPixels = "signal_pixels", files
    }

    public struct Software: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
    }

    /// Loss terms of one epoch (means over its batches), the learning rate and MMD weight in
    /// force, and its wall time in seconds.
    public struct Epoch: Sendable, Codable, Equatable {
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

        init(_ r: EpochRecord) {
            epoch = r.epoch; loss = r.loss; reconstruction = r.reconstruction; mmd = r.mmd; clustering = r.clustering
            validation = r.validation; learningRate = r.learningRate; beta = r.beta; seconds = r.seconds
        }
    }
}
