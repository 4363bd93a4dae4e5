import Foundation

/// Maps the unit names files use (`Nanometers`, `keV`, `Angstrom`, `m`, `GHz`) to a
/// `SpectralAxis` unit, its quantity, and the factor that converts values into that unit
/// (metres become nm, kHz/MHz/GHz become Hz, m/s becomes km/s).
enum SpectralUnitName {
    static func parse(_ name: String) -> (unit: SpectralAxis.Unit, quantity: SpectralAxis.Quantity, scale: Double)? {
        let key = name.trimmingCharacters().lowercased().replacingOccurrences(of: "\u{c5}", with: "a")
        switch key {
        case "ev", "electronvolt", "electron volts": return (.eV, .energy, 1)
        case "kev": return (.keV, .energy, 1)
        case "mev": return (.keV, .energy, 1000)
        case "nm", "nanometer", "nanometers", "nanometre", "nanometres": return (.nm, .wavelength, 1)
        case "um", "micron", "microns", "micrometer", "micrometers", "micrometre", "micrometres", "\u{b5}m": return (.um, .wavelength, 1)
        case "angstrom", "angstroms", "a", "aa", "0.1 nm": return (.angstrom, .wavelength, 1)
        case "m", "meter", "meters", "metre", "metres": return (.nm, .wavelength, 1e9)
        case "hz": return (.hz, .frequency, 1)
        case "khz": return (.hz, .frequency, 1e3)
        case "mhz": return (.hz, .frequency, 1e6)
        case "ghz": return (.hz, .frequency, 1e9)
        case "km/s", "km s-1", "km.s-1": return (.kmPerS, .velocity, 1)
        case "m/s", "m s-1", "m.s-1": return (.kmPerS, .velocity, 1e-3)
        case "index", "channel", "channels", "band", "bands": return (.channel, .index, 1)
        default: return nil
        }
    }

    /// The axis for `values` written in unit `name`; an unknown name keeps the values with
    /// unit `.unknown`, and no name at all gives `fallback`.
    static func axis(values: [Double], unitName: String?, fallback: (SpectralAxis.Unit, SpectralAxis.Quantity) = (.unknown, .other)) -> SpectralAxis {
        guard let unitName, !unitName.trimmingCharacters().isEmpty else {
            return SpectralAxis(values: values, unit: fallback.0, quantity: fallback.1)
        }
        guard let (unit, quantity, scale) = parse(unitName) else {
            return SpectralAxis(values: values, unit: .unknown, quantity: .other)
        }
        return SpectralAxis(values: scale == 1 ? values : values.map { $0 * scale }, unit: unit, quantity: quantity)
    }
}
