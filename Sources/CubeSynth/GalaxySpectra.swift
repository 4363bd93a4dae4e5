import Foundation

/// Rest-frame spectral templates of the synthetic IFU galaxy (wavelengths in Angstrom,
/// air), tabulated on a fine grid so each pixel's Doppler-shifted spectrum is an
/// interpolation.
enum Galaxy {
    static let speedOfLight = 299_792.458  // km/s

    /// An emission line: rest wavelength (Angstrom) and flux relative to H-alpha.
    struct Line: Sendable {
        let wavelength: Double
        let flux: Double
    }

    static let hBeta = 4861.33, oIII4959 = 4958.91, oIII5007 = 5006.84, heI5876 = 5875.62
    static let oI6300 = 6300.30, nII6548 = 6548.05, hAlpha = 6562.80, nII6583 = 6583.45
    static let sII6717 = 6716.44, sII6731 = 6730.82

    /// Line ratios by excitation: [OIII]4959 = 5007/2.98 and [NII]6548 = 6583/3.05 (atomic
    /// physics), Balmer decrement H-beta/H-alpha ~ 0.3 (mild dust).
    static func lines(hBeta hb: Double, oIII: Double, nII: Double, sII: Double, oI: Double, heI: Double = 0) -> [Line] {
        [Line(wavelength: hBeta, flux: hb), Line(wavelength: oIII5007, flux: oIII), Line(wavelength: oIII4959, flux: oIII / 2.98),
         Line(wavelength: heI5876, flux: heI), Line(wavelength: oI6300, flux: oI), Line(wavelength: nII6548, flux: nII / 3.05),
         Line(wavelength: hAlpha, flux: 1), Line(wavelength: nII6583, flux: nII),
         Line(wavelength: sII6717, flux: sII * 0.55), Line(wavelength: sII6731, flux: sII * 0.45)]
    }

    /// Star-forming (HII) regions: strong Balmer lines, high [OIII]/H-beta, weak [NII], [SII].
    static let hiiLines = lines(hBeta: 0.33, oIII: 1.2, nII: 0.2, sII: 0.2, oI: 0.02, heI: 0.04)
    /// Diffuse ionised gas of the disc: enhanced [NII] and [SII].
    static let discLines = lines(hBeta: 0.28, oIII: 0.3, nII: 0.45, sII: 0.6, oI: 0.05)
    /// LINER-like bulge gas: [NII] stronger than H-alpha.
    static let bulgeLines = lines(hBeta: 0.25, oIII: 0.5, nII: 1.4, sII: 1.1, oI: 0.2)
    /// Seyfert narrow-line region: [OIII]/H-beta ~ 10, [NII]/H-alpha ~ 1.
    static let agnLines = lines(hBeta: 0.3, oIII: 3.0, nII: 0.9, sII: 0.75, oI: 0.25)

    /// An absorption feature of the stellar continuum: centre, Gaussian sigma (Angstrom),
    /// fractional depth.
    struct Absorption: Sendable {
        let wavelength: Double, sigma: Double, depth: Double
    }

    static let oldStarsAbsorption: [Absorption] = [
        .init(wavelength: 4861.3, sigma: 6, depth: 0.08), .init(wavelength: 5175.0, sigma: 12, depth: 0.22),
        .init(wavelength: 5270.0, sigma: 6, depth: 0.1), .init(wavelength: 5335.0, sigma: 6, depth: 0.08),
        .init(wavelength: 5892.5, sigma: 5, depth: 0.2), .init(wavelength: 6562.8, sigma: 6, depth: 0.06),
        .init(wavelength: 4668.0, sigma: 10, depth: 0.08),
    ]
    static let youngStarsAbsorption: [Absorption] = [
        .init(wavelength: 4861.3, sigma: 14, depth: 0.18), .init(wavelength: 6562.8, sigma: 14, depth: 0.12),
        .init(wavelength: 5175.0, sigma: 10, depth: 0.08), .init(wavelength: 5892.5, sigma: 5, depth: 0.06),
    ]

    /// Planck's law per unit wavelength at temperature `t` (K), wavelength in Angstrom;
    /// arbitrary scale.
    static func blackbody(_ lambda: Double, temperature t: Double) -> Double {
        let l = lambda * 1e-10
        return 1 / (pow(l, 5) * (exp(0.014_387_77 / (l * t)) - 1))
    }
}

/// A rest-frame template tabulated at `start + i * step` Angstrom, normalised to unit
/// integral over the observed band.
struct SpectrumTemplate: Sendable {
    let start: Double
    let step: Double
    let values: [Double]

    /// Continuum `continuum(lambda)` times absorption features broadened by `sigmaKms`,
    /// plus emission `lines` (fluxes relative to H-alpha, each H-alpha unit carrying
    /// `lineFraction` of the total flux) broadened by `sigmaKms` and the instrument.
    init(range: ClosedRange<Double>, step: Double, continuum: (Double) -> Double, absorption: [Galaxy.Absorption],
         lines: [Galaxy.Line], lineFraction: Double, sigmaKms: Double, instrumentSigma: Double,
         broad: [(Galaxy.Line, Double)] = []) {
        self.start = range.lowerBound
        self.step = step
        let n = Int((range.upperBound - range.lowerBound) / step) + 1
        var cont = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let l = range.lowerBound + Double(i) * step
            var f = continuum(l)
            for a in absorption {
                let s = (a.sigma * a.sigma + pow(a.wavelength * sigmaKms / Galaxy.speedOfLight, 2)).squareRoot()
                let d = (l - a.wavelength) / s
                f *= 1 - a.depth * exp(-0.5 * d * d)
            }
            cont[i] = f
        }
        let contSum = cont.reduce(0, +) * step
        var emission = [Double](repeating: 0, count: n)
        func add(_ line: Galaxy.Line, sigmaKms: Double) {
            let s = (instrumentSigma * instrumentSigma + pow(line.wavelength * sigmaKms / Galaxy.speedOfLight, 2)).squareRoot()
            let lo = max(0, Int((line.wavelength - 6 * s - range.lowerBound) / step))
            let hi = min(n - 1, Int((line.wavelength + 6 * s - range.lowerBound) / step) + 1)
            guard lo <= hi else { return }
            for i in lo...hi {
                let d = (range.lowerBound + Double(i) * step - line.wavelength) / s
                emission[i] += line.flux * exp(-0.5 * d * d) / (s * (2 * Double.pi).squareRoot())
            }
        }
        for line in lines { add(line, sigmaKms: sigmaKms) }
        for (line, sigma) in broad { add(line, sigmaKms: sigma) }
        let emissionSum = emission.reduce(0, +) * step
        var v = [Double](repeating: 0, count: n)
        for i in 0..<n {
            v[i] = (1 - lineFraction) * cont[i] / max(contSum, .leastNormalMagnitude)
                + (emissionSum > 0 ? lineFraction * emission[i] / emissionSum : 0)
        }
        self.values = v
    }

    /// Flux density (per Angstrom) at rest wavelength `lambda`, linear interpolation; 0
    /// outside the table.
    @inline(__always)
    func value(at lambda: Double) -> Double {
        let x = (lambda - start) / step
        guard x >= 0 else { return 0 }
        let i = Int(x)
        guard i + 1 < values.count else { return 0 }
        let f = x - Double(i)
        return values[i] * (1 - f) + values[i + 1] * f
    }
}
