/// One peak of a spectrum.
public struct SpectrumPeak: Sendable, Equatable {
    /// Position in keV (sub-channel: the vertex of a parabola through the three channels at the top).
    public let x: Double
    /// Height of the lightly smoothed spectrum at the peak, in the units of `y`.
    public let height: Double
    /// How far the peak stands out, in the units of `y`: the smaller of its prominence over its
    /// neighbours (as scipy.signal.peak_prominences) and its height over the estimated background.
    public let prominence: Double

    public init(x: Double, height: Double, prominence: Double) {
        self.x = x
        self.height = height
        self.prominence = prominence
    }
}

/// Peak search in one X-ray fluorescence spectrum.
public enum SpectrumPeaks {
    /// The significant peaks of a spectrum, strongest (largest prominence) first.
    ///
    /// - Parameters:
    ///   - x: channel energies, one per channel, strictly increasing, in `unit`. It must be an
    ///     energy axis: a channel-number or wavelength axis is the caller's to convert (channel
    ///     numbers would be read as keV and peaks named nonsensically).
    ///   - y: the spectrum, `y[i]` the intensity of channel `i` (counts, or any non-negative
    ///     scale of counts such as a mean spectrum; negative values are accepted too).
    ///   - unit: "keV" or "eV" (letter case ignored). Positions are returned in keV either way.
    ///   - maxPeaks: at most this many peaks are returned.
    /// - Returns: the peaks whose prominence is above 5 noise standard deviations (Poisson
    ///   noise for integer counts, a fitted Poisson-like or constant noise otherwise) and at least
    ///   2 % of the largest prominence. Empty for fewer than 3 channels or a spectrum with no
    ///   structure (flat, all zeros).
    /// - Throws: `SpectrumError` for different lengths, an unknown unit, a non-increasing axis or a
    ///   NaN or infinite value.
    /// - Complexity: O(n log n) for n channels.
    public static func find<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        x: [X], y: [Y], unit: String = "keV", maxPeaks: Int = 12
    ) throws -> [SpectrumPeak] {
        let spectrum = try Spectrum(x: x, y: y, unit: unit)
        return PeakDetector.detect(energy: spectrum.energy, values: spectrum.values, maxPeaks: maxPeaks)
    }
}

/// A validated spectrum: energies in keV, strictly increasing, and finite values.
struct Spectrum {
    var energy: [Double]
    var values: [Double]

    init<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(x: [X], y: [Y], unit: String) throws {
        guard x.count == y.count else { throw SpectrumError.lengthMismatch(x: x.count, y: y.count) }
        let scale: Double
        switch unit.lowercased() {
        case "kev": scale = 1
        case "ev": scale = 0.001
        default: throw SpectrumError.unknownUnit(unit)
        }
        energy = x.map { Double($0) * scale }
        values = y.map { Double($0) }
        for i in energy.indices {
            guard energy[i].isFinite, values[i].isFinite else { throw SpectrumError.nonFinite(index: i) }
            if i > 0, !(energy[i] > energy[i - 1]) { throw SpectrumError.axisNotIncreasing(index: i) }
        }
    }

    /// Mean channel width in keV (0 for fewer than two channels).
    var channelStep: Double {
        energy.count < 2 ? 0 : (energy[energy.count - 1] - energy[0]) / Double(energy.count - 1)
    }
}
