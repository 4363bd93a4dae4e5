import CubeFormats
import CubeImaging
import CubeML
import Foundation

extension ResultFiles {
    /// `spectra.png`: the mean spectrum of every cluster of `k` (nil: the chosen K) against
    /// the spectral axis, each in its colour from labels.png. A result with nothing drawable
    /// gives a blank plot saying so, never an error (except for an unknown K).
    /// `peaks`: found from the result when not given.
    public static func spectraPNG(_ result: SegmentationResult, k: Int? = nil, logY: Bool = false, peaks: ClusterPeaks? = nil) throws -> Data {
        let peaks = peaks ?? ClusterPeaks(result)
        let k = k ?? result.chosenK
        guard let clusters = result.clustersByK[k] ?? (k == result.chosenK ? result.clusters : nil) else {
            throw ResultFilesError.unknownK(k, available: result.clustersByK.keys.sorted())
        }
        let sorted = clusters.sorted { $0.label < $1.label }
        let length = sorted.first?.meanSpectrum.count ?? 0
        let fits = result.spectralAxis.count == length
        var plot = LinePlot.meanSpectra(axis: fits ? result.spectralAxis : (0..<length).map(Double.init),
                                        spectra: sorted.map { plotted($0.meanSpectrum, of: result) }, labels: sorted.map(\.label),
                                        xTitle: SpectralAxis.title(unit: fits ? result.spectralUnit : "channel"),
                                        valueUnit: valueUnit(result), logY: logY, title: "Mean spectra, K = \(k)")
        // Each element's line named once, at the cluster where it stands highest.
        var best: [String: LinePlot.Annotation] = [:]
        for c in sorted {
            for peak in peaks.peaks(k: k, label: c.label) ?? [] {
                guard let element = peak.element, let line = peak.line else { continue }
                let name = "\(element) \(line)"
                let x = result.spectralUnit == "eV" ? peak.x * 1000 : peak.x
                if best[name].map({ $0.y < peak.height }) ?? true {
                    best[name] = LinePlot.Annotation(x: x, y: peak.height, text: name, color: Palette.categorical.color(forLabel: c.label))
                }
            }
        }
        plot.annotations = best.values.sorted { $0.x < $1.x }
        let named = best.isEmpty ? "" : "; peaks named by element and X-ray line"
        let left = result.model.preprocessing.excludedChannels?.count ?? 0
        let gaps = left == 0 ? "" : "; \(left) channel\(left == 1 ? "" : "s") without spatial signal left out (gaps)"
        return try render(plot, description: "Mean spectrum of each cluster, K = \(k)\(named)\(gaps)")
    }

    /// A cluster's mean spectrum (one value per cropped channel) as `spectra.png` draws it:
    /// NaN, a gap in the line, at the channels the segmentation left out as silent
    /// (`PreprocessingRecipe.excludedChannels`), whose values (an absorption band's
    /// amplified noise) would otherwise set the plot's range.
    static func plotted(_ spectrum: [Float], of result: SegmentationResult) -> [Float] {
        let recipe = result.model.preprocessing
        guard let excluded = recipe.excludedChannels, !excluded.isEmpty else { return spectrum }
        var out = spectrum
        for c in excluded where (0..<out.count).contains(c - recipe.cropStart) { out[c - recipe.cropStart] = .nan }
        return out
    }

    /// `scores.png`: the selection criterion's score for every K tried (for the consensus,
    /// the silhouette), the chosen K dashed.
    public static func scoresPNG(_ result: SegmentationResult) throws -> Data {
        let scores = result.selection.scores.sorted { $0.k < $1.k }
        let criterion = result.selection.criterion
        let name = criterion == .consensus || criterion == .auto ? KCriterion.silhouette.rawValue : criterion.rawValue
        let values: [Double] = scores.map { s in
            switch result.selection.criterion {
            case .silhouette, .recursiveSilhouette, .consensus, .auto: return s.silhouette
            case .calinskiHarabasz: return s.calinskiHarabasz
            case .daviesBouldin: return s.daviesBouldin
            }
        }
        let plot = LinePlot.scoreCurve(ks: scores.map(\.k), values: values, name: name, chosenK: result.chosenK,
                                       title: "\(name) vs K")
        return try render(plot, description: "\(name) for every K tried; dashed: the chosen K = \(result.chosenK)")
    }

    /// The plot's PNG, or a blank canvas naming the problem when it cannot be drawn.
    static func render(_ plot: LinePlot, description: String) throws -> Data {
        let text = [PNG.TextEntry(keyword: "Software", text: "\(softwareName) \(softwareVersion)"),
                    PNG.TextEntry(keyword: "Description", text: description)]
        do {
            return Data(try plot.png(text: text))
        } catch let error as ImagingError {
            var canvas = Canvas(width: plot.width, height: plot.height)
            canvas.text("nothing to plot: \(error.description)", x: 10, y: plot.height / 2, color: PNG.RGBA(40, 40, 40))
            return Data(try canvas.png(text: text))
        }
    }
}
