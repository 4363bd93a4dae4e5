import Foundation

/// The spectral axis of a FITS cube from its axis-3 WCS keywords (pure; no I/O).
///
/// Pixel p (1-based) has intermediate coordinate w = (p - CRPIX3) * CDELT3 (CD3_3, or
/// PC3_3 * CDELT3, when present). Linear types give CRVAL3 + w; `-LOG` types give
/// CRVAL3 * exp(w / CRVAL3) (FITS paper III). CTYPE3 names the quantity (WAVE/AWAV:
/// wavelength, FREQ, ENER, VRAD/VOPT/VELO: velocity); CUNIT3 the unit, defaulting to the
/// standard's SI units (m, Hz, J→ not read, m/s). No CRVAL3/CDELT3 gives channel index.
enum FITSSpectralWCS {
    static func axis(count: Int, keyword: (String) -> String?) -> SpectralAxis {
        func number(_ key: String) -> Double? { keyword(key).flatMap { Double($0.replacingOccurrences(of: "D", with: "E")) } }
        let ctype = (keyword("CTYPE3") ?? "").uppercased()
        let step: Double? = number("CD3_3") ?? number("CDELT3").map { $0 * (number("PC3_3") ?? 1) }
        guard let crval = number("CRVAL3"), let step, step.isFinite, crval.isFinite, step != 0 else { return .channelIndex(count) }
        let crpix = number("CRPIX3") ?? 1
        let isLog = ctype.hasSuffix("-LOG")
        let values = (0..<count).map { i -> Double in
            let w = (Double(i + 1) - crpix) * step
            return isLog ? crval * exp(w / crval) : crval + w
        }
        let prefix = String(ctype.prefix(4))
        let fallback: (String?, SpectralAxis.Unit, SpectralAxis.Quantity)
        switch prefix {
        case "WAVE", "AWAV": fallback = ("m", .nm, .wavelength)
        case "FREQ": fallback = ("Hz", .hz, .frequency)
        case "ENER": fallback = ("eV", .eV, .energy)
        case "VRAD", "VOPT", "VELO", "ZOPT": fallback = ("m/s", .kmPerS, .velocity)
        default: fallback = (nil, .unknown, .other)
        }
        let unit = keyword("CUNIT3").flatMap { $0.isEmpty ? nil : $0 } ?? fallback.0
        return SpectralUnitName.axis(values: values, unitName: unit, fallback: (fallback.1, fallback.2))
    }
}
