import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

/// A 24 x 24 reflectance scene of four quadrant materials over 60 bands (smooth spectra,
/// noise 0.005), row major (height, width, channels); `silent` bands hold instead what a
/// failed atmospheric correction leaves where water vapour absorbs: noise 200 times louder,
/// around 0. Also the truth, row major.
private func scene(silent: Set<Int>, seed: UInt64 = 9) -> (cube: Datacube, truth: [Int32]) {
    var g = SeededGenerator(seed: seed)
    let h = 24, w = 24, c = 60
    var v = [Float](repeating: 0, count: h * w * c)
    var truth = [Int32](repeating: 0, count: h * w)
    for y in 0..<h {
        for x in 0..<w {
            let m = (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)
            truth[y * w + x] = Int32(m)
            let brightness = 1 + 0.05 * g.nextGaussian()
            for k in 0..<c {
                let t = Double(k) / Double(c - 1)
                let spectrum = [0.1 + 0.3 * t, 0.4 - 0.2 * t, 0.25 + 0.1 * sin(6 * t), 0.3 + 0.2 * t * t][m]
                let value = silent.contains(k) ? 1.0 * g.nextGaussian() : brightness * spectrum + 0.005 * g.nextGaussian()
                v[(y * w + x) * c + k] = Float(value)
            }
        }
    }
    return (Datacube(height: h, width: w, channels: c, values: v), truth)
}

@Suite("Channels without spatial signal")
struct SilentChannelsTests {
    static let absorption: Set<Int> = [20, 21, 22, 23, 40, 41, 42, 43]

    @Test("the bands of a failed correction are found: their variance is their neighbour-to-neighbour noise; the scene's bands stand far above it")
    func ratiosTellNoiseFromTheImage() throws {
        let cube = scene(silent: Self.absorption).cube
        let ratios = try SilentChannels.ratios(cube, channels: 0..<60)
        for k in 0..<60 {
            if Self.absorption.contains(k) {
                #expect(ratios[k] > 0.5 && ratios[k] < 1.5, "band \(k): \(ratios[k])")
            } else {
                #expect(ratios[k] > 3, "band \(k): \(ratios[k])")
            }
        }
        let decision = SilentChannels.decide(ratios: ratios, channels: 0..<60, pairs: SilentChannels.pairs(in: cube))
        #expect(decision.channels == Self.absorption.sorted())
        #expect(decision.reason.contains("8 of 60 channels left out (20-23, 40-43)"), "\(decision.reason)")
        // Within a crop, indices stay the cube's.
        let cropped = SilentChannels.decide(ratios: try SilentChannels.ratios(cube, channels: 10..<50), channels: 10..<50, pairs: 552)
        #expect(cropped.channels == Self.absorption.sorted())
    }

    @Test("a few spikes (hot pixels, cosmic rays) leave no band silent: a value above both its row neighbours by far is left out of the measurement")
    func spikesDoNotSilenceABand() throws {
        let clean = scene(silent: Self.absorption).cube
        var values = try clean.readRows(0..<clean.height)
        // Six pixels, each with a spike 20 times the scene's brightest value in one to three
        // adjacent bands; one spike per band would bring its ratio to about 1.
        let spikes: [(y: Int, x: Int, bands: Range<Int>)] = [(2, 3, 5..<6), (7, 17, 6..<8), (11, 5, 30..<33),
                                                             (15, 20, 50..<51), (19, 9, 12..<14), (22, 14, 57..<60)]
        for s in spikes { for k in s.bands { values[(s.y * 24 + s.x) * 60 + k] += 20 } }
        let cube = Datacube(height: 24, width: 24, channels: 60, values: values)
        let ratios = try SilentChannels.ratios(cube, channels: 0..<60)
        let cleanRatios = try SilentChannels.ratios(clean, channels: 0..<60)
        for k in 0..<60 where !Self.absorption.contains(k) {
            #expect(ratios[k] > 3, "band \(k): \(ratios[k]) (\(cleanRatios[k]) without the spikes)")
        }
        let decision = SilentChannels.decide(ratios: ratios, channels: 0..<60, pairs: SilentChannels.pairs(in: cube))
        #expect(decision.channels == Self.absorption.sorted())
        // The rule itself: above (or below) every finite neighbour by more than the limit.
        #expect(SilentChannels.isSpike(10, left: 1, right: 2, limit: 5))
        #expect(SilentChannels.isSpike(-10, left: 1, right: nil, limit: 5))
        #expect(!SilentChannels.isSpike(10, left: 1, right: 9, limit: 5))  // the edge of a region
        #expect(!SilentChannels.isSpike(10, left: 1, right: 16, limit: 5))
        #expect(!SilentChannels.isSpike(10, left: nil, right: .nan, limit: 5))
        #expect(!SilentChannels.isSpike(10, left: 1, right: 2, limit: .infinity))
    }

