import CubeFormats
import CubeSynth
import Foundation
import Testing

@testable import CubeML

/// `cube` with every value multiplied by `factor`: the same data in another unit.
private func inUnit(_ cube: Datacube, times factor: Float) throws -> Datacube {
    Datacube(height: cube.height, width: cube.width, channels: cube.channels, values: try cube.readAll().map { $0 * factor })
}

/// The largest absolute difference between two equally shaped matrices.
private func largestDifference(_ a: Matrix, _ b: Matrix) -> Float {
    precondition(a.rows == b.rows && a.cols == b.cols, "shapes differ")
    return zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite("Maps that do not depend on the unit")
struct UnitInvarianceTests {
    @Test("fluxes are read in units of their typical bin value, so a unit 1,000 times smaller prepares the same spectra")
    func fluxSpectraDoNotDependOnTheUnit() throws {
        let cube = SyntheticCubes.ifu(size: 24, channels: 256, seed: 3).cube
        let scaled = try inUnit(cube, times: 1000)
        let plan = try Preprocessor.plan(for: cube, parameters: SegmentationParameters())
        let scaledPlan = try Preprocessor.plan(for: scaled, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .continuous)
        let scale = try #require(plan.recipe.intensityScale)
        let scaledScale = try #require(scaledPlan.recipe.intensityScale)
        #expect(abs(scaledScale / scale - 1000) < 0.01, "\(scale) and \(scaledScale)")
        #expect(plan.linearRecipe.intensityScale != nil)
        #expect(plan.transformReason.contains("does not depend on the cube's unit"), "\(plan.transformReason)")

        let a = try Preprocessor(recipe: plan.recipe).prepare(cube).spectra
        let b = try Preprocessor(recipe: scaledPlan.recipe).prepare(scaled).spectra
        #expect(largestDifference(a, b) < 1e-5)
        // Without the scale, log-max reads the two units differently.
        var unscaled = scaledPlan.recipe
        unscaled.intensityScale = nil
        let c = try Preprocessor(recipe: unscaled).prepare(scaled).spectra
        #expect(largestDifference(a, c) > 0.05)
    }

    @Test("counts keep their own unit, the photon, and only log-max is scaled")
    func onlyLogMaxOfNonCountsIsScaled() throws {
        let counts = try Preprocessor.plan(for: SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube,
                                           parameters: SegmentationParameters())
        #expect(counts.data?.kind == .counts)
        #expect(counts.recipe.intensityScale == nil)
        #expect(counts.linearRecipe.intensityScale == nil)

        let flux = SyntheticCubes.ifu(size: 16, channels: 128, seed: 5).cube
        var p = SegmentationParameters()
        p.transform = .robust
        #expect(try Preprocessor.plan(for: flux, parameters: p).recipe.intensityScale == nil)
        p.transform = .logMax
        let given = try Preprocessor.plan(for: flux, parameters: p)
        let expected = try #require(given.typicalSignalTotal) / Double(given.bins)
        #expect(given.recipe.intensityScale == expected)
        #expect(Preprocessor.intensityScale(for: .logMax, bins: 128, medianSignalTotal: 0) == nil)
    }

    @Test("a flux cube segmented in a unit 1,000 times larger gives the same K and the same map")
    func fluxMapDoesNotDependOnTheUnit() throws {
        let cube = SyntheticCubes.ifu(size: 32, channels: 256, seed: 7).cube
        var p = SegmentationParameters()
        p.embedding = .pca; p.kMax = 6
        let own = try Segmenter(parameters: p).segment(cube)
        let other = try Segmenter(parameters: p).segment(try inUnit(cube, times: 0.001))
        #expect(own.chosenK == other.chosenK, "\(own.selection.reason) / \(other.selection.reason)")
        let a = try #require(own.labelsByK[own.chosenK]), b = try #require(other.labelsByK[own.chosenK])
        let agreement = Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
        #expect(agreement >= 0.995, "\(agreement) of the pixels keep their label")
        let scale = try #require(own.model.preprocessing.intensityScale)
        let otherScale = try #require(other.model.preprocessing.intensityScale)
        #expect(abs(otherScale / scale - 0.001) < 1e-6)
    }

    @Test("model.json keeps the intensity scale, and a model file of the previous format, without it, still loads unscaled")
    func modelFileCarriesTheScale() throws {
        var recipe = PreprocessingRecipe(sourceChannels: 8, cropStart: 0, cropEnd: 8, binEdges: [0, 4, 8], transform: .logMax,
                                         smoothing: 0, backgroundThreshold: nil, intensityScale: 2.5)
        let arch = Architecture(inputLength: 2, encoderHidden: [], encodingDim: 2, latent: 1,
                                           decoderHidden: [], variational: false, dropout: 0)
        let model = TrainedModel(architecture: arch, preprocessing: recipe, tensors: [], centroids: nil, chosenK: nil,
                                 kMin: 2, kMax: 3, seed: 0)
        let data = try model.encoded()
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["preprocessing"] as? [String: Any])?["intensity_scale"] as? Double == 2.5)
        #expect(try TrainedModel.decode(data).preprocessing.intensityScale == 2.5)

        recipe.intensityScale = nil
        var old = json
        var pre = try #require(json["preprocessing"] as? [String: Any])
        pre.removeValue(forKey: "intensity_scale")
        old["preprocessing"] = pre
        old["format"] = "cubeseg-model/2"
        let decoded = try TrainedModel.decode(try JSONSerialization.data(withJSONObject: old))
        #expect(decoded.preprocessing == recipe)
    }
}
