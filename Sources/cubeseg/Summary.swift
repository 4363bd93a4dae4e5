import CubeML
import CubeReports
import Foundation

/// The lines `cubeseg segment` prints when it is done.
enum Summary {
    static func line(_ r: SegmentationResult, files: Int, directory: String) -> String {
        let seconds = r.timings["total"].map { String(format: "%.1f s", $0) } ?? "?"
        let missing = r.decisions.missingValues ?? MissingValues()
        let background = r.backgroundPixels - missing.pixelsWithoutData
        var left = "\(background) background"
        if missing.pixelsWithoutData > 0 { left += ", \(missing.pixelsWithoutData) without data (no finite value)" }
        if missing.nonFiniteValues > 0 { left += ", \(missing.nonFiniteValues) NaN or infinite values read as 0" }
        return "K = \(r.chosenK): \(r.selection.reason). \(r.height * r.width - r.backgroundPixels) pixels segmented, \(left); \(files) files in \(directory) (\(seconds))."
    }

    static func scores(_ scores: TruthScores) -> String {
        String(format: "Against the truth (also in report.json): ARI %.4f, NMI %.4f, accuracy %.4f",
               scores.chosen.ari, scores.chosen.nmi, scores.chosen.accuracy)
    }
}