    @Test("a reflectance scene delivered with its absorption bands is segmented as if they had been removed, and report.json says which were left out")
    func segmentedAsWithoutThem() throws {
        let (cube, truth) = scene(silent: Self.absorption)
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 2; p.kMin = 4; p.kMax = 4
        let result = try Segmenter(parameters: p).segment(cube)
        let decision = try #require(result.decisions.silentChannels)
        #expect(decision.channels == Self.absorption.sorted())
        #expect(result.model.preprocessing.excludedChannels == Self.absorption.sorted())
        #expect(result.decisions.bins == 52)
        // The same scene without those bands, as most products deliver it.
        let kept = (0..<60).filter { !Self.absorption.contains($0) }
        let clean = try Segmenter(parameters: p).segment(cube.selectingChannels(kept))
        #expect(clean.decisions.silentChannels?.channels == [])
        #expect(result.labels == clean.labels)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, result.labels) > 0.95)
        // The model carries the left-out bands: applied to the cube again, the same map.
        let again = try Segmenter(parameters: p).segment(cube, model: result.model)
        #expect(again.labels == result.labels)
        // Kept on request: every band binned; the loud bands set each spectrum's maximum, which
        // log_max divides by, and the map suffers (ARI 0.62 here).
        p.silentChannels = .keep
        let keptAll = try Segmenter(parameters: p).segment(cube)
        #expect(keptAll.decisions.silentChannels == nil)
        #expect(keptAll.model.preprocessing.excludedChannels == nil)
        #expect(keptAll.decisions.bins == 60)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, keptAll.labels) < 0.8, "\(ClusteringMetrics.adjustedRandIndex(truth, keptAll.labels))")
    }

    @Test("counts keep every channel: a channel between lines is mostly empty, which is information")
    func countsAreNotScreened() throws {
        let cube = SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube
        let plan = try Preprocessor.plan(for: cube, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .counts)
        #expect(plan.silentChannels == nil)
        #expect(plan.recipe.excludedChannels == nil)
    }

    @Test("a cube whose channels show no image keeps them all, and a constant channel is never silent")
    func noImageKeepsEverything() throws {
        var g = SeededGenerator(seed: 3)
        let noise = Datacube(height: 16, width: 16, channels: 20,
                             values: (0..<(16 * 16 * 20)).map { _ in Float(0.3 + 0.01 * g.nextGaussian()) })
        let ratios = try SilentChannels.ratios(noise, channels: 0..<20)
        #expect(ratios.allSatisfy { $0 < SilentChannels.signalThreshold }, "\(ratios)")
        let decision = SilentChannels.decide(ratios: ratios, channels: 0..<20, pairs: SilentChannels.pairs(in: noise))
        #expect(decision.channels.isEmpty)
        #expect(decision.reason.hasPrefix("every channel kept: 20 of 20"), "\(decision.reason)")
        // Too few pixels to tell: every channel kept, whatever the ratios.
        let few = SilentChannels.decide(ratios: [0.5, 30, 30, 30], channels: 0..<4, pairs: 99)
        #expect(few.channels.isEmpty && few.reason.contains("too few"), "\(few.reason)")
        #expect(SilentChannels.decide(ratios: [0.5, 30, 30, 30], channels: 0..<4, pairs: 100).channels == [0])
        let constant = Datacube(height: 4, width: 4, channels: 2, values: [Float](repeating: 1, count: 32))
        #expect(try SilentChannels.ratios(constant, channels: 0..<2).allSatisfy { $0.isNaN })
        #expect(SilentChannels.decide(ratios: [.nan, .nan, 5], channels: 0..<3, pairs: 1000).channels.isEmpty)
    }

    @Test("a model file written before left-out channels existed reads as binning every channel")
    func oldRecipesDecode() throws {
        let recipe = PreprocessingRecipe(sourceChannels: 10, cropStart: 0, cropEnd: 10, binEdges: Array(0...8),
                                         transform: .logMax, smoothing: 0, backgroundThreshold: nil, excludedChannels: [3, 7])
        let json = try JSONEncoder().encode(recipe)
        #expect(try JSONDecoder().decode(PreprocessingRecipe.self, from: json) == recipe)
        #expect(recipe.binnedChannels == [0, 1, 2, 4, 5, 6, 8, 9] && recipe.binnedChannelCount == 8)
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object.removeValue(forKey: "excludedChannels")
        let old = try JSONDecoder().decode(PreprocessingRecipe.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.excludedChannels == nil && old.binnedChannels == Array(0..<10))
    }

    @Test("a view of some channels reads the values of those channels and their axis")
    func channelView() throws {
        let cube = Datacube(height: 2, width: 3, channels: 4, values: (0..<24).map(Float.init),
                            axis: SpectralAxis(values: [10, 20, 30, 40], unit: .nm, quantity: .wavelength))
        let view = cube.selectingChannels([1, 3])
        #expect(view.channels == 2 && view.axis.values == [20, 40])
        #expect(try view.readAll() == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        #expect(try view.readRows(1..<2) == [13, 15, 17, 19, 21, 23])
    }
}
