import Foundation

/// The X-ray physics behind the synthetic MA-XRF cubes: characteristic line energies, the
/// detector response, the tube's scattered radiation.
enum XRF {
    /// One characteristic line: energy in keV and intensity relative to the element's
    /// strongest line.
    struct Line: Sendable {
        let energy: Double
        let relative: Double
    }

    /// Characteristic lines (keV) of the elements the pigments use, with approximate
    /// relative intensities within each element's K or L series as seen in the 0-20 keV
    /// window of an MA-XRF scanner.
    static let lines: [String: [Line]] = [
        "Pb": [.init(energy: 10.551, relative: 1), .init(energy: 12.614, relative: 0.85),
               .init(energy: 14.764, relative: 0.1), .init(energy: 9.184, relative: 0.05),
               .init(energy: 2.342, relative: 0.15)],
        "Hg": [.init(energy: 9.989, relative: 1), .init(energy: 11.823, relative: 0.85),
               .init(energy: 13.830, relative: 0.1), .init(energy: 8.722, relative: 0.05)],
        "Fe": [.init(energy: 6.404, relative: 1), .init(energy: 7.058, relative: 0.13)],
        "Cu": [.init(energy: 8.048, relative: 1), .init(energy: 8.905, relative: 0.14)],
        "Ca": [.init(energy: 3.692, relative: 1), .init(energy: 4.013, relative: 0.13)],
        "Ti": [.init(energy: 4.511, relative: 1), .init(energy: 4.932, relative: 0.13)],
        "Zn": [.init(energy: 8.639, relative: 1), .init(energy: 9.572, relative: 0.14)],
        "Mn": [.init(energy: 5.899, relative: 1), .init(energy: 6.490, relative: 0.13)],
        "Co": [.init(energy: 6.930, relative: 1), .init(energy: 7.649, relative: 0.13)],
        "Ni": [.init(energy: 7.478, relative: 1), .init(energy: 8.265, relative: 0.13)],
        "Ba": [.init(energy: 4.466, relative: 1), .init(energy: 4.828, relative: 0.6)],
        "Sn": [.init(energy: 3.444, relative: 1), .init(energy: 3.663, relative: 0.5)],
        "Cr": [.init(energy: 5.415, relative: 1), .init(energy: 5.947, relative: 0.13)],
        "K": [.init(energy: 3.314, relative: 1), .init(energy: 3.590, relative: 0.1)],
        "As": [.init(energy: 10.544, relative: 1), .init(energy: 11.726, relative: 0.15)],
        "Sr": [.init(energy: 14.165, relative: 1), .init(energy: 15.836, relative: 0.16)],
        "S": [.init(energy: 2.308, relative: 1)],
        "Si": [.init(energy: 1.740, relative: 1)],
        "Ar": [.init(energy: 2.957, relative: 1)],
    ]

    /// Energy resolution (FWHM, keV) of a silicon drift detector at energy `e` (keV):
    /// `sqrt(noise^2 + 2.355^2 * epsilon * F * E)` with epsilon = 3.85 eV per electron-hole
    /// pair, Fano factor F = 0.114 and an electronic noise (50.5 eV) giving 130 eV at Mn K-alpha.
    static func fwhm(_ e: Double) -> Double {
        let noise = 0.0505
        return (noise * noise + 2.355 * 2.355 * 3.85e-3 * 0.114 * e).squareRoot()
    }

    /// X-ray tube: molybdenum anode at 40 kV.
    static let tubeKV = 40.0
    static let anodeLines: [Line] = [.init(energy: 17.479, relative: 1), .init(energy: 19.607, relative: 0.2)]
    /// Compton-scattered energy of a photon of energy `e` (keV) at scattering angle `theta`.
    static func compton(_ e: Double, theta: Double = 100 * Double.pi / 180) -> Double {
        e / (1 + e / 510.999 * (1 - cos(theta)))
    }

    /// Adds a Gaussian of area `area` centred at `centre` with FWHM `fwhm` (keV) to
    /// `spectrum` on channels at `energies` (channel width `step`).
    static func addGaussian(to spectrum: inout [Double], energies: [Double], step: Double,
                            centre: Double, fwhm: Double, area: Double) {
        let sigma = fwhm / 2.3548
        let lo = max(0, Int(((centre - 5 * sigma) / step).rounded(.down)))
        let hi = min(spectrum.count - 1, Int(((centre + 5 * sigma) / step).rounded(.up)))
        guard lo <= hi else { return }
        let norm = area * step / (sigma * (2 * Double.pi).squareRoot())
        for i in lo...hi {
            let d = (energies[i] - centre) / sigma
            spectrum[i] += norm * exp(-0.5 * d * d)
        }
    }

    /// Silicon K-alpha energy (keV): a photon that ionises the detector's silicon may lose
    /// the Si fluorescence photon, giving an escape peak this much below its line.
    static let siliconEscape = 1.740
    /// Fraction of a line's counts in its escape peak (~1% for a silicon drift detector at
    /// 5-10 keV).
    static let escapeFraction = 0.01

    /// Probability spectrum (sums to 1) of the fluorescence of `elements` (symbol,
    /// weight), each line a Gaussian of the detector's width, with its Si escape peak.
    static func fluorescence(_ elements: [(String, Double)], energies: [Double], step: Double) -> [Double] {
        var s = [Double](repeating: 0, count: energies.count)
        for (symbol, weight) in elements {
            guard let ls = lines[symbol] else { preconditionFailure("no lines for \(symbol)") }
            let norm = ls.reduce(0) { $0 + $1.relative }
            for l in ls {
                let area = weight * l.relative / norm
                addGaussian(to: &s, energies: energies, step: step, centre: l.energy,
                            fwhm: fwhm(l.energy), area: area * (1 - escapeFraction))
                let escape = l.energy - siliconEscape
                if escape > 0.5 {
                    addGaussian(to: &s, energies: energies, step: step, centre: escape,
                                fwhm: fwhm(escape), area: area * escapeFraction)
                }
            }
        }
        return normalised(s)
    }

    /// Probability spectrum of the scattered tube radiation: Rayleigh peaks of the anode
    /// lines, broader Compton peaks below them (Doppler broadening ~ 0.45 keV FWHM), and
    /// the scattered bremsstrahlung (Kramers' law `(E0 - E)/E`, cut below ~2 keV by air and
    /// the detector window); `comptonToRayleigh` and `continuum` set the mix.
    static func scatter(energies: [Double], step: Double, comptonToRayleigh: Double, continuum: Double) -> [Double] {
        var s = [Double](repeating: 0, count: energies.count)
        for l in anodeLines {
            addGaussian(to: &s, energies: energies, step: step, centre: l.energy, fwhm: fwhm(l.energy),
                        area: l.relative)
            let ce = compton(l.energy)
            addGaussian(to: &s, energies: energies, step: step, centre: ce,
                        fwhm: (fwhm(ce) * fwhm(ce) + 0.45 * 0.45).squareRoot(), area: l.relative * comptonToRayleigh)
        }
        var brems = [Double](repeating: 0, count: energies.count)
        for (i, e) in energies.enumerated() where e > 0.3 && e < tubeKV {
            let window = exp(-pow(1.9 / e, 3))
            brems[i] = (tubeKV - e) / e * window
        }
        let b = normalised(brems)
        let peaks = normalised(s)
        return normalised(zip(peaks, b).map { $0 * (1 - continuum) + $1 * continuum })
    }

    static func normalised(_ v: [Double]) -> [Double] {
        let t = v.reduce(0, +)
        return t > 0 ? v.map { $0 / t } : v
    }
}
