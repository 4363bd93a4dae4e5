import CubeML
import Foundation
import Synchronization

/// Shows a run's progress on standard error: one line redrawn in place on a terminal,
/// a line per phase and per tenth of training otherwise (logs stay short).
final class TerminalProgress: Sendable {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    /// Last phase and tenth of the run printed (non-terminal mode).
    private let last = Mutex<(phase: SegmentationProgress.Phase?, tenth: Int, drew: Bool)>((nil, -1, false))

    init(enabled: Bool) { self.enabled = enabled }

    @Sendable func show(_ p: SegmentationProgress) {
        guard enabled else { return }
        var text = "[\(p.phase.rawValue)] \(Int((p.fraction * 100).rounded()))%"
        if let e = p.epoch, let n = p.epochs { text += "  epoch \(e)/\(n)" }
        if let l = p.loss { text += String(format: "  loss %.5f", l) }
        if let eta = p.etaSeconds { text += "  ETA \(Self.clock(eta))" }
        let line: String? = last.withLock { s in
            if isTerminal { s.drew = true; return "\r\u{1B}[2K" + text }
            let tenth = Int(p.fraction * 10)
            if s.phase == p.phase && s.tenth == tenth { return nil }
            s.phase = p.phase; s.tenth = tenth
            return text + "\n"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Ends the redrawn line.
    func finish() {
        guard enabled, isTerminal, last.withLock({ $0.drew }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
