import CubeFormats
import CubeSynth
import Foundation
import Testing

@testable import CubeML

/// The whole pipeline on the synthetic cubes, with the engine's defaults (K chosen automatically).
@Suite("Segmenter end to end")
struct SegmenterEndToEndTests {
    static let painting = SyntheticCubes.maxrf(size: 64, channels: 512, counts: 120, seed: 1)

    @Test("an MA-XRF painting at 120 counts per pixel is segmented into its pigments, K chosen automatically")
    func maxrfPigmentsAreRecovered() throws {
        let synthetic = Self.painting
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 9
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        #expect(ari >= 0.9, "ARI \(ari) at K = \(result.chosenK): \(result.selection.reason)")
        #expect(result.chosenK == synthetic.classCount)
        #expect(result.decisions.clusterModel == .kmeans, "photon counts keep k-means: \(result.decisions.clusterModelReason)")
        #expect(result.labelsByK.keys.sorted() == Array(2...9))
        #expect(result.clusters.count == result.chosenK)
        #expect(result.clusters.map(\.pixels).reduce(0, +) == 64 * 64 - result.backgroundPixels)
        #expect(result.clusters.allSatisfy { $0.meanSpectrum.count == 512 && $0.meanReconstruction.count == result.reconstructionAxis.count })
        #expect(result.spectralUnit == synthetic.cube.axis.unit.rawValue)
        #expect(!result.history.isEmpty)
    }

    @Test("a second MA-XRF painting (another seed, 1024 channels) is recovered too")
    func maxrfAnotherPaintingIsRecovered() throws {
        let synthetic = SyntheticCubes.maxrf(size: 48, channels: 1024, counts: 150, seed: 7)
        var p = SegmentationParameters()
        p.kMin = 3; p.kMax = 9
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        #expect(ari >= 0.9, "ARI \(ari) at K = \(result.chosenK): \(result.selection.reason)")
    }

    @Test("an IFU galaxy is segmented above a floor (PCA + k-means given the true K: about 0.6, see make quality)")
    func ifuGalaxyIsSegmented() throws {
        let synthetic = SyntheticCubes.ifu(size: 48, channels: 512, seed: 1)
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 6
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        #expect(ari >= 0.5, "ARI \(ari) at K = \(result.chosenK)")
        // Fluxes of 512 channels: a Gaussian mixture draws the clusters, and says so.
        #expect(result.decisions.clusterModel == .gaussianMixture, "\(result.decisions.clusterModelReason)")
        #expect(result.decisions.clusterModelReason.contains("a spectrograph's continuum"))
        #expect(result.decisions.kCriterion == .consensus, "\(result.decisions.kCriterionReason)")
        p.clusterModel = .kmeans
        let kmeans = try Segmenter(parameters: p).segment(synthetic.cube)
        #expect(kmeans.decisions.clusterModel == .kmeans)
        #expect(kmeans.chosenK == result.chosenK, "K is chosen on the k-means scores either way")
        let kmeansARI = ClusteringMetrics.adjustedRandIndex(synthetic.labels, kmeans.labels)
        #expect(ari >= kmeansARI + 0.05, "mixture \(ari), k-means \(kmeansARI) at K = \(result.chosenK)")
    }

    @Test("an IFU galaxy stored as photon counts is clustered by the mixture too, above k-means")
    func ifuGalaxyInCountsUsesTheMixture() throws {
        let synthetic = SyntheticCubes.ifu(size: 48, channels: 512, seed: 1)
        // Whole numbers with Poisson's variance (a normal draw, fine at these counts): 30,000 per spaxel on average.
        let flux = try synthetic.cube.readAll().map { Double(max(0, $0)) }
        let gain = 30_000 * Double(48 * 48) / flux.reduce(0, +)
        var g = SeededGenerator(seed: 17)
        let counts = flux.map { f -> Float in
            let lambda = f * gain
            return Float(max(0, (lambda + lambda.squareRoot() * g.nextGaussian()).rounded()))
        }
        let cube = Datacube(height: 48, width: 48, channels: 512, values: counts, axis: synthetic.cube.axis)
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 6; p.embedding = .pca
        let result = try Segmenter(parameters: p).segment(cube)
        // Whole numbers; the galaxy's steep gradients may make neighbours differ by more than noise
        // (then they read as scaled values), and the rule does not depend on it.
        #expect(result.decisions.data?.wholeNumbers == true)
        #expect(result.decisions.clusterModel == .gaussianMixture, "\(result.decisions.clusterModelReason)")
        p.clusterModel = .kmeans
        let kmeans = try Segmenter(parameters: p).segment(cube)
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        let kmeansARI = ClusteringMetrics.adjustedRandIndex(synthetic.labels, kmeans.labels)
        #expect(ari >= 0.5 && ari >= kmeansARI + 0.05, "mixture \(ari), k-means \(kmeansARI) at K = \(result.chosenK)")
    }

