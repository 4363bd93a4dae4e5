import CubeImaging
import CubeML

extension ResultFiles {
    /// The content of labels.json.
    public static func labelsDocument(_ result: SegmentationResult) throws -> LabelsDocument {
        var byK: [String: [Int32]] = [:]
        for k in result.labelsByK.keys { byK[String(k)] = try labelMap(result, k: k) }
        return LabelsDocument(height: result.height, width: result.width, k: result.chosenK, background: -1,
                              layout: "row_major", labels: try labelMap(result, k: result.chosenK), byK: byK)
    }

    /// The content of clusters.json (`peaks`: found from the result when not given).
    public static func clustersDocument(_ result: SegmentationResult, peaks: ClusterPeaks? = nil) -> ClustersDocument {
        let peaks = peaks ?? ClusterPeaks(result)
        let total = result.height * result.width
        let signal = total - result.backgroundPixels
        func series(_ y: [Float], axis: [Double], unit: String) -> ClustersDocument.Series {
            axis.count == y.count ? .init(x: axis, unit: unit, y: y) : .init(x: y.indices.map(Double.init), unit: "channel", y: y)
        }
        func entries(_ clusters: [ClusterSummary], k: Int) -> [ClustersDocument.Cluster] {
            clusters.sorted { $0.label < $1.label }.map { c in
                ClustersDocument.Cluster(
                    label: c.label, color: Palette.categorical.color(forLabel: c.label).description, pixels: c.pixels,
                    fraction: signal > 0 ? Double(c.pixels) / Double(signal) : 0,
                    fractionOfImage: total > 0 ? Double(c.pixels) / Double(total) : 0,
                    centroid: c.centroid,
                    meanSpectrum: series(c.meanSpectrum, axis: result.spectralAxis, unit: result.spectralUnit),
                    meanReconstruction: series(c.meanReconstruction, axis: result.reconstructionAxis, unit: result.spectralUnit),
                    meanInput: series(c.meanInput, axis: result.reconstructionAxis, unit: result.spectralUnit),
                    parent: c.parent, peaks: peaks.peaks(k: k, label: c.label))
            }
        }
        var byK: [String: [ClustersDocument.Cluster]] = [:]
        for (k, clusters) in result.clustersByK { byK[String(k)] = entries(clusters, k: k) }
        return ClustersDocument(k: result.chosenK, signalPixels: signal, totalPixels: total, valueUnit: valueUnit(result),
                                clusters: entries(result.clusters, k: result.chosenK), byK: byK)
    }

    /// The unit of the mean spectra (the cube's own): "counts" when the run found photon
    /// counts stored as counts, else "intensity" (counts stored in another unit, or units
    /// the file may not name).
    public static func valueUnit(_ result: SegmentationResult) -> String {
        result.decisions.data.map { $0.kind == .counts && ($0.countUnit ?? 1) == 1 } == true ? "counts" : "intensity"
    }

    /// The content of scores.json.
    public static func scoresDocument(_ result: SegmentationResult) -> ScoresDocument {
        ScoresDocument(result.selection, chosenK: result.chosenK)
    }

    /// The content of report.json.
    public static func reportDocument(_ result: SegmentationResult, cube: CubeSummary?, truth: TruthScores? = nil) -> ReportDocument {
        let scores = scoresDocument(result)
        return ReportDocument(
            software: .init(name: softwareName, version: softwareVersion, blasKernel: BLAS.coreName), cube: cube,
            height: result.height, width: result.width, parameters: result.parameters,
            kValues: result.labelsByK.keys.sorted(), chosenK: result.chosenK, criterion: scores.criterion,
            reason: scores.reason, scores: scores.scores, history: result.history,
            timings: result.timings, backgroundPixels: result.backgroundPixels,
            signalPixels: result.height * result.width - result.backgroundPixels,
            decisions: result.decisions, files: fileNames(for: result), truth: truth)
    }
}
