import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

/// A 40 x 40 MA-XRF cube whose first `emptyRows` rows hold near-empty pixels (0-2 counts).
private func paintingWithEmptyBorder(emptyRows: Int, counts: Double = 120) throws -> Datacube {
    let s = SyntheticCubes.maxrf(size: 40, channels: 128, counts: counts, seed: 3)
    var v = try s.cube.readAll()
    var rng = SeededGenerator(seed: 99)
    for p in 0..<(emptyRows * 40) {
        for k in 0..<128 { v[p * 128 + k] = 0 }
        for _ in 0..<rng.nextInt(below: 3) { v[p * 128 + rng.nextInt(below: 128)] += 1 }
    }
    return Datacube(height: 40, width: 40, channels: 128, values: v, axis: s.cube.axis)
}

private func autoParameters() -> SegmentationParameters {
    var p = SegmentationParameters()
    p.background = .auto
    p.bins = 64
    return p
}

@Suite("Automatic background threshold")
struct PreprocessingBackgroundTests {
    @Test("a cube with 30% near-empty pixels masks exactly those pixels")
    func maskedBorder() throws {
        let c = try paintingWithEmptyBorder(emptyRows: 12)  // 12 of 40 rows = 30%
        let recipe = try Preprocessor.recipe(for: c, parameters: autoParameters())
        let threshold = try #require(recipe.backgroundThreshold)
        #expect(threshold > 2)
        let prepared = try Preprocessor(recipe: recipe).prepare(c)
        #expect(prepared.backgroundCount == 12 * 40)
        #expect(prepared.pixelIndex.first == Int32(12 * 40))
        let decision = BackgroundThreshold.decide(totals: prepared.totals)
        #expect(decision.masks && decision.effectiveness >= BackgroundThreshold.minimumEffectiveness)
    }

    @Test("a cube without background masks nothing")
    func noBackground() throws {
        let s = SyntheticCubes.maxrf(size: 40, channels: 128, seed: 3)
        let recipe = try Preprocessor.recipe(for: s.cube, parameters: autoParameters())
        #expect(recipe.backgroundThreshold == 0)
        let prepared = try Preprocessor(recipe: recipe).prepare(s.cube)
        #expect(prepared.backgroundCount == 0)
        #expect(!BackgroundThreshold.decide(totals: prepared.totals).masks)
    }

    @Test("two materials of different brightness are not taken for signal and background")
    func twoBrightnesses() {
        // Half the pixels near 40 counts, half near 200: clearly bimodal, but only 5x apart.
        var rng = SeededGenerator(seed: 4)
        let totals: [Float] = (0..<2000).map { i in Float((i < 1000 ? 40.0 : 200.0) * (1 + 0.1 * rng.nextGaussian())) }
        let d = BackgroundThreshold.decide(totals: totals)
        #expect(d.effectiveness > 0.8)
        #expect(!d.masks && d.threshold == 0)
        // The same shape 50x apart is a background.
        let far: [Float] = (0..<2000).map { i in Float((i < 1000 ? 4.0 : 200.0) * (1 + 0.1 * rng.nextGaussian())) }
        let e = BackgroundThreshold.decide(totals: far)
        #expect(e.masks)
        #expect(far.filter { Double($0) < e.threshold }.count == 1000)
    }

    @Test("a few dead pixels among bright ones are masked")
    func deadPixels() {
        var totals = [Float](repeating: 120, count: 1000)
        for i in 0..<1000 { totals[i] += Float(i % 17) }
        for i in [3, 500, 777] { totals[i] = 0 }
        let d = BackgroundThreshold.decide(totals: totals)
        #expect(d.masks)
        #expect(totals.filter { Double($0) < d.threshold }.count == 3)
    }

