import CubeML

/// The lines `cubeseg segment` prints when it is done.
enum Summary {
    static func line(_ r: SegmentationResult, files: Int, directory: String) -> String {
        let seconds = r.timings["total"].map { String(format: "%.1f s", $0) } ?? "?"
        return "K = \(r.chosenK): \(r.selection.reason). \(r.height * r.width - r.backgroundPixels) pixels segmented, \(r.backgroundPixels) background; \(files) files in \(directory) (\(seconds))."
    }

    static func scores(truth: [Int32], predicted: [Int32]) -> String {
        let ari = ClusteringMetrics.adjustedRandIndex(truth, predicted)
        let nmi = ClusteringMetrics.normalizedMutualInformation(truth, predicted)
        let acc = ClusteringMetrics.matchedAccuracy(truth, predicted)
        return String(format: "Against the truth: ARI %.4f, NMI %.4f, accuracy %.4f", ari, nmi, acc)
    }
}
