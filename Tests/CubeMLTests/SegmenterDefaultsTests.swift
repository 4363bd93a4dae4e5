import CubeFormats
import CubeSynth
import Foundation
import Testing

@testable import CubeML

/// A 40 x 40 reflectance scene (values 0...1, 60 bands): soil, vegetation with its red
/// edge, and dark water (reflectance 0.02-0.05, ten times below the others) in the bottom
/// third; 1% noise. Labels 0 soil, 1 vegetation, 2 water.
private func reflectanceScene() -> (Datacube, [Int32]) {
    let h = 40, w = 40, c = 60
    var g = SeededGenerator(seed: 21)
    var values = [Float](repeating: 0, count: h * w * c)
    var labels = [Int32](repeating: 0, count: h * w)
    for y in 0..<h {
        for x in 0..<w {
            let cls: Int32 = y >= 27 ? 2 : (x < 20 ? 0 : 1)
            labels[y * w + x] = cls
            let gain = 1 + 0.1 * sin(Double(x) / 7)  // illumination varies across the scene
            for b in 0..<c {
                let t = Double(b) / Double(c - 1)
                let r: Double
                switch cls {
                case 0: r = 0.25 + 0.15 * t                                  // soil: rising slowly
                case 1: r = t < 0.45 ? 0.06 + 0.04 * t : 0.45              // vegetation: red edge
                default: r = 0.05 - 0.03 * t                               // water: dark, falling
                }
                values[(y * w + x) * c + b] = Float(max(0, r * gain + 0.01 * g.nextGaussian() * r))
            }
        }
    }
    return (Datacube(height: h, width: w, channels: c, values: values), labels)
}

@Suite("Defaults that hold on data CubeSeg has not seen")
struct SegmenterDefaultsTests {
    @Test("a reflectance scene's dark water is a class, not masked background, and the map finds all three materials")
    func darkMaterialIsNotMasked() throws {
        let (cube, truth) = reflectanceScene()
        let plan = try Preprocessor.plan(for: cube, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .continuous)
        #expect(plan.background?.masks == false, "\(String(describing: plan.background))")
        var p = SegmentationParameters()
        p.kMax = 6; p.epochs = 30
        let result = try Segmenter(parameters: p).segment(cube)
        #expect(result.backgroundPixels == 0)
        let ari = ClusteringMetrics.adjustedRandIndex(truth, try #require(result.labelsByK[3]))
        #expect(ari >= 0.95, "ARI \(ari) at K = 3")
        #expect(result.chosenK == 3, "\(result.selection.reason)")
        // Bands, not lines: the consensus picks K.
        #expect(result.decisions.kCriterion == .consensus, "\(result.decisions.kCriterionReason)")
        #expect(result.selection.criterion == .consensus)
    }

    @Test("an autoencoder that learned nothing is caught: a second run, then PCA, and report.json says why")
    func collapseFallsBackToPCA() throws {
        let synthetic = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 5)
        var p = SegmentationParameters()
        p.epochs = 1; p.learningRate = 1e-7; p.kMin = 2; p.kMax = 8  // one epoch that barely moves a weight
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let check = try #require(result.decisions.reconstruction)
        #expect(check.attempts == 2)
        #expect(try #require(check.autoencoder) > check.pca)
        #expect(result.decisions.embedding == .pca)
        #expect(result.model.embedding == .pca)
        #expect(result.decisions.embeddingReason.contains("PCA: the autoencoder learned less than PCA"))
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        #expect(ari >= 0.6, "ARI \(ari) at K = \(result.chosenK)")
        // The PCA model applies to the cube again and gives the same map.
        let model = try TrainedModel.decode(try result.model.encoded())
        #expect(try Segmenter(parameters: p).segment(synthetic.cube, model: model).labels == result.labels)
    }

    @Test("asked for the autoencoder, CubeSeg clusters its latent space even where PCA reconstructs better")
    func embeddingChoiceIsRespected() throws {
        let synthetic = SyntheticCubes.maxrf(size: 24, channels: 128, counts: 300, seed: 6)
        var p = SegmentationParameters()
        p.epochs = 2; p.kMin = 2; p.kMax = 4; p.embedding = .autoencoder
        #expect(try Segmenter(parameters: p).segment(synthetic.cube).decisions.embedding == .autoencoder)
        p.embedding = .pca
        let pca = try Segmenter(parameters: p).segment(synthetic.cube)
        #expect(pca.decisions.embedding == .pca && pca.history.isEmpty)
    }

    // Three settings of the quality grid (`make quality`) with the defaults, at floors below
    // what they measure there.
    @Test("a 20-count painting (1,024 channels) is segmented into its 7 pigments")
    func sparsePainting() throws {
        let s = SyntheticCubes.maxrf(size: 64, channels: 1024, counts: 20, seed: 3)
        let result = try Segmenter(parameters: SegmentationParameters()).segment(s.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(s.labels, result.labels)
        #expect(ari >= 0.8, "ARI \(ari) at K = \(result.chosenK): \(result.selection.reason)")
    }

    @Test("a high-count painting (5,000 counts, 1,024 channels) is segmented into its 7 pigments, K found")
    func brightPainting() throws {
        let s = SyntheticCubes.maxrf(size: 64, channels: 1024, counts: 5000, seed: 3)
        let result = try Segmenter(parameters: SegmentationParameters()).segment(s.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(s.labels, result.labels)
        #expect(ari >= 0.85, "ARI \(ari) at K = \(result.chosenK): \(result.selection.reason)")
        #expect(result.chosenK == 7, "\(result.selection.reason)")
        // A line spectrum: Calinski-Harabasz alone picks K, and report.json says so.
        #expect(result.decisions.kCriterion == .calinskiHarabasz, "\(result.decisions.kCriterionReason)")
        #expect(result.decisions.kCriterionReason.contains("a line spectrum's"))
        #expect(result.selection.criterion == .calinskiHarabasz)
        let highest = try #require(result.selection.scores.max { $0.calinskiHarabasz < $1.calinskiHarabasz })
        #expect(result.chosenK == highest.k)
    }

    @Test("a painting with a dark pigment keeps it as a class: nothing is masked")
    func darkPigmentIsAClass() throws {
        let s = SyntheticCubes.maxrf(size: 64, channels: 512, counts: 400, seed: 3,
                                     options: MAXRFOptions(classes: 6, darkClass: true))
        let result = try Segmenter(parameters: SegmentationParameters()).segment(s.cube)
        #expect(result.backgroundPixels == 0)
        let ari = ClusteringMetrics.adjustedRandIndex(s.labels, result.labels)
        #expect(ari >= 0.8, "ARI \(ari) at K = \(result.chosenK): \(result.selection.reason)")
    }
}
