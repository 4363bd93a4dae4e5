import CubeML
import Testing
@testable import CubeSynth

@Suite("Random sampling for synthetic cubes")
struct SamplingTests {
    @Test("Poisson draws have mean and variance equal to lambda, for small and large lambda")
    func poissonMoments() {
        var rng = SeededGenerator(seed: 1)
        for lambda in [0.3, 4.0, 9.9, 10.0, 60.0, 1500.0] {
            let n = 40_000
            var sum = 0.0, sumSq = 0.0
            for _ in 0..<n {
                let k = Double(Poisson.sample(lambda, using: &rng))
                sum += k; sumSq += k * k
            }
            let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
            // Standard error of the mean is sqrt(lambda / n); allow 5 of them.
            #expect(abs(mean - lambda) < 5 * (lambda / Double(n)).squareRoot(), "lambda \(lambda): mean \(mean)")
            #expect(abs(variance / lambda - 1) < 0.05, "lambda \(lambda): variance \(variance)")
        }
        #expect(Poisson.sample(0, using: &rng) == 0)
    }

    @Test("Poisson probabilities at small lambda match the formula")
    func poissonSmall() {
        var rng = SeededGenerator(seed: 2)
        var hist = [Int](repeating: 0, count: 8)
        let n = 100_000
        for _ in 0..<n { hist[min(7, Poisson.sample(1.0, using: &rng))] += 1 }
        // P(0) = P(1) = e^-1, P(2) = e^-1 / 2.
        let e = 0.36788
        #expect(abs(Double(hist[0]) / Double(n) - e) < 0.01)
        #expect(abs(Double(hist[1]) / Double(n) - e) < 0.01)
        #expect(abs(Double(hist[2]) / Double(n) - e / 2) < 0.01)
    }

    @Test("the alias table draws each index in proportion to its weight")
    func aliasTable() {
        let weights: [Double] = [1, 0, 3, 0.5, 5.5]
        let table = AliasTable(weights: weights)
        var rng = SeededGenerator(seed: 3)
        var hist = [Int](repeating: 0, count: weights.count)
        let n = 200_000
        for _ in 0..<n { hist[table.sample(using: &rng)] += 1 }
        #expect(hist[1] == 0)
        for (i, w) in weights.enumerated() {
            #expect(abs(Double(hist[i]) / Double(n) - w / 10) < 0.005, "index \(i): \(hist[i])")
        }
    }

    @Test("the detector resolution is 130 eV at Mn K-alpha and grows with energy")
    func resolution() {
        #expect(abs(XRF.fwhm(5.899) - 0.130) < 0.001)
        #expect(XRF.fwhm(10.55) > XRF.fwhm(5.899) && XRF.fwhm(3.0) < XRF.fwhm(5.899))
        #expect(abs(XRF.compton(17.479) - 16.85) < 0.2)
    }
}
