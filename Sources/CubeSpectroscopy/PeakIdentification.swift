/// A spectrum peak with the X-ray line it is attributed to, if any.
///
/// JSON keys are the property names (all one word): `x`, `height`, `element`, `line`, `energy`;
/// the last three are omitted when the peak is unnamed.
public struct NamedPeak: Sendable, Equatable, Codable {
    /// Peak position in keV.
    public let x: Double
    /// Peak height, in the units of the spectrum (see `SpectrumPeak.height`).
    public let height: Double
    /// Element symbol, e.g. "Fe"; nil when no line fits.
    public let element: String?
    /// Line name, e.g. "Ka", "Lb1" (see `XRayLine.name`); nil when no line fits.
    public let line: String?
    /// The line's tabulated energy in keV; nil when no line fits.
    public let energy: Double?
}

/// Names the peaks of an X-ray fluorescence spectrum by element and line.
///
/// A line is a candidate for a peak when its energy is within
/// `max(0.06 keV, 1.5 × channel step, FWHM(E) / 2)` of the peak, FWHM(E) being the detector
/// resolution at the peak (`DetectorResolution`; the tolerance is 0.079 keV at 6.4 keV, 0.093 keV
/// at 10.5 keV, 0.145 keV at 32 keV). The FWHM term grows with energy, which also covers the table
/// giving Ka1 while a measured Ka peak is the Ka1 + Ka2 blend (about 0.13 keV lower for Ba).
///
/// Peaks are named strongest first. A peak already named for one element cannot support another
/// element's lines (so a Cr Ka peak does not make the next peak "Pm Lb1"). Each candidate line
/// gets a score, and the best one names the peak when the score is positive:
/// - 2 × the line's weight (the family's strongest line, Ka, La or Ma, scores 2);
/// - for a weaker line whose family's strongest line is in the energy range: +1.5 when a peak
///   matches that line and this peak is at most 3 times the height the weights predict, -1 when
///   it is larger, -3 when no peak matches it (no "Pb Lb1" without a Pb La);
/// - + the fraction (0 ... 1, by weight) of the line's family companions that other peaks match
///   (Fe Ka confirmed by Fe Kb, Pb La by Pb Lb1 and Lb2), where an unmatched companion counts
///   only if the weights predict it at least as prominent as the weakest peak given (weaker ones
///   may have been left out); 0.5 when no companion is matched or predicted;
/// - +0.25 for each other family of the element whose strongest line another peak matches, at
///   most 0.5 (Pb La with Pb Ma, Sn La with Sn Ka);
/// - +0.75 for elements common in paintings and samples (`commonElements`);
/// - -0.5 × distance / tolerance.
/// Ties go to the stronger line, then the lighter element. Lines that coincide with the peak
/// itself (Pb Lb2 under Pb Lb1) count neither for nor against.
///
/// Ambiguities the data cannot settle stay ambiguous: a peak at 10.54 keV alone is As Ka or Pb La,
/// and is called As when no Pb Lb peak is seen although the weights predict one (As Kb is weaker).
///
/// Not modelled: escape peaks (Si escape, E - 1.74 keV), sum (pile-up) peaks, Compton and
/// Rayleigh scatter of the tube lines, and diffraction peaks. These stay unnamed when no line is
/// near, and can be misnamed when one is.
public enum PeakIdentification {
    /// Elements usual in paintings, pigments and their supports, and Ar from air (+0.75 in the score).
    static let commonElements: Set<String> = [
        "Ca", "Ti", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "As", "Se", "Sr", "Ag", "Cd", "Sn",
        "Sb", "Ba", "Hg", "Pb", "K", "S", "Cl", "Ar", "Si", "Al", "Au",
    ]

