import ArgumentParser
import CubeFormats
import CubeML
import Foundation

/// `cubeseg-bench quality`: CubeSeg with default parameters on every cube of one or more
/// suites, scored against the ground truth next to the classical baseline (PCA(10) +
/// k-means) on the same cube. Prints a table; `--json` writes one JSON line per cube.
struct QualityBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Segmentation quality with default parameters (ARI, NMI, accuracy, K) next to PCA + k-means.")

    @Option(name: .customLong("suite"), help: "A suite manifest (suite.json); repeat for several.")
    var suites: [String]
    @Option(help: "Only cubes whose name contains this text.") var only: String?
    @Option(help: "Seed of the CubeSeg run and of the baselines.") var seed: UInt64 = 1
    @Option(help: "Threads: the budget of products and parallel loops.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Write one JSON line per cube to this file.") var json: String?
    @Option(help: "Also write each cube's embedding (NAME_z.npy, signal pixels x L), the truth of those pixels (NAME_t.npy) and their pixel indices (NAME_pix.npy) here, for studies of K criteria.")
    var dump: String?
    @Option(help: "Extra segmentation parameters as JSON (snake case, as a job's params), e.g. '{\"k_criterion\": \"silhouette\"}'.")
    var params: String?

    func run() throws {
        BLAS.setThreads(threads)
        var parameters = SegmentationParameters()
        if let params { parameters = try JSONDecoder().decode(SegmentationParameters.self, from: Data(params.utf8)) }
        parameters.seed = seed
        let out = json.map { path -> FileHandle in
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)!
        }
        if let dump { try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true) }
        FileHandle.standardOutput.write(Data((QualityRow.header + "\n").utf8))
        var rows: [QualityRow] = []
        for path in suites {
            let suite = try QualitySuite.load(path)
            for entry in suite.cubes where only.map({ entry.name.contains($0) }) ?? true {
                let row = try measure(entry, suite: suite, parameters: parameters)
                FileHandle.standardOutput.write(Data((row.line + "\n").utf8))
                rows.append(row)
                if let out {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    out.write(try encoder.encode(row))
                    out.write(Data("\n".utf8))
                }
            }
        }
        print(QualityRow.summary(rows))
    }

    func measure(_ entry: QualitySuite.Entry, suite: QualitySuite, parameters: SegmentationParameters) throws -> QualityRow {
        let cube = try CubeReader.open(suite.url(entry.cube))
        let truth = try NumPyLabelMap.read(suite.url(entry.labels), height: cube.height, width: cube.width)
        let t0 = BenchSupport.now()
        let result = try Segmenter(parameters: parameters).segment(cube)
        let seconds = BenchSupport.now() - t0
        var byK: [String: Double] = [:]
        for (k, labels) in result.labelsByK { byK[String(k)] = QualityScores(truth: truth, predicted: labels).ari }
        let kRange = parameters.kMin...max(parameters.kMax, entry.trueK)
        let baseline = try ClassicalBaseline.run(cube, truth: truth, trueK: entry.trueK, kRange: kRange, seed: seed)
        if let dump { try dumpEmbedding(result, cube: cube, truth: truth, name: entry.name, directory: dump) }
        return QualityRow(
            name: entry.name, generator: suite.generator ?? "", kind: entry.kind ?? "",
            shape: [cube.height, cube.width, cube.channels], trueK: entry.trueK, k: result.chosenK,
            scores: QualityScores(truth: truth, predicted: result.labels), seconds: seconds, ariByK: byK,
            decisions: result.decisions, baseline: baseline, kScores: result.selection.scores,
            votes: QualityRow.votes(result.selection.scores, auto: result.decisions.kCriterion))
    }

    func dumpEmbedding(_ result: SegmentationResult, cube: Datacube, truth: [Int32], name: String, directory: String) throws {
        let prepared = try Preprocessor(recipe: result.model.preprocessing).prepare(cube)
        let z = try result.model.spectralEmbedding().encode(prepared.spectra)
        let dir = URL(fileURLWithPath: directory)
        try NumPyWriter.write(NumPyWriter.encode(z.storage, shape: [z.rows, z.cols]), to: dir.appendingPathComponent("\(name)_z.npy"))
        try NumPyWriter.write(NumPyWriter.encode(prepared.pixelIndex.map { truth[Int($0)] }, shape: [z.rows]),
                              to: dir.appendingPathComponent("\(name)_t.npy"))
        try NumPyWriter.write(NumPyWriter.encode(prepared.pixelIndex, shape: [z.rows]), to: dir.appendingPathComponent("\(name)_pix.npy"))
    }
}

/// One cube's line of the quality table.
struct QualityRow: Encodable {
    var name: String
    var generator: String
    var kind: String
    var shape: [Int]
    var trueK: Int
    var k: Int
    var scores: QualityScores
    var seconds: Double
    var ariByK: [String: Double]
    var decisions: SegmentationDecisions
    var baseline: ClassicalBaseline.Outcome
    /// The scores of every K tried (silhouette, CH, DB, inertia, spatial coherence).
    var kScores: [KScore]

