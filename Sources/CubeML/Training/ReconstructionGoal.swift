/// The reconstruction error a training run must be able to reach to be worth finishing:
/// that of the embedding it competes with (with `embedding: auto`, PCA of the same
/// dimension, which is clustered instead when the network ends above it).
///
/// The trainer measures the competitor on its own validation rows (the bar) and, after each
/// epoch, projects the best validation loss so far forward at the pace of the last `window`
/// epochs over every epoch left in the budget. Learning curves flatten, so a straight line
/// is an optimistic projection; when even it stays above the bar, the run cannot win and
/// ends there. A flat plateau (the pace is 0) ends after `window` epochs.
public struct ReconstructionGoal: Sendable {
    /// The embedding to beat.
    public var competitor: SpectralEmbedding
    /// Epochs over which the pace of the best validation loss is measured.
    public var window: Int

    public static let defaultWindow = 10

    public init(competitor: SpectralEmbedding, window: Int = ReconstructionGoal.defaultWindow) {
        precondition(window >= 1, "the window must hold at least one epoch")
        self.competitor = competitor; self.window = window
    }

    /// The competitor's mean squared error per value on `rows` (rows x inputLength,
    /// row-major, preprocessed spectra).
    public func bar(on rows: Matrix) -> Double { competitor.reconstructionError(of: rows) }

    /// Whether the run whose validation losses so far are `validation` (one per epoch, in
    /// order) cannot get below `bar` within `epochs`, its budget: false until more than
    /// `window` epochs have run, and once the budget is spent.
    public func isOutOfReach(_ validation: [Double], bar: Double, epochs: Int) -> Bool {
        let run = validation.count
        guard run > window, run < epochs, let best = validation.min(),
              let before = validation[..<(run - window)].min() else { return false }
        let pace = max(0, before - best) / Double(window)
        return best - pace * Double(epochs - run) > bar
    }
}
