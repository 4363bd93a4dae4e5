import CubeFormats
import CubeML
import Foundation

/// A quality suite: cubes with ground truth, listed in a JSON manifest
/// (`{"generator": "...", "cubes": [{"name", "cube", "labels", "true_k", "kind"}]}`), paths
/// relative to the manifest's directory. `scripts/quality.sh` writes the manifests.
struct QualitySuite: Decodable {
    struct Entry: Decodable {
        var name: String
        var cube: String
        var labels: String
        var trueK: Int
        var kind: String?
        enum CodingKeys: String, CodingKey { case name, cube, labels, trueK = "true_k", kind }
    }

    var generator: String?
    var cubes: [Entry]
    /// The manifest's directory, which the entries' paths are relative to.
    var directory: URL = URL(fileURLWithPath: ".")

    enum CodingKeys: String, CodingKey { case generator, cubes }

    static func load(_ path: String) throws -> QualitySuite {
        let url = URL(fileURLWithPath: path)
        var suite = try JSONDecoder().decode(QualitySuite.self, from: Data(contentsOf: url))
        suite.directory = url.deletingLastPathComponent()
        return suite
    }

    func url(_ relative: String) -> URL {
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative)
    }
}

/// Agreement of a label map with a ground truth on the labelled pixels (truth >= 0).
/// A pixel the segmentation left as background (-1) counts as one extra cluster.
struct QualityScores: Encodable {
    var ari: Double
    var nmi: Double
    var accuracy: Double

    init(truth: [Int32], predicted: [Int32]) {
        var t: [Int32] = [], p: [Int32] = []
        t.reserveCapacity(truth.count); p.reserveCapacity(truth.count)
        for (a, b) in zip(truth, predicted) where a >= 0 {
            t.append(a)
            p.append(b < 0 ? Int32.max : b)
        }
        ari = ClusteringMetrics.adjustedRandIndex(t, p)
        nmi = ClusteringMetrics.normalizedMutualInformation(t, p)
        accuracy = ClusteringMetrics.matchedAccuracy(t, p)
    }
}

/// The classical baseline every cube is scored against: PCA(10) of the paper's
/// preprocessing (sum-rebinned to at most 1024 values, log(1 + x), divided by the maximum;
/// no mask), then k-means (3 restarts) given the true K, and with K chosen by the
/// silhouette over the same K range as CubeSeg.
enum ClassicalBaseline {
    struct Outcome: Encodable {
        var trueK: QualityScores
        var silhouetteK: QualityScores
        var chosenK: Int
        var seconds: Double
    }

    static func run(_ cube: Datacube, truth: [Int32], trueK: Int, kRange: ClosedRange<Int>, seed: UInt64) throws -> Outcome {
        let t0 = BenchSupport.now()
        let bins = min(cube.channels, AutomaticBinning.paperLength)
        let recipe = PreprocessingRecipe(sourceChannels: cube.channels, cropStart: 0, cropEnd: cube.channels,
                                         binEdges: Rebinning.edges(channels: cube.channels, bins: bins),
                                         transform: .logMax, smoothing: 0, backgroundThreshold: nil)
        let spectra = try Preprocessor(recipe: recipe).prepare(cube).spectra
        guard let pca = PrincipalComponents.fit(spectra, components: min(10, spectra.cols)) else {
            throw ValidationErrorText("PCA failed on the baseline's spectra")
        }
        let z = pca.project(spectra)
        let given = try KMeans.fit(z, k: trueK, restarts: 3, iterations: 100, seed: seed)
        var search = IterativeKMeans(kMin: kRange.lowerBound, kMax: kRange.upperBound, restarts: 3, iterations: 100, seed: seed)
        search.silhouetteSample = 20_000
        let chosen = try search.run(z, criterion: .silhouette)
        return Outcome(trueK: QualityScores(truth: truth, predicted: given.labels),
                       silhouetteK: QualityScores(truth: truth, predicted: chosen.chosen.labels),
                       chosenK: chosen.chosenK, seconds: BenchSupport.now() - t0)
    }
}

struct ValidationErrorText: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