    @Test("totals read in another unit give the same decision and a threshold in that unit")
    func unitOfTotals() {
        var rng = SeededGenerator(seed: 8)
        // A third of the pixels near 2 effective photons, the rest near 400.
        let counts: [Double] = (0..<1500).map { i in (i < 500 ? 2.0 : 400.0) * (1 + 0.1 * rng.nextGaussian()) }
        let d = BackgroundThreshold.decide(totals: counts.map { Float($0) })
        #expect(d.masks && d.unit == 1)
        for factor in [1e-4, 1e4] {
            let e = BackgroundThreshold.decide(totals: counts.map { Float($0 * factor) }, unit: factor)
            #expect(e.masks && e.unit == factor)
            #expect(abs(e.threshold / (d.threshold * factor) - 1) < 1e-4, "\(e.threshold) against \(d.threshold) x \(factor)")
            #expect(abs(e.logContrast - d.logContrast) < 1e-4 && abs(e.effectiveness - d.effectiveness) < 1e-4)
            // Read in the cube's own unit, the small unit hides the background (log(1 + x) is linear there).
            if factor < 1 { #expect(!BackgroundThreshold.decide(totals: counts.map { Float($0 * factor) }).masks) }
        }
        func data(quantum: Double?, dispersion: Double) -> DataKindDecision {
            DataKindDecision(statistics: CubeStatistics(totals: [], hasData: [], wholeNumbers: quantum == 1, countQuantum: quantum,
                                                        zeroFraction: 0.5, halfFluxChannelShare: 0.05, dispersion: dispersion), meanSignalTotal: 100)
        }
        #expect(BackgroundThreshold.unit(for: data(quantum: 1, dispersion: 1.1)) == 1)
        #expect(BackgroundThreshold.unit(for: data(quantum: 0.25, dispersion: 0.26)) == 0.25)
        #expect(BackgroundThreshold.unit(for: data(quantum: 1, dispersion: 3)) == 3)
        #expect(BackgroundThreshold.unit(for: data(quantum: nil, dispersion: 0.02)) == 0.02)
        #expect(BackgroundThreshold.unit(for: data(quantum: nil, dispersion: 0)) == 1)
    }

    @Test("a flux cube with an empty border masks it whatever its unit, and keeps counts in photons")
    func fluxBorderInAnyUnit() throws {
        // A painting in a flux unit (not whole numbers), its first 12 rows noise only.
        let s = SyntheticCubes.maxrf(size: 32, channels: 128, counts: 400, seed: 6)
        var v = try s.cube.readAll().map { $0 * 0.0137 }
        var rng = SeededGenerator(seed: 12)
        for i in 0..<(12 * 32 * 128) { v[i] = Float(0.002 * rng.nextGaussian()) }
        var thresholds: [Double] = []
        for factor: Float in [1, 1e-3, 1e3] {
            let cube = Datacube(height: 32, width: 32, channels: 128, values: v.map { $0 * factor })
            let plan = try Preprocessor.plan(for: cube, parameters: autoParameters())
            #expect(plan.data?.kind == .continuous)
            let decision = try #require(plan.background)
            #expect(decision.masks, "factor \(factor): \(decision)")
            #expect(abs(decision.unit / Double(plan.data!.dispersion) - 1) < 1e-9)
            let prepared = try Preprocessor(recipe: plan.recipe).prepare(cube)
            #expect(prepared.backgroundCount == 12 * 32, "factor \(factor)")
            thresholds.append(decision.threshold / Double(factor))
        }
        #expect(thresholds.allSatisfy { abs($0 / thresholds[0] - 1) < 1e-3 }, "\(thresholds)")
        let counts = try Preprocessor.plan(for: paintingWithEmptyBorder(emptyRows: 12), parameters: autoParameters())
        #expect(counts.data?.kind == .counts && counts.background?.unit == 1)
    }

    @Test("equal totals or a single pixel give no background")
    func degenerate() {
        #expect(BackgroundThreshold.decide(totals: [Float](repeating: 5, count: 100)).threshold == 0)
        #expect(BackgroundThreshold.decide(totals: [7]).threshold == 0)
        #expect(BackgroundThreshold.decide(totals: []).threshold == 0)
    }
}
