import Testing
@testable import CubeML

@Suite("Signal axes of a noise-adjusted fit")
struct SignalAxesTests {
    /// `signal` leading whitened variances of 20, then noise whose largest is 1.4 and which
    /// falls slowly, as the edge of many noise axes' spread does.
    func variances(signal: Int, count: Int = 17) -> [Double] {
        (0..<count).map { (i: Int) -> Double in
            let rank = Double(i)
            return i < signal ? 20 - rank : 1.4 - 0.01 * (rank - Double(signal))
        }
    }

    @Test("axes at least twice the noise's largest are counted, within 8 to 16")
    func countsAxesAboveTheBar() {
        let axes = SignalAxes(least: 8)
        #expect(axes.count(descending: variances(signal: 11), dimension: 512) == 11)
        #expect(axes.count(descending: variances(signal: 3), dimension: 512) == 8)
        // Seventeen signals of like strength: the seventeenth is taken for the noise, none
        // stands twice above it, and the standard eight are kept (`latent` sets more).
        #expect(axes.count(descending: (0..<17).map { 40 - Double($0) }, dimension: 512) == 8)
        #expect(axes.count(descending: variances(signal: 16), dimension: 512) == 16)
    }

    @Test("an axis just under the bar is left out, one on it is kept")
    func theBarIsTwiceTheFloor() {
        var v = variances(signal: 9)
        v[16] = 1.5
        v[9] = 2.99
        #expect(SignalAxes(least: 8).count(descending: v, dimension: 100) == 9)
        v[9] = 3.0
        #expect(SignalAxes(least: 8).count(descending: v, dimension: 100) == 10)
    }

    @Test("few dimensions: the smallest variance is the floor, and with no axis to spare the least is kept")
    func fewDimensions() {
        let axes = SignalAxes(least: 8)
        #expect(axes.valuesNeeded(dimension: 12) == 12)
        #expect(axes.count(descending: variances(signal: 10, count: 12), dimension: 12) == 10)
        #expect(axes.count(descending: variances(signal: 6, count: 8), dimension: 8) == 8)
        #expect(axes.count(descending: [5, 4, 3], dimension: 3) == 3)
        #expect(axes.count(descending: [Double](repeating: 0, count: 17), dimension: 64) == 8)
    }

    @Test("a noise-adjusted fit keeps as many axes as an image has independent signals")
    func fitKeepsTheSignalAxes() throws {
        // Ten materials in stripes of six columns of a 60 x 60 image, material m a value of 6
        // in channel m, over unit noise in 40 channels: nine directions once the mean is
        // removed.
        var g = SeededGenerator(seed: 2)
        let h = 60, w = 60, d = 40
        var x = Matrix(rows: h * w, cols: d)
        for p in 0..<(h * w) {
            let material = (p % w) / 6  // ten stripes of six columns
            for j in 0..<d { x[p, j] = Float((j == material ? 6.0 : 0) + g.nextGaussian()) }
        }
        let grid = ImageGrid(height: h, width: w, pixelIndex: (0..<(h * w)).map { Int32($0) })
        let noise = try #require(NeighbourNoise.covariance(of: x, grid: grid))
        let fit = try #require(PrincipalComponents.fitNoiseAdjusted(x, noise: noise, dimension: .signal(SignalAxes(least: 4))))
        #expect(fit.variances.count == 9, "\(fit.variances)")
        let fixed = try #require(PrincipalComponents.fitNoiseAdjusted(x, noise: noise, dimension: .exactly(12)))
        #expect(fixed.variances.count == 12)
        #expect(zip(fit.variances, fixed.variances).allSatisfy { abs($0 - $1) < 1e-9 })
    }
}
