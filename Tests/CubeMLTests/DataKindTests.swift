import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

private func cube(_ h: Int, _ w: Int, _ c: Int, _ value: (Int, Int, inout SeededGenerator) -> Float) -> Datacube {
    var g = SeededGenerator(seed: 5)
    var v = [Float](repeating: 0, count: h * w * c)
    for p in 0..<(h * w) { for k in 0..<c { v[p * c + k] = value(p, k, &g) } }
    return Datacube(height: h, width: w, channels: c, values: v)
}

@Suite("Counts or not")
struct DataKindTests {
    @Test("Poisson counts of a synthetic MA-XRF painting are recognised as counts (dispersion about 1)")
    func poissonCounts() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let stats = try CubeStatistics.measure(s.cube, channels: 0..<256)
        let d = DataKindDecision(statistics: stats, meanSignalTotal: 400)
        #expect(d.kind == .counts)
        #expect(abs(stats.dispersion - 1) < 0.5)
        #expect(stats.wholeNumbers && stats.zeroFraction > 0.2)
    }

    @Test("whole numbers far from Poisson noise (scaled radiance) are not counts")
    func scaledRadiance() throws {
        // Radiance around 3000 in whole numbers with noise of standard deviation 10 (variance/mean 0.03).
        let c = cube(16, 16, 50) { p, k, g in Float((3000 + 40 * Double(k % 7) + 10 * g.nextGaussian()).rounded()) }
        let stats = try CubeStatistics.measure(c, channels: 0..<50)
        let d = DataKindDecision(statistics: stats, meanSignalTotal: 150_000)
        #expect(stats.wholeNumbers)
        #expect(d.kind == .continuous)
        #expect(d.reason.contains("not counts"))
    }

    @Test("reflectances are not counts, and automatic bins keep every channel")
    func reflectance() throws {
        let c = cube(12, 12, 40) { p, k, g in Float(0.2 + 0.001 * Double(k) + 0.01 * g.nextGaussian()) }
        let plan = try Preprocessor.plan(for: c, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .continuous)
        #expect(plan.bins == 40)
    }

    @Test("Poisson counts with 1,024 channels at 120 counts per pixel are summed into 128 bins for the autoencoder, 512 for PCA")
    func countBins() throws {
        let s = SyntheticCubes.maxrf(size: 24, channels: 1024, counts: 120, seed: 4)
        let plan = try Preprocessor.plan(for: s.cube, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .counts)
        #expect(plan.bins == 128)
        #expect(plan.linearBins == 512)
    }
}
