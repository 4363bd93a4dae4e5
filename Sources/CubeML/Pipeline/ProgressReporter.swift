import Dispatch
import Synchronization

/// Turns the phases of a run into `SegmentationProgress` reports with an ETA, and polls the
/// caller's cancellation flag. Shared by the training loop's callbacks, hence a lock.
final class ProgressReporter: Sendable {
    // Fraction of the run at which each phase starts (training takes most of the time).
    static let trainStart = 0.05
    static let encodeStart = 0.85
    static let clusterStart = 0.88
    static let summariseStart = 0.97

    private let observer: SegmentationObserver
    private let start = DispatchTime.now().uptimeNanoseconds
    /// Last report time (ns) and the last epoch seen; guarded by the mutex.
    private let state = Mutex<(lastReport: UInt64, epoch: Int?, epochs: Int?, loss: Double?)>((0, nil, nil, nil))

    init(observer: SegmentationObserver) { self.observer = observer }

    /// Throws `SegmentationError.cancelled` when the caller asked to stop.
    func check() throws {
        if observer.isCancelled() { throw SegmentationError.cancelled }
    }

    func report(_ phase: SegmentationProgress.Phase, _ fraction: Double, force: Bool = true) {
        let now = DispatchTime.now().uptimeNanoseconds
        let snapshot: (epoch: Int?, epochs: Int?, loss: Double?)? = state.withLock { s in
            // At most 4 reports a second unless forced (phase changes, epoch ends).
            if !force && now - s.lastReport < 250_000_000 { return nil }
            s.lastReport = now
            return (s.epoch, s.epochs, s.loss)
        }
        guard let snapshot else { return }
        let elapsed = Double(now - start) / 1e9
        let eta = fraction > 0.02 && fraction < 1 ? elapsed * (1 - fraction) / fraction : (fraction >= 1 ? 0 : nil)
        observer.progress(SegmentationProgress(
            phase: phase, fraction: min(1, max(0, fraction)), epoch: snapshot.epoch, epochs: snapshot.epochs,
            loss: snapshot.loss, etaSeconds: eta))
    }

    /// Hooks for the trainer: epoch ends and per-batch fractions map onto the training span.
    func trainingObserver() -> TrainingObserver {
        let span = Self.encodeStart - Self.trainStart
        return TrainingObserver(
            epochEnded: { [self] record, total in
                state.withLock { s in s.epoch = record.epoch; s.epochs = total; s.loss = record.loss }
                report(.training, Self.trainStart + span * Double(record.epoch) / Double(max(1, total)))
            },
            batchEnded: { [self] fraction in
                report(.training, Self.trainStart + span * fraction, force: false)
            },
            isCancelled: observer.isCancelled)
    }
}
