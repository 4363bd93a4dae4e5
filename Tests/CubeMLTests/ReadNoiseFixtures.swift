import CubeFormats
import CubeSynth
@testable import CubeML

/// `counts` read through an amplifier: Gaussian read noise of `sigma` counts added to
/// every value, the dark level subtracted, stored as whole digital numbers of `gain`
/// per count; many values negative.
func readThroughAmplifier(_ counts: [Float], sigma: Double, gain: Double) -> [Float] {
    var g = SeededGenerator(seed: 13)
    return counts.map { Float((gain * (Double($0) + sigma * g.nextGaussian())).rounded()) }
}