    enum CodingKeys: String, CodingKey {
        case name, generator, kind, shape, trueK = "true_k", k, scores, seconds, ariByK = "ari_by_k", decisions, baseline
        case kScores = "k_scores", votes
    }

    /// The K each criterion picks on this cube, from `kScores`.
    var votes: [String: Int]

    /// `auto` is what the `auto` criterion resolved to on this cube (`decisions.k_criterion`).
    static func votes(_ kScores: [KScore], auto: KCriterion) -> [String: Int] {
        let c = kScores.map { KClustering(k: $0.k, labels: [], centroids: Matrix(rows: 1, cols: 1), score: $0, scoresDefined: true, iterations: 0) }
        guard !c.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        if let k = KSelectionRule(auto).choose(c)?.k { out[KCriterion.auto.rawValue] = k }
        for criterion in [KCriterion.consensus, .silhouette, .calinskiHarabasz, .daviesBouldin] {
            if let k = KSelectionRule.criterion(criterion).choose(c)?.k { out[criterion.rawValue] = k }
        }
        out["inertia_elbow"] = KSelectionRule.elbow(c)
        if let k = KSelectionRule.spatialVote(c) { out["spatial_coherence"] = k }
        return out
    }

    /// CubeSeg's ARI minus the baseline's given the true K (target: >= -0.02).
    var margin: Double { scores.ari - baseline.trueK.ari }
    var bestARI: Double { ariByK.values.max() ?? 0 }

    static let header = [pad("cube", 22), pad("shape", 15), pad("K/tK", 6), pad("ARI", 6, right: true), pad("NMI", 6, right: true),
                         pad("acc", 6, right: true), pad("bestK", 6, right: true), pad("s", 6, right: true), "|",
                         pad("pcaTK", 6, right: true), pad("pcaSK", 6, right: true), pad("K", 3, right: true), pad("s", 5, right: true), "|",
                         pad("margin", 7, right: true), "embedding"].joined(separator: " ")

    var line: String {
        func f(_ v: Double, _ w: Int, _ digits: Int = 3) -> String { Self.pad(String(format: "%.\(digits)f", v), w, right: true) }
        return [Self.pad(name, 22), Self.pad(shape.map(String.init).joined(separator: "x"), 15), Self.pad("\(k)/\(trueK)", 6),
                f(scores.ari, 6), f(scores.nmi, 6), f(scores.accuracy, 6), f(bestARI, 6), f(seconds, 6, 1), "|",
                f(baseline.trueK.ari, 6), f(baseline.silhouetteK.ari, 6), Self.pad(String(baseline.chosenK), 3, right: true),
                f(baseline.seconds, 5, 1), "|", Self.pad(String(format: "%+.3f", margin), 7, right: true),
                decisions.embedding.rawValue].joined(separator: " ")
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        guard s.count < width else { return s }
        let fill = String(repeating: " ", count: width - s.count)
        return right ? fill + s : s + fill
    }

    static func summary(_ rows: [QualityRow]) -> String {
        guard !rows.isEmpty else { return "no cube matched" }
        let n = rows.count
        let kHits = rows.filter { $0.k == $0.trueK }.count
        let within = rows.filter { $0.margin >= -0.02 }.count
        let collapsed = rows.filter { $0.bestARI < 0.5 && $0.baseline.trueK.ari > 0.9 }.count
        let meanARI = rows.map(\.scores.ari).reduce(0, +) / Double(n)
        let meanBase = rows.map(\.baseline.trueK.ari).reduce(0, +) / Double(n)
        // Each criterion's hit rate and mean ARI at its K, on the same clusterings.
        let names = ["auto", "consensus", "silhouette", "calinski_harabasz", "davies_bouldin", "inertia_elbow", "spatial_coherence"]
        let perCriterion = names.map { name -> String in
            let picks = rows.compactMap { r in r.votes[name].map { (r, $0) } }
            let hits = picks.filter { $0.0.trueK == $0.1 }.count
            let ari = picks.map { $0.0.ariByK[String($0.1)] ?? 0 }.reduce(0, +) / Double(max(1, picks.count))
            return "\(name) \(hits)/\(picks.count) (mean ARI \(String(format: "%.3f", ari)))"
        }.joined(separator: ", ")
        return """
        cubes: \(n); true K chosen: \(kHits)/\(n); ARI >= PCA+k-means(true K) - 0.02: \(within)/\(n); \
        every K < 0.5 while PCA+k-means > 0.9: \(collapsed); mean ARI \(String(format: "%.3f", meanARI)) \
        (PCA+k-means true K: \(String(format: "%.3f", meanBase)))
        true K chosen by each criterion: \(perCriterion)
        """
    }
}
