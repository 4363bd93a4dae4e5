import CubeML

/// `report.json`: everything about a run in one file. Keys: software {name, version,
/// blas_kernel}, cube
/// (a `CubeSummary`, omitted when unknown), height, width, parameters (as
/// `SegmentationParameters` encodes them), k_values (every K tried), chosen_k, criterion,
/// reason, scores (as in scores.json), history (one row per epoch), timings (seconds per
/// phase), background_pixels, signal_pixels, decisions (every automatic choice with its
/// evidence: data kind, bins, background, embedding; see `SegmentationDecisions`), files
/// (the names written beside it), truth (scores against a ground truth, when one was given:
/// `TruthScores`).
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
    public var history: [EpochRecord]
    public var timings: [String: Double]
    public var backgroundPixels: Int
    public var signalPixels: Int
    public var decisions: SegmentationDecisions
    public var files: [String]
    public var truth: TruthScores?

    enum CodingKeys: String, CodingKey {
        case software, cube, height, width, parameters, kValues = "k_values", chosenK = "chosen_k", criterion, reason
        case scores, history, timings, backgroundPixels = "background_pixels", signalPixels = "signal_pixels", decisions, files, truth
    }

    public struct Software: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
        /// The OpenBLAS kernel the run's products went through (`BLAS.coreName`, e.g.
        /// "Haswell"): the same cube, parameters and seed give the same model and labels bit
        /// for bit on one kernel, not across kernels. Absent from reports written before it
        /// was recorded.
        public var blasKernel: String?

        public init(name: String, version: String, blasKernel: String? = nil) {
            self.name = name; self.version = version; self.blasKernel = blasKernel
        }

        enum CodingKeys: String, CodingKey {
            case name, version, blasKernel = "blas_kernel"
        }
    }
}
