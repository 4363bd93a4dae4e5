import CubeFormats
import CubeImaging
import CubeML
import Foundation

/// The files a segmentation run leaves behind, made from a `SegmentationResult`:
///
/// | file | content |
/// | --- | --- |
/// | labels.png | chosen K, the figure: the map in `Palette.categorical` colours (black background), enlarged, with a legend (`LabelFigure`) |
/// | labels_index.png | chosen K, 8-bit grayscale: grey value = label, 255 = background |
/// | labels_k<K>.png, labels_index_k<K>.png | the same for every K tried |
/// | labels.npy | chosen K, int32 (height, width), -1 = background |
/// | labels.json | `LabelsDocument` (compact) |
/// | clusters.json | `ClustersDocument` (compact) |
/// | scores.json | `ScoresDocument` (pretty printed) |
/// | model.json | `TrainedModel.encoded()` |
/// | report.json | `ReportDocument` (pretty printed) |
/// | spectra.png | chosen K: mean spectrum of each cluster, in its labels.png colour |
/// | scores.png | the criterion's score against K, chosen K dashed |
///
/// JSON keys are snake_case and sorted; non-finite numbers are written as the strings
/// "NaN", "Infinity", "-Infinity". Making bytes never touches the file system; `write`
/// puts them in a directory atomically.
public enum ResultFiles {
    /// The two renderings of a label map.
    public enum LabelStyle: String, Sendable, Codable, CaseIterable {
        /// The figure: the map in the categorical palette's colours, enlarged, with a legend
        /// (labels.png, `LabelFigure`).
        case palette
        /// Grayscale, grey value = label (labels_index.png).
        case index
    }

    public static let softwareName = "CubeSeg"
    public static let softwareVersion = "0.1.0"

    /// Every file name `contents(of:)` produces for `result`, sorted.
    public static func fileNames(for result: SegmentationResult) -> [String] {
        var names = ["labels.png", "labels_index.png", "labels.npy", "labels.json", "clusters.json",
                     "scores.json", "model.json", "report.json", "spectra.png", "scores.png"]
        for k in result.labelsByK.keys { names += [labelsFileName(k: k, style: .palette), labelsFileName(k: k, style: .index)] }
        return names.sorted()
    }

    /// The file name of one K's label PNG: `labels_k<K>.png` / `labels_index_k<K>.png`.
    public static func labelsFileName(k: Int, style: LabelStyle) -> String {
        style == .palette ? "labels_k\(k).png" : "labels_index_k\(k).png"
    }

