/// Early stopping on a validation metric: an epoch improves when its metric is below
/// best * (1 - threshold) (the plateau scheduler's rule); training stops once `patience`
/// epochs in a row have not improved. Patience 0 never stops.
public struct EarlyStopping: Sendable, Equatable {
    public let patience: Int
    public let threshold: Double
    public private(set) var best: Double = .infinity
    public private(set) var epochsWithoutImprovement: Int = 0

    public init(patience: Int, threshold: Double = 1e-4) {
        self.patience = patience; self.threshold = threshold
    }

    /// Records one epoch's metric; `improved` says it is the new best, `stop` that training
    /// should end after this epoch.
    public mutating func update(_ metric: Double) -> (improved: Bool, stop: Bool) {
        if metric < best * (1 - threshold) {
            best = metric
            epochsWithoutImprovement = 0
            return (true, false)
        }
        epochsWithoutImprovement += 1
        return (false, patience > 0 && epochsWithoutImprovement >= patience)
    }

    /// Forgets the best metric (the objective changed).
    public mutating func resetBest() {
        best = .infinity
        epochsWithoutImprovement = 0
    }
}
