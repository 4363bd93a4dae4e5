import Foundation
@testable import CubeSpectroscopy

/// SplitMix64: a small deterministic generator so the synthetic spectra are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func unit() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992 }

    /// Standard normal (Marsaglia's polar method, which needs no sine or cosine).
    mutating func normal() -> Double {
        while true {
            let u = 2 * unit() - 1, v = 2 * unit() - 1
            let s = u * u + v * v
            if s > 0, s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// Poisson-like count with mean `lambda`: exact (Knuth) below 30, normal approximation above.
    mutating func poisson(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 0 }
        if lambda < 30 {
            let limit = exp(-lambda)
            var k = 0.0, product = unit()
            while product > limit { k += 1; product *= unit() }
            return k
        }
        return max(0, (lambda + lambda.squareRoot() * normal()).rounded())
    }
}

/// A synthetic MA-XRF-like spectrum: `channels` channels from 0 to 40.96 keV, Gaussian lines
/// (width from the detector model) over a smooth bremsstrahlung-like continuum, Poisson noise.
struct SyntheticSpectrum {
    var energy: [Double]    // keV, one per channel
    var counts: [Double]    // counts, one per channel

    /// Line amplitudes are in counts per 20 eV channel and scaled to the channel width.
    init(channels: Int, lines: [(energy: Double, amplitude: Double)], continuum: Double = 800, seed: UInt64) {
        let step = 40.96 / Double(channels)
        var rng = SeededRandom(seed: seed)
        energy = (0..<channels).map { Double($0) * step }
        counts = energy.map { e in
            let d = (e - 15) / 9
            var mean = (continuum * exp(-d * d) + 50) * min(e, 1)
            for line in lines {
                let sigma = DetectorResolution.fwhm(at: line.energy) / 2.3548
                let u = (e - line.energy) / sigma
                if abs(u) < 8 { mean += line.amplitude * exp(-0.5 * u * u) }
            }
            return rng.poisson(mean * step / 0.02)
        }
    }
}

/// The tabulated energy of one line (keV); traps in a test if the table lacks it.
func lineEnergy(_ element: String, _ name: String) -> Double {
    XRayLines.lines(of: element).first { $0.name == name }!.energy
}