    /// Finds the peaks of a spectrum (`SpectrumPeaks.find`) and names them, strongest first.
    ///
    /// `x` must be a strictly increasing energy axis in `unit` ("keV" or "eV"), one value per
    /// channel (see `SpectrumPeaks.find`); `y[i]` is channel `i`'s intensity. Positions and line
    /// energies in the result are in keV. Throws `SpectrumError` as `SpectrumPeaks.find` does.
    public static func identify<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        x: [X], y: [Y], unit: String = "keV", maxPeaks: Int = 12
    ) throws -> [NamedPeak] {
        let spectrum = try Spectrum(x: x, y: y, unit: unit)
        let peaks = PeakDetector.detect(energy: spectrum.energy, values: spectrum.values, maxPeaks: maxPeaks)
        guard let first = spectrum.energy.first, let last = spectrum.energy.last else { return [] }
        return name(peaks, energyRange: first...last, channelStep: spectrum.channelStep)
    }

    /// Names peaks found by `SpectrumPeaks.find` (or elsewhere), keeping their order.
    ///
    /// - Parameters:
    ///   - peaks: positions in keV; heights and prominences in any one unit.
    ///   - energyRange: the energies (keV) the spectrum covers: lines outside it are not expected.
    ///   - channelStep: channel width in keV (widens the tolerance for coarse spectra).
    public static func name(_ peaks: [SpectrumPeak], energyRange: ClosedRange<Double>, channelStep: Double = 0) -> [NamedPeak] {
        var context = Context(peaks: peaks, energyRange: energyRange, channelStep: channelStep)
        var named: [XRayLine?] = Array(repeating: nil, count: peaks.count)
        let strongestFirst = peaks.indices.sorted {
            peaks[$0].prominence != peaks[$1].prominence ? peaks[$0].prominence > peaks[$1].prominence : $0 < $1
        }
        for p in strongestFirst {
            var best: (score: Double, line: XRayLine)?
            for line in XRayLines.all where abs(line.energy - peaks[p].x) <= context.tolerances[p] {
                let score = context.score(line, peak: p)
                if let current = best {
                    let better = score != current.score ? score > current.score
                        : line.weight != current.line.weight ? line.weight > current.line.weight
                        : line.atomicNumber < current.line.atomicNumber
                    if !better { continue }
                }
                best = (score, line)
            }
            if let best, best.score > 0 {
                named[p] = best.line
                context.elements[p] = best.line.element
            }
        }
        return peaks.indices.map { p in
            NamedPeak(x: peaks[p].x, height: peaks[p].height, element: named[p]?.element, line: named[p]?.name, energy: named[p]?.energy)
        }
    }

    /// Matching tolerance in keV for a peak at `energy` keV.
    static func tolerance(at energy: Double, channelStep: Double) -> Double {
        max(0.06, 1.5 * channelStep, 0.5 * DetectorResolution.fwhm(at: energy))
    }

    private struct Context {
        let peaks: [SpectrumPeak]
        let energyRange: ClosedRange<Double>
        let tolerances: [Double]
        /// The weakest prominence given: lines predicted below it may have been left out.
        let weakest: Double
        /// The element each peak has been named for so far (nil: not yet, or unnamed).
        var elements: [String?]

        init(peaks: [SpectrumPeak], energyRange: ClosedRange<Double>, channelStep: Double) {
            self.peaks = peaks
            self.energyRange = energyRange
            tolerances = peaks.map { PeakIdentification.tolerance(at: $0.x, channelStep: channelStep) }
            weakest = peaks.map(\.prominence).min() ?? 0
            elements = Array(repeating: nil, count: peaks.count)
        }

        /// The nearest peak other than `p`, not named for another element than `element`, within
        /// its tolerance of `energy`.
        func match(_ energy: Double, for element: String, excluding p: Int) -> Int? {
            var best: Int?
            var bestDistance = Double.infinity
            for q in peaks.indices where q != p && (elements[q] == nil || elements[q] == element) {
                let distance = abs(peaks[q].x - energy)
                if distance <= tolerances[q], distance < bestDistance { (best, bestDistance) = (q, distance) }
            }
            return best
        }

        func score(_ line: XRayLine, peak p: Int) -> Double {
            let peak = peaks[p]
            let own = XRayLines.lines(of: line.element)
            var score = 2 * line.weight
            if line.weight < 1,
               let strongest = own.first(where: { $0.family == line.family && $0.weight == 1 }),
               energyRange.contains(strongest.energy) {
                if let q = match(strongest.energy, for: line.element, excluding: p) {
                    score += peak.prominence <= 3 * line.weight * peaks[q].prominence ? 1.5 : -1
                } else {
                    score -= 3
                }
            }
            var predicted = 0.0, seen = 0.0, otherFamilies = 0.0
            for other in own where other != line && energyRange.contains(other.energy)
                && abs(other.energy - peak.x) > tolerances[p] {
                let found = match(other.energy, for: line.element, excluding: p) != nil
                if other.family == line.family {
                    if found {
                        (predicted, seen) = (predicted + other.weight, seen + other.weight)
                    } else if peak.prominence * min(other.weight / line.weight, 1) >= weakest {
                        predicted += other.weight
                    }
                } else if other.weight == 1, found {
                    otherFamilies += 0.25
                }
            }
            score += predicted > 0 ? seen / predicted : 0.5
            score += min(otherFamilies, 0.5)
            if PeakIdentification.commonElements.contains(line.element) { score += 0.75 }
            return score - 0.5 * abs(line.energy - peak.x) / tolerances[p]
        }
    }
}
