/// What the trainer reports while it works, and how it is told to stop. Every closure is
/// called on the training thread.
public struct TrainingObserver: Sendable {
    /// After each epoch: its record and the epoch budget (`SegmentationParameters.epochs`).
    public var epochEnded: @Sendable (EpochRecord, _ totalEpochs: Int) -> Void
    /// After each batch: the fraction of the whole budget (epochs x batches) done, 0...1.
    /// Called per batch: keep it cheap.
    public var batchEnded: @Sendable (_ fractionOfRun: Double) -> Void
    /// Polled before each batch; true makes `train` throw `SegmentationError.cancelled`.
    public var isCancelled: @Sendable () -> Bool

    public init(epochEnded: @escaping @Sendable (EpochRecord, _ totalEpochs: Int) -> Void = { _, _ in },
                batchEnded: @escaping @Sendable (_ fractionOfRun: Double) -> Void = { _ in },
                isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.epochEnded = epochEnded
        self.batchEnded = batchEnded
        self.isCancelled = isCancelled
    }
}