    /// The bytes of every result file, by name (see the type).
    public static func contents(of result: SegmentationResult, cube: CubeSummary? = nil, truth: TruthScores? = nil) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let peaks = ClusterPeaks(result)
        for k in result.labelsByK.keys.sorted() {
            for style in LabelStyle.allCases {
                files[labelsFileName(k: k, style: style)] = try labelsPNG(result, k: k, style: style, peaks: peaks)
            }
        }
        files["labels.png"] = files[labelsFileName(k: result.chosenK, style: .palette)]
        files["labels_index.png"] = files[labelsFileName(k: result.chosenK, style: .index)]
        if files["labels.png"] == nil { throw ResultFilesError.unknownK(result.chosenK, available: result.labelsByK.keys.sorted()) }
        files["labels.npy"] = try labelsNPY(result)
        files["labels.json"] = try labelsDocument(result).encodedJSON()
        files["clusters.json"] = try json(clustersDocument(result, peaks: peaks), pretty: false)
        files["scores.json"] = try json(scoresDocument(result), pretty: true)
        files["model.json"] = try result.model.encoded()
        files["report.json"] = try json(reportDocument(result, cube: cube, truth: truth), pretty: true)
        files["spectra.png"] = try spectraPNG(result, peaks: peaks)
        files["scores.png"] = try scoresPNG(result)
        return files
    }

    /// Writes every result file into `directory` (created if needed) atomically: each file
    /// appears under its name only complete and fsynced (see `AtomicDirectoryWriter`).
    /// `extra` files (e.g. a cube preview) are written the same way; a name that is also a
    /// result file throws `invalidFileName`. Returns the written files' URLs, sorted by name.
    @discardableResult
    public static func write(_ result: SegmentationResult, cube: CubeSummary? = nil, truth: TruthScores? = nil,
                             adding extra: [String: Data] = [:], to directory: URL) throws -> [URL] {
        var files = try contents(of: result, cube: cube, truth: truth)
        for (name, data) in extra {
            guard files[name] == nil else { throw ResultFilesError.invalidFileName("\(name) (already a result file)") }
            files[name] = data
        }
        return try AtomicDirectoryWriter.write(files, to: directory)
    }

    /// The label PNG of `k` (nil: the chosen K) in `style`, with tEXt "Software" and
    /// "Description" chunks: for `.palette` the figure (`LabelFigure`: the map enlarged, a
    /// legend with each cluster's colour, number and share of the signal pixels), for `.index`
    /// the grey-value map (one pixel per cube pixel). `peaks` (for the legend): found from the
    /// result when not given.
    public static func labelsPNG(_ result: SegmentationResult, k: Int? = nil, style: LabelStyle = .palette,
                                 peaks: ClusterPeaks? = nil) throws -> Data {
        let k = k ?? result.chosenK
        let labels = try labelMap(result, k: k)
        let chosen = k == result.chosenK ? " (chosen)" : ""
        let text = [
            PNG.TextEntry(keyword: "Software", text: "\(softwareName) \(softwareVersion)"),
            PNG.TextEntry(keyword: "Description", text: style == .palette
                ? "Cluster labels, K = \(k)\(chosen), with a legend; the map is enlarged \(LabelFigure.scale(width: result.width, height: result.height)) times (label values per pixel: labels_index.png, labels.npy)"
                : "Cluster labels, K = \(k)\(chosen): grey value = label, 255 = background"),
        ]
        do {
            let bytes = style == .palette
                ? try LabelFigure.render(labels: labels, width: result.width, height: result.height,
                                         title: "K = \(k)\(chosen)", legend: legend(result, k: k, peaks: peaks ?? ClusterPeaks(result))).png(text: text)
                : try LabelImage.rawIndex(labels: labels, width: result.width, height: result.height, text: text)
            return Data(bytes)
        } catch let error as ImagingError {
            throw ResultFilesError.image(k: k, reason: error.description)
        } catch let error as PNG.EncodingError {
            throw ResultFilesError.image(k: k, reason: error.description)
        }
    }

    /// The legend of K's figure: each cluster's number and share of the signal pixels, and its
    /// strongest named X-ray lines when there are any ("2  Fe Pb  12.5 %").
    static func legend(_ result: SegmentationResult, k: Int, peaks: ClusterPeaks) -> [LabelFigure.Entry] {
        let clusters = (result.clustersByK[k] ?? (k == result.chosenK ? result.clusters : [])).sorted { $0.label < $1.label }
        let signal = max(1, result.height * result.width - result.backgroundPixels)
        return clusters.map { c in
            var elements: [String] = []
            for p in peaks.peaks(k: k, label: c.label) ?? [] { if let e = p.element, !elements.contains(e), elements.count < 3 { elements.append(e) } }
            let share = String(format: "%.1f %%", 100 * Double(c.pixels) / Double(signal))
            return LabelFigure.Entry(label: c.label, text: ([String(c.label)] + (elements.isEmpty ? [] : [elements.joined(separator: " ")]) + [share]).joined(separator: "  "))
        }
    }

    /// `labels.npy` of `k` (nil: the chosen K): int32, shape (height, width), -1 = background.
    public static func labelsNPY(_ result: SegmentationResult, k: Int? = nil) throws -> Data {
        NumPyWriter.encode(try labelMap(result, k: k ?? result.chosenK), shape: [result.height, result.width])
    }

    /// The label map of `k`, checked to have height * width values.
    public static func labelMap(_ result: SegmentationResult, k: Int) throws -> [Int32] {
        guard let labels = result.labelsByK[k] else {
            throw ResultFilesError.unknownK(k, available: result.labelsByK.keys.sorted())
        }
        guard labels.count == result.height * result.width else {
            throw ResultFilesError.labelCountMismatch(k: k, count: labels.count, expected: result.height * result.width)
        }
        return labels
    }

    /// Sorted-key JSON; pretty printed for the small files people read.
    static func json<T: Encodable>(_ value: T, pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }
}
