/// Reduce-on-plateau learning rate, as PyTorch's `ReduceLROnPlateau` with mode "min",
/// threshold mode "rel", cooldown 0 and min_lr 0: a metric improves when it is below
/// best * (1 - threshold); after more than `patience` epochs in a row without improvement
/// the rate is multiplied by `factor` and the count restarts.
public struct PlateauScheduler: Sendable, Equatable {
    public private(set) var learningRate: Double
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public private(set) var best: Double = .infinity
    public private(set) var badEpochs: Int = 0

    public init(learningRate: Double, factor: Double = 0.1, patience: Int = 5, threshold: Double = 1e-4) {
        self.learningRate = learningRate; self.factor = factor; self.patience = patience; self.threshold = threshold
    }

    /// Records one epoch's metric; returns true when the rate was reduced.
    @discardableResult
    public mutating func step(_ metric: Double) -> Bool {
        if metric < best * (1 - threshold) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        guard badEpochs > patience else { return false }
        badEpochs = 0
        let reduced = learningRate * factor
        // PyTorch only applies a reduction larger than its eps (1e-8).
        guard learningRate - reduced > 1e-8 else { return false }
        learningRate = reduced
        return true
    }

    /// Forgets the best metric (the objective changed), keeping the current rate.
    public mutating func resetBest() {
        best = .infinity
        badEpochs = 0
    }
}