    @Test("the same seed gives the same labels; a saved model applied to the cube reproduces them")
    func deterministicAndModelRoundTrip() throws {
        let cube = SyntheticCubes.maxrf(size: 24, channels: 256, counts: 200, seed: 3).cube
        var p = SegmentationParameters()
        p.epochs = 8; p.kMin = 2; p.kMax = 5
        let a = try Segmenter(parameters: p).segment(cube)
        let b = try Segmenter(parameters: p).segment(cube)
        #expect(a.labelsByK == b.labelsByK)
        #expect(a.model == b.model)

        let model = try TrainedModel.decode(try a.model.encoded())
        let applied = try Segmenter(parameters: p).segment(cube, model: model)
        #expect(applied.chosenK == a.chosenK)
        #expect(applied.labels == a.labels)
        #expect(applied.history.isEmpty)
    }

    @Test("a model trained on one cube refuses a cube with another channel count")
    func modelMismatchIsReported() throws {
        let small = SyntheticCubes.maxrf(size: 16, channels: 128, counts: 200, seed: 3).cube
        var p = SegmentationParameters()
        p.epochs = 2; p.kMin = 2; p.kMax = 3
        let model = try Segmenter(parameters: p).segment(small).model
        let other = SyntheticCubes.maxrf(size: 16, channels: 256, counts: 200, seed: 3).cube
        #expect(throws: SegmentationError.self) { try Segmenter(parameters: p).segment(other, model: model) }
    }

    @Test("bad data gets a clear error: nothing but NaN, no signal, an impossible K range")
    func badDataIsRejected() throws {
        let nanCube = Datacube(height: 4, width: 4, channels: 8, values: [Float](repeating: .nan, count: 4 * 4 * 8))
        #expect { try Segmenter().segment(nanCube) } throws: { error in
            "\(error)".contains("NaN or infinite") && "\(error)".contains("no data to segment")
        }
        var single = [Float](repeating: 0, count: 4 * 4 * 8)
        single[0] = 5
        #expect(throws: SegmentationError.tooFewSignalPixels(found: 1)) {
            var p = SegmentationParameters(); p.background = .threshold(1)
            return try Segmenter(parameters: p).segment(Datacube(height: 4, width: 4, channels: 8, values: single))
        }
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 20; p.background = .none
        let tiny = Datacube(height: 3, width: 3, channels: 8, values: (0..<72).map { Float($0 % 7) })
        #expect(throws: SegmentationError.impossibleKRange(kMin: 2, kMax: 20, points: 9)) {
            try Segmenter(parameters: p).segment(tiny)
        }
    }

    @Test("invalid parameters are named")
    func invalidParametersAreNamed() {
        var p = SegmentationParameters()
        p.kMin = 5; p.kMax = 3
        #expect(throws: SegmentationError.invalidParameter(name: "k_max", reason: "must be at least k_min (5), got 3")) {
            try p.validate()
        }
    }

    @Test("a parameter set decodes from partial snake_case JSON, keeping defaults")
    func parametersDecodePartially() throws {
        let json = #"{"k_min": 3, "latent": 4, "background": 12.5, "clustering_term": "dcn"}"#
        let p = try JSONDecoder().decode(SegmentationParameters.self, from: Data(json.utf8))
        var expected = SegmentationParameters()
        expected.kMin = 3; expected.latent = 4; expected.background = .threshold(12.5); expected.clusteringTerm = .dcn
        #expect(p == expected)
    }

    @Test("small training sets use smaller batches so every epoch has enough steps")
    func batchSizeShrinksForSmallTrainingSets() {
        #expect(Segmenter.batchSize(requested: 512, trainingRows: 100_000) == 512)
        #expect(Segmenter.batchSize(requested: 512, trainingRows: 3_200) == 100)
        #expect(Segmenter.batchSize(requested: 512, trainingRows: 40) == 16)
    }
}
